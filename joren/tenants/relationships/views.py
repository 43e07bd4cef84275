"""The relationship ledger in the portal (network, contacts, referrals) and the outcomes page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("relationships", __name__)
