"""CPU per request of the console's settings pages (issue 14), cache off against cache on, on
a community of 5,000 members (tests/perf/bigcommunity.py).

On demand: ``pytest -m perf -s tests/perf/test_settings_pages_cpu_perf.py``. In this process,
through Flask's test client signed in as the organizer (the owner for the owner's pages): for
each page the two settings are alternated request by request (``ROUNDS`` each, after one
warm-up of each), and the median CPU time (``time.process_time``) of each is printed. Asserts
only that the kept page costs less than computing it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.models import Account
from tests.perf import bigcommunity
from tests.perf.test_pagecache_cpu_perf import off_and_on

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("clock")]

ROUNDS = 25


def test_cpu_per_request_of_settings_pages_cache_off_and_on(app, maker, session, login):  # type: ignore[no-untyped-def]
    with app.app_context():
        big = bigcommunity.build(maker, members=5000, attendance=6000)
    organizer = login(session.scalar(select(Account).where(
        Account.email == big.organizer_email)))
    base = f"/c/{big.slug}/admin"
    pages = {
        "dashboard (reference)": f"{base}/",
        "console.settings": f"{base}/settings",
        "imports.new": f"{base}/imports/",
        "dues.settings": f"{base}/payments/dues",
        "payments.settings": f"{base}/payments/settings",
        "engagement.settings": f"{base}/engagement/settings",
        "public.settings": f"{base}/public-page",
        "remove_member": f"{base}/members/{big.ids['member']}/remove",
    }
    off_and_on(app, organizer, pages, ROUNDS)
