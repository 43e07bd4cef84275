"""CSV import of members and past attendance, and CSV export of members."""

from flask import Blueprint

bp = Blueprint("imports", __name__)
