"""Engagement pages: settings with thresholds explained, and the member's own engagement."""

from flask import Blueprint

bp = Blueprint("engagement", __name__)
