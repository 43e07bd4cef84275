"""The community's privacy notice for everyone, and each member's consent choices."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from joren.platform.db import db, utcnow
from joren.platform.membership.edge import active_membership
from joren.platform.security import is_safe_next
from joren.tenants.members.consent import services
from joren.tenants.members.consent.forms import ConsentForm
from joren.tenants.members.consent.purposes import (
    CHOICES,
    EXPLANATIONS,
    LABELS,
    SURFACE_LABELS,
    Surface,
)

bp = Blueprint("consent", __name__)

# Surfaces a link may name (?via=); the others are decided here, never by the link.
NAMED_BY_LINK = {Surface.SERIES.value: Surface.SERIES}


def _next_target() -> str | None:
    target = request.values.get("next", "")
    prefix = f"/c/{g.community.slug}/"
    return target if is_safe_next(target) and target.startswith(prefix) else None


def _surface(member: Any, ask: services.Ask) -> Surface:
    if not ask.never_asked:
        return Surface.PORTAL
    named = NAMED_BY_LINK.get(request.values.get("via", ""))
    return named or services.first_surface(db.session, member)


@bp.route("/privacy", methods=["GET", "POST"])
def notice() -> Any:
    member = active_membership()
    if member is None:
        if request.method == "POST":
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if not g.community.is_public:
            abort(404)
    published, text = services.notice_text(db.session, g.community)
    if member is None:
        return render_template("members/consent/notice.html", notice=published, text=text,
                               form=None, ask=None, state={}, history=[])
    ask = services.ask_state(db.session, member.id)
    form = ConsentForm()
    if request.method == "POST" and form.validate():
        _save(member, form, ask)
        return redirect(_next_target() or url_for(".notice"))
    state = services.current_state(db.session, member)
    if request.method == "GET":
        for purpose in CHOICES:
            form[purpose.value].data = state[purpose]
        form.via.data = request.args.get("via", "")
        form.next.data = _next_target() or ""
    return render_template("members/consent/notice.html", notice=published, text=text,
                           form=form, ask=ask, state=state,
                           history=services.history(db.session, member.id))


def _save(member: Any, form: ConsentForm, ask: services.Ask) -> None:
    wanted = {purpose: bool(form[purpose.value].data) for purpose in CHOICES}
    now = utcnow()
    if ask.needed:
        services.record_answers(db.session, member, g.community, wanted,
                                surface=_surface(member, ask), now=now)
    else:
        before = services.current_state(db.session, member)
        changed = {p: v for p, v in wanted.items() if before[p] != v}
        if changed:
            services.record_answers(db.session, member, g.community, changed,
                                    surface=Surface.PORTAL, now=now, acknowledge=False)
    db.session.commit()
    flash(_("Your choices are saved. You can change them here at any time."), "success")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"consent_labels": LABELS, "consent_explanations": EXPLANATIONS,
            "consent_choices": CHOICES, "surface_labels": SURFACE_LABELS}
