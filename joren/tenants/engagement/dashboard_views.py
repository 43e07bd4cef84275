"""The organizer's analytics dashboard: regulars, conversion, retention, lapsed regulars."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_skeleton
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.i18n import current_language
from joren.platform.inputs import parse_id
from joren.platform.jobs import enqueue_after_commit, minutes_slot_key
from joren.platform.mail.outbox import render_email
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.platform.membership.models import Member
from joren.platform.pagination import page_number
from joren.tenants.engagement.analytics import RETURN_WITHIN, Analytics, analytics
from joren.tenants.engagement.labels import LEVEL_LABELS, SENT_LABELS
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.services import REFRESH_ROLLUPS_JOB
from joren.tenants.engagement.we_miss_you import (
    MESSAGE_LIMIT,
    SUBJECT_LIMIT,
    EditError,
    Outcome,
    UnknownMember,
    clean_edit,
    draft,
    send_we_miss_you,
    sent_status_alone,
    sent_statuses,
    sent_statuses_alone,
    we_miss_you_key,
)
from joren.tenants.members.industries import INDUSTRIES

bp = Blueprint("analytics", __name__)

# A page that finds the rollups out of date asks for a refresh at most once per this many
# minutes per community (the page itself is right meanwhile: it reads the register).
REFRESH_EVERY = 2
SUMMARY_LEVELS = (Level.REGULAR, Level.RETURNING, Level.FIRST_TIMER, Level.ONE_TIME,
                  Level.LAPSED_REGULAR)


def month_label(month: date) -> str:
    """"2026年6月" / "Jun 2026"."""
    language = current_language()
    return format_skeleton("yMMM", month, locale="ja" if language.startswith("ja") else "en")


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def industry_label(code: str) -> str:
    label = INDUSTRIES.get(code)
    return label(current_language()) if label else _("Not given")


def chart_rows(a: Analytics) -> dict[str, Any]:
    """(label, value, text beside the bar) rows for the bar charts, in the reader's language."""
    def share_text(part: int, whole: int, share: float | None) -> str:
        return _("%(part)s of %(whole)s (%(percent)s)", part=part, whole=whole,
                 percent=percent(share))

    so_far = " " + _("so far")
    return {
        "mix_top": max((m.total for m in a.mix), default=0),
        "returns": [(month_label(r.month), r.share or 0,
                     share_text(r.part, r.whole, r.share) + ("" if r.complete else so_far))
                    for r in a.returns if r.whole],
        "guests": [(month_label(r.month), r.share or 0, share_text(r.part, r.whole, r.share))
                   for r in a.guests if r.whole],
        "no_shows": [(format_date(n.occurrence.starts_at, "short"), n.rate or 0,
                      share_text(n.no_shows, n.going, n.rate)) for n in a.no_shows if n.going],
        "industries": [(industry_label(code), n, str(n)) for code, n in a.industries],
        "industries_top": max((n for _code, n in a.industries), default=0),
    }


@bp.get("/admin/analytics")
@require(Capability.VIEW_ANALYTICS)
def dashboard() -> Any:
    # Its figures count from the present moment (which meetups have started and ended, the
    # months shown): they are computed as of the start of the minute, which is in the key.
    # What the reader may do follows their role; the pager keeps every argument.
    now = utcnow().replace(second=0, microsecond=0)

    def body() -> str:
        figures = analytics(db.session, g.community.zone, now,
                            lapsed_page=page_number(request.args.get("page")))
        pairs = [(row.member.id, row.last_attended_at) for row in figures.lapsed]
        sent = sent_statuses(db.session, g.community, pairs)
        computed.update(current=figures.current, lapsed=[
            [member_id, last.isoformat() if last else None] for member_id, last in pairs],
            sent=_sent_values(sent))
        return render_template(
            "engagement/analytics/_dashboard_body.html", a=figures, charts=chart_rows(figures),
            sent=sent, sent_labels=SENT_LABELS, level_labels=LEVEL_LABELS,
            summary_levels=SUMMARY_LEVELS, month_label=month_label, percent=percent,
            return_within=RETURN_WITHIN, may_email=g.membership.is_organizer)

    def emails_unchanged(about: Any) -> bool:
        # The "we miss you" emails' states are moved by the mail worker, which marks no
        # community: read again on every view (one statement, run alone), the page is kept
        # only while they are as it shows them.
        if not isinstance(about, dict):
            return False
        pairs = [(member_id, datetime.fromisoformat(last) if last else None)
                 for member_id, last in about.get("lapsed", [])]
        return _sent_values(sent_statuses_alone(db.session, g.community, pairs)) == about.get(
            "sent")

    computed: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "analytics.dashboard",
        (g.membership.role.value, sorted(request.args.items(multi=True)), now.isoformat()),
        body, about=lambda: dict(computed), still_true=emails_unchanged)
    page = render_template("engagement/analytics/dashboard.html", body_html=body_html)
    if not (about or {}).get("current", True):
        # Computed from the register: bring the rollups up to date (after rendering, as the
        # commit expires what the page shows) — asked once per community and window, however
        # many organizers look meanwhile.
        enqueue_after_commit(
            db.session, REFRESH_ROLLUPS_JOB, g.community.id,
            job_id=f"refresh-rollups-{g.community.id}-{minutes_slot_key(REFRESH_EVERY)}",
            unique_for=REFRESH_EVERY * 60)
        db.session.commit()
    return page


def _sent_values(sent: dict[int, Any]) -> dict[str, str]:
    return {str(member_id): status.value for member_id, status in sent.items()}


@bp.post("/admin/analytics/lapsed/<int:member_id>/we-miss-you")
@require(Capability.EMAIL_MEMBERS)
def we_miss_you(member_id: int) -> Any:
    """Send (the organizer's edited subject and message, when the form has them), or show
    the edited email again (``action=preview``)."""
    subject = request.form.get("subject", "")
    message = request.form.get("message", "")
    if request.form.get("action") == "preview":
        return _compose(member_id, subject, message)
    try:
        subject, message = clean_edit(subject, message)
    except EditError as exc:
        return _compose(member_id, subject, message, EDIT_ERRORS[exc.code]())
    return _send([member_id], subject=subject, message=message)


EDIT_ERRORS = {
    "subject_long": lambda: _("The subject can be at most %(count)s characters.",
                              count=SUBJECT_LIMIT),
    "message_long": lambda: _("The message can be at most %(count)s characters.",
                              count=MESSAGE_LIMIT),
}


@bp.get("/admin/analytics/lapsed/<int:member_id>/we-miss-you")
@require(Capability.EMAIL_MEMBERS)
def we_miss_you_compose(member_id: int) -> Any:
    """The "we miss you" email to one person, to read and edit before it goes.

    Kept by the page cache: the key holds the member and the reader (the email is signed with
    their name). The member is read only when the page is computed (another community's id
    answers 404 as it computes, never kept). Two things no write of the community marks are
    checked on every view: the clock (the email names the next meetup: the page holds until
    it starts) and the state of this absence's email, which the mail worker moves (one
    statement)."""
    seen: dict[str, Any] = {}

    def still_true(about: Any) -> bool:
        return (isinstance(about, dict) and pagecache.not_yet(about.get("until"))
                and sent_status_alone(db.session, g.community.id, about.get("sent_key", ""))
                == about.get("sent"))

    body_html, about = pagecache.cached_html_about(
        db.session, "analytics.we_miss_you_compose", (member_id, g.membership.id),
        lambda: _compose_body(member_id, seen), about=lambda: dict(seen), still_true=still_true)
    return _compose_page(about["title"], body_html)


def _compose(member_id: int, subject: str | None = None, message: str | None = None,
             error: str | None = None) -> Any:
    """The draft with what the organizer typed (a preview, or a refused edit): computed."""
    seen: dict[str, Any] = {}
    body_html = Markup(_compose_body(member_id, seen, subject, message, error))  # noqa: S704 - Jinja's autoescaped output
    return _compose_page(seen["title"], body_html), (422 if error else 200)


def _compose_page(title: str, body_html: Markup) -> str:
    return render_template("engagement/analytics/we_miss_you.html", title=title,
                           body_html=body_html)


def _compose_body(member_id: int, seen: dict[str, Any], subject: str | None = None,
                  message: str | None = None, error: str | None = None) -> str:
    person = get_or_404(Member, member_id)
    found = draft(db.session, g.community, person, g.membership)
    defaults = {"subject": "", "message": ""}
    preview = None
    upcoming = found.context.get("meetup")
    seen.update(title=person.display_name,
                until=upcoming.starts_at.isoformat() if upcoming is not None else None,
                sent_key=we_miss_you_key(g.community.id, person.id, (
                    found.engagement.last_attended_at if found.engagement is not None
                    else None)),
                sent=found.sent.value if found.sent is not None else None)
    if found.context:
        with force_locale(found.language):
            defaults = {
                "subject": " ".join(render_template(
                    "engagement/emails/we_miss_you.subject.txt", **found.context).split()),
                "message": render_template("engagement/emails/_we_miss_you_message.txt",
                                           **found.context).strip(),
            }
        subject = defaults["subject"] if subject is None else subject
        message = defaults["message"] if message is None else message
        edited = {"custom_subject": " ".join(subject.split())[:SUBJECT_LIMIT],
                  "custom_message": message.strip()[:MESSAGE_LIMIT]}
        preview_subject, preview_text, _html = render_email(
            "engagement/we_miss_you", found.language, {**found.context, **edited})
        preview = {"subject": preview_subject, "text": preview_text}
    return render_template("engagement/analytics/_we_miss_you_body.html", draft=found,
                           subject=subject or "", message=message or "", preview=preview,
                           error=error, sent_labels=SENT_LABELS,
                           subject_limit=SUBJECT_LIMIT, message_limit=MESSAGE_LIMIT)


@bp.post("/admin/analytics/lapsed/we-miss-you")
@require(Capability.EMAIL_MEMBERS)
def we_miss_you_selection() -> Any:
    raw = request.form.getlist("member_id")
    member_ids = [parse_id(value) for value in raw]
    if None in member_ids:
        abort(404)
    if not raw:
        flash(_("Choose at least one person first."), "warning")
        return redirect(url_for(".dashboard", _anchor="lapsed"))
    return _send([member_id for member_id in member_ids if member_id is not None])


def _send(member_ids: list[int], subject: str = "", message: str = "") -> Any:
    try:
        outcome = send_we_miss_you(db.session, g.community, member_ids, g.membership,
                                   subject=subject, message=message)
    except UnknownMember:
        db.session.rollback()
        abort(404)
    db.session.commit()
    _report(outcome)
    return redirect(url_for(".dashboard", _anchor="lapsed"))


def _report(outcome: Outcome) -> None:
    messages = (
        (outcome.queued, _("“We miss you” emails on their way: %(count)s."), "success"),
        (outcome.already, _("Already sent for this absence, so not sent again: %(count)s."),
         "info"),
        (outcome.unsubscribed, _("Unsubscribed from these emails, so nothing was sent: "
                                 "%(count)s."), "warning"),
        (outcome.no_email, _("No email address on file: %(count)s."), "warning"),
        (outcome.not_lapsed, _("No longer lapsed regulars, so nothing was sent: %(count)s."),
         "info"),
    )
    for ids, message, category in messages:
        if ids:
            flash(message % {"count": len(ids)}, category)
