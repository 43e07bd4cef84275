"""Introductions: settings, the organizer's review queue, members' answers and requests."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("introductions", __name__)
