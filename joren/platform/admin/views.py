"""Platform administration pages (``/admin/``), for platform admin accounts only.

Everyone else, signed in or not, gets a 404: the pages do not admit they exist.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from joren.platform.admin import outbox
from joren.platform.admin.services import platform_overview
from joren.platform.communities.services import KIND_LABELS
from joren.platform.db import db
from joren.platform.inputs import int_arg
from joren.platform.mail.labels import OUTBOX_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")

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


@bp.get("/outbox/failed")
def failed_outbox() -> Any:
    page = outbox.failed_messages(db.session, page=int_arg("page", 1))
    return render_template("admin/outbox_failed.html", failed=page)


@bp.post("/outbox/<int:message_id>/resend")
def resend_message(message_id: int) -> Any:
    requeued = outbox.resend(db.session, [message_id])
    db.session.commit()
    if requeued:
        flash(_("The message was queued to be sent again."), "success")
    else:
        flash(_("That message is no longer waiting for a resend."), "info")
    return redirect(url_for("admin.failed_outbox", page=int_arg("page", 1)))


@bp.route("/outbox/failed/resend-all", methods=["GET", "POST"])
def resend_all_failed() -> Any:
    if request.method == "GET":
        return render_template("admin/outbox_resend_all.html",
                               count=outbox.failed_count(db.session),
                               limit=outbox.RESEND_ALL_LIMIT)
    requeued = outbox.resend_all_failed(db.session)
    db.session.commit()
    flash(_("%(count)s messages were queued to be sent again.", count=len(requeued)),
          "success")
    return redirect(url_for("admin.failed_outbox"))
