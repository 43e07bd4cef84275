"""CPU per request of the pages kept by the page cache (issue 14), cache off against cache on,
on a community of 5,000 members and 60,000 attendance rows (tests/perf/bigcommunity.py).

On demand: ``pytest -m perf -s tests/perf/test_pagecache_cpu_perf.py``. In this process,
through Flask's test client signed in as the organizer: for each page the two settings are
alternated request by request (``ROUNDS`` each, after one warm-up of each), and the median
CPU time (``time.process_time``: this process's, the database's work included on SQLite) of
each is printed. Asserts only that the kept page costs less than computing it.
"""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from joren.models import Account
from joren.platform import pagecache
from tests.perf import bigcommunity

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("clock")]

ROUNDS = 15


def _cpu(client, path: str) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    response = client.get(path)
    spent = time.process_time() - start
    assert response.status_code == 200, (path, response.status_code)
    return spent


def test_cpu_per_request_cache_off_and_on(app, maker, session, login):  # type: ignore[no-untyped-def]
    with app.app_context():
        big = bigcommunity.build(maker, members=5000, attendance=60000)
    organizer = login(session.scalar(select(Account).where(
        Account.email == big.organizer_email)))
    base = f"/c/{big.slug}/admin"
    pages = {
        "analytics": f"{base}/analytics",
        "registrations": f"{base}/meetups/{big.ids['next_meetup']}/registrations",
        "story": f"{base}/members/{big.ids['member']}/story",
        "introductions queue": f"{base}/introductions",
    }
    off_and_on(app, organizer, pages, ROUNDS)


def off_and_on(app, client, pages: dict[str, str], rounds: int) -> None:  # type: ignore[no-untyped-def]
    """For each page, the cache off and on alternated request by request (``rounds`` each,
    after one warm-up of each); prints the median CPU of each and asserts the kept page costs
    less than computing it."""
    pagecache.clear_local()
    print(f"\n{'page':<22}{'off ms':>9}{'on ms':>9}{'ratio':>8}")
    for name, path in pages.items():
        off: list[float] = []
        on: list[float] = []
        for round_ in range(rounds + 1):
            for enabled, into in ((False, off), (True, on)):
                app.config["PAGE_CACHE"] = enabled
                spent = _cpu(client, path)
                if round_:  # the first of each: a warm-up (and the cache's one miss)
                    into.append(spent)
        app.config["PAGE_CACHE"] = True
        off_ms, on_ms = statistics.median(off) * 1000, statistics.median(on) * 1000
        print(f"{name:<22}{off_ms:>9.1f}{on_ms:>9.1f}{off_ms / on_ms:>7.1f}x")
        assert on_ms < off_ms
