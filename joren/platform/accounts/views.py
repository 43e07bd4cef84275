"""The accounts blueprint: sign-up and verification, sign-in (password or emailed link),
password reset and the account page, one module each; the navbar's community switcher."""

from __future__ import annotations

from flask import Blueprint

from joren.platform.accounts import (
    account_views,
    reset_views,
    signin_views,
    signup_views,
    switcher,
)

bp = Blueprint("accounts", __name__)
for module in (signup_views, signin_views, reset_views, account_views):
    module.register(bp)
bp.app_context_processor(switcher.inject_my_communities)
