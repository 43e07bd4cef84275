"""The fixed cost of a signed-in request on PostgreSQL, in round trips to the server (issue 14).

The app runs with its own engine and pool, as in production, connecting as a role under
row-level security through a proxy that counts every message the client waits on
(tests/wire.py): the pool's pings, BEGIN, the tenant settings, the statements, ROLLBACK.
Its data is committed (a pooled app cannot join the test's transaction) and removed after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine
from flask import Flask
from sqlalchemy import create_engine, delete, text
from sqlalchemy.orm import Session

from joren.app import create_app
from joren.models import Account, Community, Member, Role
from joren.platform.identity.account import AccountSession
from joren.platform.tenancy import unscoped
from tests import factories
from tests.conftest import APP_ROLE
from tests.wire import Wire, counting_proxy

pytestmark = pytest.mark.postgres

# The statement that reads the session, account, community, membership and the community's
# page-cache fingerprint, as a transaction of its own (no BEGIN, no ROLLBACK): all that a
# page served from the page cache, or a form, costs.
FIXED_ROUND_TRIPS = 1
# A page that reads more begins its transaction with its next statement: BEGIN, the
# community's scope (set_config), and ROLLBACK at the end.
TRANSACTION_ROUND_TRIPS = 3
# How the sign-in statement begins (accounts/signed_in.py: the session's memberships, read
# once through joren_session_members, then the session, account and community).
SIGN_IN = "WITH session_members AS"


@dataclass
class Seeded:
    slug: str
    organizer_login: str
    outsider_login: str
    elsewhere: str = ""  # the organizer is a member there
    community_ids: tuple[int, int] = (0, 0)  # here, elsewhere


@pytest.fixture
def seeded(app, app_config) -> Iterator[Seeded]:  # type: ignore[no-untyped-def]
    engine = create_engine(str(app_config["DATABASE_URL"]))
    with app.app_context(), Session(engine) as s:
        with unscoped(s):
            here = factories.community(s)
            elsewhere = factories.community(s)
            organizer = factories.account(s)
            outsider = factories.account(s)
            factories.member(s, here, organizer, Role.ORGANIZER)
            factories.member(s, elsewhere, organizer, Role.MEMBER)
            factories.member(s, elsewhere, outsider, Role.OWNER)
            now = datetime.now(UTC)
            found = Seeded(here.slug, factories.login_id(s, organizer, now=now),
                           factories.login_id(s, outsider, now=now), elsewhere.slug,
                           (here.id, elsewhere.id))
            ids = [here.id, elsewhere.id], [organizer.id, outsider.id]
        s.commit()
    try:
        yield found
    finally:
        with engine.begin() as conn:
            conn.execute(delete(Member).where(Member.tenant_id.in_(ids[0])))
            conn.execute(delete(AccountSession).where(AccountSession.account_id.in_(ids[1])))
            conn.execute(delete(Account).where(Account.id.in_(ids[1])))
            conn.execute(delete(Community).where(Community.id.in_(ids[0])))
        engine.dispose()


@pytest.fixture
def wired(app_config) -> Iterator[tuple[Flask, Wire]]:  # type: ignore[no-untyped-def]
    with counting_proxy(str(app_config["DATABASE_URL"])) as wire:
        url = wire.url(str(app_config["DATABASE_URL"]))
        # As the app's role (no superuser, owns nothing): row-level security applies.
        url += f"&options=-crole%3D{APP_ROLE}"
        pooled = create_app({**app_config, "DATABASE_URL": url})
        yield pooled, wire
        with pooled.app_context():
            pooled.extensions["sqlalchemy"].engine.dispose()


def _client(app: Flask, login_id: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = login_id
        s["_fresh"] = True
    return client


def _page_statements(trips: list[str]) -> list[str]:
    """The page's own statements: neither transaction control, the pool's ping, the tenant
    settings nor the sign-in lookup."""
    return [t for t in trips
            if t.upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE"))
            and not t.startswith(("SELECT set_config(", SIGN_IN))]


def test_a_page_that_reads_more_costs_four_round_trips_beside_its_own_statements(seeded,
                                                                                 wired):
    app, wire = wired
    app.config["PAGE_CACHE"] = False  # the about page is kept: computed here on every view
    client = _client(app, seeded.organizer_login)
    url = f"/c/{seeded.slug}/about"
    assert client.get(url).status_code == 200  # warm: connect, first statements
    with wire.counting() as trips:
        assert client.get(url).status_code == 200
    own = _page_statements(trips)
    assert own, trips  # the page reads the community's meetups
    assert len(trips) - len(own) == FIXED_ROUND_TRIPS + TRANSACTION_ROUND_TRIPS, trips
    # Its own statements run in a transaction scoped to the community, set before them.
    assert [t.split()[0] for t in trips[1:3]] == ["BEGIN", "SELECT"], trips
    assert trips[2].startswith("SELECT set_config("), trips


def test_a_signed_in_request_that_reads_nothing_else_costs_the_fixed_round_trips(seeded,
                                                                                 wired):
    app, wire = wired
    client = _client(app, seeded.organizer_login)
    assert client.get(f"/c/{seeded.slug}/admin/settings").status_code == 200
    with wire.counting() as trips:
        assert client.get(f"/c/{seeded.slug}/admin/settings").status_code == 200
    assert len(trips) == FIXED_ROUND_TRIPS, trips


def test_another_communitys_member_is_refused_in_as_few(seeded, wired):
    app, wire = wired
    client = _client(app, seeded.outsider_login)
    assert client.get(f"/c/{seeded.slug}/admin/settings").status_code == 403
    with wire.counting() as trips:
        assert client.get(f"/c/{seeded.slug}/admin/settings").status_code == 403
    assert len(trips) == FIXED_ROUND_TRIPS, trips


def test_the_proxy_counts_what_psycopg_sends(app_config, wired):
    app, wire = wired
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        with engine.connect() as conn, wire.counting() as trips:
            conn.execute(text("SELECT 1"))
            conn.rollback()
    assert [t.split()[0].upper() for t in trips] == ["BEGIN", "SELECT", "ROLLBACK"], trips


def test_a_cached_page_costs_the_fixed_round_trips_alone(seeded, wired):
    app, wire = wired
    client = _client(app, seeded.organizer_login)
    url = f"/c/{seeded.slug}/admin/"
    # The dashboard's key holds the minute ("today", the next meetup): on a busy machine the
    # second request could fall in the next minute and compute again, so the clock stands.
    with time_machine.travel(datetime.now(UTC), tick=False):
        assert client.get(url).status_code == 200  # computes and keeps the dashboard
        with wire.counting() as trips:
            assert client.get(url).status_code == 200
    # Its key's fingerprint came with the sign-in statement, under the scope it set.
    assert len(trips) == FIXED_ROUND_TRIPS, trips


def test_no_scope_outlives_a_request_on_its_pooled_connection(seeded, wired, app_config,
                                                             monkeypatch):
    """The sign-in statement sets the transaction's community (and the fingerprint read with
    it depends on that): a request to one community, then to another on the same pooled
    connection, each sees its own community's fingerprint, and the connection goes back to
    the pool with no setting left."""
    from joren.platform import pagecache

    app, _wire = wired
    seen: list[tuple[int, object]] = []
    original = pagecache.fingerprint

    def noting(session):  # type: ignore[no-untyped-def]
        found = original(session)
        seen.append((session.info["joren_tenant_id"], found))
        return found

    monkeypatch.setattr(pagecache, "fingerprint", noting)
    client = _client(app, seeded.organizer_login)
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    for slug in (seeded.slug, seeded.elsewhere, seeded.slug, seeded.elsewhere):
        assert client.get(f"/c/{slug}/").status_code == 200
        assert engine.pool.checkedout() == 0
        with engine.connect() as conn:
            left = conn.exec_driver_sql(
                "SELECT current_setting('joren.tenant_id', true), "
                "current_setting('joren.bypass', true)").one()
        assert tuple(v or "" for v in left) in {("", ""), ("", "off")}, left
    owner = create_engine(str(app_config["DATABASE_URL"]))
    with owner.connect() as conn:
        sums = {tid: conn.exec_driver_sql(
            "SELECT coalesce(sum(weight), 0), coalesce(sum(token), 0) FROM data_changes "
            "WHERE tenant_id = %(t)s", {"t": tid}).one() for tid in seeded.community_ids}
    owner.dispose()
    here, elsewhere = seeded.community_ids
    assert [t for t, _ in seen] == [here, elsewhere, here, elsewhere]
    for tenant_id, found in seen:
        weight, token = sums[tenant_id]
        assert found == (weight, token % pagecache.TOKEN_RANGE)


def test_after_the_sign_in_statement_the_page_reads_under_its_communitys_scope(seeded, wired):
    """The sign-in statement's scope ended with it: the statements of a page that computes
    run in a transaction the guard scoped anew, where row-level security admits the
    community's rows (without the scope it would admit none)."""
    app, wire = wired
    client = _client(app, seeded.organizer_login)
    assert client.get(f"/c/{seeded.slug}/admin/settings").status_code == 200  # connects
    with wire.counting() as trips:
        page = client.get(f"/c/{seeded.slug}/admin/members")
    assert page.status_code == 200
    assert "山田" in page.get_data(as_text=True)  # the organizer's own member row
    scoped = [t for t in trips if t.startswith("SELECT set_config(")]
    assert trips[0].startswith(SIGN_IN) and trips[1] == "BEGIN", trips
    assert scoped, trips
