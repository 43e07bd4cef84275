"""Member profiles (portal: my profile; console: guests' rows) and the member directory."""

from flask import Blueprint

bp = Blueprint("profiles", __name__)
