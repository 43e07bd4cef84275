"""The organizer's analytics: set-based SQL aggregates over the attendance register.

Each figure is one statement whatever the size of the community (window functions, which
SQLite and PostgreSQL both have), so the dashboard costs the same dozen statements for 100
members or 5,000. The occurrences counted are those of ``engagement.services.occurrences``:
the community's meetups that were not cancelled and have started.

Months are the community's local calendar months: their first instants are worked out in
Python (DST-correct) and the database only compares timestamps with them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.pagination import Page
from joren.tenants.engagement.levels import DEFAULTS, Level, Thresholds
from joren.tenants.engagement.models import EngagementSettings
from joren.tenants.engagement.rollups.models import (
    CohortRollup,
    MeetupRollup,
    MemberRollup,
    RollupState,
)
from joren.tenants.engagement.rollups.source import (
    COUNTERS,
    GUEST_SOURCE,
    Occurrence,
    contributions,
    statuses_and_guest_forms,
)
from joren.tenants.engagement.rollups.store import layout, state_matches
from joren.tenants.engagement.standing import (
    LAPSED_SHOWN,
    Lapsed,
    lapsed_regulars,
    levels_and_industries,
)
from joren.tenants.meetups.models import Meetup, MeetupStatus, Registration
from joren.tenants.meetups.survey.models import SurveyResponse
from joren.tenants.meetups.survey.results import TrendPoint

RECENT_MEETUPS = 12
TREND_MEETUPS = 12
MONTHS = 12
# A first-timer "came back" when they attended again within this many meetups.
RETURN_WITHIN = 3
# first month → (first visits, came back within RETURN_WITHIN, last first visit's position,
# came as guests, of whom members now)
ByMonth = dict[int, tuple[int, int, int, int, int]]
Cells = dict[tuple[int, int], int]

__all__ = ["GUEST_SOURCE", "Occurrence", "analytics"]


@dataclass(frozen=True)
class Mix:
    """Who came to one occurrence, each classified by their history up to it."""

    occurrence: Occurrence
    first_timers: int
    returning: int
    regulars: int

    @property
    def total(self) -> int:
        return self.first_timers + self.returning + self.regulars


@dataclass(frozen=True)
class MonthShare:
    """``part`` of ``whole`` people in one cohort month; ``complete`` once no one in the
    cohort can still change the answer."""

    month: date
    whole: int
    part: int
    complete: bool = True

    @property
    def share(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Cohort:
    """People whose first visit fell in ``month``: how many came in each month after it."""

    month: date
    size: int
    came: list[int | None]  # index k: month + k; None for months that are still to come

    def share(self, k: int) -> float | None:
        value = self.came[k] if k < len(self.came) else None
        return None if value is None or not self.size else value / self.size


@dataclass(frozen=True)
class NoShows:
    occurrence: Occurrence
    going: int
    no_shows: int

    @property
    def rate(self) -> float | None:
        return self.no_shows / self.going if self.going else None


@dataclass
class Analytics:
    thresholds: Thresholds
    occurrences: int
    levels: dict[Level, int]
    mix: list[Mix]
    returns: list[MonthShare]
    guests: list[MonthShare]
    guests_total: MonthShare
    cohorts: list[Cohort]
    no_shows: list[NoShows]
    no_shows_total: tuple[int, int]
    lapsed: list[Lapsed]
    lapsed_total: int
    industries: list[tuple[str, int]]
    months: list[date]
    # False: the rollups did not fit the register, these figures were computed from it
    current: bool = True
    # The after-meetup survey's average per meetup, oldest first (the latest with answers).
    satisfaction: list[TrendPoint] = field(default_factory=list)
    # Which page of the lapsed regulars ``lapsed`` is (LAPSED_SHOWN each).
    lapsed_page: int = 1

    @property
    def lapsed_pages(self) -> Page[Lapsed]:
        return Page(items=self.lapsed, total=self.lapsed_total, page=self.lapsed_page,
                    per_page=LAPSED_SHOWN)

    @property
    def no_show_rate(self) -> float | None:
        going, missed = self.no_shows_total
        return missed / going if going else None

    @property
    def is_empty(self) -> bool:
        return self.occurrences == 0


# -- months --------------------------------------------------------------------------------

def local_months(now: datetime, zone: ZoneInfo, count: int = MONTHS) -> list[date]:
    """The first days of the last ``count`` local months, oldest first, this month last."""
    local = now.astimezone(zone)
    index = local.year * 12 + local.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def month_starts(months: list[date], zone: ZoneInfo) -> list[datetime]:
    """Each local month's first instant (midnight on the 1st, in ``zone``)."""
    return [datetime(m.year, m.month, 1, tzinfo=zone) for m in months]


def _number(month: date) -> int:
    return month.year * 12 + month.month - 1



# -- reading -------------------------------------------------------------------------------

def _state(session: Session) -> tuple[Thresholds, RollupState | None]:
    # Both in one statement whichever of them exists (at most one row each per community):
    # joined to a row of one column.
    one = select(literal(1).label("one")).subquery("one")
    row = session.execute(
        select(RollupState, EngagementSettings).select_from(one)
        .outerjoin(RollupState, true()).outerjoin(EngagementSettings, true())
    ).first()
    state, found = row if row is not None else (None, None)
    return (found.thresholds() if found else DEFAULTS), state


def _meetups(session: Session, now: datetime) -> list[Any]:
    """Every meetup that has started or ended (not cancelled), with its rollup row and its
    survey's average satisfaction and number of answers."""
    survey = (select(SurveyResponse.meetup_id,
                     func.avg(SurveyResponse.satisfaction).label("satisfaction"),
                     func.count(SurveyResponse.id).label("answers"))
              .group_by(SurveyResponse.meetup_id).subquery())
    return list(session.execute(
        select(Meetup.id, Meetup.title, Meetup.starts_at, Meetup.ends_at,
               MeetupRollup.meetup_id.label("rolled"), MeetupRollup.position,
               MeetupRollup.starts_at.label("rolled_starts_at"),
               MeetupRollup.ends_at.label("rolled_ends_at"), MeetupRollup.ended,
               *(getattr(MeetupRollup, name) for name in COUNTERS),
               survey.c.satisfaction, survey.c.answers)
        .outerjoin(MeetupRollup, and_(MeetupRollup.tenant_id == Meetup.tenant_id,
                                      MeetupRollup.meetup_id == Meetup.id))
        .outerjoin(survey, survey.c.meetup_id == Meetup.id)
        .where(Meetup.status != MeetupStatus.CANCELLED,
               or_(Meetup.starts_at <= now, Meetup.ends_at <= now))
        .order_by(Meetup.starts_at, Meetup.id)))


def _fits(rows: list[Any], state: RollupState | None, t: Thresholds, zone: ZoneInfo,
          now: datetime) -> bool:
    if not rows:
        return True
    if any(row.starts_at > now for row in rows):  # ended before it started: no rollup
        return False
    if not state_matches(state, t, zone, len(rows)):
        return False
    stored = [(r.rolled, r.position, r.rolled_starts_at, r.rolled_ends_at, r.ended) for r in rows]
    return stored == layout([Occurrence(r.id, r.title, r.starts_at, r.ends_at) for r in rows],
                            now)


def _months(session: Session, within: int) -> tuple[ByMonth, Cells]:
    """The month rows: first visits by month with their returns and guests (split by whether
    the person is a member now), and the retention grid, in one statement."""
    back = case((MemberRollup.second_position - MemberRollup.first_position <= within, 1),
                else_=0)
    # Evaluated once per row: the guest-form registrations are read in one pass.
    via_form = MemberRollup.member_id.in_(
        select(Registration.member_id).where(Registration.source == GUEST_SOURCE))
    as_guest = case((Member.status == MemberStatus.GUEST, 1),
                    (MemberRollup.first_walk_in, 1), (via_form, 1), else_=0)
    is_member = case((Member.status == MemberStatus.MEMBER, 1), else_=0)
    firsts = (
        select(MemberRollup.first_month, is_member.label("month"), func.count(),
               func.sum(back), func.max(MemberRollup.first_position), func.sum(as_guest))
        .join(Member, and_(Member.tenant_id == MemberRollup.tenant_id,
                           Member.id == MemberRollup.member_id))
        .where(MemberRollup.first_month.is_not(None))
        .group_by(MemberRollup.first_month, is_member))
    grid = select(CohortRollup.first_month, CohortRollup.month, CohortRollup.people,
                  literal(0), literal(0), literal(0)).where(CohortRollup.people > 0)
    by_month: dict[int, list[int]] = {}
    cells: Cells = {}
    for fm, month, n, returned, last, guests in session.execute(union_all(firsts, grid)):
        if month in (0, 1):  # first visits; month is "a member now" here
            row = by_month.setdefault(fm, [0, 0, 0, 0, 0])
            row[0] += n
            row[1] += returned or 0
            row[2] = max(row[2], last or 0)
            row[3] += guests or 0
            row[4] += (guests or 0) if month == 1 else 0
        else:
            cells[(fm, month)] = n
    return {fm: (a, b, c, d, e) for fm, (a, b, c, d, e) in by_month.items()}, cells


def _from_register(session: Session, rows: list[Any], occs: list[Occurrence], t: Thresholds,
                   zone: ZoneInfo, now: datetime, within: int,
                   ) -> tuple[dict[int, Counter[str]], ByMonth, Cells]:
    """The same rows as the rollups', computed from the register (they do not fit it)."""
    ended = {row.id for row in rows if row.ends_at <= now}
    found = contributions(session, occs, ended, t, zone)
    statuses, via_form = statuses_and_guest_forms(session)
    counters: dict[int, Counter[str]] = {row.id: Counter() for row in rows}
    cells: Counter[tuple[int, int]] = Counter()
    months: dict[int, list[int]] = {}
    for c in found.values():
        for name, meetup_ids in c.meetups.items():
            for meetup_id in meetup_ids:
                counters[meetup_id][name] += 1
        for cell in c.cells():
            cells[cell] += 1
        if c.first_month is None or c.first_position is None:
            continue
        status = statuses.get(c.member_id)
        guest = (status == MemberStatus.GUEST or c.first_walk_in or c.member_id in via_form)
        back = c.second_position is not None and c.second_position - c.first_position <= within
        converted = guest and status == MemberStatus.MEMBER
        whole, returned, last, guests, members = months.get(c.first_month, [0, 0, 0, 0, 0])
        months[c.first_month] = [whole + 1, returned + back, max(last, c.first_position),
                                 guests + guest, members + converted]
    by_month = {fm: (a, b, c, d, e) for fm, (a, b, c, d, e) in months.items()}
    return counters, by_month, dict(cells)


# -- the figures ---------------------------------------------------------------------------

def _mix(occs: list[Occurrence], counters: dict[int, Counter[str]], recent: int) -> list[Mix]:
    cutoff = max(0, len(occs) - recent)
    return [Mix(o, counters[o.id]["first_timers"], counters[o.id]["returners"],
                counters[o.id]["regulars"]) for o in occs[cutoff:]]


def _returns(occs: list[Occurrence], window: list[date], by_month: ByMonth,
             within: int) -> list[MonthShare]:
    shares = []
    for first_day in window:
        whole, part, last, _g, _m = by_month.get(_number(first_day), (0, 0, 0, 0, 0))
        shares.append(MonthShare(first_day, whole, part,
                                 complete=bool(whole) and last + within <= len(occs)))
    return shares


def _guests(window: list[date], by_month: ByMonth) -> tuple[list[MonthShare], MonthShare]:
    shares = []
    for first_day in window:
        _w, _p, _l, guests, members = by_month.get(_number(first_day), (0, 0, 0, 0, 0))
        shares.append(MonthShare(first_day, guests, members))
    total = MonthShare(window[0], sum(v[3] for v in by_month.values()),
                       sum(v[4] for v in by_month.values()))
    return shares, total


def _cohorts(window: list[date], cells: Cells) -> list[Cohort]:
    grid: dict[int, dict[int, int]] = {}
    for (fm, month), n in cells.items():
        grid.setdefault(fm, {})[month - fm] = n
    result = []
    for i, first_day in enumerate(window):
        row = grid.get(_number(first_day))
        if row is None:
            continue
        result.append(Cohort(first_day, row.get(0, 0),
                             [row.get(k, 0) for k in range(len(window) - i)]))
    return result


def _no_shows(rows: list[Any], occs: list[Occurrence], counters: dict[int, Counter[str]],
              now: datetime, recent: int) -> tuple[list[NoShows], tuple[int, int]]:
    ended = [o for o in occs if o.ends_at <= now][-recent:]
    per = [NoShows(o, counters[o.id]["going"], counters[o.id]["no_shows"]) for o in ended]
    over = [counters[row.id] for row in rows if row.ends_at <= now]
    return per, (sum(c["going"] for c in over), sum(c["no_shows"] for c in over))


def analytics(session: Session, zone: ZoneInfo, now: datetime | None = None, *,
              recent: int = RECENT_MEETUPS, months: int = MONTHS,
              lapsed_page: int = 1) -> Analytics:
    """Every figure of the dashboard for the session's community, from the rollups when they
    fit the register (else from the register itself), in a fixed number of statements; the
    lapsed regulars a page (``lapsed_page``, LAPSED_SHOWN each) at a time."""
    now = now or utcnow()
    t, state = _state(session)
    rows = _meetups(session, now)
    occs = [Occurrence(r.id, r.title, r.starts_at, r.ends_at) for r in rows
            if r.starts_at <= now]
    window = local_months(now, zone, months)
    current = not occs or _fits(rows, state, t, zone, now)
    if not occs:
        counters: dict[int, Counter[str]] = {r.id: Counter() for r in rows}
        by_month: ByMonth = {}
        cells: Cells = {}
    elif current:
        counters = {r.id: Counter({name: getattr(r, name) for name in COUNTERS}) for r in rows}
        by_month, cells = _months(session, RETURN_WITHIN)
    else:
        counters, by_month, cells = _from_register(session, rows, occs, t, zone, now,
                                                   RETURN_WITHIN)
    guests, guests_total = _guests(window, by_month) if occs else \
        ([MonthShare(m, 0, 0) for m in window], MonthShare(window[0], 0, 0))
    shows, shows_total = _no_shows(rows, occs, counters, now, recent) if occs else ([], (0, 0))
    levels, industries = levels_and_industries(session)
    lapsed_page = max(1, lapsed_page)
    lapsed, lapsed_total = lapsed_regulars(session, LAPSED_SHOWN,
                                           (lapsed_page - 1) * LAPSED_SHOWN)
    if not lapsed and lapsed_page > 1:  # past the end: the first page (one more statement)
        lapsed_page = 1
        lapsed, lapsed_total = lapsed_regulars(session, LAPSED_SHOWN)
    return Analytics(
        thresholds=t, occurrences=len(occs), levels=levels,
        mix=_mix(occs, counters, recent),
        returns=_returns(occs, window, by_month, RETURN_WITHIN) if occs else [],
        guests=guests, guests_total=guests_total,
        cohorts=_cohorts(window, cells) if occs else [],
        no_shows=shows, no_shows_total=shows_total,
        lapsed=lapsed, lapsed_total=lapsed_total, lapsed_page=lapsed_page,
        industries=industries, months=window, current=current,
        satisfaction=[TrendPoint(r.id, r.title, r.starts_at, round(float(r.satisfaction), 2),
                                 r.answers) for r in rows if r.answers][-TREND_MEETUPS:],
    )
