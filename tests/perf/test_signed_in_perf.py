"""The fixed cost of a signed-in request (issue 14), in process: a bare Flask + Jinja page of 50
rows against Joren's anonymous sign-in page and signed-in pages that do little else (the
console's settings, the community's about page, the account page), measured interleaved in
the same run through Flask's test client. Prints the median per request, the ratio to the
bare page and the statements each page runs.

On demand: ``pytest -m perf -s tests/perf/test_signed_in_perf.py``. The statement counts are
asserted in the default suite by tests/perf/test_page_statements.py and
tests/platform/test_signed_in.py; no wall-clock asserts here.
"""

from __future__ import annotations

import statistics
import time

import pytest
from flask import Flask, render_template_string

from tests.tenants.helpers import count_statements, meetup

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("clock")]

ROUNDS, PER_ROUND = 5, 40
BARE = """<!doctype html><html><head><title>{{ title }}</title></head><body><h1>{{ title }}</h1>
<table>{% for r in rows %}<tr><td>{{ r.id }}</td><td>{{ r.name }}</td><td>{{ r.email }}</td>
</tr>{% endfor %}</table></body></html>"""


def _bare() -> Flask:
    bare = Flask("bare")
    rows = [{"id": n, "name": f"田中 太郎{n}", "email": f"p{n}@example.jp"} for n in range(50)]

    @bare.get("/")
    def page() -> str:
        return render_template_string(BARE, title="bare", rows=rows)

    return bare


def _per_request(client, url: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall time and this process's CPU time per request (the CPU is what other load on the
    machine disturbs least)."""
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(PER_ROUND):
        client.get(url)
    return ((time.perf_counter() - began) / PER_ROUND,
            (time.process_time() - cpu) / PER_ROUND)


def test_signed_in_fixed_cost_against_bare_flask(app, session, tenant, people, login, client):
    meetup(session, tenant)
    session.commit()
    organizer = login(people.organizer)
    pages = {
        "bare Flask + Jinja": (_bare().test_client(), "/"),
        "/login (anonymous)": (client, "/login"),
        "console settings": (organizer, f"/c/{tenant.slug}/admin/settings"),
        "about (signed in)": (organizer, f"/c/{tenant.slug}/about"),
        "account": (organizer, "/account"),
    }
    statements = {}
    for name, (c, url) in pages.items():
        assert c.get(url).status_code == 200, name  # warm
        with count_statements(app) as sql:
            c.get(url)
        statements[name] = len(sql)
    times: dict[str, list[float]] = {name: [] for name in pages}
    cpus: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(ROUNDS):
        for name, (c, url) in pages.items():
            wall, cpu = _per_request(c, url)
            times[name].append(wall)
            cpus[name].append(cpu)
    bare = statistics.median(times["bare Flask + Jinja"])
    bare_cpu = statistics.median(cpus["bare Flask + Jinja"])
    print(f"\nper request, median of {ROUNDS} rounds of {PER_ROUND} (Flask test client)")
    for name in pages:
        median, cpu = statistics.median(times[name]), statistics.median(cpus[name])
        print(f"  {name:20} {median * 1000:7.2f} ms   ratio to bare {bare / median:5.2f}   "
              f"CPU {cpu * 1000:6.2f} ms (ratio {bare_cpu / cpu:5.2f})   "
              f"{statements[name]} statements")
