"""The sign-in statement as a Core read (issue 14): the account, community and membership it
hands over are the request's session's own objects, exactly as a query would have loaded
them; the community's page-cache fingerprint comes with it (on PostgreSQL under the scope the
same statement sets), is the one the page cache would read itself, and is read anew once the
transaction ends; a revoked session is refused on the very next request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, inspect, select, update

from joren.models import Account, Community, Member
from joren.platform import pagecache
from joren.platform.accounts.signed_in import load_signed_in
from joren.platform.db import db, utcnow
from joren.platform.identity.account import AccountSession
from joren.platform.tenancy import set_tenant, unscoped
from tests import factories

pytestmark = pytest.mark.usefixtures("clock")

LIFETIMES = {"remember_for": timedelta(days=30), "idle_for": timedelta(hours=12)}


@contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every statement the app's engine sends inside the block but transaction control and
    the tenant settings (the page cache's reads are left on, unlike count_statements)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(
                ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SELECT SET_CONFIG(")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _signed_in(app, maker, session, people, tenant):  # type: ignore[no-untyped-def]
    now = utcnow()
    login_id = factories.login_id(session, people.organizer, now=now)
    session.commit()
    own = maker()
    with app.test_request_context(f"/c/{tenant.slug}/"):
        found = load_signed_in(own, login_id, slug=tenant.slug, now=now, **LIFETIMES)
    assert found is not None
    return own, found


def _columns(obj) -> dict[str, object]:  # type: ignore[no-untyped-def]
    state = inspect(obj)
    return {a.key: state.dict.get(a.key, "<unloaded>") for a in state.mapper.column_attrs}


def test_the_objects_are_the_sessions_own_with_every_column_loaded(app, maker, session, people,
                                                                   tenant):
    own, found = _signed_in(app, maker, session, people, tenant)
    for obj, model in ((found.account, Account), (found.community, Community),
                       (found.membership, Member)):
        state = inspect(obj)
        assert state.persistent and state.session is own
        assert not state.modified and obj not in own.dirty
        # The values a query loads for the same row, none left to load later.
        table = model.__table__
        with unscoped(own):
            stored = own.execute(select(table).where(table.c.id == obj.id)).one()._mapping
        assert _columns(obj) == {a.key: stored[a.columns[0]]
                                 for a in state.mapper.column_attrs}
    with statements(app) as sql:
        assert own.get(Community, tenant.id) is found.community
        assert own.get(Account, people.organizer.id) is found.account
        assert found.membership.account is found.account  # from the identity map
    assert sql == []
    own.close()


def test_a_change_to_a_signed_in_object_is_saved(app, maker, session, people, tenant):
    own, found = _signed_in(app, maker, session, people, tenant)
    found.account.language = "en"
    assert found.account in own.dirty
    own.commit()
    own.close()
    again = maker()
    assert again.get(Account, people.organizer.id).language == "en"
    again.close()


def test_an_object_already_in_the_session_is_handed_back_filled_in(app, maker, session, people,
                                                                   tenant):
    now = utcnow()
    login_id = factories.login_id(session, people.organizer, now=now)
    session.commit()
    own = maker()
    earlier = own.get(Account, people.organizer.id)
    own.expire(earlier)
    with app.test_request_context(f"/c/{tenant.slug}/"):
        found = load_signed_in(own, login_id, slug=tenant.slug, now=now, **LIFETIMES)
    assert found.account is earlier
    with statements(app) as sql:
        assert earlier.email == people.organizer.email  # filled in from the sign-in row
    assert sql == []
    own.close()


def test_the_fingerprint_comes_with_sign_in_and_is_the_one_read_alone(app, maker, session, people,
                                                                     tenant, other_tenant):
    factories.member(session, other_tenant, people.organizer)  # marks other_tenant too
    own, found = _signed_in(app, maker, session, people, tenant)
    set_tenant(own, tenant.id)
    with statements(app) as sql:
        with_sign_in = pagecache.fingerprint(own)
    assert sql == []
    alone = maker()
    set_tenant(alone, tenant.id)
    read = pagecache.fingerprint(alone)
    elsewhere = maker()
    set_tenant(elsewhere, other_tenant.id)
    assert with_sign_in is not None  # on PostgreSQL: the scope was set before the sums
    assert with_sign_in == read != pagecache.fingerprint(elsewhere)


def test_the_fingerprint_read_with_sign_in_lasts_until_the_transaction_ends(
        app, maker, session, scoped, people, tenant):
    own, found = _signed_in(app, maker, session, people, tenant)
    set_tenant(own, tenant.id)
    before = pagecache.fingerprint(own)
    writer = scoped(tenant)
    factories.member(writer, tenant)  # a write in the community: one more mark
    writer.commit()
    # Read before the page's data, in the same transaction: still the one read at sign-in.
    assert pagecache.fingerprint(own) == before
    own.commit()
    after = pagecache.fingerprint(own)
    assert after is not None and after[0] == before[0] + 1


def test_a_cached_page_costs_the_sign_in_statement_alone(app, login, session, people, tenant):
    session.commit()
    client = login(people.organizer)
    url = f"/c/{tenant.slug}/admin/"
    assert client.get(url).status_code == 200  # computes and keeps the dashboard
    with statements(app) as sql:
        assert client.get(url).status_code == 200
    assert len(sql) == 1, sql


def test_a_revoked_session_is_refused_on_the_next_request(app, login, session, people, tenant):
    session.commit()
    client = login(people.organizer)
    url = f"/c/{tenant.slug}/admin/settings"
    assert client.get(url).status_code == 200
    session.execute(update(AccountSession).where(
        AccountSession.account_id == people.organizer.id).values(revoked_at=utcnow()))
    session.commit()
    refused = client.get(url)
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
