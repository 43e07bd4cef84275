"""The organizer console shell: dashboard and community settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from joren.platform.communities.forms import SettingsForm, timezone_choices
from joren.platform.communities.services import COMMON_TIMEZONES, update_community
from joren.platform.db import db
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import require
from joren.tenants.console.services import dashboard as dashboard_figures

bp = Blueprint("console", __name__, url_prefix="/admin")


@bp.get("/")
@require(Capability.VIEW_CONSOLE)
def dashboard() -> Any:
    figures = dashboard_figures(db.session)
    return render_template("console/dashboard.html", figures=figures,
                           welcome=request.args.get("welcome") == "1")


@bp.route("/settings", methods=["GET", "POST"])
@require(Capability.MANAGE_SETTINGS)
def settings() -> Any:
    community = g.community
    form = SettingsForm(obj=community)
    if request.method == "GET":
        form.kind.data = community.kind.value
    if community.timezone not in COMMON_TIMEZONES:
        form.timezone.choices = [(community.timezone, community.timezone), *timezone_choices()]
    if form.validate_on_submit():
        update_community(
            db.session, community,
            name=form.name.data, description=(form.description.data or "").strip(),
            kind=form.kind.data, city=(form.city.data or "").strip(),
            timezone=form.timezone.data, default_language=form.default_language.data,
            is_public=bool(form.is_public.data),
        )
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for(".settings"))
    return render_template("console/settings.html", form=form)
