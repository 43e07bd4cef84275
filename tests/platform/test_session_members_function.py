"""``joren_session_members`` (platform/rls.py, migration 0032) answers one question, for the
holder of one session's secret, and lifts row-level security for nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from joren.models import Role
from joren.platform.accounts.sessions import digest, revoke_session
from joren.platform.accounts.signed_in import load_signed_in
from joren.platform.db import utcnow
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("clock")]

LIFETIMES = {"remember_for": timedelta(days=30), "idle_for": timedelta(hours=12)}


def _members(connection, session_id: int, secret_hash: str) -> set[int]:  # type: ignore[no-untyped-def]
    return set(connection.scalars(text("SELECT id FROM joren_session_members(:i, :h)"),
                                  {"i": session_id, "h": secret_hash}))


def _setting(connection, name: str) -> str | None:  # type: ignore[no-untyped-def]
    return connection.scalar(text("SELECT current_setting(:n, true)"), {"n": name})


@pytest.fixture
def signed_in(session, people, tenant, other_tenant):  # type: ignore[no-untyped-def]
    elsewhere = factories.member(session, other_tenant, people.member, Role.MEMBER)
    login_id = factories.login_id(session, people.member)
    session.commit()
    record_id, _, secret = login_id.partition(":")
    return int(record_id), secret, {people.member_member.id, elsewhere.id}


def test_the_holder_of_a_session_gets_its_accounts_memberships_and_no_one_elses(
        connection, signed_in, people):
    record_id, secret, mine = signed_in
    assert _members(connection, record_id, digest(secret)) == mine
    assert people.owner_member.id not in mine and people.other_owner_member.id not in mine


def test_without_the_secret_it_returns_nothing(connection, signed_in, session, people):
    record_id, secret, _ = signed_in
    assert _members(connection, record_id, digest("guess")) == set()
    assert _members(connection, record_id, "") == set()
    # Another session's id with this session's secret: nothing either.
    other = factories.login_id(session, people.owner)
    session.commit()
    assert _members(connection, int(other.partition(":")[0]), digest(secret)) == set()


def test_a_revoked_session_returns_nothing(connection, signed_in, session, people):
    record_id, secret, _ = signed_in
    assert revoke_session(session, people.member, record_id, utcnow())
    session.commit()
    assert _members(connection, record_id, digest(secret)) == set()


def test_the_bypass_ends_with_the_call(connection, signed_in, tenant):
    record_id, secret, _ = signed_in
    before = _setting(connection, "joren.bypass")
    assert _members(connection, record_id, digest(secret))
    assert _setting(connection, "joren.bypass") == before != "on"
    # The caller's own statements are still under the policies: no community, no rows.
    assert connection.scalar(text("SELECT count(*) FROM members")) == 0


def test_only_the_app_role_may_call_it(connection):
    acl = connection.execute(text(
        "SELECT p.proacl IS NOT NULL AS restricted, "
        "  coalesce(bool_or(a.grantee = 0), false) AS public "
        "FROM pg_proc p LEFT JOIN LATERAL aclexplode(p.proacl) a ON true "
        "WHERE p.proname = 'joren_session_members' GROUP BY p.proacl")).one()
    assert acl.restricted and not acl.public
    assert connection.scalar(text(
        "SELECT has_function_privilege(current_user, "
        "'joren_session_members(bigint, text)', 'EXECUTE')"))


def test_the_lookup_sets_the_community_only_for_a_matching_secret(app, connection, session,
                                                                  signed_in, tenant):
    record_id, secret, _ = signed_in
    with app.test_request_context(f"/c/{tenant.slug}/"):
        assert load_signed_in(session, f"{record_id}:wrong", slug=tenant.slug, now=utcnow(),
                              **LIFETIMES) is None
        assert _setting(session.connection(), "joren.tenant_id") in (None, "")
        found = load_signed_in(session, f"{record_id}:{secret}", slug=tenant.slug,
                               now=utcnow(), **LIFETIMES)
        assert found is not None and found.community.id == tenant.id
        assert _setting(session.connection(), "joren.tenant_id") == str(tenant.id)
        assert _setting(session.connection(), "joren.bypass") != "on"
    session.rollback()


def test_a_deleted_community_is_not_set_as_the_tenant(app, connection, session, signed_in,
                                                      tenant):
    record_id, secret, _ = signed_in
    tenant.deleted_at = utcnow()
    session.commit()
    with app.test_request_context(f"/c/{tenant.slug}/"):
        found = load_signed_in(session, f"{record_id}:{secret}", slug=tenant.slug,
                               now=utcnow(), **LIFETIMES)
        assert found is not None
        assert _setting(session.connection(), "joren.tenant_id") in (None, "")
    session.rollback()



def test_the_sign_in_statement_calls_the_function_once(app):
    """Its rows are read once (a CTE read twice is materialised; a function named twice in
    FROM runs twice), for the membership here and for every membership."""
    from sqlalchemy.dialects import postgresql

    from joren.platform.accounts.signed_in import _statement

    sql = str(_statement(True, True).compile(dialect=postgresql.dialect()))
    assert sql.count("joren_session_members(") == 1, sql


def test_the_membership_here_is_the_one_in_the_urls_community(app, session, signed_in, tenant,
                                                              other_tenant, people):
    """From the rows read once: the membership here is the one in the URL's community, in
    either community; every membership is listed; a community the person is not a member
    of gives none; a revoked session gives nothing."""
    record_id, secret, ids = signed_in
    login_id = f"{record_id}:{secret}"
    for community in (tenant, other_tenant):
        with app.test_request_context(f"/c/{community.slug}/"):
            found = load_signed_in(session, login_id, slug=community.slug, now=utcnow(),
                                   **LIFETIMES)
            assert found is not None and found.community.id == community.id
            assert found.membership is not None
            assert found.membership.tenant_id == community.id
            assert found.membership.account_id == people.member.id
            assert {m.member_id for m in found.memberships} == ids
        session.rollback()
    stranger = factories.community(session)
    session.commit()
    with app.test_request_context(f"/c/{stranger.slug}/"):
        found = load_signed_in(session, login_id, slug=stranger.slug, now=utcnow(),
                               **LIFETIMES)
        assert found is not None and found.community.id == stranger.id
        assert found.membership is None
        assert {m.member_id for m in found.memberships} == ids
    session.rollback()
    assert revoke_session(session, people.member, record_id, utcnow())
    session.commit()
    with app.test_request_context(f"/c/{tenant.slug}/"):
        assert load_signed_in(session, login_id, slug=tenant.slug, now=utcnow(),
                              **LIFETIMES) is None
    session.rollback()
