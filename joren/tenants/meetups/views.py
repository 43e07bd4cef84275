"""Read-only meetup pages for the console and the portal (the real editor arrives later)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from joren.platform.communities.edge import active_membership, get_or_404, role_required
from joren.platform.db import db, utcnow
from joren.tenants.meetups.models import ATTENDED, Attendance, AttendanceStatus, Meetup
from joren.tenants.members.models import Role
from joren.tenants.members.services import reading_order

bp = Blueprint("meetups", __name__)

ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: _l("Attended"),
    AttendanceStatus.LATE: _l("Attended (late)"),
    AttendanceStatus.ABSENT: _l("Absent"),
    AttendanceStatus.EXCUSED: _l("Excused"),
    AttendanceStatus.SUBSTITUTE: _l("Substitute came"),
    AttendanceStatus.WALK_IN: _l("Walk-in"),
}


@bp.record_once
def _register_labels(state: Any) -> None:
    state.app.jinja_env.globals.setdefault("attendance_labels", ATTENDANCE_LABELS)


def meetups_with_attendance(upcoming: bool | None = None) -> list[tuple[Meetup, int, int]]:
    """Meetups (newest first) with (attended, registered) counts, in one query."""
    counts = (
        select(
            Attendance.meetup_id.label("meetup_id"),
            func.count(Attendance.id).filter(Attendance.status.in_(ATTENDED)).label("attended"),
            func.count(Attendance.id).label("registered"),
        )
        .group_by(Attendance.meetup_id)
        .subquery()
    )
    stmt = select(Meetup, counts.c.attended, counts.c.registered).outerjoin(
        counts, counts.c.meetup_id == Meetup.id
    )
    now = utcnow()
    if upcoming is True:
        stmt = stmt.where(Meetup.starts_at >= now).order_by(Meetup.starts_at)
    elif upcoming is False:
        stmt = stmt.where(Meetup.starts_at < now).order_by(Meetup.starts_at.desc())
    else:
        stmt = stmt.order_by(Meetup.starts_at.desc())
    return [(m, attended or 0, registered or 0) for m, attended, registered in
            db.session.execute(stmt)]


def _portal_meetups(upcoming: bool, public_only: bool, limit: int | None = None) -> list[Meetup]:
    now = utcnow()
    stmt = select(Meetup)
    if upcoming:
        stmt = stmt.where(Meetup.starts_at >= now).order_by(Meetup.starts_at)
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


@bp.get("/admin/meetups")
@role_required(Role.STAFF)
def console_list() -> Any:
    return render_template("console/meetups/list.html", rows=meetups_with_attendance(),
                           now=utcnow())


@bp.get("/admin/meetups/<int:meetup_id>")
@role_required(Role.STAFF)
def console_detail(meetup_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    attendances = db.session.scalars(
        select(Attendance)
        .join(Attendance.member)
        .where(Attendance.meetup_id == meetup.id)
        .options(contains_eager(Attendance.member))
        .order_by(*reading_order())
    ).all()
    attended = sum(1 for a in attendances if a.status.attended)
    return render_template("console/meetups/detail.html", meetup=meetup,
                           attendances=attendances, attended=attended)


@bp.get("/meetups")
def portal_list() -> Any:
    if not _visitor_may_browse():
        return _refuse()
    public_only = active_membership() is None
    return render_template(
        "portal/meetups/list.html",
        upcoming=_portal_meetups(True, public_only),
        past=_portal_meetups(False, public_only, limit=24),
    )


@bp.get("/meetups/<int:meetup_id>")
def portal_detail(meetup_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    membership = active_membership()
    if membership is None and not (g.community.is_public and meetup.is_public):
        return _refuse()
    mine = None
    if membership is not None:
        mine = db.session.scalar(
            select(Attendance).where(Attendance.meetup_id == meetup.id,
                                     Attendance.member_id == membership.id)
        )
    return render_template("portal/meetups/detail.html", meetup=meetup, attendance=mine,
                           now=utcnow())
