"""Door search at 5,000 members (issue 14): the prefix search on btree indexes against the
LIKE scan it replaced, measured in the same run on the same rows.

On demand: ``pytest -m perf -s tests/perf/test_door_search_perf.py`` (SQLite), and with
DATABASE_URL on PostgreSQL, where the test's connection runs as the app's role under
row-level security. Two communities of 5,000 members each (the search must read one), a
meetup with 150 going. For each query it prints p50 and p95 of wall time and of CPU time
(``time.process_time``, this process: the driver and the ORM; PostgreSQL's own work is in
the wall time and, on PostgreSQL, in the ``EXPLAIN ANALYZE`` execution time printed beside)
for the door's whole search (``lists.door_list``: the statement and the rows made into
objects) and for the ids statement alone, the LIKE scan first. No wall-clock limit is
asserted: the figures are read, the plans are checked by
tests/tenants/meetups/test_door_prefix_search.py.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from joren.models import Member
from joren.platform.db import utcnow
from joren.platform.rls import refresh_key_statistics
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.checkin import lists
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.members.services import matching_ids
from tests.perf.people import member_rows

pytestmark = pytest.mark.usefixtures("clock")

MEMBERS = 5_000
GOING = 150
RUNS = 25
QUERIES = ["たなか", "田中", "tanaka", "tanaka taro", "ﾀﾅｶ ﾀﾛｳ", "会社12", "p123@", "藤太"]


def _populate(session, community, members: int, going: int) -> Meetup:  # type: ignore[no-untyped-def]
    rows = member_rows(community, members, given=lambda g, _n: g,
                       company=lambda n: f"株式会社{n}会社")
    with unscoped(session):
        session.execute(insert(Member), rows)  # the keys through the columns' defaults
        target = Meetup(tenant_id=community.id, title="例会", starts_at=utcnow(),
                        ends_at=utcnow())
        session.add(target)
        session.flush()
        ids = session.scalars(select(Member.id).where(Member.tenant_id == community.id)
                              .order_by(Member.id).limit(going)).all()
        session.execute(insert(Registration), [
            {"tenant_id": community.id, "meetup_id": target.id, "member_id": mid,
             "status": RegistrationStatus.GOING.value, "checkin_token": f"{community.slug}-{mid}",
             "confirmed_at": utcnow(), "status_changed_at": utcnow()} for mid in ids])
    return target


def _timed(func_: Callable[[], Any], runs: int = RUNS) -> tuple[list[float], list[float], Any]:
    result = func_()  # warm: compiled statement, caches
    walls, cpus = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = func_()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, result


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=20)[int(q * 20) - 1] * 1000 if q < 1 else 0.0


def _fmt(walls: list[float], cpus: list[float]) -> str:
    return (f"{statistics.median(walls) * 1000:6.2f} {_p(walls, 0.95):6.2f} "
            f"{statistics.median(cpus) * 1000:6.2f} {_p(cpus, 0.95):6.2f}")


def _execution_ms(session, statement) -> str:  # type: ignore[no-untyped-def]
    """PostgreSQL's own time for ``statement`` as the app's role (EXPLAIN ANALYZE)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return ""
    seen: list[tuple[str, Any]] = []

    def capture(_c, _cur, sql, params, _ctx, _many):  # type: ignore[no-untyped-def]
        seen.append((sql, params))

    from sqlalchemy import event
    event.listen(conn.engine, "before_cursor_execute", capture)
    try:
        session.execute(statement).all()
    finally:
        event.remove(conn.engine, "before_cursor_execute", capture)
    sql, params = seen[-1]
    times = []
    for _ in range(5):
        plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE) " + sql, params)]
        times.append(float(next(line for line in plan if line.startswith("Execution Time"))
                           .split(":")[1].split()[0]))
    return f"{statistics.median(times):6.2f}"


@pytest.mark.perf
def test_door_search_benchmark(app, session, scoped, tenant, other_tenant, connection,  # type: ignore[no-untyped-def]
                               monkeypatch):
    target = _populate(session, tenant, MEMBERS, GOING)
    _populate(session, other_tenant, MEMBERS, GOING)
    session.commit()
    refresh_key_statistics(connection, members=2 * MEMBERS, meetups=0)
    s = scoped(tenant)
    meetup = s.merge(target)
    dialect = s.get_bind().dialect.name
    like_scan = lambda _meetup, query: matching_ids(query)  # noqa: E731 - the old search
    prefix = lists.door_matching_ids
    print(f"\nDoor search on {dialect}, {MEMBERS:,} members (+{MEMBERS:,} in another "
          f"community), {GOING} going; ms over {RUNS} runs: wall p50 p95, CPU p50 p95"
          + ("; PostgreSQL execution (EXPLAIN ANALYZE, app role)" if dialect == "postgresql"
             else ""))
    print(f"{'query':<14}{'search':<8}{'door list (whole search)':>27}{'ids statement':>29}"
          f"{'found':>7}{'PG exec':>9}")
    for query in QUERIES:
        for label, search in (("LIKE", like_scan), ("prefix", prefix)):
            monkeypatch.setattr(lists, "door_matching_ids", search)
            walls, cpus, rows = _timed(lambda: lists.door_list(s, meetup, query))  # noqa: B023
            ids = select(func.count()).select_from(
                search(meetup, query).subquery())  # type: ignore[union-attr]
            iwalls, icpus, found = _timed(lambda: s.scalar(ids))  # noqa: B023
            print(f"{query:<14}{label:<8}{_fmt(walls, cpus):>27}{_fmt(iwalls, icpus):>29}"
                  f"{found:>7}{_execution_ms(s, ids):>9}")
            assert rows or label == "LIKE" or query == "藤太"
    monkeypatch.setattr(lists, "door_matching_ids", prefix)
