"""Every console and portal page against bare Flask + Jinja under gunicorn (issue 14), on the
database of this run: ``pytest -m perf -s tests/perf/test_page_throughput.py`` runs
tools/page_bench.py's core at 5,000 members and 60,000 attendance rows and prints its table.

With DATABASE_URL set (PostgreSQL, as its owner) that database is WIPED and migrated, and Joren
connects as ``<database>_app`` under row-level security; otherwise a temporary SQLite file is
used. REDIS_URL, when set, is given to Joren. PAGE_BENCH_ARGS passes other options of the
script, e.g. ``PAGE_BENCH_ARGS="--members 500 --attendance 6000 --pages checkin"``.
Figures, not asserts: the machine's load moves them (the ratios to the baseline measured in
the same run are what to compare); ``python -m tools.page_bench --check`` is the gate.
"""

from __future__ import annotations

import os
import shlex

import pytest

from tools import page_bench


@pytest.mark.perf
def test_page_throughput(tmp_path):  # type: ignore[no-untyped-def]
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    settings, _ = page_bench.parse(shlex.split(os.environ.get("PAGE_BENCH_ARGS", "")))
    settings.database_url = url
    settings.redis_url = settings.redis_url or os.environ.get("REDIS_URL")
    settings.logs = tmp_path / "logs"
    print()
    report = page_bench.run(settings)
    print(page_bench.summary(report))
    assert report.results, "no page was measured"
    assert all(r.status == 200 for r in report.results), [
        (r.name, r.status) for r in report.results if r.status != 200]
