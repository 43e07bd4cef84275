"""Before and after each meetup: the three gives, "we talked", the journal, email preferences."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("habits", __name__)
