"""The tenant guard scopes statements when SQLAlchemy compiles them (issue 14), so the SQL
cached for a statement's shape serves every community: these tests prove that the cached
form never carries one execution's values into another, and that it fails closed.

The shapes of statements themselves are proven in test_tenant_guard_shapes.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import StatementError

from joren.models import Meetup, Member
from joren.platform.tenancy import unscoped
from joren.platform.tenant_statements import SCOPE, TENANT_PARAM
from tests import factories
from tests.tenants.helpers import meetup


@pytest.fixture()
def twins(session, tenant, other_tenant):  # type: ignore[no-untyped-def]
    """One member of each community under each of two addresses."""
    rows = {}
    for community in (tenant, other_tenant):
        for email in ("a@example.jp", "b@example.jp"):
            rows[community.id, email] = factories.member(session, community, email=email)
    session.commit()
    return rows


def test_one_compiled_form_serves_every_community_and_every_value(
        scoped, tenant, other_tenant, twins):
    """The same shape, run for two communities and two addresses: one compiled form (cached
    after the first run), each run with its own community and its own value."""
    def by_email(email: str):  # type: ignore[no-untyped-def]
        return select(Member.id).where(Member.email == email)

    mine, theirs = scoped(tenant), scoped(other_tenant)
    compiled = set()
    for s, community in ((mine, tenant), (theirs, other_tenant), (mine, tenant)):
        for email in ("a@example.jp", "b@example.jp"):
            result = s.execute(by_email(email))
            compiled.add(id(result.raw.context.compiled))
            assert set(result.scalars()) == {twins[community.id, email].id}
    assert len(compiled) == 1


def test_a_callers_value_for_the_community_parameter_is_overridden(scoped, tenant,
                                                                   other_tenant, twins):
    s = scoped(tenant)
    statement = select(Member.id).where(Member.email == "a@example.jp")
    assert set(s.execute(statement, {TENANT_PARAM: other_tenant.id}).scalars()) == {
        twins[tenant.id, "a@example.jp"].id}


def test_named_parameters_of_the_caller_still_apply(scoped, tenant, twins):
    s = scoped(tenant)
    statement = select(Member.id).where(Member.email == bindparam("address"))
    for email in ("a@example.jp", "b@example.jp"):
        assert set(s.scalars(statement, {"address": email})) == {twins[tenant.id, email].id}


def test_a_scoped_form_without_the_community_does_not_run(session, twins):
    """The marker without the parameter (run outside the guard, or unscoped) raises."""
    statement = select(func.count()).select_from(Member).options(SCOPE)
    with unscoped(session), pytest.raises(StatementError, match=TENANT_PARAM):
        session.execute(statement)
    session.rollback()
    with pytest.raises(StatementError, match=TENANT_PARAM):
        session.connection().execute(statement)
    session.rollback()


def test_scoped_and_unscoped_forms_are_cached_apart(session, scoped, tenant, twins):
    statement = select(func.count()).select_from(Member)
    assert scoped(tenant).scalar(statement) == 2
    with unscoped(session):
        assert session.scalar(statement) == 4
    assert scoped(tenant).scalar(statement) == 2


def test_a_bulk_update_by_primary_key_stays_in_scope(session, scoped, tenant, other_tenant,
                                                     twins):
    s = scoped(tenant)
    mine = twins[tenant.id, "a@example.jp"]
    theirs = twins[other_tenant.id, "a@example.jp"]
    s.execute(update(Member), [{"id": mine.id, "company": "自社"},
                               {"id": theirs.id, "company": "越境"}],
              execution_options={"synchronize_session": None})
    s.commit()
    with unscoped(session):
        session.expire_all()
        assert session.get(Member, mine.id).company == "自社"
        assert session.get(Member, theirs.id).company != "越境"


def test_orm_joins_are_scoped_in_their_on_clause(session, scoped, tenant, other_tenant,
                                                 twins):
    """A join the ORM builds (here to every meetup) is filtered in its ON clause by the
    compiled form itself, loader criteria or not."""
    for community in (tenant, other_tenant):
        meetup(session, community)
    session.commit()
    with unscoped(session):
        meetups = {c.id: session.scalar(select(func.count()).select_from(Meetup).where(
            Meetup.tenant_id == c.id)) for c in (tenant, other_tenant)}
    assert all(meetups.values())
    s = scoped(tenant)
    pairs = select(func.count()).select_from(Member).join(Meetup, Meetup.id > 0)
    outer = select(Member.id, Meetup.tenant_id).outerjoin(Meetup, Meetup.id > 0)
    assert s.scalar(pairs) == 2 * meetups[tenant.id]
    assert {t for _m, t in s.execute(outer)} == {tenant.id}
