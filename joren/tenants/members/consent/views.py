"""The community's privacy notice for everyone, and each member's consent choices."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from joren.platform import pagecache
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
    """The notice, and a member's choices. Kept by the page cache: for readers not signed in
    the same page; for a member by member and the link's arguments (the form carries them).
    A member's choices also follow their address's unsubscribes (an unsubscribe link marks
    no community): read again on every view, the page is kept while they are as it shows."""
    member = active_membership()
    if member is None:
        if request.method == "POST":
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if not g.community.is_public:
            abort(404)
        return _notice_page(pagecache.cached_html(db.session, "consent.notice", (None,),
                                                  lambda: _notice_body(None)))
    if request.method == "POST":
        ask = services.ask_state(db.session, member.id)
        form = ConsentForm()
        if form.validate():
            _save(member, form, ask)
            return redirect(_next_target() or url_for(".notice"))
        # A refused form: shown with what was sent, never kept.
        stopped = services.stopped_categories(db.session, member)
        return _notice_page(Markup(_notice_body(member, form, ask, stopped)))  # noqa: S704 - Jinja's autoescaped output
    via, target = request.args.get("via", ""), _next_target() or ""
    read: dict[str, Any] = {}

    def body() -> str:
        read["stopped"] = services.stopped_categories(db.session, member)
        form = ConsentForm()
        state = services.state_from_flags(member, set(read["stopped"]))
        for purpose in CHOICES:
            form[purpose.value].data = state[purpose]
        form.via.data = via
        form.next.data = target
        return _notice_body(member, form, services.ask_state(db.session, member.id),
                            read["stopped"])

    body_html, _stopped = pagecache.cached_html_about(
        db.session, "consent.notice", (member.id, via, target), body,
        about=lambda: read["stopped"],
        still_true=lambda seen: seen == services.stopped_categories_alone(db.session, member))
    return _notice_page(body_html)


def _notice_body(member: Any, form: ConsentForm | None = None,
                 ask: services.Ask | None = None, stopped: list[str] | None = None) -> str:
    published, text = services.notice_text(db.session, g.community)
    if member is None:
        return render_template("members/consent/_notice_body.html", notice=published,
                               text=text, form=None, ask=None, state={}, history=[])
    return render_template(
        "members/consent/_notice_body.html", notice=published, text=text, form=form, ask=ask,
        state=services.state_from_flags(member, set(stopped or ())),
        history=services.history(db.session, member.id))


def _notice_page(body_html: Any) -> Any:
    return render_template("members/consent/notice.html", body_html=body_html)


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
