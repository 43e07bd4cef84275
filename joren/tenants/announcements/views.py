"""Console pages of announcements: the list, write or edit, preview and schedule, delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import SelectChoice

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.inputs import parse_id
from joren.platform.mail.outbox import render_email
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.platform.membership.language import recipient_language
from joren.platform.pagination import PER_PAGE, Page, offset_of, page_number
from joren.tenants.announcements import delivery, segments, services
from joren.tenants.announcements.forms import AnnouncementForm, ScheduleForm
from joren.tenants.announcements.labels import DELIVERY_LABELS, SEGMENT_LABELS, STATUS_LABELS
from joren.tenants.announcements.models import Announcement, AnnouncementStatus
from joren.tenants.meetups.models import Meetup, MeetupStatus

bp = Blueprint("announcements", __name__)
MEETUP_CHOICES = 20


def _labels() -> dict[str, Any]:
    return {"segment_labels": SEGMENT_LABELS, "status_labels": STATUS_LABELS,
            "delivery_labels": DELIVERY_LABELS}


@bp.get("/admin/announcements")
@require(Capability.EMAIL_MEMBERS)
def console_list() -> Any:
    # The same for every reader who may email members: kept by the page cache; the key holds
    # every argument (the pager).
    body_html = pagecache.cached_html(
        db.session, "announcements.console_list", (sorted(request.args.items(multi=True)),),
        _list_body)
    return render_template("announcements/list.html", body_html=body_html)


def _list_body() -> str:
    total = db.session.scalar(select(func.count(Announcement.id))) or 0
    page = Page(items=[], total=total, page=page_number(request.args.get("page")),
                per_page=PER_PAGE)
    page.items = list(db.session.scalars(
        select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .offset(offset_of(page.page, PER_PAGE)).limit(PER_PAGE)))
    return render_template("announcements/_list_body.html", page=page, **_labels())


def _meetup_choices(form: AnnouncementForm, keep: int | None = None,
                    now: datetime | None = None) -> None:
    """The next meetups and the latest past ones (and the one already chosen), as of ``now``
    (default: the present moment)."""
    now = now or utcnow()
    near = list(db.session.scalars(
        select(Meetup).where(Meetup.status == MeetupStatus.SCHEDULED,
                             Meetup.starts_at > now - timedelta(days=30))
        .order_by(Meetup.starts_at).limit(MEETUP_CHOICES)))
    if keep is not None and keep not in {m.id for m in near}:
        chosen = db.session.get(Meetup, keep)
        near += [chosen] if chosen is not None else []
    zone = g.community.zone
    form.meetup_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(m.id), f"{m.starts_at.astimezone(zone):%Y/%m/%d %H:%M} {m.title}")
        for m in near]


def _edit(announcement: Announcement | None) -> Any:
    form = AnnouncementForm(obj=announcement)
    if announcement is not None and request.method == "GET":
        form.meetup_id.data = str(announcement.meetup_id or "")
        form.segment.data = announcement.segment.value
    elif request.method == "GET" and request.args.get("meetup_id"):
        form.meetup_id.data = request.args.get("meetup_id")
    _meetup_choices(form, announcement.meetup_id if announcement else None)
    if form.validate_on_submit():
        try:
            saved = services.save(
                db.session, announcement=announcement, subject=form.subject.data or "",
                body=form.body.data or "", segment=form.segment.data or "",
                meetup_id=parse_id(form.meetup_id.data), author=g.membership)
        except services.AnnouncementError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Saved. Check the preview, then send it or schedule it."), "success")
            return redirect(url_for(".detail", announcement_id=saved.id), 303)
    status = 400 if request.method == "POST" else 200
    return _form_page(_form_body(form, announcement), announcement), status


def _form_body(form: AnnouncementForm, announcement: Announcement | None) -> str:
    return render_template("announcements/_form_body.html", form=form,
                           announcement=announcement, **_labels())


def _form_page(body_html: str, announcement: Announcement | None) -> str:
    return render_template("announcements/form.html", body_html=Markup(body_html),  # noqa: S704 - Jinja's autoescaped output
                           announcement=announcement)


@bp.route("/admin/announcements/new", methods=["GET", "POST"])
@require(Capability.EMAIL_MEMBERS)
def new() -> Any:
    if request.method == "POST":
        return _edit(None)
    # The empty form is the same for every reader who may email members: kept by the page
    # cache. The meetups offered follow the clock, so the form is computed as of the start of
    # the minute; the key holds that minute and every argument (a meetup chosen ahead).
    now = utcnow().replace(second=0, microsecond=0)
    return _form_page(pagecache.cached_html(
        db.session, "announcements.new",
        (now.isoformat(), sorted(request.args.items(multi=True))), lambda: _new_body(now)),
        None)


def _new_body(now: datetime) -> str:
    form = AnnouncementForm()
    if request.args.get("meetup_id"):
        form.meetup_id.data = request.args.get("meetup_id")
    _meetup_choices(form, now=now)
    return _form_body(form, None)


@bp.route("/admin/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@require(Capability.EMAIL_MEMBERS)
def edit(announcement_id: int) -> Any:
    announcement = get_or_404(Announcement, announcement_id)
    if announcement.status not in services.EDITABLE:
        flash(_("This announcement has already been sent."), "danger")
        return redirect(url_for(".detail", announcement_id=announcement.id), 303)
    return _edit(announcement)


def _preview(announcement: Announcement) -> dict[str, Any]:
    sample = segments.sample(db.session, announcement.segment, announcement.meetup_id)
    name = sample[0].display_name if sample else g.membership.display_name
    language = recipient_language(g.membership, g.community)
    subject, text, html = render_email(services.TEMPLATE, language, {
        **services.email_context(g.community, announcement, name),
        "unsubscribe_url": "#", "base_url": current_app.config["BASE_URL"]})
    return {"count": segments.count(db.session, announcement.segment, announcement.meetup_id),
            "sample": sample, "subject": subject, "text": text, "html": html}


@bp.get("/admin/announcements/<int:announcement_id>")
@require(Capability.EMAIL_MEMBERS)
def detail(announcement_id: int) -> Any:
    """Kept while nothing in the community changes, looked up before the announcement is read
    (a result kept under the community's fingerprint proves it is the community's and
    unchanged; an unknown id is a 404 computed anew, never kept). The key holds every
    argument (the pager writes them back). A draft's or a cancelled one's page holds a
    preview written to the reader (their language and name): the kept result then only
    says so, and the page is computed. The emails' states, which the mail worker moves
    without a write in the community, are read again on every view while any can still move
    (delivery.settled)."""
    def compute(read: dict[str, Any]) -> str:
        announcement = get_or_404(Announcement, announcement_id)
        read["subject"] = announcement.subject
        if _previewed(announcement):
            read["previewed"] = True
            return ""
        return _detail_body(announcement, read)

    def unmoved(about: Any) -> bool:
        if not isinstance(about, dict) or "subject" not in about:
            return False
        if about.get("previewed"):
            return True
        return delivery.settled(about["counts"], about["shown"]) or delivery.live(
            db.session, get_or_404(Announcement, announcement_id), about["outbox_ids"]) == {
                "counts": about["counts"], "shown": about["shown"]}

    read: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "announcements.detail",
        (announcement_id, sorted(request.args.items(multi=True))),
        lambda: compute(read), about=lambda: read, still_true=unmoved)
    if about.get("previewed"):
        announcement = get_or_404(Announcement, announcement_id)
        body_html = Markup(_detail_body(announcement))  # noqa: S704 - Jinja's autoescaped output
    return render_template("announcements/detail.html", subject=about["subject"],
                           body_html=body_html)


def _previewed(announcement: Announcement) -> bool:
    """Whether its page shows the preview (a draft, or cancelled): written to the reader."""
    return announcement.status in services.EDITABLE or (
        announcement.status == AnnouncementStatus.CANCELLED)


def _detail_body(announcement: Announcement, read: dict[str, Any] | None = None) -> str:
    meetup = db.session.get(Meetup, announcement.meetup_id) if announcement.meetup_id else None
    context: dict[str, Any] = {"announcement": announcement, "meetup": meetup,
                               "form": ScheduleForm(), **_labels()}
    if announcement.status in services.EDITABLE:
        context["preview"] = _preview(announcement)
    elif announcement.status != AnnouncementStatus.CANCELLED:
        page = Page(items=[], total=announcement.recipient_count,
                    page=page_number(request.args.get("page")), per_page=PER_PAGE)
        # The recipients first, then the counts (delivery.settled).
        page.items = delivery.page(db.session, announcement, offset_of(page.page), PER_PAGE)
        counts = delivery.counts(db.session, announcement)
        context.update(page=page, counts=counts)
        if read is not None:
            read.update(counts=counts, outbox_ids=[d.outbox_id for d in page.items],
                        shown=[d.state for d in page.items])
    return render_template("announcements/_detail_body.html", **context)


def _send_at(raw: str) -> datetime | None:
    """A ``datetime-local`` value in the community's time zone, in UTC (ValueError if bad)."""
    local = datetime.strptime(raw.strip(), "%Y-%m-%dT%H:%M")
    return local.replace(tzinfo=g.community.zone).astimezone(UTC)


@bp.post("/admin/announcements/<int:announcement_id>/schedule")
@require(Capability.EMAIL_MEMBERS)
def schedule(announcement_id: int) -> Any:
    announcement = get_or_404(Announcement, announcement_id)
    form = ScheduleForm()
    now_please = request.form.get("action") == "now"
    back = redirect(url_for(".detail", announcement_id=announcement.id), 303)
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "danger")
        return back
    try:
        send_at = None if now_please else _send_at(form.send_at.data or "")
    except ValueError:
        flash(_("Enter the date and time to send it."), "danger")
        return back
    try:
        services.schedule(db.session, announcement, send_at)
    except services.AnnouncementError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return back
    db.session.commit()
    flash(_("It is being sent now.") if now_please else _("The announcement is scheduled."),
          "success")
    return back


@bp.post("/admin/announcements/<int:announcement_id>/cancel")
@require(Capability.EMAIL_MEMBERS)
def cancel(announcement_id: int) -> Any:
    announcement = get_or_404(Announcement, announcement_id)
    try:
        services.cancel(db.session, announcement)
    except services.AnnouncementError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("The announcement was cancelled; nothing was sent."), "success")
    return redirect(url_for(".detail", announcement_id=announcement.id), 303)
