"""The plans' limits where something is added: members (invitations, CSV import), a second
community, automatic introductions; never where guests register; none with billing off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from joren.models import Community, Invitation, Member, MemberStatus
from joren.platform.billing import plans
from joren.platform.billing.models import PlanCode, Subscription
from joren.platform.tenancy import unscoped
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus
from tests.tenants.helpers import in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
UPGRADE = "The Free plan allows up to 50 members"


def _fill(session, community, total: int = 50) -> None:  # type: ignore[no-untyped-def]
    """Members up to ``total`` (the people fixture already made four in ``tenant``)."""
    with unscoped(session):
        have = session.scalar(select(func.count(Member.id)).where(
            Member.tenant_id == community.id, Member.status == MemberStatus.MEMBER))
        session.add_all([Member(tenant_id=community.id, family_name="会員", given_name=str(n),
                                email=f"filler{n}@example.jp", status=MemberStatus.MEMBER)
                         for n in range(total - have)])
        # Guests and former members do not count.
        session.add(Member(tenant_id=community.id, family_name="来訪", given_name="者",
                           email="guest@example.jp", status=MemberStatus.GUEST))
        session.add(Member(tenant_id=community.id, family_name="退会", given_name="者",
                           email="former@example.jp", status=MemberStatus.INACTIVE))
        session.commit()


def _members(session, community) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return int(session.scalar(select(func.count(Member.id)).where(
            Member.tenant_id == community.id)))


def _pro(session, community, status: str = "active", grace_until=None):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add(Subscription(tenant_id=community.id, plan=PlanCode.PRO, status=status,
                                 stripe_customer_id="cus_x", stripe_subscription_id="sub_x",
                                 grace_until=grace_until))
        session.commit()


def test_the_51st_member_by_invitation_is_refused_with_the_upgrade_message(
        session, tenant, people, organizer_client, billing_on):
    _fill(session, tenant)
    before = _members(session, tenant)
    in_english(organizer_client)
    response = organizer_client.post(f"/c/{SLUG}/admin/invitations/new", data={
        "emails": "newcomer@example.jp", "role": "member", "message": ""},
        follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Not invited: newcomer@example.jp" in page and UPGRADE in page
    assert _members(session, tenant) == before
    with unscoped(session):
        assert session.scalar(select(func.count(Invitation.id))) == 0


def test_inviting_the_guest_who_would_become_the_51st_member_is_refused_too(
        session, tenant, people, organizer_client, billing_on):
    _fill(session, tenant)
    organizer_client.post(f"/c/{SLUG}/admin/invitations/new", data={
        "emails": "guest@example.jp", "role": "member", "message": ""})
    with unscoped(session):
        assert session.scalar(select(func.count(Invitation.id))) == 0


def test_the_50th_member_can_be_invited_and_pro_goes_beyond(
        session, tenant, people, organizer_client, billing_on):
    _fill(session, tenant, total=49)
    organizer_client.post(f"/c/{SLUG}/admin/invitations/new", data={
        "emails": "fiftieth@example.jp\nfifty-first@example.jp", "role": "member"})
    with unscoped(session):
        invited = set(session.scalars(select(Invitation.email)))
    assert invited == {"fiftieth@example.jp"}
    _pro(session, tenant)
    organizer_client.post(f"/c/{SLUG}/admin/invitations/new", data={
        "emails": "fifty-first@example.jp", "role": "member"})
    with unscoped(session):
        assert session.scalar(select(func.count(Invitation.id))) == 2


def test_a_csv_import_beyond_the_plan_is_refused_and_writes_nothing(
        session, tenant, people, organizer_client, billing_on, run_jobs):
    _fill(session, tenant, total=49)
    with unscoped(session):
        batch = ImportBatch(tenant_id=tenant.id, kind=ImportKind.MEMBERS, filename="m.csv",
                            text="氏名,メール\n新人 一郎,a@example.jp\n新人 二郎,b@example.jp\n",
                            total=2, mapping=["full_name", "email"],
                            status=ImportStatus.PREVIEWED)
        session.add(batch)
        session.commit()
    before = _members(session, tenant)
    in_english(organizer_client)
    response = organizer_client.post(f"/c/{SLUG}/admin/imports/{batch.id}/preview",
                                     data={"valid_only": "y"})
    assert response.status_code == 400
    assert UPGRADE in response.get_data(as_text=True)
    assert run_jobs() == 0
    assert _members(session, tenant) == before
    session.expire_all()
    with unscoped(session):
        assert session.get(ImportBatch, batch.id).status == ImportStatus.PREVIEWED


def test_the_import_job_rechecks_the_plan_and_writes_nothing(
        app, session, tenant, people, billing_on, run_jobs):
    _fill(session, tenant)
    with unscoped(session):
        batch = ImportBatch(tenant_id=tenant.id, kind=ImportKind.MEMBERS, filename="m.csv",
                            text="氏名\n新人 三郎\n", total=1, mapping=["full_name"],
                            status=ImportStatus.RUNNING, valid_only=True)
        session.add(batch)
        session.commit()
    before = _members(session, tenant)
    from joren.workers import import_jobs

    with app.app_context():
        import_jobs.run_import(tenant.id, batch.id)
    session.expire_all()
    with unscoped(session):
        batch = session.get(ImportBatch, batch.id)
    assert batch.status == ImportStatus.FAILED and "50" in batch.error
    assert _members(session, tenant) == before


def test_guests_registering_for_a_meetup_are_never_blocked(app_ctx, session, scoped, tenant,
                                                           people, billing_on):
    from joren.tenants.meetups.registrations.guests import register_guest

    _fill(session, tenant)
    s = scoped(tenant)
    public = meetup(session, tenant, "公開例会", is_public=True, capacity=100)
    registration = register_guest(s, s.get(type(public), public.id), family_name="見学",
                                  given_name="花子", email="visitor@example.jp")
    s.flush()
    assert registration.member.status == MemberStatus.GUEST


def test_a_second_community_on_free_is_refused_with_the_message(
        session, tenant, people, owner_client, billing_on):
    in_english(owner_client)
    form = {"name": "第二の会", "slug": "second-circle", "kind": "study_group",
            "timezone": "Asia/Tokyo", "default_language": "ja", "city": ""}
    response = owner_client.post("/communities/new", data=form)
    assert response.status_code == 403
    assert "The Free plan includes one community per owner" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Community).where(Community.slug == "second-circle")) is None
    # With the first community on Pro, the owner may create another (which starts on Free).
    _pro(session, tenant)
    response = owner_client.post("/communities/new", data=form)
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(Community).where(Community.slug == "second-circle")) is not None
    # ... but not a third: the second one is Free.
    response = owner_client.post("/communities/new", data={**form, "slug": "third-circle"})
    assert response.status_code == 403


def test_a_first_community_is_always_allowed(session, people, login, billing_on):
    response = login(people.outsider).post("/communities/new", data={
        "name": "初めての会", "slug": "first-circle", "kind": "study_group",
        "timezone": "Asia/Tokyo", "default_language": "ja", "city": ""})
    assert response.status_code == 302


def test_automatic_introductions_need_pro(app, session, tenant, people, billing_on):
    with app.test_request_context("/"), force_locale("en"):
        assert plans.allows(tenant, plans.AUTO_INTRODUCTIONS, session) is False
        with pytest.raises(plans.PlanLimitReached) as refused:
            plans.check_limit(session, tenant, plans.AUTO_INTRODUCTIONS)
        assert "Pro plan" in str(refused.value.message)
        _pro(session, tenant)
        assert plans.allows(tenant, plans.AUTO_INTRODUCTIONS, session) is True
        plans.check_limit(session, tenant, plans.AUTO_INTRODUCTIONS)
        with pytest.raises(ValueError):
            plans.allows(tenant, "teleportation", session)


def test_after_the_grace_period_the_free_limits_apply_and_nothing_is_deleted(
        app, session, tenant, people, billing_on):
    _fill(session, tenant, total=60)
    grace_until = datetime.now(UTC) + timedelta(days=2)
    _pro(session, tenant, status="past_due", grace_until=grace_until)
    with app.app_context():
        plans.check_limit(session, tenant, "members")  # still Pro during the grace period
        later = grace_until + timedelta(minutes=1)
        with pytest.raises(plans.PlanLimitReached):
            plans.check_limit(session, tenant, "members", now=later)
        limits = plans.plan_limits(session, tenant, now=later)
        assert (limits.plan, limits.members, limits.over_members) == (plans.FREE, 60, True)
        assert plans.AUTO_INTRODUCTIONS not in limits.plan.features
    assert _members(session, tenant) == 62  # 60 members, the guest and the former member


def test_with_billing_off_there_are_no_limits(app, session, tenant, people, organizer_client,
                                              owner_client):
    _fill(session, tenant)
    organizer_client.post(f"/c/{SLUG}/admin/invitations/new", data={
        "emails": "unlimited@example.jp", "role": "member"})
    with unscoped(session):
        assert session.scalar(select(func.count(Invitation.id))) == 1
    with app.app_context():
        assert plans.plan_for(session, tenant) == plans.UNLIMITED
        assert plans.allows(tenant, plans.AUTO_INTRODUCTIONS, session)
        plans.check_new_community(session, people.owner.id)
    response = owner_client.post("/communities/new", data={
        "name": "自前の会", "slug": "self-hosted-two", "kind": "study_group",
        "timezone": "Asia/Tokyo", "default_language": "ja", "city": ""})
    assert response.status_code == 302


def test_other_owner_accounts_are_counted_separately(app, session, tenant, other_tenant, people,
                                                     billing_on):
    with app.app_context():
        with pytest.raises(plans.PlanLimitReached):
            plans.check_new_community(session, people.other_owner.id)
        plans.check_new_community(session, people.organizer.id)  # owns nothing


def test_the_introduction_settings_refuse_automatic_sending_on_free(
        app, session, tenant, people, organizer_client, billing_on):
    from joren.tenants.introductions.models import IntroductionSettings

    in_english(organizer_client)
    url = f"/c/{SLUG}/admin/introductions/settings"
    form = {"cadence": "weekly", "auto_send": "y", "per_member_cap": "2", "expiry_days": "14"}
    refused = organizer_client.post(url, data=form, follow_redirects=True)
    assert refused.status_code == 200
    assert "Pro plan" in refused.get_data(as_text=True)
    session.expire_all()
    with unscoped(session):
        saved = session.scalar(select(IntroductionSettings).where(
            IntroductionSettings.tenant_id == tenant.id))
    assert saved is None or saved.auto_send is False
    _pro(session, tenant)
    organizer_client.post(url, data=form, follow_redirects=True)
    session.expire_all()
    with unscoped(session):
        saved = session.scalar(select(IntroductionSettings).where(
            IntroductionSettings.tenant_id == tenant.id))
    assert saved is not None and saved.auto_send is True


def test_a_community_back_on_free_keeps_its_suggestions_for_review(
        app, session, scoped, tenant, people, billing_on):
    from joren.tenants.introductions import cycles
    from joren.tenants.introductions.models import (
        Introduction,
        IntroductionSettings,
        IntroductionStatus,
    )

    with unscoped(session):
        session.add(IntroductionSettings(tenant_id=tenant.id, auto_send=True))
        for n, (offer, ask) in enumerate([("採用支援と求人広告の運用代行", ""),
                                          ("", "採用に課題。求人を出しても応募が来ない")]):
            session.add(Member(tenant_id=tenant.id, family_name="紹介", given_name=str(n),
                               email=f"intro{n}@example.jp", company=f"会社{n}",
                               offer_1=offer, challenges=ask, accepts_introductions=True,
                               status=MemberStatus.MEMBER))
        session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        cycles.run_cycle(s, "2026-W48")
        s.commit()
    statuses = {i.status for i in s.scalars(select(Introduction))}
    assert statuses == {IntroductionStatus.SUGGESTED}
