"""The door page, the check-in search and the attendance register: no query per row shown.

The guard (default suite) compares statement counts for 4 and 24 people going (6 and 20 found
by the searches). The benchmark
(on demand: ``pytest -m perf -s tests/perf/test_checkin_perf.py``) times the pages in a
community of 5,000 members with 300 occurrences against a 50-member baseline measured in the
same run, prints times as ratios to the baseline and the SQL statements each page issues, and
asserts the same.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from joren.models import Attendance, AttendanceStatus, Member, Role
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from tests import factories
from tests.perf.people import member_rows
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

RUNS = 7


def _populate(session, community, members: int, occurrences: int, going: int):  # type: ignore[no-untyped-def]
    rows = member_rows(community, members)
    start = utcnow() - timedelta(days=occurrences)
    with unscoped(session):
        session.execute(insert(Member), rows)
        session.execute(insert(Meetup), [
            {"tenant_id": community.id, "title": f"定例会 {i}",
             "starts_at": start + timedelta(days=i), "ends_at": start + timedelta(days=i, hours=2)}
            for i in range(occurrences)])
        target = session.scalar(select(Meetup).where(Meetup.tenant_id == community.id)
                                .order_by(Meetup.starts_at.desc()).limit(1))
        ids = session.scalars(select(Member.id).where(Member.tenant_id == community.id)
                              .order_by(Member.id).limit(going)).all()
        session.execute(insert(Registration), [
            {"tenant_id": community.id, "meetup_id": target.id, "member_id": mid,
             "status": RegistrationStatus.GOING.value, "checkin_token": f"{community.slug}-{mid}",
             "confirmed_at": utcnow(), "status_changed_at": utcnow()} for mid in ids])
        session.execute(insert(Attendance), [
            {"tenant_id": community.id, "meetup_id": target.id, "member_id": mid,
             "status": AttendanceStatus.PRESENT.value} for mid in ids[::2]])
    return target


def _measure(app, client, url, runs: int = RUNS):  # type: ignore[no-untyped-def]
    client.get(url)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    with count_statements(app) as counter:
        assert client.get(url).status_code == 200
    return (statistics.median(times) if times else 0.0), len(counter)


PAGES = {
    "door (everyone going)": "/checkin",
    "search たなか": "/checkin/search?q=たなか",
    "search tanaka": "/checkin/search?q=tanaka",
    "search 田中": "/checkin/search?q=田中",
    "attendance register": "/attendance",
}


def _pages(session, login, tenant, other_tenant, small_size: dict[str, int],  # type: ignore[no-untyped-def]
           big_size: dict[str, int]):
    """Yield (page, small URL and client, big URL and client): ``other_tenant`` is the small
    community, ``tenant`` the big one."""
    small_staff = factories.account(session, "perf-small@example.jp")
    big_staff = factories.account(session, "perf-big@example.jp")
    factories.member(session, other_tenant, small_staff, Role.ORGANIZER)
    factories.member(session, tenant, big_staff, Role.ORGANIZER)
    small = _populate(session, other_tenant, **small_size)
    big = _populate(session, tenant, **big_size)
    session.commit()
    for label, suffix in PAGES.items():
        yield (label,
               (login(small_staff), f"/c/{other_tenant.slug}/admin/meetups/{small.id}{suffix}"),
               (login(big_staff), f"/c/{tenant.slug}/admin/meetups/{big.id}{suffix}"))


def test_door_search_and_register_statements_do_not_grow(app, session, login, tenant,
                                                         other_tenant):
    for label, (small_client, small_url), (big_client, big_url) in _pages(
            session, login, tenant, other_tenant,
            # Names repeat every 200 members: 6 and 20 田中 (たなか, tanaka) to find.
            {"members": 6, "occurrences": 3, "going": 4},
            {"members": 260, "occurrences": 6, "going": 24}):
        _, base_sql = _measure(app, small_client, small_url, runs=0)
        _, big_sql = _measure(app, big_client, big_url, runs=0)
        assert big_sql == base_sql, label


@pytest.mark.perf
def test_door_search_and_register_scale(app, session, login, tenant, other_tenant):
    print(f"\n{'page':<24}{'50 members':>14}{'5,000 members':>16}{'ratio':>8}"
          f"{'SQL (50)':>10}{'SQL (5,000)':>13}")
    for label, (small_client, small_url), (big_client, big_url) in _pages(
            session, login, tenant, other_tenant,
            {"members": 50, "occurrences": 10, "going": 10},
            {"members": 5000, "occurrences": 300, "going": 150}):
        base_time, base_sql = _measure(app, small_client, small_url)
        big_time, big_sql = _measure(app, big_client, big_url)
        print(f"{label:<24}{base_time * 1000:>11.1f} ms{big_time * 1000:>13.1f} ms"
              f"{big_time / base_time:>8.1f}{base_sql:>10}{big_sql:>13}")
        assert big_sql == base_sql, label
