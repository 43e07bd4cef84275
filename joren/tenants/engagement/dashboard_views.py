"""The organizer's analytics dashboard: regulars, conversion, retention, lapsed regulars."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("analytics", __name__)
