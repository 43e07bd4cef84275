"""The door, its search, the attendance register and the introductions queue at 5,000
members and 60,000 attendance rows (issue 14).

The guard (default suite) compares statement counts in a small and a larger community. The
benchmark (on demand: ``pytest -m perf -s tests/perf/test_door_queue_perf.py``, on SQLite by
default, on PostgreSQL with DATABASE_URL) times each page sequentially in a community of
5,000 members, 60 meetups and 60,000 attendance rows against the same page in a 50-member
community measured in the same run, and prints p50 / p95, the ratio, the SQL statements and
the size of the HTML. It asserts only that statement counts do not grow.
"""

from __future__ import annotations

import itertools
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, text

from joren.models import Attendance, AttendanceStatus, Member, Role
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.meetups.checkin import lists
from joren.tenants.meetups.models import (
    AttendanceChange,
    Meetup,
    Registration,
    RegistrationStatus,
)
from tests import factories
from tests.perf.people import member_rows
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

RUNS = 20


def _populate(session, community, members: int, meetups: int, attending: int, going: int,  # type: ignore[no-untyped-def]
              suggestions: int):
    """``members`` members, ``meetups`` past meetups each attended by ``attending`` of them,
    one more tomorrow with ``going`` registered (half checked in), and ``suggestions``
    introductions waiting for review. Returns the meetup of tomorrow."""
    start = utcnow() - timedelta(days=7 * meetups)
    with unscoped(session):
        # Through the model, as the import writes members (Core, in bulk).
        session.execute(insert(Member), member_rows(community, members))
        ids = session.scalars(select(Member.id).where(Member.tenant_id == community.id)
                              .order_by(Member.id)).all()
        session.execute(insert(Meetup), [
            {"tenant_id": community.id, "title": f"定例会 {i}",
             "starts_at": start + timedelta(days=7 * i),
             "ends_at": start + timedelta(days=7 * i, hours=2)} for i in range(meetups + 1)])
        meetup_ids = session.scalars(select(Meetup.id).where(Meetup.tenant_id == community.id)
                                     .order_by(Meetup.starts_at)).all()
        target = meetup_ids[-1]
        for i, meetup_id in enumerate(meetup_ids[:-1]):
            offset = (i * 37) % max(1, len(ids) - attending)
            session.execute(insert(Attendance), [
                {"tenant_id": community.id, "meetup_id": meetup_id, "member_id": mid,
                 "status": AttendanceStatus.PRESENT.value}
                for mid in ids[offset:offset + attending]])
        session.execute(insert(Registration), [
            {"tenant_id": community.id, "meetup_id": target, "member_id": mid,
             "status": RegistrationStatus.GOING.value, "checkin_token": f"{community.slug}-{mid}",
             "confirmed_at": utcnow(), "status_changed_at": utcnow()} for mid in ids[:going]])
        session.execute(insert(Attendance), [
            {"tenant_id": community.id, "meetup_id": target, "member_id": mid,
             "status": AttendanceStatus.PRESENT.value} for mid in ids[:going:2]])
        session.execute(insert(AttendanceChange), [  # checked in at the door: the history
            {"tenant_id": community.id, "meetup_id": target, "member_id": mid,
             "old_status": None, "new_status": AttendanceStatus.PRESENT.value, "via": "door",
             "changed_at": utcnow()} for mid in ids[:going:2]])
        pairs = itertools.islice(((a, b) for a, b in zip(ids[1::2], ids[2::2], strict=False)),
                                 suggestions)
        session.execute(insert(Introduction), [
            {"tenant_id": community.id, "member_low_id": a, "member_high_id": b,
             "source": IntroductionSource.ENGINE.value,
             "status": IntroductionStatus.SUGGESTED.value, "score": 1.0 - n / 1000,
             "reasons": [], "message": "", "request_note": ""}
            for n, (a, b) in enumerate(pairs)])
    return target


def _measure(app, client, url: str, runs: int) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    with count_statements(app) as counter:
        response = client.get(url)
    times.sort()
    return {"p50": statistics.median(times) if times else 0.0,
            "p95": times[int(0.95 * (len(times) - 1))] if times else 0.0,
            "sql": len(counter), "bytes": len(response.data)}


def pages(meetup_id: int) -> dict[str, str]:
    door = f"/admin/meetups/{meetup_id}"
    return {
        "door (everyone going)": f"{door}/checkin",
        "door printable list": f"{door}/checkin/print",
        "door search たなか": f"{door}/checkin/search?q=たなか",
        "door search tanaka": f"{door}/checkin/search?q=tanaka",
        "door search 田中": f"{door}/checkin/search?q=田中",
        "door search 中太 (mid)": f"{door}/checkin/search?q=中太",
        "door search 会社12": f"{door}/checkin/search?q=会社12",
        "attendance register": f"{door}/attendance",
        "introductions queue": "/admin/introductions",
    }


def _analyze(session) -> None:  # type: ignore[no-untyped-def]
    """Statistics for the loaded rows, as autovacuum keeps them for a real community. Only
    the owner may ANALYZE, and the test runs as the app role: the owner does it for a moment
    (ANALYZE inside the test's transaction samples its rows)."""
    role = session.execute(text("SELECT current_user")).scalar()
    with unscoped(session):  # ANALYZE names a tenant table, for no one community
        session.execute(text("RESET ROLE"))
        for table in ("members", "meetups", "registrations", "attendances", "introductions",
                      "accounts"):
            session.execute(text(f"ANALYZE {table}"))
        session.execute(text(f'SET LOCAL ROLE "{role}"'))
    session.commit()


SEARCHES = ("たなか", "tanaka", "田中", "中太", "会社12", "sato hanako", "zzz")


def _search_times(scoped, community, meetup_id: int, runs: int) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The door search itself (lists.door_list, one statement), without the page around it."""
    s = scoped(community)
    meetup = s.get(Meetup, meetup_id)
    found = {}
    for query in SEARCHES:
        lists.door_list(s, meetup, query)
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            rows = lists.door_list(s, meetup, query)
            times.append(time.perf_counter() - began)
        times.sort()
        found[query] = {"p50": statistics.median(times),
                        "p95": times[int(0.95 * (len(times) - 1))], "rows": len(rows)}
    return found


def _both(app, session, login, tenant, other_tenant, small: dict, big: dict):  # type: ignore[no-untyped-def]
    small_staff = factories.account(session, "perf-small@example.jp")
    big_staff = factories.account(session, "perf-big@example.jp")
    factories.member(session, other_tenant, small_staff, Role.OWNER)
    factories.member(session, tenant, big_staff, Role.OWNER)
    small_meetup = _populate(session, other_tenant, **small)
    big_meetup = _populate(session, tenant, **big)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        _analyze(session)
    small_pages, big_pages = pages(small_meetup), pages(big_meetup)
    return ({label: (login(small_staff), f"/c/{other_tenant.slug}{url}")
             for label, url in small_pages.items()},
            {label: (login(big_staff), f"/c/{tenant.slug}{url}")
             for label, url in big_pages.items()},
            (small_meetup, big_meetup))


def test_door_register_and_queue_statements_do_not_grow(app, session, login, tenant,
                                                        other_tenant):
    small, big, meetups = _both(app, session, login, tenant, other_tenant,
                       {"members": 8, "meetups": 2, "attending": 4, "going": 4,
                        "suggestions": 3},
                       {"members": 240, "meetups": 4, "attending": 100, "going": 40,
                        "suggestions": 60})
    for label in small:
        base = _measure(app, *small[label], runs=0)
        grown = _measure(app, *big[label], runs=0)
        assert grown["sql"] == base["sql"], label
        assert grown["sql"] <= 10, label


@pytest.mark.perf
def test_door_register_and_queue_at_5000_members(app, session, login, scoped, tenant,
                                                 other_tenant):
    small, big, meetups = _both(app, session, login, tenant, other_tenant,
                       {"members": 50, "meetups": 10, "attending": 20, "going": 10,
                        "suggestions": 10},
                       {"members": 5000, "meetups": 60, "attending": 1000, "going": 150,
                        "suggestions": 300})
    dialect = session.get_bind().dialect.name
    print(f"\n{dialect}: 50 members vs 5,000 members / 60,000 attendance, {RUNS} runs each")
    print(f"{'page':<26}{'50 p50':>9}{'p95':>8}{'5,000 p50':>11}{'p95':>8}{'ratio':>7}"
          f"{'SQL':>5}{'SQL':>5}{'KB':>8}")
    for label in small:
        base = _measure(app, *small[label], runs=RUNS)
        grown = _measure(app, *big[label], runs=RUNS)
        print(f"{label:<26}{base['p50'] * 1000:>7.1f}ms{base['p95'] * 1000:>6.1f}ms"
              f"{grown['p50'] * 1000:>9.1f}ms{grown['p95'] * 1000:>6.1f}ms"
              f"{grown['p50'] / base['p50']:>7.1f}{base['sql']:>5}{grown['sql']:>5}"
              f"{grown['bytes'] / 1024:>8.1f}")
        assert grown["sql"] == base["sql"], label
    base_meetup, big_meetup = meetups
    base_search = _search_times(scoped, other_tenant, base_meetup, RUNS)
    big_search = _search_times(scoped, tenant, big_meetup, RUNS)
    print(f"\n{'door search query alone':<26}{'50 p50':>9}{'p95':>8}{'5,000 p50':>11}"
          f"{'p95':>8}{'rows':>6}")
    for query in SEARCHES:
        b, g = base_search[query], big_search[query]
        print(f"{query:<26}{b['p50'] * 1000:>7.1f}ms{b['p95'] * 1000:>6.1f}ms"
              f"{g['p50'] * 1000:>9.1f}ms{g['p95'] * 1000:>6.1f}ms{g['rows']:>6}")
