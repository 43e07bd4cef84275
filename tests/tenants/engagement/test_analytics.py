"""The dashboard's aggregates on hand-built histories with known answers, at their boundaries;
another community's register never counts; the statements do not grow with the community."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from joren.models import (
    Attendance,
    AttendanceStatus,
    Meetup,
    MemberStatus,
    Registration,
    RegistrationStatus,
)
from joren.platform.tenancy import unscoped
from joren.tenants.engagement import analytics, services, standing
from joren.tenants.engagement.levels import DEFAULTS, Level, Thresholds
from joren.tenants.engagement.rollups import store
from joren.tenants.meetups.models import MeetupStatus
from tests import factories
from tests.tenants.engagement import reference_analytics as reference
from tests.tenants.engagement.helpers import NOW, past_meetups, record
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

TOKYO = ZoneInfo("Asia/Tokyo")


def _mix(s, t: Thresholds = DEFAULTS, recent: int = 12):  # type: ignore[no-untyped-def]
    occs = reference.occurrences(s, NOW)
    return [(m.first_timers, m.returning, m.regulars)
            for m in reference.attendance_mix(s, occs, t, NOW, recent)]


def _people(session, community, count, **fields):  # type: ignore[no-untyped-def]
    return [factories.member(session, community, **fields) for _ in range(count)]


def _mix_history(session, community):  # type: ignore[no-untyped-def]
    meetups = past_meetups(session, community, 8)
    a, b, c, d, e, never = _people(session, community, 6)
    record(session, meetups, a, "xxx.....")
    record(session, meetups, b, "x.x.x...")
    # Excused at the 2nd: left out of C's sequence, so the 1st is still in the window at the 7th.
    record(session, meetups, c, "xe..x.x.")
    # Late and walk-in count as attended; at the 7th the 1st has just left the window.
    record(session, meetups, d, "l..w..x.")
    record(session, meetups, e, ".......x")
    record(session, meetups, never, "aaaaaaaa")
    return meetups


def test_attendance_mix_classifies_each_person_at_each_meetup(session, scoped, tenant,
                                                              other_tenant):
    _mix_history(session, tenant)
    _mix_history(session, other_tenant)  # the same again elsewhere: never counted here
    s = scoped(tenant)
    assert _mix(s) == [(4, 0, 0), (0, 1, 0), (0, 1, 1), (0, 1, 0), (0, 1, 1), (0, 0, 0),
                       (0, 1, 1), (1, 0, 0)]
    assert _mix(s, recent=3) == [(0, 0, 0), (0, 1, 1), (1, 0, 0)]


def test_attendance_mix_follows_the_thresholds(session, scoped, tenant):
    _mix_history(session, tenant)
    s = scoped(tenant)
    # Two of the last two: A is a regular at the 2nd and 3rd already; nobody else ever is.
    assert _mix(s, Thresholds(regular_min=2, regular_window=2)) == [
        (4, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0), (0, 2, 0), (0, 0, 0), (0, 2, 0),
        (1, 0, 0)]


def test_attendance_mix_ignores_cancelled_and_future_meetups(session, scoped, tenant):
    meetups = past_meetups(session, tenant, 3)
    cancelled = past_meetups(session, tenant, 1, now=NOW - timedelta(days=3),
                             status=MeetupStatus.CANCELLED)
    future = past_meetups(session, tenant, 1, now=NOW + timedelta(days=30))
    person = factories.member(session, tenant)
    record(session, meetups, person, "xxx")
    record(session, cancelled + future, person, "xx")
    s = scoped(tenant)
    assert len(reference.occurrences(s, NOW)) == 3
    # The cancelled meetup in between is no occurrence: three of three make a regular.
    assert _mix(s) == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]


# -- months: first visits, returns, cohorts, guests -----------------------------------------

def _at(session, community, when: datetime, **fields) -> Meetup:  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = Meetup(tenant_id=community.id, title=f"例会 {when:%Y-%m-%d}", starts_at=when,
                     ends_at=when + timedelta(hours=2), **fields)
        session.add(row)
        session.flush()
    return row


def _came(session, member, meetup, status=AttendanceStatus.PRESENT):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.execute(insert(Attendance), [{"tenant_id": meetup.tenant_id,
                                              "meetup_id": meetup.id, "member_id": member.id,
                                              "status": status}])


def _calendar(session, community):  # type: ignore[no-untyped-def]
    """Seven monthly meetups; the second falls on 1 March 00:30 in Tokyo (still February
    in UTC), plus a cancelled one and a future one."""
    return {
        "old": _at(session, community, datetime(2025, 5, 13, 10, tzinfo=UTC)),
        "jan": _at(session, community, datetime(2026, 1, 13, 10, tzinfo=UTC)),
        "mar1": _at(session, community, datetime(2026, 2, 28, 15, 30, tzinfo=UTC)),
        "mar": _at(session, community, datetime(2026, 3, 10, 10, tzinfo=UTC)),
        "apr": _at(session, community, datetime(2026, 4, 14, 10, tzinfo=UTC)),
        "may": _at(session, community, datetime(2026, 5, 12, 10, tzinfo=UTC)),
        "jun": _at(session, community, datetime(2026, 6, 9, 10, tzinfo=UTC)),
        "cancelled": _at(session, community, datetime(2026, 2, 10, 10, tzinfo=UTC),
                         status=MeetupStatus.CANCELLED),
        "future": _at(session, community, datetime(2026, 7, 14, 10, tzinfo=UTC)),
    }


def _visits(session, community):  # type: ignore[no-untyped-def]
    m = _calendar(session, community)
    p, q, r, s_, t, u = _people(session, community, 6)
    for person, keys in ((p, ["jan", "cancelled", "apr"]),   # back 3 meetups later: yes
                         (q, ["jan", "may"]),                 # 4 meetups later: no
                         (r, ["mar1"]),                       # March in Tokyo, never again
                         (s_, ["mar", "jun", "future"]),      # back 3 later: yes
                         (t, ["jun"]),                        # too early to tell
                         (u, ["old", "mar"])):                # first came before the window
        for key in keys:
            _came(session, person, m[key])
    return m


def _shares(items):  # type: ignore[no-untyped-def]
    return {(x.month.year, x.month.month): (x.whole, x.part, x.complete)
            for x in items if x.whole}


def test_months_are_the_communitys_local_months(session):
    months = analytics.local_months(NOW, TOKYO)
    assert months[0] == date(2025, 7, 1) and months[-1] == date(2026, 6, 1)
    assert len(months) == 12
    starts = analytics.month_starts(months, TOKYO)
    assert starts[-1].astimezone(UTC) == datetime(2026, 5, 31, 15, tzinfo=UTC)
    # Just after midnight on 1 July in Tokyo it is already July.
    late = datetime(2026, 6, 30, 15, 30, tzinfo=UTC)
    assert analytics.local_months(late, TOKYO, 1) == [date(2026, 7, 1)]


def test_first_visit_to_second_visit_conversion_by_month(session, scoped, tenant, other_tenant):
    _visits(session, tenant)
    _visits(session, other_tenant)
    s = scoped(tenant)
    months = analytics.local_months(NOW, TOKYO)
    rates = reference.return_rates(s, reference.occurrences(s, NOW), months, TOKYO, NOW)
    assert [r.month for r in rates] == months
    assert _shares(rates) == {(2026, 1): (2, 1, True), (2026, 3): (2, 1, True),
                              (2026, 6): (1, 0, False)}
    assert rates[6].share == 0.5


def test_retention_cohorts_count_people_per_month_after_the_first(session, scoped, tenant,
                                                                  other_tenant):
    _visits(session, tenant)
    _visits(session, other_tenant)
    s = scoped(tenant)
    months = analytics.local_months(NOW, TOKYO)
    found = {(c.month.year, c.month.month): (c.size, c.came)
             for c in reference.cohorts(s, months, TOKYO, NOW)}
    assert found == {
        (2026, 1): (2, [2, 0, 0, 1, 1, 0]),
        (2026, 3): (2, [2, 0, 0, 1]),  # U came in March too, but first came before the window
        (2026, 6): (1, [1]),
    }
    january = reference.cohorts(s, months, TOKYO, NOW)[0]
    assert january.share(3) == 0.5 and january.share(6) is None


def test_guest_to_member_conversion(session, scoped, tenant, other_tenant):
    for community in (tenant, other_tenant):
        m = _calendar(session, community)
        still_guest = factories.member(session, community, status=MemberStatus.GUEST)
        via_form = factories.member(session, community)
        walked_in = factories.member(session, community)
        always_member = factories.member(session, community)
        left = factories.member(session, community, status=MemberStatus.INACTIVE)
        old_guest = factories.member(session, community, status=MemberStatus.GUEST)
        _came(session, still_guest, m["jan"])
        _came(session, via_form, m["jan"])
        _came(session, walked_in, m["mar1"], AttendanceStatus.WALK_IN)
        _came(session, always_member, m["mar"])
        _came(session, always_member, m["apr"], AttendanceStatus.WALK_IN)  # not the first
        _came(session, left, m["jun"])
        _came(session, old_guest, m["old"])
        with unscoped(session):
            session.execute(insert(Registration), [
                {"tenant_id": community.id, "meetup_id": m["may"].id, "member_id": who.id,
                 "status": RegistrationStatus.CANCELLED, "source": "guest"}
                for who in (via_form, left)])
    s = scoped(tenant)
    months = analytics.local_months(NOW, TOKYO)
    by_month, total = reference.guest_conversion(s, months, TOKYO, NOW)
    assert _shares(by_month) == {(2026, 1): (2, 1, True), (2026, 3): (1, 1, True),
                                 (2026, 6): (1, 0, True)}
    assert (total.whole, total.part) == (5, 2)


# -- no-shows, levels, lapsed regulars, industries ---------------------------------------

def test_no_shows_per_meetup_and_overall(session, scoped, tenant, other_tenant):
    for community in (tenant, other_tenant):
        meetups = past_meetups(session, community, 2)
        upcoming = past_meetups(session, community, 1, now=NOW + timedelta(days=10))
        came, absent, unrecorded, excused, substitute, cancelled = _people(session, community,
                                                                           6)
        record(session, meetups, came, "XX")
        record(session, meetups, absent, "A.")
        record(session, meetups, unrecorded, "N.")
        record(session, meetups, excused, "E.")
        record(session, meetups, substitute, "S.")
        record(session, upcoming, came, "N")  # not over yet: not a no-show
        with unscoped(session):
            session.execute(insert(Registration), [{
                "tenant_id": community.id, "meetup_id": meetups[0].id,
                "member_id": cancelled.id, "status": RegistrationStatus.CANCELLED}])
    s = scoped(tenant)
    per, total = reference.no_shows(s, reference.occurrences(s, NOW), NOW)
    assert [(n.going, n.no_shows) for n in per] == [(5, 2), (1, 0)]
    assert per[0].rate == 0.4 and per[1].rate == 0
    assert total == (6, 2)


def _levels_history(session, community):  # type: ignore[no-untyped-def]
    meetups = past_meetups(session, community, 7)
    regular_e1, regular_e2, regular_g, regular_blank = (
        factories.member(session, community, industry_code=code) for code in ("E", "E", "G", ""))
    lapsed_recent = factories.member(session, community, family_name="最近",
                                     family_name_kana="サイキン")
    lapsed_early = factories.member(session, community, family_name="以前",
                                    family_name_kana="イゼン")
    lapsed_left = factories.member(session, community, status=MemberStatus.INACTIVE)
    for person in (regular_e1, regular_e2, regular_g, regular_blank):
        record(session, meetups, person, "....xxx")
    record(session, meetups, lapsed_recent, "xxxx...")
    record(session, meetups, lapsed_early, "xxx....")
    record(session, meetups, lapsed_left, "xxx....")
    return meetups, lapsed_recent, lapsed_early


def test_lapsed_regulars_and_the_industries_of_the_regulars(session, scoped, tenant,
                                                            other_tenant):
    meetups, recent, early = _levels_history(session, tenant)
    _levels_history(session, other_tenant)
    for community in (tenant, other_tenant):
        services.recompute_community(scoped(community), now=NOW)
    s = scoped(tenant)
    lapsed, total = standing.lapsed_regulars(s)
    assert [row.member.id for row in lapsed] == [recent.id, early.id] and total == 2
    assert standing.lapsed_regulars(s, limit=1) == (lapsed[:1], 2)
    assert lapsed[0].last_attended_at == meetups[3].starts_at
    assert lapsed[0].attended_count == 4
    assert standing.regular_industries(s) == [("E", 2), ("", 1), ("G", 1)]
    levels = standing.level_counts(s)
    assert levels[Level.REGULAR] == 4 and levels[Level.LAPSED_REGULAR] == 3
    assert levels[Level.ONE_TIME] == 0


def test_a_community_without_meetups_has_empty_figures(scoped, tenant):
    s = scoped(tenant)
    figures = analytics.analytics(s, TOKYO, NOW)
    assert figures.is_empty
    assert figures.mix == [] and figures.cohorts == [] and figures.lapsed == []
    assert figures.guests_total.whole == 0 and figures.no_show_rate is None
    assert len(figures.months) == 12


@pytest.mark.parametrize("size", [3, 30])
def test_everything_in_a_fixed_number_of_statements(app, session, scoped, tenant, size):
    meetups = past_meetups(session, tenant, 8)
    patterns = ["xxx.xxx.", "x.......", "xxxx....", "..x.x.xX", "A..xx.x."]
    for n, person in enumerate(_people(session, tenant, size)):
        record(session, meetups, person, patterns[n % len(patterns)])
    s = scoped(tenant)
    services.recompute_community(s, now=NOW)
    with count_statements(app) as sql:
        figures = analytics.analytics(s, TOKYO, NOW)
    assert len(figures.mix) == 8 and not figures.current
    assert len(sql) == 8  # no rollups yet: computed from the register (thresholds included)
    store.rebuild(s, NOW)
    with count_statements(app) as sql:
        figures = analytics.analytics(s, TOKYO, NOW)
    assert len(figures.mix) == 8 and figures.current
    assert len(sql) == 5
