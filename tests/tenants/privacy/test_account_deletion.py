"""Deleting an account (issue 17): asked for, it waits a grace period the person can cancel;
then a daily job erases them from every community and deletes the account. The only owner of
a community cannot ask; nobody else's data is touched."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from joren.models import Account, Member, Role
from joren.platform.identity.account import AccountSession
from joren.platform.tenancy import unscoped
from joren.tenants.privacy import accounts
from joren.workers import privacy_jobs
from tests import factories


def _ask(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/account/delete", data={"confirm": "yes"}).status_code == 302


def test_asking_schedules_the_deletion_and_cancelling_keeps_the_account(
        app, session, login, people, clock):
    session.commit()
    client = login(people.member)
    page = client.get("/account/delete")
    assert page.status_code == 200 and "30" in page.get_data(as_text=True)
    assert client.post("/account/delete").status_code == 422  # not confirmed
    _ask(client)
    session.expire_all()
    asked = session.get(Account, people.member.id).deletion_requested_at
    assert asked is not None
    assert accounts.deletion_due_at(session.get(Account, people.member.id)) == (
        asked + timedelta(days=30))
    assert "Keep my account" in client.get("/account/delete").get_data(as_text=True)
    assert client.post("/account/delete/cancel").status_code == 302
    session.expire_all()
    assert session.get(Account, people.member.id).deletion_requested_at is None


def test_the_only_owner_of_a_community_cannot_ask(app, session, login, people, tenant, clock):
    session.commit()
    client = login(people.owner)
    assert tenant.name in client.get("/account/delete").get_data(as_text=True)
    assert client.post("/account/delete", data={"confirm": "yes"}).status_code == 422
    session.expire_all()
    assert session.get(Account, people.owner.id).deletion_requested_at is None


def test_the_job_deletes_after_the_grace_period_and_touches_nobody_else(
        app, session, login, people, tenant, other_tenant, clock):
    there = factories.member(session, other_tenant, people.member, Role.MEMBER,
                             company="田中商店")
    session.commit()
    account_id, member_ids = people.member.id, (people.member_member.id, there.id)
    _ask(login(people.member))
    clock.shift(days=29)
    with app.app_context():
        assert privacy_jobs.purge_deleted_accounts() == 0  # still in the grace period
    session.expire_all()
    assert session.get(Account, account_id) is not None
    clock.shift(days=2)
    with app.app_context():
        assert privacy_jobs.purge_deleted_accounts() == 1
        assert privacy_jobs.purge_deleted_accounts() == 0  # nothing left: idempotent
    session.expire_all()
    assert session.get(Account, account_id) is None
    assert session.scalar(select(func.count()).select_from(AccountSession).where(
        AccountSession.account_id == account_id)) == 0
    with unscoped(session):
        for member_id in member_ids:
            row = session.get(Member, member_id)
            assert row.account_id is None and row.family_name == "" and row.company == ""
            assert row.email is None
        # Everyone else is as they were.
        assert session.get(Member, people.organizer_member.id).family_name == "佐藤"
        assert session.get(Member, people.other_owner_member.id).family_name == "高橋"
    assert session.get(Account, people.organizer.id) is not None


def test_cancelled_in_time_nothing_is_deleted(app, session, login, people, clock):
    session.commit()
    client = login(people.member)
    _ask(client)
    clock.shift(days=10)
    # Back ten days later (signed in again: the first session has gone idle).
    assert login(people.member).post("/account/delete/cancel").status_code == 302
    clock.shift(days=40)
    with app.app_context():
        assert privacy_jobs.purge_deleted_accounts() == 0
    session.expire_all()
    assert session.get(Account, people.member.id) is not None
