"""Every console and portal page of a big community, one request at a time (issue 14: p95 ≤
150 ms at 5,000 members / 60,000 attendance rows, ≤ 10 statements, on PostgreSQL and SQLite).

On demand: ``pytest -m perf -s tests/perf/test_page_latency_perf.py`` (on the database of the
run: SQLite by default, PostgreSQL under row-level security with ``DATABASE_URL``). It builds
the benchmark community (tests/perf/bigcommunity.py; ``JOREN_BENCH_MEMBERS``,
``JOREN_BENCH_ATTENDANCE`` change the size), signs in the organizer and the member, and for
every page tools/page_bench_pages.py lists (every console and portal GET route, with the
reasons for the few left out; ``JOREN_BENCH_PAGES``, comma-separated substrings, keeps the
pages whose name or path contains one) sends one request to warm it, then
``JOREN_BENCH_REQUESTS`` (default 20) one after another through Flask's test client. It
prints, per page, the statements, p50 and p95, the median CPU time of this process per
request (the database's too on SQLite, which runs in the process), on PostgreSQL the mean CPU
time of the server's backend per request (read from /proc when the server runs on this
machine: on a loaded machine the wall times mostly measure the wait for a core) and the
HTML size, and
beside them the bare Flask + Jinja page of
tools/bare_app.py measured the same way in the same run, so a loaded machine shows as a
slow baseline too. The pages above the target are listed at the end; nothing is asserted on
time (the statement counts are asserted by tests/perf/test_page_statements.py).

tools/page_bench.py measures the same pages under gunicorn, with throughput against the
baseline; this one needs no server and runs inside the test suite's transaction.
"""

from __future__ import annotations

import math
import os
import statistics
import time

import pytest
from sqlalchemy import select

from joren.models import Account
from tests.conftest import APP_ROLE
from tests.perf import bigcommunity
from tests.tenants.helpers import count_statements
from tools import bare_app, page_bench_pages

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("clock")]

MEMBERS = int(os.environ.get("JOREN_BENCH_MEMBERS", "5000"))
ATTENDANCE = int(os.environ.get("JOREN_BENCH_ATTENDANCE", "60000"))
REQUESTS = int(os.environ.get("JOREN_BENCH_REQUESTS", "20"))
# Comma-separated substrings: only the pages whose name or path contains one (all by default).
PAGES = [p for p in os.environ.get("JOREN_BENCH_PAGES", "").split(",") if p]
MAX_P95_MS, MAX_STATEMENTS = 150.0, 10


def _times(get, path: str) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    """Wall times of the requests (sorted, ms) and their median CPU time in this process."""
    out, cpu = [], []
    for _ in range(REQUESTS):
        began, began_cpu = time.perf_counter(), time.process_time()
        get(path)
        out.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return sorted(out), statistics.median(cpu)


def _backend_cpu(pid: int | None) -> float | None:
    """CPU time (ms) the PostgreSQL backend ``pid`` has used, when /proc shows it."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _p95(times: list[float]) -> float:
    """Nearest rank: the 19th of 20."""
    return times[max(0, math.ceil(0.95 * len(times)) - 1)]


def test_every_page_one_request_at_a_time(app, session, maker, login, connection) -> None:  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    began = time.perf_counter()
    with app.app_context():
        big = bigcommunity.build(maker, members=MEMBERS, attendance=ATTENDANCE)
        if dialect == "postgresql":
            # The test's role owns no table, and ANALYZE skips (with a mere warning) the tables
            # its user does not own: the planner would plan 60,000 rows with the statistics of
            # empty tables. The owner analyzes them, then the test's role is back.
            connection.exec_driver_sql("RESET ROLE")
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql(f"SET LOCAL ROLE {APP_ROLE}")
        else:
            with maker() as s:
                bigcommunity.analyze(s)
    built = time.perf_counter() - began
    clients = {role: login(session.scalar(select(Account).where(Account.email == email)))
               for role, email in (("organizer", big.organizer_email),
                                   ("member", big.member_email))}
    bare = bare_app.create_app().test_client()
    bare.get("/")
    print(f"\n{dialect}: {big.members:,} members, {big.attendance:,} attendance rows "
          f"(built in {built:.0f} s); {REQUESTS} requests per page, one at a time, through "
          "Flask's test client")
    backend = (connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
               if dialect == "postgresql" else None)
    print(f"{'page':<40}{'SQL':>5}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms':>8}{'DB CPU':>8}{'KB':>8}"
          f"{'bare p50':>10}{'bare CPU':>10}")
    over = []
    for page in page_bench_pages.pages(app, big.slug, big.ids):
        if PAGES and not any(p in page.name or p in page.path for p in PAGES):
            continue
        client = clients[page.role]
        with count_statements(app) as sql:
            response = client.get(page.path)
        db_began = _backend_cpu(backend)
        times, cpu = _times(client.get, page.path)
        db_ended = _backend_cpu(backend)
        db_cpu = (f"{(db_ended - db_began) / REQUESTS:>8.1f}"
                  if db_began is not None and db_ended is not None else f"{'-':>8}")
        bare_times, bare_cpu = _times(bare.get, "/")
        baseline = statistics.median(bare_times)
        p50, p95 = statistics.median(times), _p95(times)
        print(f"{page.name[:39]:<40}{len(sql.statements):>5}{p50:>9.1f}{p95:>9.1f}{cpu:>8.1f}"
              f"{db_cpu}{len(response.get_data()) / 1024:>8.1f}{baseline:>10.1f}"
              f"{bare_cpu:>10.1f}")
        if response.status_code != 200 or p95 > MAX_P95_MS or \
                len(sql.statements) > MAX_STATEMENTS:
            over.append(f"{page.name} ({response.status_code}, p95 {p95:.0f} ms, "
                        f"{len(sql.statements)} statements)")
    print(f"{len(over)} pages above p95 {MAX_P95_MS:.0f} ms or {MAX_STATEMENTS} statements"
          + (": " + "; ".join(over) if over else ""))
