"""The analytics page from stored rollups against the computation from the register it
replaced, at 5,000 members and 60,000 attendance rows (issue 14).

On demand: ``pytest -m perf -s tests/perf/test_analytics_rollups_perf.py`` (SQLite), and with
``DATABASE_URL``/``REDIS_URL`` set for PostgreSQL. Prints p50 / p95 of sequential runs of the
figures before (``reference_analytics``: straight from the register) and after (rollups), the
ratio, the whole page's time and statements, and what keeping the rollups costs (a rebuild,
an update for one member). The figures are asserted equal; no time is asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, text

from joren.models import Attendance
from joren.platform.db import utcnow
from joren.tenants.engagement import analytics, services
from joren.tenants.engagement.rollups import store
from tests import factories
from tests.perf.test_dashboard_perf import _organizer, _populate
from tests.tenants.engagement import reference_analytics as reference
from tests.tenants.engagement.test_rollups import assert_same
from tests.tenants.helpers import count_statements

pytestmark = [pytest.mark.usefixtures("clock"), pytest.mark.perf]

RUNS = 30
APP_ROLE = "joren_test_app"  # tests/conftest.py: the role every test runs as


def _percentiles(func: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    func()  # warm
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        times.append(time.perf_counter() - began)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def _row(name: str, p50: float, p95: float, extra: str = "") -> str:
    return f"  {name:34} p50 {p50 * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   {extra}"


def _analyze(session) -> None:  # type: ignore[no-untyped-def]
    """Statistics, as autovacuum would have gathered them. On PostgreSQL the test runs as a
    role that owns no table, and ANALYZE skips tables it does not own: the owner runs it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("RESET ROLE"))
        session.execute(text("ANALYZE"))
        session.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()


def test_analytics_from_rollups_against_the_register(app, session, scoped, login):
    community = factories.community(session, slug="perf-rollups")
    _populate(session, community, 5_000, 60_000)
    s = scoped(community)
    services.recompute_community(s)
    s.commit()
    _analyze(session)
    zone = community.zone
    rebuild = _percentiles(lambda: (store.rebuild(s), s.commit()), runs=3)
    _analyze(session)
    now = utcnow()
    assert_same(analytics.analytics(s, zone, now), reference.analytics(s, zone, now))
    s.rollback()

    before = _percentiles(lambda: (reference.analytics(s, zone), s.rollback()))
    after = _percentiles(lambda: (analytics.analytics(s, zone), s.rollback()))
    with count_statements(app) as figures_sql:
        assert analytics.analytics(s, zone).current
    s.rollback()
    member_id = s.scalar(select(Attendance.member_id).order_by(Attendance.id).limit(1))
    update = _percentiles(lambda: (store.update_members(s, [member_id]), s.commit()), runs=10)

    client = login(_organizer(session, community))
    url = f"/c/{community.slug}/admin/analytics"
    page = _percentiles(lambda: client.get(url))
    with count_statements(app) as page_sql:
        assert client.get(url).status_code == 200

    dialect = session.get_bind().dialect.name
    print()
    print(f"analytics at 5,000 members / 60,000 attendance rows on {dialect} "
          f"({RUNS} sequential runs)")
    print(_row("before: from the register", *before))
    print(_row("after: from the rollups", *after, f"({len(figures_sql)} statements)"))
    print(f"  ratio before / after: p50 x{before[0] / after[0]:.1f}, "
          f"p95 x{before[1] / after[1]:.1f}")
    print(_row("the page, from the rollups", *page, f"({len(page_sql)} statements)"))
    print(_row("keeping them: a full rebuild", *rebuild, "(3 runs)"))
    print(_row("keeping them: one member's update", *update, "(10 runs)"))
