"""CPU per request of kept pages with the layout frame off and on (platform/layoutframe.py,
issue 14), on a community of 5,000 members (tests/perf/bigcommunity.py).

On demand: ``pytest -m perf -s tests/perf/test_layout_frame_perf.py``. In this process,
through Flask's test client (the organizer for console pages, the known member for portal
pages): for each page the two settings alternate in blocks of ``PER_BLOCK`` requests,
``BLOCKS`` times each, and the median CPU time (``time.process_time``) per request of each is
printed. Asserts only that both settings give the same page, save the form token.
"""

from __future__ import annotations

import re
import statistics
import time

import pytest
from sqlalchemy import select

from joren.models import Account
from tests.perf import bigcommunity

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("clock")]

BLOCKS, PER_BLOCK = 10, 20
TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def _block(client, path: str) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for _ in range(PER_BLOCK):
        client.get(path)
    return (time.process_time() - start) / PER_BLOCK


def test_cpu_per_request_frame_off_and_on(app, maker, session, login):  # type: ignore[no-untyped-def]
    with app.app_context():
        big = bigcommunity.build(maker, members=5000, attendance=60000)
    organizer = login(session.scalar(select(Account).where(
        Account.email == big.organizer_email)))
    member = login(session.scalar(select(Account).where(Account.email == big.member_email)))
    pages = {
        "dashboard": (organizer, f"/c/{big.slug}/admin/"),
        "members list": (organizer, f"/c/{big.slug}/admin/members"),
        "portal home": (member, f"/c/{big.slug}/"),
        "directory": (member, f"/c/{big.slug}/directory"),
        "my profile": (member, f"/c/{big.slug}/profile"),
    }
    print(f"\n{'page':<16}{'off ms':>9}{'on ms':>9}")
    for name, (client, path) in pages.items():
        bodies = {}
        for enabled in (False, True):
            app.config["LAYOUT_FRAME"] = enabled
            for _ in range(2):  # warm: the page cache's miss, then the frame's
                response = client.get(path)
                assert response.status_code == 200, (name, response.status_code)
            bodies[enabled] = TOKEN.sub("", response.get_data(as_text=True))
        assert bodies[False] == bodies[True], name
        spent: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(BLOCKS):
            for enabled in (False, True):
                app.config["LAYOUT_FRAME"] = enabled
                spent[enabled].append(_block(client, path))
        app.config["LAYOUT_FRAME"] = True
        off, on = (statistics.median(spent[e]) * 1000 for e in (False, True))
        print(f"{name:<16}{off:>9.2f}{on:>9.2f}")
