"""The three layers of tenant isolation, each proven on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from joren.models import (
    Account,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meetup,
    Member,
    Role,
)
from joren.platform.tenancy import TenantScopeError, set_tenant, unscoped
from joren.platform.tenant_statements import references_tenant_table
from tests import factories


@pytest.fixture()
def two_members(session, tenant, other_tenant):
    mine = factories.member(session, tenant, family_name="青木")
    theirs = factories.member(session, other_tenant, family_name="森")
    session.commit()
    return mine, theirs


# -- layer 2: the ORM guard -------------------------------------------------------------

def test_query_without_scope_raises(session, two_members):
    with pytest.raises(TenantScopeError):
        session.scalars(select(Member)).all()


def test_get_without_scope_raises(session, two_members, maker):
    fresh = maker()
    with pytest.raises(TenantScopeError):
        fresh.get(Member, two_members[0].id)
    fresh.close()


def test_aggregate_without_scope_raises(session, two_members):
    with pytest.raises(TenantScopeError):
        session.scalar(select(func.count(Member.id)))


def test_scoped_session_sees_only_its_community(scoped, tenant, two_members):
    mine, theirs = two_members
    s = scoped(tenant)
    ids = set(s.scalars(select(Member.id)))
    assert mine.id in ids
    assert theirs.id not in ids
    assert s.get(Member, theirs.id) is None


def test_joins_and_aliases_are_filtered(session, scoped, tenant, other_tenant):
    mine = factories.member(session, tenant, email="twin@example.jp")
    theirs = factories.member(session, other_tenant, email="twin@example.jp")
    session.commit()
    twin = aliased(Member)
    stmt = select(Member.id, twin.id).join(twin, twin.email == Member.email)
    rows = set(scoped(tenant).execute(stmt).all())
    assert rows == {(mine.id, mine.id)}
    with unscoped(session):
        assert (mine.id, theirs.id) in set(session.execute(stmt).all())


def test_bulk_update_and_delete_stay_in_scope(scoped, tenant, other_tenant, two_members, session):
    mine, theirs = two_members
    s = scoped(tenant)
    s.execute(update(Member).values(company="更新済み"))
    s.execute(delete(Member).where(Member.id == theirs.id))
    s.commit()
    with unscoped(session):
        session.expire_all()
        assert session.get(Member, theirs.id).company == ""
        assert session.get(Member, mine.id).company == "更新済み"


def test_new_rows_are_stamped(scoped, tenant):
    s = scoped(tenant)
    m = Member(family_name="新規", email="new@example.jp")
    s.add(m)
    s.flush()
    assert m.tenant_id == tenant.id


def test_new_row_without_scope_raises(session):
    session.add(Member(family_name="迷子"))
    with pytest.raises(TenantScopeError):
        session.flush()
    session.rollback()


def test_row_of_another_community_cannot_be_written(scoped, tenant, other_tenant):
    s = scoped(tenant)
    s.add(Member(tenant_id=other_tenant.id, family_name="越境"))
    with pytest.raises(TenantScopeError):
        s.flush()
    s.rollback()


def test_session_never_serves_two_communities(scoped, tenant, other_tenant):
    s = scoped(tenant)
    with pytest.raises(TenantScopeError):
        set_tenant(s, other_tenant.id)


def test_unscoped_is_explicit(session, two_members):
    with unscoped(session):
        assert session.scalar(select(func.count(Member.id))) >= 2
    with pytest.raises(TenantScopeError):
        session.scalar(select(func.count(Member.id)))


# -- layer 3: the database ---------------------------------------------------------------

def test_cross_tenant_foreign_key_is_rejected_by_the_database(session, tenant, other_tenant,
                                                              two_members):
    mine, theirs = two_members
    now = datetime.now(UTC)
    with unscoped(session):
        meetup = Meetup(tenant_id=tenant.id, title="例会", starts_at=now,
                        ends_at=now + timedelta(hours=2))
        session.add(meetup)
        session.flush()
        nested = session.begin_nested()
        session.add(Attendance(tenant_id=tenant.id, meetup_id=meetup.id, member_id=theirs.id,
                               status=AttendanceStatus.PRESENT))
        with pytest.raises(IntegrityError):
            session.flush()
        nested.rollback()


def test_cross_tenant_invitation_is_rejected_by_raw_sql(session, tenant, other_tenant, two_members):
    """Even SQL that bypasses the ORM cannot link a row to another community's member."""
    mine, theirs = two_members
    nested = session.begin_nested()
    with unscoped(session), pytest.raises(IntegrityError):
        session.execute(
            text("INSERT INTO invitations (tenant_id, member_id, email, role, message, nonce, "
                 "expires_at, sent_count, created_at) VALUES (:t, :m, 'x@example.jp', 'member', "
                 "'', 'n', :e, 0, :e)"),
            {"t": tenant.id, "m": theirs.id, "e": datetime.now(UTC)},
        )
    nested.rollback()


def test_slug_and_member_email_uniqueness_include_tenant(session, tenant, other_tenant):
    factories.member(session, tenant, email="same@example.jp")
    factories.member(session, other_tenant, email="same@example.jp")  # allowed: other community
    nested = session.begin_nested()
    with pytest.raises(IntegrityError):
        factories.member(session, tenant, email="same@example.jp", role=Role.MEMBER)
    nested.rollback()


def test_a_new_communitys_checklist_counts_only_its_own_rows(session, scoped, tenant, people,
                                                            app_ctx):
    """Finding 1: the onboarding checklist's aggregate-only counts (COUNT … FILTER) once
    counted every community's members and invitations."""
    from joren.models import CommunityKind
    from joren.platform.communities.services import create_community
    from joren.tenants.console.services import dashboard

    for n in range(5):  # another community with leaders, members and invitations
        factories.member(session, tenant, email=f"busy{n}@example.jp")
    with unscoped(session):
        session.add(Invitation(tenant_id=tenant.id, member_id=people.staff_member.id,
                               email="staff@example.jp", role=Role.ORGANIZER, message="",
                               nonce="n", expires_at=datetime.now(UTC) + timedelta(days=7),
                               sent_count=1))
        session.flush()
    founder = factories.account(session, "fresh@example.jp")
    community, _owner = create_community(session, founder, name="新しい会", slug="fresh-kai",
                                         kind=CommunityKind.STUDY_GROUP)
    session.commit()
    checklist = dashboard(scoped(community)).checklist
    assert not (checklist.invited_organizers or checklist.invited_members
                or checklist.scheduled_meetup)


def test_the_unscoped_check_answers_by_shape_every_time(session, two_members):
    """``references_tenant_table`` keeps its answer per statement shape (tenant_statements):
    the same shape raises on every run, whatever its values, and a shape that names no
    tenant table still runs."""
    for email in ("a@example.jp", "b@example.jp", "a@example.jp"):
        with pytest.raises(TenantScopeError):
            session.execute(select(Member.id).where(Member.email == email))
        assert session.execute(select(Account.id).where(Account.email == email)).all() == []
    # One column of a tenant table in an otherwise clean shape is still caught.
    assert not references_tenant_table(select(Account.id).where(Account.id == 1))
    assert references_tenant_table(select(Account.id).where(
        Account.id.in_(select(Member.account_id))))
