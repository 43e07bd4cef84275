"""The platform admin's audit log (``/admin/audit``): what Joren's operators did, on the
platform admin pages and with ``joren`` commands, across every community and none. Like the
other platform admin pages, everyone else gets a 404. It lives here, not in
joren.platform.admin, because the log is privacy's (the core cannot import it)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from joren.platform.csv_export import csv_response
from joren.platform.db import db, utcnow
from joren.platform.identity.community import Community
from joren.platform.pagination import page_number
from joren.tenants.privacy import audit_labels, audit_log
from joren.tenants.privacy.forms import OperatorAuditFilterForm
from joren.tenants.privacy.views import audit_csv_header, audit_csv_rows

bp = Blueprint("privacy_operators", __name__, url_prefix="/admin")
NO_COMMUNITY = "-"  # the community filter's value for entries of no community


@bp.before_request
def _platform_admins_only() -> None:
    if not (current_user.is_authenticated and current_user.is_platform_admin):
        abort(404)


def _filters() -> tuple[OperatorAuditFilterForm, audit_log.Filters]:
    form = OperatorAuditFilterForm(request.args)
    form.action.choices = audit_labels.action_choices()
    form.entity.choices = audit_labels.entity_choices(audit_log.operator_entities(db.session))
    if not form.validate():
        return form, audit_log.Filters()
    community_id = None
    slug = (form.community.data or "").strip()
    if slug == NO_COMMUNITY:
        community_id = 0
    elif slug:
        community_id = db.session.scalar(select(Community.id).where(Community.slug == slug))
        if community_id is None:
            form.community.errors = [_("No community has that address.")]
            community_id = -1  # nothing matches
    return form, audit_log.Filters(
        actor=form.actor.data or "", action=form.action.data or "",
        entity=form.entity.data or "", since=form.since.data, until=form.until.data,
        community_id=community_id)


def _community_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Community.id, Community.name).where(Community.id.in_(ids)))
    return {row.id: row.name for row in rows}


@bp.get("/audit")
def audit_page() -> Any:
    form, filters = _filters()
    found = audit_log.operator_page(db.session, filters, page_number(request.args.get("page")))
    names = _community_names({e.tenant_id for e in found.items if e.tenant_id})
    return render_template("privacy/operator_audit.html", form=form, page=found,
                           labels=audit_labels, operators=True, communities=names,
                           audit_days=current_app.config["RETENTION_AUDIT_DAYS"])


@bp.get("/audit.csv")
def audit_csv() -> Any:
    _form, filters = _filters()
    rows = audit_log.operator_rows_for_csv(db.session, filters)
    names = _community_names({e.tenant_id for e in rows if e.tenant_id})
    header = [*audit_csv_header(), _("Community")]
    body = [[*row, names.get(e.tenant_id or 0, "")]
            for e, row in zip(rows, audit_csv_rows(rows, operators=True), strict=True)]
    return csv_response(f"audit-operators-{utcnow():%Y%m%d}.csv", header, body)
