"""Platform administration pages (``/admin/``), for platform admin accounts only.

Everyone else, signed in or not, gets a 404: the pages do not admit they exist.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from joren.platform.admin.services import platform_overview
from joren.platform.communities.services import KIND_LABELS
from joren.platform.db import db
from joren.platform.inputs import int_arg
from joren.platform.mail.models import OutboxStatus

bp = Blueprint("admin", __name__, url_prefix="/admin")

OUTBOX_LABELS = {
    OutboxStatus.PENDING: _l("Waiting to be sent"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Delivered"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.SUPPRESSED: _l("Not sent (unsubscribed)"),
}


@bp.before_request
def _platform_admins_only() -> None:
    if not (current_user.is_authenticated and current_user.is_platform_admin):
        abort(404)


@bp.get("/")
def index() -> Any:
    page = int_arg("page", 1)
    overview = platform_overview(db.session, page=page)
    return render_template(
        "admin/index.html", overview=overview, kind_labels=KIND_LABELS,
        outbox_labels=OUTBOX_LABELS,
    )
