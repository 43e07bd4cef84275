"""The account's "your data" page and the archive it hands out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from joren.platform.csv_export import content_disposition
from joren.platform.db import db, utcnow
from joren.tenants.privacy import export

bp = Blueprint("privacy", __name__)


def _readme(data: export.PersonalData) -> str:
    names = ", ".join(sorted(data.communities.values())) or _("none")
    lines = [
        _("Your data at Joren, as of %(when)s (UTC).", when=data.generated_at.strftime(
            "%Y-%m-%d %H:%M")),
        "",
        _("Communities: %(names)s", names=names),
        "",
        _("data.json holds everything in one file. Each folder holds one community's rows "
          "as CSV files that open in Excel; the folder named account holds your account, "
          "your signed-in devices and the emails Joren sent you."),
        _("Passwords, sign-in tokens and other secrets are not included."),
    ]
    return "\r\n".join(lines) + "\r\n"


@bp.get("/account/data")
@login_required
def page() -> Any:
    return render_template("privacy/data.html")


@bp.post("/account/data/archive")
@login_required
def download() -> Any:
    now = utcnow()
    data = export.collect(db.session, current_user._get_current_object(), now)
    body = export.archive(data, _readme(data))
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(
        f"joren-data-{now:%Y%m%d}.zip")
    response.headers["Cache-Control"] = "no-store"
    return response
