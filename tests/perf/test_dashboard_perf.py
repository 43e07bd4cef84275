"""The organizer's analytics page and the member directory: no query per member.

The guard (default suite) compares statement counts on communities of 12 and 60 members. The
benchmark (on demand: ``pytest -m perf -s tests/perf/test_dashboard_perf.py``) times both pages
on 5,000 members and 60,000 attendance rows against a 100-member baseline measured in the
same run, prints each page's time, the ratio and the statement count, and asserts the same.
The tables are ANALYZEd after loading, as autovacuum (PostgreSQL) would have done for a real
community.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, text

from joren.models import Attendance, AttendanceStatus, Meetup, Member, MemberStatus, Role
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.engagement import services
from joren.tenants.meetups.models import Registration, RegistrationStatus
from joren.tenants.members.industries import INDUSTRIES
from tests import factories
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

OCCURRENCES = 60
RUNS = 5
CODES = [*INDUSTRIES, ""]


def _populate(session, community, members: int, attendances: int) -> None:  # type: ignore[no-untyped-def]
    """Members (some guests, industries spread), weekly meetups over 14 months, and
    ``attendances`` rows; each member has a "loyalty" so there are regulars, one-timers and
    people who drifted away. Seeded: the same every run."""
    rng = random.Random(members)
    start = utcnow() - timedelta(days=7 * OCCURRENCES + 1)
    with unscoped(session):
        session.execute(insert(Member), [
            {"tenant_id": community.id, "role": Role.MEMBER.value,
             "status": (MemberStatus.GUEST if n % 7 == 0 else MemberStatus.MEMBER).value,
             "email": f"p{n}@{community.slug}.jp", "family_name": "田中",
             "given_name": f"太郎{n}", "family_name_kana": "タナカ", "given_name_kana": "タロウ",
             "industry_code": CODES[n % len(CODES)], "joined_at": utcnow()}
            for n in range(members)])
        session.execute(insert(Meetup), [
            {"tenant_id": community.id, "title": f"定例会 {i}",
             "starts_at": start + timedelta(days=7 * i),
             "ends_at": start + timedelta(days=7 * i, hours=2)} for i in range(OCCURRENCES)])
        member_ids = session.scalars(select(Member.id).where(
            Member.tenant_id == community.id).order_by(Member.id)).all()
        meetup_ids = session.scalars(select(Meetup.id).where(
            Meetup.tenant_id == community.id).order_by(Meetup.starts_at)).all()
        weights = [rng.choice([1, 1, 2, 4, 12]) for _ in member_ids]
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < attendances:
            member = rng.choices(member_ids, weights)[0]
            first = member % OCCURRENCES
            pairs.add((member, meetup_ids[rng.randint(first // 2, OCCURRENCES - 1)]))
        statuses = [AttendanceStatus.PRESENT] * 6 + [
            AttendanceStatus.WALK_IN, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED]
        session.execute(insert(Attendance), [
            {"tenant_id": community.id, "member_id": m, "meetup_id": e,
             "status": rng.choice(statuses)} for m, e in sorted(pairs)])
        session.execute(insert(Registration), [
            {"tenant_id": community.id, "member_id": m, "meetup_id": e,
             "status": RegistrationStatus.GOING, "source": "guest" if m % 11 == 0 else "portal"}
            for m, e in sorted(pairs)[::2]])
    session.commit()


def _organizer(session, community):  # type: ignore[no-untyped-def]
    account = factories.account(session, f"organizer@{community.slug}.jp")
    factories.member(session, community, account, Role.ORGANIZER)
    session.commit()
    return account


def _timed(c, url: str) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        assert c.get(url).status_code == 200
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _measure(app, c, slug: str, timed: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    figures: dict[str, float] = {}
    for name, url in (("dashboard", f"/c/{slug}/admin/analytics"),
                      ("directory", f"/c/{slug}/directory")):
        c.get(url)  # warm: templates compiled, caches filled
        with count_statements(app) as sql:
            assert c.get(url).status_code == 200
        if timed:
            figures[name] = _timed(c, url)
        figures[f"{name}_sql"] = len(sql)
    return figures


def _both(app, session, scoped, login, small_size: tuple[int, int],  # type: ignore[no-untyped-def]
          large_size: tuple[int, int], timed: bool) -> tuple[dict[str, float], dict[str, float]]:
    """(members, attendance rows) for the baseline and the large community: their figures."""
    small = factories.community(session, slug="perf-small")
    large = factories.community(session, slug="perf-large")
    _populate(session, small, *small_size)
    _populate(session, large, *large_size)
    clients = {}
    for community in (small, large):
        s = scoped(community)
        services.recompute_community(s)
        s.commit()
        clients[community.slug] = login(_organizer(session, community))
    session.execute(text("ANALYZE"))
    session.commit()
    return (_measure(app, clients["perf-small"], "perf-small", timed),
            _measure(app, clients["perf-large"], "perf-large", timed))


def test_dashboard_and_directory_statements_do_not_grow_with_members(app, session, scoped,
                                                                      login):
    # 12 members are enough for a lapsed regular in the baseline: the page asks for their
    # "we miss you" emails once when there are any (one statement, not one per member).
    base, big = _both(app, session, scoped, login, (12, 80), (60, 500), timed=False)
    assert big["dashboard_sql"] == base["dashboard_sql"]
    assert big["directory_sql"] == base["directory_sql"]


@pytest.mark.perf
def test_dashboard_and_directory_benchmark(app, session, scoped, login):
    base, big = _both(app, session, scoped, login, (100, 1_200), (5_000, 60_000), timed=True)
    print()
    print(f"organizer pages (median of {RUNS} requests)")
    for name in ("dashboard", "directory"):
        print(f"  {name:9}  baseline 100 members / 1,200 rows: {base[name] * 1000:8.1f} ms "
              f"({base[f'{name}_sql']:.0f} statements)   5,000 members / 60,000 rows: "
              f"{big[name] * 1000:8.1f} ms ({big[f'{name}_sql']:.0f} statements)   "
              f"ratio x{big[name] / base[name]:.1f} (rows x50)")
    assert big["dashboard_sql"] == base["dashboard_sql"]
    assert big["directory_sql"] == base["directory_sql"]
