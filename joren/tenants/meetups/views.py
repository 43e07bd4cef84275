"""Meetup pages: the console's series and occurrence editors, and the portal's meetup pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import active_membership, get_or_404, require
from joren.platform.membership.models import Member
from joren.platform.pagination import PER_PAGE, Page, offset_of, page_number
from joren.tenants.meetups.labels import ATTENDANCE_LABELS
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
)
from joren.tenants.meetups.public.pages import meetup_card
from joren.tenants.meetups.questions import services as questions
from joren.tenants.meetups.registrations import reading
from joren.tenants.meetups.registrations.box import register_box
from joren.tenants.meetups.registrations.fees import member_fee
from joren.tenants.meetups.series import recurrence
from joren.tenants.meetups.series import services as service
from joren.tenants.meetups.series.checks import SeriesError
from joren.tenants.meetups.series.forms import (
    OccurrenceForm,
    OneOffForm,
    SeriesForm,
    describe_rule,
    detect_pattern,
    error_message,
)
from joren.tenants.meetups.series.recurrence import RuleError
from joren.tenants.members.services import reading_order

bp = Blueprint("meetups", __name__)

PAST_SHOWN = 12  # past meetups per page: each is counted (about a thousand rows apiece)


def endpoint_url(endpoint: str, **values: Any) -> str | None:
    """``url_for`` for an endpoint that may not exist yet (other areas add theirs)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.record_once
def _register_globals(state: Any) -> None:
    state.app.jinja_env.globals.setdefault("attendance_labels", ATTENDANCE_LABELS)
    state.app.jinja_env.globals.setdefault("endpoint_url", endpoint_url)
    state.app.jinja_env.globals.setdefault("describe_rule", describe_rule)


# -- queries --------------------------------------------------------------------------------

def meetups_with_counts(upcoming: bool | None = None, limit: int | None = None,
                        offset: int = 0, now: datetime | None = None,
                        ) -> list[tuple[Meetup, int, int, int, int]]:
    """Meetups with (attended, going, waitlisted, held) counts, in one query; ``held`` seats are
    offered to someone or being paid for, so they are taken until their deadline.

    The counts are correlated subqueries, so only the meetups returned are counted (each
    through ix_attendances_tenant_meetup_status / ix_registrations_tenant_meetup_status),
    never the whole attendance table; ``count(*)``, so that those indexes answer alone
    (index-only scans, no row read). Upcoming and past are as of ``now`` (default: the
    present moment).
    """
    def counted(model: Any, *where: Any) -> Any:
        return (select(func.count()).select_from(model)
                .where(model.meetup_id == Meetup.id, *where)
                .correlate(Meetup).scalar_subquery())

    stmt = select(
        Meetup,
        counted(Attendance, Attendance.status.in_(ATTENDED)),
        counted(Registration, Registration.status == RegistrationStatus.GOING),
        counted(Registration, Registration.status == RegistrationStatus.WAITLISTED),
        counted(Registration, Registration.status.in_(
            (RegistrationStatus.OFFERED, RegistrationStatus.AWAITING_PAYMENT))),
    )
    now = now or utcnow()
    if upcoming is True:
        stmt = stmt.where(Meetup.starts_at >= now).order_by(Meetup.starts_at)
    elif upcoming is False:
        stmt = stmt.where(Meetup.starts_at < now).order_by(Meetup.starts_at.desc())
    else:
        stmt = stmt.order_by(Meetup.starts_at.desc())
    stmt = stmt.order_by(Meetup.id)
    if limit:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [(m, a or 0, going or 0, waiting or 0, held or 0)
            for m, a, going, waiting, held in db.session.execute(stmt)]


def portal_meetups(upcoming: bool, public_only: bool, limit: int | None = None,
                   now: datetime | None = None) -> list[Meetup]:
    """Upcoming scheduled meetups (soonest first) or past ones (latest first), as of ``now``
    (default: the present moment)."""
    now = now or utcnow()
    stmt = select(Meetup)
    if upcoming:
        stmt = stmt.where(Meetup.starts_at >= now, Meetup.status == MeetupStatus.SCHEDULED)
        stmt = stmt.order_by(Meetup.starts_at)
    else:
        stmt = stmt.where(Meetup.starts_at < now).order_by(Meetup.starts_at.desc())
    if public_only:
        stmt = stmt.where(Meetup.is_public.is_(True))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def _visitor_may_browse() -> bool:
    """Members see every meetup; others only the public ones of a public community."""
    if active_membership() is not None:
        return True
    return bool(g.community.is_public)


def _refuse() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(403)


def _show_service_error(form: Any, exc: SeriesError | RuleError) -> None:
    field_name = getattr(exc, "field", None)
    if isinstance(exc, RuleError):
        field_name = {"bad_start": "first_date", "bad_timezone": None}.get(exc.code, "rrule")
    if field_name == "rrule":
        field_name = "rrule_text" if "rrule_text" in form else None
    if field_name in ("dtstart_local", "starts_at"):
        field_name = "first_date"
    field = form[field_name] if field_name and field_name in form else None
    message = error_message(exc.code, getattr(exc, "part", None))
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "danger")


# -- console: lists -------------------------------------------------------------------------

@bp.get("/admin/meetups")
@require(Capability.VIEW_CONSOLE)
def console_list() -> Any:
    """Every upcoming meetup (soonest first), then the past ones a page of PAST_SHOWN at a
    time (latest first): three statements, and only the meetups shown are counted.

    Kept by the page cache: which meetups are upcoming follows the clock, so the list is
    computed as of the start of the minute; the key holds that minute, the reader's role (who
    may create meetups) and every argument (the pager writes them back)."""
    now = utcnow().replace(second=0, microsecond=0)

    def body() -> str:
        upcoming = meetups_with_counts(upcoming=True, now=now)
        past_total = db.session.scalar(select(func.count(Meetup.id))
                                       .where(Meetup.starts_at < now))
        page = Page(items=[], total=past_total or 0, page=page_number(request.args.get("page")),
                    per_page=PAST_SHOWN)
        page.page = min(page.page, page.pages)
        page.items = meetups_with_counts(upcoming=False, limit=PAST_SHOWN,
                                         offset=offset_of(page.page, PAST_SHOWN), now=now)
        return render_template("meetups/console/_list_body.html", upcoming=upcoming,
                               past=page.items, past_page=page, now=now)

    body_html = pagecache.cached_html(
        db.session, "meetups.console_list",
        (g.membership.role.value, now.isoformat(), sorted(request.args.items(multi=True))),
        body)
    return render_template("meetups/console/list.html", body_html=body_html)


@bp.get("/admin/meetups/series")
@require(Capability.VIEW_CONSOLE)
def series_list() -> Any:
    """Every series with its upcoming meetups' count and the next one.

    Kept by the page cache: which meetups are upcoming follows the clock, so the list is
    computed as of the start of the minute; the key holds that minute and the reader's role
    (who may edit and create)."""
    now = utcnow().replace(second=0, microsecond=0)
    body_html = pagecache.cached_html(
        db.session, "meetups.series_list", (g.membership.role.value, now.isoformat()),
        lambda: _series_list_body(now))
    return render_template("meetups/console/series_list.html", body_html=body_html)


def _series_list_body(now: datetime) -> str:
    counts = (select(Meetup.series_id.label("series_id"), func.count(Meetup.id).label("n"),
                     func.min(Meetup.starts_at).label("next"))
              .where(Meetup.starts_at >= now, Meetup.status == MeetupStatus.SCHEDULED)
              .group_by(Meetup.series_id).subquery())
    rows = db.session.execute(
        select(MeetupSeries, counts.c.n, counts.c.next)
        .outerjoin(counts, counts.c.series_id == MeetupSeries.id)
        .order_by(MeetupSeries.is_active.desc(), MeetupSeries.title)
    ).all()
    return render_template("meetups/console/_series_list_body.html",
                           rows=[(s, n or 0, nxt) for s, n, nxt in rows])


# -- console: series editor -----------------------------------------------------------------

def _preview(form: SeriesForm, tz: str) -> list[datetime] | None:
    try:
        rule = recurrence.validate(form.rule(), form.local_start().isoformat(), tz)
        return recurrence.preview(rule, form.local_start().isoformat(), tz)
    except RuleError as exc:
        _show_service_error(form, exc)
        return None


def _series_form_page(form: SeriesForm, series: MeetupSeries | None) -> Any:
    preview = None
    if request.method == "POST" and form.validate():
        preview = _preview(form, g.community.timezone if series is None else series.timezone)
        if preview is not None and request.form.get("action") != "preview":
            try:
                if series is None:
                    series = service.create_series(db.session, g.community, g.membership,
                                                   **form.series_fields())
                else:
                    service.update_series(db.session, series, g.membership,
                                          **form.series_fields())
            except (SeriesError, RuleError) as exc:
                db.session.rollback()
                _show_service_error(form, exc)
            else:
                db.session.commit()
                flash(_("The series was saved and its meetups are scheduled."), "success")
                return redirect(url_for("community.meetups.series_list"))
    status = 422 if request.method == "POST" and (form.errors or preview is None) else 200
    rule_words = (describe_rule(form.rule(), form.local_start().isoformat())
                  if preview else None)
    return _series_page(_series_form_body(form, series, preview, rule_words),
                        editing=series is not None), status


def _series_form_body(form: SeriesForm, series: MeetupSeries | None,
                      preview: list[datetime] | None = None, rule_words: str | None = None) -> str:
    return render_template("meetups/console/_series_form_body.html", form=form, series=series,
                           preview=preview, rule_words=rule_words)


def _series_page(body_html: str, editing: bool) -> str:
    return render_template("meetups/console/series_form.html", body_html=Markup(body_html),  # noqa: S704 - Jinja's autoescaped output
                           editing=editing)


@bp.route("/admin/meetups/series/new", methods=["GET", "POST"])
@require(Capability.MANAGE_MEETUPS)
def series_new() -> Any:
    if request.method == "POST":
        return _series_form_page(SeriesForm(), None)
    # The empty form is the same for every organizer of the community (its time zone shows):
    # kept by the page cache; its form token is each reader's own.
    return _series_page(pagecache.cached_html(
        db.session, "meetups.series_new", (), lambda: _series_form_body(SeriesForm(), None)),
        editing=False)


@bp.route("/admin/meetups/series/<int:series_id>", methods=["GET", "POST"])
@require(Capability.MANAGE_MEETUPS)
def series_edit(series_id: int) -> Any:
    if request.method == "POST":
        return _series_form_page(SeriesForm(), get_or_404(MeetupSeries, series_id))
    # Kept by the page cache by series. The series is read only when the form is computed:
    # a kept form proves it was there (another community's id, or a deleted series, answers
    # 404 as it computes, and any write in the community asks for another key).
    return _series_page(pagecache.cached_html(
        db.session, "meetups.series_edit", (series_id,),
        lambda: _series_edit_body(series_id)), editing=True)


def _series_edit_body(series_id: int) -> str:
    series = get_or_404(MeetupSeries, series_id)
    return _series_form_body(_filled_series_form(series), series)


def _filled_series_form(series: MeetupSeries) -> SeriesForm:
    form = SeriesForm()
    start = recurrence.parse_local(series.dtstart_local)
    form.process(obj=series, first_date=start.date(), start_time=start.time(),
                 pattern=detect_pattern(series.rrule, start.date()),
                 rrule_text=series.rrule, visibility=series.visibility.value,
                 reminder_days=", ".join(str(d) for d in series.reminder_days or []))
    return form


# -- console: one-off and occurrences -------------------------------------------------------

@bp.route("/admin/meetups/new", methods=["GET", "POST"])
@require(Capability.MANAGE_MEETUPS)
def one_off_new() -> Any:
    if request.method == "GET":
        # The empty form is the same for every organizer of the community (its time zone
        # shows): kept by the page cache; its form token is each reader's own.
        return _one_off_page(pagecache.cached_html(
            db.session, "meetups.one_off_new", (), lambda: _one_off_body(OneOffForm())))
    form = OneOffForm()
    if form.validate_on_submit():
        try:
            meetup = service.create_one_off(
                db.session, g.community, g.membership,
                starts_at=recurrence.to_utc(form.local_start(), g.community.timezone),
                registration_opens_days=form.registration_opens_days.data,
                registration_closes_minutes=form.registration_closes_minutes.data or 0,
                **form.meetup_fields())
        except (SeriesError, RuleError) as exc:
            db.session.rollback()
            _show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("The meetup was scheduled."), "success")
            return redirect(url_for("community.meetups.console_detail", meetup_id=meetup.id))
    return _one_off_page(_one_off_body(form)), 422


def _one_off_body(form: OneOffForm) -> str:
    return render_template("meetups/console/_one_off_form_body.html", form=form)


def _one_off_page(body_html: str) -> str:
    return render_template("meetups/console/one_off_form.html", body_html=Markup(body_html))  # noqa: S704 - Jinja's autoescaped output


@bp.get("/admin/meetups/<int:meetup_id>")
@require(Capability.VIEW_CONSOLE)
def console_detail(meetup_id: int) -> Any:
    """A meetup's figures, its registrations and one page of its attendance.

    Kept whole by the page cache, looked up before the meetup is read (a kept page under the
    community's fingerprint proves the meetup is the community's and unchanged): the key holds
    the reader's role (edit, cancel, register by hand) and every argument (the pager); the
    cancel form and the link to register by hand show until the meetup starts, so a page
    computed before then holds until that moment."""
    found: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "meetups.detail",
        (meetup_id, g.membership.role.value, sorted(request.args.items(multi=True))),
        lambda: _detail_body(get_or_404(Meetup, meetup_id), found), about=lambda: found,
        still_true=lambda kept: pagecache.not_yet((kept or {}).get("until")))
    return render_template("meetups/console/detail.html", meetup_title=about["title"],
                           body_html=body_html)


def _detail_body(meetup: Meetup, found: dict[str, Any]) -> str:
    now = utcnow()
    parts = _detail_parts(meetup, page_number(request.args.get("page")))
    found.update(title=meetup.title,
                 until=meetup.starts_at.isoformat() if meetup.starts_at >= now else None)
    return render_template("meetups/console/_detail_body.html", meetup=meetup,
                           held=parts["held"], attended=parts["attended"], going=parts["going"],
                           counts=parts["counts"], has_groups=parts["has_groups"],
                           groups_html=Markup(parts["groups_html"]),  # noqa: S704 - Jinja's
                           people_html=Markup(parts["people_html"]),  # noqa: S704 - the same
                           page=Page(items=[], total=parts["total"], page=parts["page"],
                                     per_page=PER_PAGE),
                           now=now)


def _detail_parts(meetup: Meetup, asked: int) -> dict[str, Any]:
    """The meetup page's figures, and its lists of people as HTML."""
    total, attended = db.session.execute(
        select(func.count(Attendance.id),
               func.count(Attendance.id).filter(Attendance.status.in_(ATTENDED)))
        .where(Attendance.meetup_id == meetup.id)
    ).one()
    # A large community's meetup has a thousand people: the list is served a page at a time.
    page = min(asked, max(1, -(-total // PER_PAGE)))
    # The page's rows are chosen on the reading columns alone; only those are loaded whole.
    shown = (select(Attendance.id).join(Member, Member.id == Attendance.member_id)
             .where(Attendance.meetup_id == meetup.id)
             .order_by(*reading_order()).limit(PER_PAGE).offset(offset_of(page, PER_PAGE)))
    attendances = db.session.scalars(
        select(Attendance)
        .join(Attendance.member)
        .where(Attendance.id.in_(shown))
        .options(contains_eager(Attendance.member))
        .order_by(*reading_order())
    ).all()
    counts = reading.counts(db.session, [meetup.id])[meetup.id]
    going, held = counts["going"], counts["offered"] + counts["awaiting_payment"]
    # Before (and beside) the register: who is going and who waits, the first few of each.
    groups = reading.console_groups(db.session, meetup, limit=DETAIL_SHOWN) \
        if any(counts.values()) else {}
    return {
        "total": total, "attended": attended, "page": page, "counts": counts, "going": going,
        "held": held, "has_groups": bool(groups),
        "groups_html": render_template("meetups/console/_detail_groups.html", meetup=meetup,
                                       groups=groups, counts=counts) if groups else "",
        "people_html": render_template("meetups/console/_detail_people.html",
                                       attendances=attendances) if attendances else "",
    }


DETAIL_SHOWN = 10


@bp.route("/admin/meetups/<int:meetup_id>/edit", methods=["GET", "POST"])
@require(Capability.MANAGE_MEETUPS)
def occurrence_edit(meetup_id: int) -> Any:
    if request.method == "GET":
        # Kept by the page cache by meetup, looked up before the meetup is read (a kept form
        # proves the meetup is the community's and unchanged); a cancelled meetup's is kept as
        # "cancelled", which sends the reader back to the meetup.
        found: dict[str, Any] = {}
        body_html, about = pagecache.cached_html_about(
            db.session, "meetups.occurrence_edit", (meetup_id,),
            lambda: _occurrence_edit_body(get_or_404(Meetup, meetup_id), found),
            about=lambda: found)
        if about["cancelled"]:
            return _back_to_cancelled(meetup_id)
        return _occurrence_page(body_html, about["title"])
    meetup = get_or_404(Meetup, meetup_id)
    if meetup.is_cancelled:
        return _back_to_cancelled(meetup.id)
    form = OccurrenceForm()
    if form.validate_on_submit():
        tz = meetup.series.timezone if meetup.series else g.community.timezone
        try:
            service.edit_occurrence(db.session, meetup, g.membership, form.scope.data,
                                    starts_at=recurrence.to_utc(form.local_start(), tz),
                                    **form.meetup_fields())
        except (SeriesError, RuleError) as exc:
            db.session.rollback()
            _show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("community.meetups.console_detail", meetup_id=meetup.id))
    return _occurrence_page(_occurrence_form_body(form, meetup), meetup.title), 422


def _back_to_cancelled(meetup_id: int) -> Any:
    flash(error_message("cancelled"), "warning")
    return redirect(url_for("community.meetups.console_detail", meetup_id=meetup_id))


def _occurrence_edit_body(meetup: Meetup, found: dict[str, Any]) -> str:
    found.update(title=meetup.title, cancelled=meetup.is_cancelled)
    if meetup.is_cancelled:
        return ""
    form = OccurrenceForm()
    local = meetup.starts_at.astimezone(g.community.zone)
    form.process(obj=meetup, first_date=local.date(), start_time=local.time(),
                 duration_minutes=int((meetup.ends_at - meetup.starts_at).total_seconds()
                                      // 60))
    return _occurrence_form_body(form, meetup)


def _occurrence_form_body(form: OccurrenceForm, meetup: Meetup) -> str:
    return render_template("meetups/console/_occurrence_form_body.html", form=form,
                           meetup=meetup,
                           in_series=meetup.series_id is not None and not meetup.is_detached)


def _occurrence_page(body_html: str, title: str) -> str:
    return render_template("meetups/console/occurrence_form.html",
                           body_html=Markup(body_html), meetup_title=title)  # noqa: S704 - Jinja's autoescaped output


@bp.post("/admin/meetups/<int:meetup_id>/cancel")
@require(Capability.MANAGE_MEETUPS)
def occurrence_cancel(meetup_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the cancellation."), "warning")
    elif meetup.is_cancelled:
        flash(_("This meetup was already cancelled."), "info")
    else:
        service.cancel_occurrence(db.session, meetup, g.membership)
        db.session.commit()
        flash(_("The meetup was cancelled. Registered people are told by email."), "success")
    return redirect(url_for("community.meetups.console_detail", meetup_id=meetup.id))


# -- portal ---------------------------------------------------------------------------------

@bp.get("/meetups")
def portal_list() -> Any:
    if not _visitor_may_browse():
        return _refuse()
    # The same for every member (and for every visitor): kept by the page cache. Meetups
    # leave the upcoming list when they start, so the page is computed as of the start of
    # the minute; the key holds whether the reader sees only public meetups and that minute.
    public_only = active_membership() is None
    now = utcnow().replace(second=0, microsecond=0)
    body_html = pagecache.cached_html(
        db.session, "meetups.portal_list", (public_only, now.isoformat()),
        lambda: render_template(
            "meetups/portal/_list_body.html",
            upcoming=portal_meetups(True, public_only, now=now),
            past=portal_meetups(False, public_only, limit=24, now=now)))
    return render_template("meetups/portal/list.html", body_html=body_html)


@bp.get("/meetups/<int:meetup_id>")
def portal_detail(meetup_id: int) -> Any:
    """A meetup for a member (their registration, fee and actions) or a visitor.

    Kept by the page cache: registration closes, the meetup starts and ends and the self
    check-in opens with the clock, so the page is computed as of the start of the minute; the
    key holds the meetup, the reader's membership (none for a visitor) and that minute. The
    card's tags for the page's head come with it."""
    membership = active_membership()
    if membership is None and not g.community.is_public:
        return _refuse()
    now = utcnow().replace(second=0, microsecond=0)
    share: dict[str, Any] = {}

    def body() -> str:
        # The meetup is read (another community's or none: 404) only when the page is
        # computed: a kept page proves it was this community's, and any write in the
        # community asks for another key. Its title and whether it is public come with it.
        meetup = get_or_404(Meetup, meetup_id)
        share["title"], share["public"] = meetup.title, bool(meetup.is_public)
        if membership is None and not share["public"]:
            return ""  # refused below: nothing of the meetup is kept for a visitor
        return _portal_detail_body(meetup, membership, now, share)

    body_html, about = pagecache.cached_html_about(
        db.session, "meetups.portal_detail",
        (meetup_id, membership.id if membership is not None else None, now.isoformat()),
        body, about=lambda: share)
    if membership is None and not about["public"]:
        return _refuse()
    return render_template("meetups/portal/detail.html", title=about["title"],
                           body_html=body_html,
                           head_html=Markup(about["head"]))  # noqa: S704 - Jinja's autoescaped output


def _portal_detail_body(meetup: Meetup, membership: Member | None, now: datetime,
                        share: dict[str, Any]) -> str:
    """The page's content, and (in ``share["head"]``) its card's tags."""
    mine = registration = series_registration = None
    if membership is not None:
        # The member's attendance and registration here and their active registration for
        # the series, in one statement (any may be missing: all hang off the meetup's row).
        mine, registration, series_registration = db.session.execute(
            select(Attendance, Registration, SeriesRegistration).select_from(Meetup)
            .outerjoin(Attendance, and_(Attendance.meetup_id == Meetup.id,
                                        Attendance.member_id == membership.id))
            .outerjoin(Registration, and_(Registration.meetup_id == Meetup.id,
                                          Registration.member_id == membership.id))
            .outerjoin(SeriesRegistration, and_(
                SeriesRegistration.series_id == Meetup.series_id,
                SeriesRegistration.member_id == membership.id,
                SeriesRegistration.cancelled_at.is_(None)))
            .where(Meetup.id == meetup.id)).one()
    summary = (None if meetup.is_cancelled
               else register_box(db.session, meetup, registration, membership, now,
                                 series_registration))
    asked = (questions.questions_for(db.session, meetup)
             if summary is not None and membership is not None else [])
    card = meetup_card(db.session, meetup)
    share["head"] = render_template("meetups/public/_card_meta.html", **card)
    return render_template("meetups/portal/_detail_body.html", meetup=meetup, attendance=mine,
                           registration=registration, now=now, summary=summary, questions=asked,
                           viewer_fee=_viewer_fee(meetup, membership, summary), **card)


def _viewer_fee(meetup: Meetup, membership: Any,
                summary: dict[str, Any] | None = None) -> int | None:
    """What the signed-in member owes when the meetup has a member price (None otherwise);
    the register box has already asked when it is shown."""
    if membership is None or not meetup.has_member_price:
        return None
    if summary is not None:
        return int(summary["fee"])
    return member_fee(db.session, meetup, membership)
