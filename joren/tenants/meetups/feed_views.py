"""Calendar feeds, tickets (QR) and the one-click "can't make it" link."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
