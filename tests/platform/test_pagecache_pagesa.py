"""The page cache on the email preferences, a meetup's portal page and a series' public page
(issue 14): a kept page reads nothing of what it shows but what no write of the community
marks (the address's unsubscribes), the HTML is the same kept or computed, a write shows at
once, a visitor is refused what is not public even once a member's view kept it, and another
community never gets it. And the account page (no community: not kept), whose devices and
invitations are read in one statement of their own: the same page as the two reads give, the
bypass of row-level security ending with that statement."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from joren.models import Invitation, Role
from joren.platform.accounts import account_page, sessions
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.membership import offers
from joren.platform.tenancy import unscoped
from joren.tenants.meetups import views as meetup_views
from joren.tenants.meetups.models import Visibility
from joren.tenants.meetups.public import views as public_views
from joren.tenants.relationships.habits import views as habit_views
from tests import factories
from tests.platform.pagecache_helpers import (
    TOKEN,
    computing,
    counting,
    in_other_community,
    reads_when_kept,
    same_cached_and_not,
)
from tests.tenants.helpers import count_statements, in_english, meetup
from tests.tenants.meetups.helpers_registrations import series_with_occurrences

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"


# -- email preferences ---------------------------------------------------------------------

PREFERENCES = f"/c/{SLUG}/email-preferences"


def test_kept_preferences_read_the_unsubscribes_alone(app, member_client):
    kept = reads_when_kept(app, member_client, PREFERENCES)
    assert len(kept) == 2, kept  # the sign-in, then the address's unsubscribes
    assert "email_unsubscribes" in kept[1]
    assert not any("FROM members" in statement for statement in kept[1:])
    assert len(computing(app, member_client, PREFERENCES)) <= 10


def test_preferences_show_a_resubscribe_at_once(app, monkeypatch, session, tenant,
                                                member_client):
    member_client = in_english(member_client)
    record_unsubscribe(session, "member@example.jp", "all", tenant.id)
    session.commit()
    assert "You have stopped all emails from this community." in same_cached_and_not(
        app, member_client, PREFERENCES)
    resumed = member_client.post(PREFERENCES, data={"action": "resume_all"})
    assert resumed.status_code == 302
    assert "Your email preferences are saved." in member_client.get(PREFERENCES).get_data(
        as_text=True)  # the flash, beside the kept body
    page = same_cached_and_not(app, member_client, PREFERENCES)
    assert "You have stopped all emails" not in page
    computed = counting(monkeypatch, habit_views, "_preferences_body")
    member_client.get(PREFERENCES)
    assert computed == []


# -- a meetup's portal page ------------------------------------------------------------------

def _detail(m) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/meetups/{m.id}"


@pytest.fixture()
def evenings(session, tenant):  # type: ignore[no-untyped-def]
    """A public meetup and a members-only one, in a public community."""
    tenant.is_public = True
    open_one = meetup(session, tenant, title="公開の定例会", is_public=True)
    closed = meetup(session, tenant, title="会員だけの勉強会", is_public=False)
    session.commit()
    return open_one, closed


def test_a_kept_meetup_page_reads_no_meetup_and_is_the_same(app, monkeypatch, client,
                                                            member_client, evenings):
    open_one, closed = evenings
    for m in (open_one, closed):
        kept = reads_when_kept(app, member_client, _detail(m))
        assert len(kept) == 1 and not any("FROM meetups" in s for s in kept), kept
        computed = computing(app, member_client, _detail(m))
        assert any("FROM meetups" in s for s in computed) and len(computed) <= 10
        page = same_cached_and_not(app, member_client, _detail(m))
        assert f"<title>{m.title} · " in page
    page = same_cached_and_not(app, client, _detail(open_one))
    assert f"<title>{open_one.title} · " in page and 'property="og:title"' in page
    computed = counting(monkeypatch, meetup_views, "_portal_detail_body")
    member_client.get(_detail(open_one))
    client.get(_detail(open_one))
    assert computed == []


def test_a_visitor_is_refused_a_members_only_meetup_even_when_kept(app, session, client,
                                                                   member_client, evenings):
    _open_one, closed = evenings
    assert "会員だけの勉強会" in member_client.get(_detail(closed)).get_data(as_text=True)
    for _ in range(2):  # computed, then kept
        refused = client.get(_detail(closed))
        assert refused.status_code == 302 and "/login" in refused.headers["Location"]
        assert "会員だけの勉強会" not in refused.get_data(as_text=True)
    closed.is_public = True  # a write: the visitor sees it at once
    session.commit()
    assert "会員だけの勉強会" in same_cached_and_not(app, client, _detail(closed))


def test_a_meetup_page_shows_a_change_at_once(app, session, member_client, evenings):
    open_one, _closed = evenings
    member_client.get(_detail(open_one))
    open_one.title = "夏の定例会"
    session.commit()
    assert "<title>夏の定例会 · " in same_cached_and_not(app, member_client, _detail(open_one))


def test_a_meetup_page_is_never_another_communitys(login, session, client, member_client,
                                                   other_tenant, people, evenings):
    open_one, closed = evenings
    for m in (open_one, closed):
        member_client.get(_detail(m))  # kept in this community
    other_tenant.is_public = True
    session.commit()
    theirs = login(people.other_owner)
    for reader in (client, theirs):
        for m in (open_one, closed):
            guessed = reader.get(in_other_community(_detail(m), other_tenant))
            assert guessed.status_code == 404
            assert m.title not in guessed.get_data(as_text=True)
    assert theirs.get(_detail(closed)).status_code in (302, 403, 404)


# -- a series' public page ---------------------------------------------------------------------

def _series_url(series) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/series/{series.id}"


@pytest.fixture()
def two_series(session, tenant):  # type: ignore[no-untyped-def]
    """A public series and a members-only one, in a public community."""
    tenant.is_public = True
    public, _ = series_with_occurrences(session, tenant, n=2)
    public.visibility = Visibility.PUBLIC
    private, _ = series_with_occurrences(session, tenant, n=1)
    private.title, private.visibility = "会員だけの夜", Visibility.MEMBERS
    session.commit()
    return public, private


def test_a_kept_series_page_reads_no_series(app, member_client, two_series):
    for series in two_series:
        kept = reads_when_kept(app, member_client, _series_url(series))
        assert len(kept) == 1 and not any("meetup_series" in s for s in kept), kept
        computed = computing(app, member_client, _series_url(series))
        assert any("meetup_series" in s for s in computed) and len(computed) <= 10
        page = same_cached_and_not(app, member_client, _series_url(series))
        assert f"<title>{series.title} · " in page


def test_a_visitor_gets_no_members_only_series_even_when_kept(app, session, client,
                                                              member_client, two_series):
    public, private = two_series
    assert "会員だけの夜" in member_client.get(_series_url(private)).get_data(as_text=True)
    for _ in range(2):
        refused = client.get(_series_url(private))
        assert refused.status_code == 404
        assert "会員だけの夜" not in refused.get_data(as_text=True)
    assert f"<title>{public.title} · " in same_cached_and_not(app, client, _series_url(public))
    private.visibility = Visibility.PUBLIC
    session.commit()
    assert "会員だけの夜" in same_cached_and_not(app, client, _series_url(private))


def test_a_visitor_of_a_closed_community_computes_nothing(monkeypatch, session, tenant, client,
                                                          two_series):
    public, _private = two_series
    tenant.is_public = False
    session.commit()
    computed = counting(monkeypatch, public_views, "_series_body")
    assert client.get(_series_url(public)).status_code == 404
    assert computed == []


def test_a_series_page_is_never_another_communitys_kept(login, session, client, member_client,
                                                        other_tenant, people, two_series):
    for series in two_series:
        member_client.get(_series_url(series))  # kept in this community
    other_tenant.is_public = True
    session.commit()
    theirs = login(people.other_owner)
    for reader in (client, theirs):
        for series in two_series:
            guessed = reader.get(in_other_community(_series_url(series), other_tenant))
            assert guessed.status_code == 404
            assert series.title not in guessed.get_data(as_text=True)


# -- the account page --------------------------------------------------------------------------

ACCOUNT = "/account"


@contextmanager
def _alone_in_a_savepoint(connection):  # type: ignore[no-untyped-def]
    """What tenant_guard.statements_alone gives a request's first statements in production
    (a transaction of their own), inside the test's shared transaction: a savepoint, rolled
    back after, takes the statement's ``set_config(..., true)`` with it as the end of its
    own transaction would."""
    nested = connection.begin_nested()
    try:
        yield True
    finally:
        nested.rollback()


@pytest.fixture()
def offered(session, tenant, other_tenant):  # type: ignore[no-untyped-def]
    """An account both communities have on their list (waiting for its answer), with two
    devices signed in; and a third community's invitation to someone else."""
    person = factories.account(session, "offered@example.jp", display_name="招待 花子")
    for community, role in ((tenant, Role.ORGANIZER), (other_tenant, Role.MEMBER)):
        row = factories.member(session, community, email="offered@example.jp")
        with unscoped(session):
            session.add(Invitation(tenant_id=community.id, member_id=row.id, role=role,
                                   email="offered@example.jp", nonce=f"n-{community.id}",
                                   expires_at=datetime.now(UTC) + timedelta(days=7)))
            someone = factories.member(session, community, email=f"else-{community.id}@ex.jp")
            session.add(Invitation(tenant_id=community.id, member_id=someone.id,
                                   email=someone.email, nonce=f"e-{community.id}",
                                   expires_at=datetime.now(UTC) + timedelta(days=7)))
    session.commit()
    return person


def test_the_account_page_reads_devices_and_offers_in_one_statement(
        app, monkeypatch, session, login, offered, tenant, other_tenant):
    client = in_english(login(offered))
    login(offered)  # a second device
    plain = client.get(ACCOUNT).get_data(as_text=True)  # the two ORM statements
    monkeypatch.setattr(account_page, "statements_alone", _alone_in_a_savepoint)
    with count_statements(app) as counted:
        alone = client.get(ACCOUNT).get_data(as_text=True)
    postgresql = session.get_bind().dialect.name == "postgresql"
    assert len(counted.statements) == (2 if postgresql else 3), counted.statements
    assert TOKEN.sub("", alone) == TOKEN.sub("", plain)
    assert tenant.name in alone and other_tenant.name in alone
    assert "else-" not in alone
    assert session.connection().exec_driver_sql(
        "SELECT 1").scalar() == 1  # the shared transaction goes on ...
    if postgresql:  # ... without the bypass the statement set for itself
        assert session.connection().exec_driver_sql(
            "SELECT current_setting('joren.bypass', true)").scalar() in (None, "", "off")


def test_devices_and_offers_are_what_the_two_reads_answer(app, monkeypatch, session, login,
                                                          offered, people):
    for account in (offered, offered, people.member, people.outsider):
        login(account)  # a device each (two for the invited account)
    now = datetime.now(UTC)
    lifetimes = {"remember_for": timedelta(days=30), "idle_for": timedelta(days=1)}
    postgresql = session.get_bind().dialect.name == "postgresql"
    for account in (offered, people.member, people.outsider):
        expected = (sessions.recent_sessions(session, account, now=now, **lifetimes),
                    offers.pending_offers(session, account, now))
        if postgresql:  # as a request's statement finds it: no bypass
            session.connection().exec_driver_sql(
                "SELECT set_config('joren.bypass', 'off', true)")
            assert session.connection().exec_driver_sql(
                "SELECT current_setting('joren.bypass', true)").scalar() == "off"
        monkeypatch.setattr(account_page, "statements_alone", _alone_in_a_savepoint)
        assert account_page.devices_and_offers(session, account, now=now,
                                               **lifetimes) == expected
        monkeypatch.undo()
        if postgresql:  # the bypass ended with the statement's own transaction
            assert session.connection().exec_driver_sql(
                "SELECT current_setting('joren.bypass', true)").scalar() == "off"
        if account is offered:
            assert [o.role for o in expected[1]] == [Role.ORGANIZER, Role.MEMBER]
            assert len(expected[0].shown) >= 2
