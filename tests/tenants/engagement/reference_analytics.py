"""The reference for the analytics rollups: the dashboard's figures as they were computed
before the rollups existed, straight from the attendance register on every view (set-based
SQL with window functions). Kept verbatim, apart from sharing the figures' dataclasses, so the
rollup tests can prove the stored figures are the same numbers.

Originally:

The organizer's analytics: set-based SQL aggregates over the attendance register.

Each figure is one statement whatever the size of the community (window functions, which
SQLite and PostgreSQL both have), so the dashboard costs the same dozen statements for 100
members or 5,000. The occurrences counted are those of ``engagement.services.occurrences``:
the community's meetups that were not cancelled and have started.

Months are the community's local calendar months: their first instants are worked out in
Python (DST-correct) and the database only compares timestamps with them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.tenancy import current_tenant_id
from joren.tenants.engagement.analytics import (
    Analytics,
    Cohort,
    Mix,
    MonthShare,
    NoShows,
    Occurrence,
)
from joren.tenants.engagement.levels import Thresholds
from joren.tenants.engagement.services import thresholds
from joren.tenants.engagement.standing import (
    lapsed_regulars,
    level_counts,
    regular_industries,
)
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)

RECENT_MEETUPS = 12
MONTHS = 12
# A first-timer "came back" when they attended again within this many meetups.
RETURN_WITHIN = 3
GUEST_SOURCE = "guest"


# -- months --------------------------------------------------------------------------------

def local_months(now: datetime, zone: ZoneInfo, count: int = MONTHS) -> list[date]:
    """The first days of the last ``count`` local months, oldest first, this month last."""
    local = now.astimezone(zone)
    index = local.year * 12 + local.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def month_starts(months: list[date], zone: ZoneInfo) -> list[datetime]:
    """Each local month's first instant (midnight on the 1st, in ``zone``)."""
    return [datetime(m.year, m.month, 1, tzinfo=zone) for m in months]


def _month_of(column, starts: list[datetime]):  # type: ignore[no-untyped-def]
    """The index into ``starts`` of the month a timestamp falls in; -1 before the first."""
    whens = [(column >= start, i) for i, start in reversed(list(enumerate(starts)))]
    return case(*whens, else_=-1)


# -- the register as set-based building blocks -------------------------------------------

def _occurrences_cte(tenant_id: int, now: datetime):  # type: ignore[no-untyped-def]
    """Counted occurrences numbered 1.. oldest first."""
    n = func.row_number().over(order_by=(Meetup.starts_at, Meetup.id))
    return (select(Meetup.id.label("meetup_id"), Meetup.starts_at.label("starts_at"),
                   n.label("n"))
            .where(Meetup.tenant_id == tenant_id, Meetup.status != MeetupStatus.CANCELLED,
                   Meetup.starts_at <= now)
            .cte("occ"))


def _attended_cte(tenant_id: int, occ):  # type: ignore[no-untyped-def]
    """Every attended (member, occurrence), with the member's visit number."""
    visit = func.row_number().over(partition_by=Attendance.member_id, order_by=occ.c.n)
    return (select(Attendance.member_id.label("member_id"), occ.c.meetup_id, occ.c.n,
                   occ.c.starts_at, Attendance.status.label("status"), visit.label("visit"))
            .join(occ, occ.c.meetup_id == Attendance.meetup_id)
            .where(Attendance.tenant_id == tenant_id, Attendance.status.in_(ATTENDED))
            .cte("came"))


def occurrences(session: Session, now: datetime) -> list[Occurrence]:
    rows = session.execute(
        select(Meetup.id, Meetup.title, Meetup.starts_at, Meetup.ends_at)
        .where(Meetup.status != MeetupStatus.CANCELLED, Meetup.starts_at <= now)
        .order_by(Meetup.starts_at, Meetup.id))
    return [Occurrence(*row) for row in rows]


# -- the figures ---------------------------------------------------------------------------

def attendance_mix(session: Session, occs: list[Occurrence], t: Thresholds, now: datetime,
                   recent: int = RECENT_MEETUPS) -> list[Mix]:
    """The last ``recent`` occurrences, each attendee classified at that occurrence:
    first visit → first-timer; at least ``regular_min`` of their last ``regular_window``
    occurrences (excused ones left out, as for the levels) → regular; else returning."""
    if not occs:
        return []
    tenant_id = current_tenant_id(session)
    occ = _occurrences_cte(tenant_id, now)
    excused = case((Attendance.status == AttendanceStatus.EXCUSED, 1), else_=0)
    marks = (
        select(Attendance.member_id.label("member_id"), occ.c.meetup_id, occ.c.n,
               excused.label("excused"),
               func.sum(excused).over(partition_by=Attendance.member_id, order_by=occ.c.n,
                                      rows=(None, 0)).label("excused_so_far"))
        .join(occ, occ.c.meetup_id == Attendance.meetup_id)
        .where(Attendance.tenant_id == tenant_id,
               Attendance.status.in_([*ATTENDED, AttendanceStatus.EXCUSED]))
        .cte("marks"))
    # A member's position in their own sequence: occurrences so far minus excused ones.
    came = (select(marks.c.member_id, marks.c.meetup_id, marks.c.n,
                   (marks.c.n - marks.c.excused_so_far).label("pos"))
            .where(marks.c.excused == 0).cte("came_pos"))
    ranked = (
        select(came.c.meetup_id, came.c.n,
               # pos rises with n, so one ordering (one sort) serves both windows.
               func.row_number().over(partition_by=came.c.member_id,
                                      order_by=came.c.pos).label("visit"),
               func.count().over(partition_by=came.c.member_id, order_by=came.c.pos,
                                 range_=(-(t.regular_window - 1), 0)).label("recent"))
        .cte("ranked"))
    first = ranked.c.visit == 1
    regular = and_(ranked.c.visit > 1, ranked.c.recent >= t.regular_min)
    cutoff = max(0, len(occs) - recent)
    rows = session.execute(
        select(ranked.c.meetup_id,
               func.sum(case((first, 1), else_=0)),
               func.sum(case((and_(~first, ~regular), 1), else_=0)),
               func.sum(case((regular, 1), else_=0)))
        .where(ranked.c.n > cutoff).group_by(ranked.c.meetup_id))
    counts = {meetup_id: (a or 0, b or 0, c or 0) for meetup_id, a, b, c in rows}
    return [Mix(o, *counts.get(o.id, (0, 0, 0))) for o in occs[cutoff:]]


def return_rates(session: Session, occs: list[Occurrence], months: list[date],
                 zone: ZoneInfo, now: datetime, within: int = RETURN_WITHIN) -> list[MonthShare]:
    """Per month of first visit: first-timers, and how many came again within the next
    ``within`` meetups (complete once every one of them has had those chances)."""
    if not occs:
        return []
    tenant_id = current_tenant_id(session)
    occ = _occurrences_cte(tenant_id, now)
    came = _attended_cte(tenant_id, occ)
    per_member = (
        select(came.c.member_id,
               func.min(came.c.starts_at).label("first_at"),
               func.min(case((came.c.visit == 1, came.c.n))).label("n1"),
               func.min(case((came.c.visit == 2, came.c.n))).label("n2"))
        .group_by(came.c.member_id).cte("firsts"))
    month = _month_of(per_member.c.first_at, month_starts(months, zone)).label("m")
    back = case((per_member.c.n2 - per_member.c.n1 <= within, 1), else_=0)
    rows = session.execute(
        select(month, func.count(), func.sum(back), func.max(per_member.c.n1))
        .group_by(month))
    found = {m: (whole, part or 0, last) for m, whole, part, last in rows}
    shares = []
    for i, first_day in enumerate(months):
        whole, part, last = found.get(i, (0, 0, 0))
        shares.append(MonthShare(first_day, whole, part,
                                 complete=bool(whole) and last + within <= len(occs)))
    return shares


def guest_conversion(session: Session, months: list[date], zone: ZoneInfo,
                     now: datetime) -> tuple[list[MonthShare], MonthShare]:
    """People who came to us as guests, and how many of them are members today.

    Joren keeps no date for a guest becoming a member, so "came as a guest" is what the
    register shows: still a guest, or registered through the public guest form, or walked
    in on their first visit. Grouped by the month of their first visit.
    """
    tenant_id = current_tenant_id(session)
    occ = _occurrences_cte(tenant_id, now)
    came = _attended_cte(tenant_id, occ)
    via_form = exists().where(Registration.tenant_id == tenant_id,
                              Registration.member_id == came.c.member_id,
                              Registration.source == GUEST_SOURCE)
    as_guest = or_(Member.status == MemberStatus.GUEST,
                   came.c.status == AttendanceStatus.WALK_IN, via_form)
    month = _month_of(came.c.starts_at, month_starts(months, zone)).label("m")
    member_now = case((Member.status == MemberStatus.MEMBER, 1), else_=0)
    rows = session.execute(
        select(month, func.count(), func.sum(member_now))
        .join(Member, and_(Member.tenant_id == tenant_id, Member.id == came.c.member_id))
        .where(came.c.visit == 1, as_guest)
        .group_by(month))
    found = {m: (whole, part or 0) for m, whole, part in rows}
    shares = [MonthShare(first_day, *found.get(i, (0, 0))) for i, first_day in enumerate(months)]
    total = MonthShare(months[0], sum(w for w, _p in found.values()),
                       sum(p for _w, p in found.values()))
    return shares, total


def cohorts(session: Session, months: list[date], zone: ZoneInfo,
            now: datetime) -> list[Cohort]:
    """Members by month of first visit (within ``months``): how many attended in each
    following month. Months before the window are not a cohort."""
    tenant_id = current_tenant_id(session)
    occ = _occurrences_cte(tenant_id, now)
    came = _attended_cte(tenant_id, occ)
    monthly = (select(came.c.member_id,
                      _month_of(came.c.starts_at, month_starts(months, zone)).label("m"))
               .distinct().cte("monthly"))
    # The first month rides along each (member, month) row: no join back, one pass.
    firsts = (select(monthly.c.m, func.min(monthly.c.m).over(
        partition_by=monthly.c.member_id).label("fm")).cte("first_month"))
    offset = (firsts.c.m - firsts.c.fm).label("k")
    rows = session.execute(
        select(firsts.c.fm, offset, func.count())
        .where(firsts.c.fm >= 0).group_by(firsts.c.fm, offset))
    grid: dict[int, dict[int, int]] = {}
    for fm, k, n in rows:
        grid.setdefault(fm, {})[k] = n
    result = []
    for i, first_day in enumerate(months):
        if i not in grid:
            continue
        later = len(months) - i
        result.append(Cohort(first_day, grid[i].get(0, 0),
                             [grid[i].get(k, 0) for k in range(later)]))
    return result


def no_shows(session: Session, occs: list[Occurrence], now: datetime,
             recent: int = RECENT_MEETUPS) -> tuple[list[NoShows], tuple[int, int]]:
    """Per ended occurrence: registered as going, and of those, not there (absent or not
    recorded; excused and substitutes are not no-shows). Also the totals over all."""
    tenant_id = current_tenant_id(session)
    missing = or_(Attendance.id.is_(None), Attendance.status == AttendanceStatus.ABSENT)
    rows = session.execute(
        select(Registration.meetup_id, func.count(), func.sum(case((missing, 1), else_=0)))
        .join(Meetup, and_(Meetup.tenant_id == tenant_id, Meetup.id == Registration.meetup_id))
        .outerjoin(Attendance, and_(Attendance.tenant_id == tenant_id,
                                    Attendance.meetup_id == Registration.meetup_id,
                                    Attendance.member_id == Registration.member_id))
        .where(Registration.tenant_id == tenant_id,
               Registration.status == RegistrationStatus.GOING,
               Meetup.status != MeetupStatus.CANCELLED, Meetup.ends_at <= now)
        .group_by(Registration.meetup_id))
    counts = {meetup_id: (going, missed or 0) for meetup_id, going, missed in rows}
    ended = [o for o in occs if o.ends_at <= now][-recent:]
    per = [NoShows(o, *counts.get(o.id, (0, 0))) for o in ended]
    total = (sum(g for g, _m in counts.values()), sum(m for _g, m in counts.values()))
    return per, total


def analytics(session: Session, zone: ZoneInfo, now: datetime | None = None, *,
              recent: int = RECENT_MEETUPS, months: int = MONTHS) -> Analytics:
    """Every figure of the dashboard for the session's community, in a fixed number of
    statements."""
    now = now or utcnow()
    t = thresholds(session)
    occs = occurrences(session, now)
    window = local_months(now, zone, months)
    guests, guests_total = guest_conversion(session, window, zone, now) if occs else \
        ([MonthShare(m, 0, 0) for m in window], MonthShare(window[0], 0, 0))
    shows, shows_total = no_shows(session, occs, now, recent) if occs else ([], (0, 0))
    lapsed, lapsed_total = lapsed_regulars(session)
    return Analytics(
        thresholds=t, occurrences=len(occs), levels=level_counts(session),
        mix=attendance_mix(session, occs, t, now, recent),
        returns=return_rates(session, occs, window, zone, now),
        guests=guests, guests_total=guests_total,
        cohorts=cohorts(session, window, zone, now) if occs else [],
        no_shows=shows, no_shows_total=shows_total,
        lapsed=lapsed, lapsed_total=lapsed_total, industries=regular_industries(session),
        months=window,
    )
