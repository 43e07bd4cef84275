"""Check-in at the door, self check-in, the printable list and the attendance register."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)
