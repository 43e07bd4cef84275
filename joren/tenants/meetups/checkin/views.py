"""Check-in at the door, self check-in, the printable list and the attendance register."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.csv_export import csv_response
from joren.platform.db import db, utcnow
from joren.platform.extensions import limiter
from joren.platform.inputs import int_arg, parse_id
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import (
    active_membership,
    get_or_404,
    member_required,
    require,
)
from joren.platform.membership.models import Member
from joren.platform.pagination import Page
from joren.tenants.meetups import attendance as svc
from joren.tenants.meetups.checkin import lists
from joren.tenants.meetups.checkin.forms import CodeForm, WalkInForm
from joren.tenants.meetups.checkin.printing import sheet_rows_html
from joren.tenants.meetups.models import AttendanceStatus, Meetup
from joren.tenants.meetups.questions import services as questions

bp = Blueprint("checkin", __name__)

ERRORS = {
    "cancelled": _l("This meetup is cancelled."),
    "not_checked_in": _l("This person is not checked in."),
    "too_long": _l("One of the values is too long."),
    "name_required": _l("Enter at least the family name."),
    "bad_email": _l("Enter a valid email address or leave it empty."),
    "substitute_required": _l("Say who came instead (a member's name or any name)."),
    "substitute_self": _l("A member cannot be their own substitute."),
    "wrong_meetup": _l("This QR code is not for this meetup."),
    "not_going": _l("This registration is not confirmed as going. "
                    "Check the person in by name if you let them in."),
    "bad_window": _l("The check-in window must close after it opens."),
    "bad_code": _l("The code must be 4 to 6 digits."),
    "window_off": _l("Self check-in is not open for this meetup. Ask the staff at the door."),
    "window_before": _l("Self check-in has not opened yet."),
    "window_after": _l("Self check-in has closed. Ask the staff at the door."),
    "wrong_code": _l("That code is not right. Check the code shown in the room."),
    "unknown_member": _l("That person was not found."),
    "bad_status": _l("Choose a valid status."),
}


def door_labels() -> dict[svc.DoorStatus, str]:
    """Who each person at the door is (the badge beside their name)."""
    return {
        svc.DoorStatus.CHECKED_IN: _("Checked in"),
        svc.DoorStatus.REGISTERED: _("Registered"),
        svc.DoorStatus.WAITLISTED: _("Waitlisted"),
        svc.DoorStatus.OFFERED: _("Seat offered"),
        svc.DoorStatus.UNCONFIRMED: _("Not confirmed"),
        svc.DoorStatus.CANCELLED: _("Registration cancelled"),
        svc.DoorStatus.WALK_IN_GUEST: _("Walk-in guest"),
        svc.DoorStatus.NOT_REGISTERED: _("Not registered"),
    }


def confirm_reasons(meetup: Meetup, name: str, reasons: list[str]) -> list[str]:
    """Why checking in ``name`` needs a confirmation, in the reader's words."""
    when = format_datetime(meetup.starts_at, "yyyy/MM/dd (EEE) HH:mm")
    words = {
        "waitlisted": _("%(name)s is on the waitlist, not registered as going.", name=name),
        "offered": _("%(name)s was offered a seat and has not taken it yet.", name=name),
        "unconfirmed": _("%(name)s's registration is not confirmed yet (approval, email or "
                         "payment).", name=name),
        "cancelled": _("%(name)s cancelled their registration.", name=name),
        "before_day": _("This meetup is not today: it starts %(when)s.", when=when),
        "after_day": _("This meetup is over: it started %(when)s.", when=when),
    }
    return [words[reason] for reason in reasons if reason in words]


def status_labels() -> dict[AttendanceStatus, str]:
    return {
        AttendanceStatus.PRESENT: _("Present"),
        AttendanceStatus.LATE: _("Late"),
        AttendanceStatus.ABSENT: _("Absent"),
        AttendanceStatus.EXCUSED: _("Excused"),
        AttendanceStatus.SUBSTITUTE: _("Substitute"),
        AttendanceStatus.WALK_IN: _("Walk-in"),
    }


def via_labels() -> dict[str, str]:
    return {"door": _("at the door"), "qr": _("QR code"), "self": _("self check-in"),
            "console": _("register"), "walk_in": _("walk-in")}


def _meetup(meetup_id: int) -> Meetup:
    return get_or_404(Meetup, meetup_id)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _error(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["unknown_member"]))


def _member_from_form(field: str = "member_id") -> Member | None:
    member_id = parse_id(request.form.get(field))
    if member_id is None:
        return None
    return db.session.get(Member, member_id)


def _reply(meetup: Meetup, ok: bool, message: str, status: int = 200, **extra: Any) -> Any:
    """JSON for the door script, otherwise a flash and back to the door page."""
    if _wants_json():
        payload = {"ok": ok, "message": message, **lists.counts(db.session, meetup), **extra}
        return jsonify(payload), status
    flash(message, "success" if ok else "error")
    return redirect(url_for(".door", meetup_id=meetup.id, q=request.form.get("q") or None))


# -- the door ----------------------------------------------------------------------------

@bp.get("/admin/meetups/<int:meetup_id>/checkin")
@require(Capability.RUN_DOOR)
def door(meetup_id: int) -> Any:
    """Search first; without a search, the people checked in last and one page of the list
    (a big meetup's whole list would make a phone wait).

    The page's content is kept whole by the page cache, looked up before the meetup is read
    (a kept page under the community's fingerprint proves the meetup is the community's and
    unchanged): the key holds the reader's role (what they may do) and every argument; the
    forms carry a stand-in for the reader's form token; what moves with the clock (the door's
    window, the self check-in window) is computed again from the next moment it changes."""
    found: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "checkin.door",
        (meetup_id, g.membership.role.value, sorted(request.args.items(multi=True))),
        lambda: _door_body(_meetup(meetup_id), found), about=lambda: found,
        still_true=lambda kept: pagecache.not_yet((kept or {}).get("until")))
    return render_template("meetups/checkin/door.html", meetup_title=about["title"],
                           body_html=body_html)


def _door_body(meetup: Meetup, found: dict[str, Any]) -> str:
    query = request.args.get("q", "")[:100]
    now = utcnow()
    counts = lists.counts(db.session, meetup)
    rows, page = _door_rows(meetup, query, counts)
    found.update(title=meetup.title, until=_next_change(meetup, now))
    return render_template(
        "meetups/checkin/_door_body.html", meetup=meetup, q=query, counts=counts,
        form=WalkInForm(), rows=rows, page=page,
        recent=[] if query else lists.recent_check_ins(db.session, meetup),
        answers=_door_answers(rows), self_state=svc.self_checkin_state(meetup, now),
        door_labels=door_labels(), door_open=svc.within_door_window(meetup, now))


def _next_change(meetup: Meetup, now: datetime) -> str | None:
    """The next moment the door page changes with the clock alone (its window opens or
    closes, self check-in opens or closes), as ISO text; None when none is ahead."""
    tick = timedelta(microseconds=1)  # "closed" starts just after the closing moment
    moments = [meetup.starts_at - svc.DOOR_OPENS_BEFORE,
               meetup.ends_at + svc.DOOR_CLOSES_AFTER + tick,
               meetup.checkin_opens_at,
               None if meetup.checkin_closes_at is None else meetup.checkin_closes_at + tick]
    ahead = [m for m in moments if m is not None and m > now]
    return min(ahead).isoformat() if ahead else None


def _door_rows(meetup: Meetup, query: str,
               counts: dict[str, int]) -> tuple[list[lists.DoorRow], Page | None]:
    """The search's matches, or (no search) the ``?page=`` of the door list and its pager."""
    if query:
        return lists.door_list(db.session, meetup, query), None
    per_page = lists.DOOR_PER_PAGE
    number = min(int_arg("page", 1), max(1, -(-counts["listed"] // per_page)))
    rows = lists.door_list(db.session, meetup, page=number, per_page=per_page)
    return rows, Page(items=rows, total=counts["listed"], page=number, per_page=per_page)


@bp.get("/admin/meetups/<int:meetup_id>/checkin/search")
@require(Capability.RUN_DOOR)
def search(meetup_id: int) -> Any:
    """What the door finds as the organizer types (HTML for door.js, or JSON), kept by the
    page cache while nothing in the community changes: the key holds the meetup and every
    argument; the rows' forms carry a stand-in for the reader's form token."""
    query = request.args.get("q", "")[:100]
    arguments = sorted(request.args.items(multi=True))
    # Looked up before the meetup is read, as the door page.
    if request.args.get("format") == "json":
        return jsonify(results=pagecache.cached(
            db.session, "checkin.search.json", (meetup_id, arguments),
            lambda: _search_results(_meetup(meetup_id), query)))
    return pagecache.cached_html(db.session, "checkin.search", (meetup_id, arguments),
                                 lambda: _search_html(_meetup(meetup_id), query))


def _search_results(meetup: Meetup, query: str) -> list[dict[str, Any]]:
    return [{
        "member_id": r.member.id, "name": r.member.display_name, "reading": r.member.reading,
        "company": r.member.company, "title": r.member.title, "going": r.is_going,
        "checked_in": r.is_checked_in, "status": r.status.value,
    } for r in lists.door_list(db.session, meetup, query)]


def _search_html(meetup: Meetup, query: str) -> str:
    recent: list[lists.DoorRow] = []
    if query:
        rows, page = lists.door_list(db.session, meetup, query), None
    else:  # the script refreshing the list after a check-in: the page it shows
        rows, page = _door_rows(meetup, query, lists.counts(db.session, meetup))
        recent = lists.recent_check_ins(db.session, meetup)
    return render_template("meetups/checkin/_results.html", meetup=meetup, rows=rows, q=query,
                           page=page, recent=recent, answers=_door_answers(rows),
                           door_labels=door_labels())


def _door_answers(rows: list[lists.DoorRow]) -> dict[int, list[questions.Answered]]:
    """What each registration answered to the registration questions, for the door's rows."""
    return questions.answers_by_registration(
        db.session, [r.registration.id for r in rows if r.registration is not None])


@bp.post("/admin/meetups/<int:meetup_id>/checkin/check-in")
@require(Capability.RUN_DOOR)
def check_in(meetup_id: int) -> Any:
    meetup = _meetup(meetup_id)
    member = _member_from_form()
    if member is None:
        abort(404)
    undo = request.form.get("action") == "undo"
    try:
        if undo:
            svc.undo_check_in(db.session, meetup, member, g.membership)
        else:
            svc.check_in(db.session, meetup, member, g.membership, via="door",
                         confirmed=request.form.get("confirm") == "1")
    except svc.NeedsConfirmation as question:
        db.session.rollback()
        return _ask(meetup, member, question.reasons)
    except svc.CheckinError as error:
        db.session.rollback()
        return _reply(meetup, False, _error(error.code), 400, member_id=member.id)
    db.session.commit()
    if undo:
        message = _("Check-in of %(name)s undone.", name=member.display_name)
    else:
        message = _("%(name)s is checked in.", name=member.display_name)
    return _reply(meetup, True, message, member_id=member.id, is_checked_in=not undo)


def _ask(meetup: Meetup, member: Member, reasons: list[str]) -> Any:
    """An unusual check-in: say why and ask (the door script confirms; without it, a page)."""
    said = confirm_reasons(meetup, member.display_name, reasons)
    message = _("Check in %(name)s anyway?", name=member.display_name)
    if _wants_json():
        payload = {"ok": False, "confirm": True, "message": message, "reasons": said,
                   "member_id": member.id, **lists.counts(db.session, meetup)}
        return jsonify(payload), 409
    return render_template("meetups/checkin/confirm.html", meetup=meetup, member=member,
                           reasons=said, message=message, q=request.form.get("q") or "")


@bp.post("/admin/meetups/<int:meetup_id>/checkin/walk-in")
@require(Capability.RUN_DOOR)
def walk_in(meetup_id: int) -> Any:
    meetup = _meetup(meetup_id)
    form = WalkInForm()
    if not form.validate():
        return _reply(meetup, False, _("Enter at least the family name, and check the other "
                                       "fields."), 400)
    try:
        fields = {name: getattr(form, name).data or "" for name in (
            "family_name", "given_name", "family_name_kana", "given_name_kana", "company",
            "title")}
        attendance = svc.walk_in(db.session, meetup, g.membership,
                                 email=form.email.data or None, **fields)
    except svc.CheckinError as error:
        db.session.rollback()
        return _reply(meetup, False, _error(error.code), 400)
    db.session.commit()
    name = attendance.member.display_name
    return _reply(meetup, True, _("%(name)s was added as a walk-in.", name=name),
                  member_id=attendance.member_id)


@bp.post("/admin/meetups/<int:meetup_id>/checkin/scan")
@require(Capability.RUN_DOOR)
def scan(meetup_id: int) -> Any:
    meetup = _meetup(meetup_id)
    try:
        member, _attendance = svc.scan(db.session, meetup, request.form.get("token", ""),
                                       g.membership)
    except svc.NeedsConfirmation as question:
        db.session.rollback()
        said = confirm_reasons(meetup, "", question.reasons)
        said.append(_("Check the person in by name to confirm."))
        return _reply(meetup, False, " ".join(said), 400)
    except svc.CheckinError as error:
        db.session.rollback()
        return _reply(meetup, False, _error(error.code), 400)
    db.session.commit()
    return _reply(meetup, True, _("%(name)s is checked in.", name=member.display_name),
                  member_id=member.id)


def _form_local_time(field: str) -> datetime | None:
    """A ``datetime-local`` value in the community's timezone, as UTC; empty means default."""
    raw = request.form.get(field, "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise svc.CheckinError("bad_window") from None
    if local.tzinfo is not None:
        raise svc.CheckinError("bad_window")
    return local.replace(tzinfo=g.community.zone).astimezone(UTC)


@bp.post("/admin/meetups/<int:meetup_id>/checkin/self-window")
@require(Capability.MANAGE_MEETUPS)
def self_checkin_window(meetup_id: int) -> Any:
    meetup = _meetup(meetup_id)
    try:
        if request.form.get("action") == "close":
            svc.close_self_checkin(db.session, meetup, g.membership)
            message = _("Self check-in is closed.")
        else:
            code = svc.open_self_checkin(db.session, meetup, g.membership,
                                         opens_at=_form_local_time("opens_at"),
                                         closes_at=_form_local_time("closes_at"),
                                         code=request.form.get("code", "").strip() or None)
            message = _("Self check-in is open. The code is %(code)s.", code=code)
    except svc.CheckinError as error:
        db.session.rollback()
        flash(_error(error.code), "error")
        return redirect(url_for(".door", meetup_id=meetup.id))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".door", meetup_id=meetup.id))


@bp.get("/admin/meetups/<int:meetup_id>/checkin/print")
@require(Capability.RUN_DOOR)
def print_list(meetup_id: int) -> Any:
    """The whole page is data (no form, nothing of the reader's): kept while nothing changes,
    looked up before the meetup is read (a page kept under the community's fingerprint
    proves the meetup is the community's and unchanged; an unknown id is a 404 computed
    anew, never kept)."""
    return pagecache.cached(db.session, "checkin.print", (meetup_id,),
                            lambda: _print_page(_meetup(meetup_id)))


def _print_page(meetup: Meetup) -> str:
    return render_template("meetups/checkin/print.html", meetup=meetup,
                           rows=lists.sheet(db.session, meetup), sheet_rows_html=sheet_rows_html)


# -- the register ------------------------------------------------------------------------

HISTORY_SHOWN = 50


@bp.get("/admin/meetups/<int:meetup_id>/attendance")
@require(Capability.RUN_DOOR)
def register_view(meetup_id: int) -> Any:
    """The register in pages of 50 (Save all saves the page shown), its figures over all of
    it, and the newest changes (all of them on request).

    Its content is kept whole by the page cache, looked up before the meetup is read (as
    the door): the key holds the page, the history asked for and the reader's role (whether
    they may edit); no-shows are marked once the meetup has ended, so a page kept before
    that moment is computed again from it."""
    asked = int_arg("page", 1)
    every_change = request.args.get("history") == "all"
    found: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "checkin.register", (meetup_id, asked, every_change, g.membership.role.value),
        lambda: _register_body(_meetup(meetup_id), asked, every_change, found),
        about=lambda: found, still_true=lambda kept: pagecache.not_yet((kept or {}).get("until")))
    return render_template("meetups/checkin/register.html", meetup_title=about["title"],
                           body_html=body_html)


def _register_body(meetup: Meetup, asked: int, every_change: bool,
                   found: dict[str, Any]) -> str:
    """The register's content: its figures, the page's rows, the history."""
    ended = utcnow() >= meetup.ends_at
    found.update(title=meetup.title, until=None if ended else meetup.ends_at.isoformat())
    counts = lists.register_counts(db.session, meetup)
    number = min(asked, max(1, -(-counts["rows"] // lists.REGISTER_PER_PAGE)))
    rows = lists.register(db.session, meetup, page=number, per_page=lists.REGISTER_PER_PAGE)
    history = lists.history(db.session, meetup, limit=None if every_change else HISTORY_SHOWN + 1)
    page = Page(items=[], total=counts["rows"], page=number, per_page=lists.REGISTER_PER_PAGE)
    return render_template(
        "meetups/checkin/_register_body.html", meetup=meetup, page=page, counts=counts,
        rows=rows, labels=status_labels(), can_edit=g.membership.is_organizer,
        history=history[:None if every_change else HISTORY_SHOWN], vias=via_labels(),
        more_history=not every_change and len(history) > HISTORY_SHOWN,
        no_show_count=counts["no_shows"])


def _apply_row(meetup: Meetup, member: Member) -> str | None:
    """Apply one row of the register form; returns an error code or None."""
    prefix = f"m{member.id}-"
    raw = request.form.get(prefix + "status", "")
    if not raw:
        return None
    try:
        status = AttendanceStatus(raw)
    except ValueError:
        return "bad_status"
    substitute_text = request.form.get(prefix + "substitute", "")
    substitute = None
    if status == AttendanceStatus.SUBSTITUTE:
        substitute = svc.find_member_by_name(db.session, substitute_text)
    try:
        svc.set_status(db.session, meetup, member, status, g.membership,
                       note=request.form.get(prefix + "note", ""), substitute=substitute,
                       substitute_name="" if substitute else substitute_text)
    except svc.CheckinError as error:
        return error.code
    return None


@bp.post("/admin/meetups/<int:meetup_id>/attendance")
@require(Capability.MANAGE_MEETUPS)
def register_update(meetup_id: int) -> Any:
    meetup = _meetup(meetup_id)
    rows = {row.member.id: row.member for row in lists.register(db.session, meetup)}
    only = request.form.get("row", "")
    if only:
        if not only.isdigit() or int(only) not in rows:
            abort(404)
        targets = [rows[int(only)]]
    else:
        targets = list(rows.values())
    problems = []
    for member in targets:
        code = _apply_row(meetup, member)
        if code:
            problems.append(f"{member.display_name}: {_error(code)}")
    if problems:
        db.session.rollback()
        for problem in problems:
            flash(problem, "error")
        flash(_("Nothing was saved. Correct the rows above and save again."), "error")
    else:
        db.session.commit()
        flash(_("The register is saved."), "success")
    page = parse_id(request.form.get("page"))
    return redirect(url_for(".register_view", meetup_id=meetup.id,
                            page=page if page and page > 1 else None))


def _local(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(g.community.zone).strftime("%Y-%m-%d %H:%M")


@bp.get("/admin/meetups/<int:meetup_id>/attendance.csv")
@require(Capability.EXPORT_PERSONAL_DATA)
def export(meetup_id: int) -> Any:
    meetup = _meetup(meetup_id)
    labels = status_labels()
    day = _local(meetup.starts_at)[:10]
    if request.args.get("list") == "door":
        header = [_("Name"), _("Reading"), _("Company"), _("Job title"), _("Going"),
                  _("Checked in")]
        door_name = _("Door list")
        yes = _("Yes")
        return csv_response(
            f"{door_name}-{meetup.title}-{day}.csv", header,
            ([r.name, r.reading, r.company, r.title, yes if r.is_going else "",
              yes if r.is_checked_in else ""] for r in lists.sheet(db.session, meetup)))
    rows = lists.register(db.session, meetup)
    header = [_("Name"), _("Reading"), _("Company"), _("Job title"), _("Email"), _("Status"),
              _("No-show"), _("Checked in at"), _("Substitute"), _("Note")]

    def line(r: lists.RegisterRow) -> list[Any]:
        a = r.attendance
        sub = (r.substitute.display_name if r.substitute else a.substitute_name) if a else ""
        return [r.member.display_name, r.member.reading, r.member.company, r.member.title,
                r.member.email or "", labels[a.status] if a else "",
                _("Yes") if r.is_no_show else "", _local(a.checked_in_at) if a else "", sub,
                a.note if a else ""]

    register_name = _("Attendance")
    return csv_response(f"{register_name}-{meetup.title}-{day}.csv", header,
                        (line(r) for r in rows))


# -- self check-in (portal) --------------------------------------------------------------

@bp.app_template_global()
def self_checkin_open(meetup: Meetup, now: datetime | None = None) -> bool:
    """For portal pages: whether members can type the 出席コード for ``meetup`` at ``now``
    (default: right now)."""
    return svc.self_checkin_state(meetup, now) == "open"


def _self_checkin_limit() -> str:
    return str(current_app.config.get("SELF_CHECKIN_RATE_LIMIT", "5 per minute"))


def _self_checkin_key() -> str:
    return f"self-checkin:{current_user.get_id() if current_user.is_authenticated else ''}"


@bp.route("/meetups/<int:meetup_id>/checkin", methods=["GET", "POST"])
@member_required
@limiter.limit(_self_checkin_limit, key_func=_self_checkin_key, methods=["POST"])
def self_checkin(meetup_id: int) -> Any:
    member = active_membership()
    assert member is not None  # member_required
    if request.method == "GET":
        # Kept by the page cache: the key holds the member (checked in or not) and the
        # meetup; its title for the page's head comes with it.
        found: dict[str, Any] = {}

        def body() -> str:
            meetup = _meetup(meetup_id)
            found["title"] = meetup.title
            return _self_checkin_body(meetup, CodeForm(),
                                      svc.attendance_of(db.session, meetup, member))

        body_html, title = pagecache.cached_html_about(
            db.session, "checkin.self_checkin", (member.id, meetup_id), body,
            about=lambda: found["title"])
        return _self_checkin_page(body_html, title)
    meetup = _meetup(meetup_id)
    form = CodeForm()
    attendance = svc.attendance_of(db.session, meetup, member)
    if form.validate_on_submit():
        try:
            attendance = svc.self_check_in(db.session, meetup, member, form.code.data or "")
        except svc.CheckinError as error:
            db.session.rollback()
            form.code.errors = [_error(error.code)]
            return _self_checkin_page(Markup(_self_checkin_body(meetup, form, attendance)),  # noqa: S704 - Jinja's autoescaped output
                                      meetup.title), 400
        db.session.commit()
        flash(_("You are checked in. Enjoy the meetup!"), "success")
        return redirect(url_for(".self_checkin", meetup_id=meetup.id))
    return _self_checkin_page(Markup(_self_checkin_body(meetup, form, attendance)),  # noqa: S704 - Jinja's autoescaped output
                              meetup.title), 400


def _self_checkin_body(meetup: Meetup, form: CodeForm, attendance: Any) -> str:
    return render_template("meetups/checkin/_self_checkin_body.html", meetup=meetup, form=form,
                           attendance=attendance, labels=status_labels())


def _self_checkin_page(body_html: Markup, title: str) -> str:
    return render_template("meetups/checkin/self_checkin.html", body_html=body_html,
                           title=title)
