"""An owner deletes the whole community (issue 17): only an owner of that community may ask or
cancel, by typing its slug; the community closes for the grace period (no registrations, no
members, no scheduled emails, a banner), a cancel restores it; then the daily job erases it:
nobody's name or address is left anywhere, the payments stay anonymised, the row stays as a
tombstone, and Stripe's plan and connected account are dealt with, retried after a failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from joren.models import Meetup, Member, Payment
from joren.platform.billing.models import StripeEvent, Subscription
from joren.platform.identity.community import Community
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.outbox import render_email
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.registrations.seats import RegistrationError
from joren.tenants.meetups.registrations.services import register
from joren.tenants.payments.models import (
    ConnectAccount,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from joren.tenants.privacy import closing
from joren.tenants.privacy.models import AuditEntry
from joren.workers import introduction_jobs, privacy_jobs, reminder_jobs, survey_jobs
from tests.platform.billing.conftest import billing_on, deliver, fake_stripe  # noqa: F401
from tests.platform.billing.helpers import subscribe
from tests.tenants.helpers import in_english, meetup
from tests.tenants.privacy.test_erasure import COMPANY, EMAIL, GIVEN, NAME, _hits, _seed_person

pytestmark = pytest.mark.usefixtures("clock")

SCHEDULED = closing.SCHEDULED_EMAIL
DONE = closing.DONE_EMAIL


def _page(tenant) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/delete"


def _ask(client, tenant, slug: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(_page(tenant), data={"slug": tenant.slug if slug is None else slug})


def _community(session, tenant) -> Community:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(Community, tenant.id)


def _emails(session, template: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == template)))


def test_only_an_owner_of_this_community_may_ask_or_cancel(
        app, session, login, people, tenant, other_tenant):
    session.commit()
    for account in (people.organizer, people.staff, people.member, people.other_owner):
        client = login(account)
        assert client.get(_page(tenant)).status_code == 403
        assert _ask(client, tenant).status_code == 403
        assert client.post(_page(tenant) + "/cancel").status_code == 403
    assert _community(session, tenant).deletion_requested_at is None
    # Typing this community's slug on another community's page schedules nothing anywhere.
    other = login(people.other_owner)
    assert _ask(other, other_tenant, slug=tenant.slug).status_code == 422
    assert _community(session, tenant).deletion_requested_at is None
    assert _community(session, other_tenant).deletion_requested_at is None

    owner = login(people.owner)
    assert _ask(owner, tenant).status_code == 302
    # Another community's owner cannot cancel it either.
    assert other.post(_page(tenant) + "/cancel").status_code == 403
    assert _community(session, tenant).deletion_requested_at is not None
    assert _community(session, other_tenant).deletion_requested_at is None


def test_a_wrong_slug_changes_nothing_and_says_why(app, session, login, people, tenant):
    session.commit()
    owner = login(people.owner)
    page = owner.get(_page(tenant)).get_data(as_text=True)
    assert tenant.slug in page and "法人税法" in page
    refused = _ask(owner, tenant, slug="not-" + tenant.slug)
    assert refused.status_code == 422
    assert tenant.slug in refused.get_data(as_text=True)  # says what to type
    assert _ask(owner, tenant, slug="").status_code == 422
    assert _community(session, tenant).deletion_requested_at is None
    assert _emails(session, SCHEDULED) == []


def test_asking_closes_the_community_and_cancelling_restores_it(
        app, session, scoped, client, login, people, tenant, other_tenant, clock):
    soon = meetup(session, tenant, "来週の会")
    session.commit()
    owner = login(people.owner)
    assert _ask(owner, tenant).status_code == 302
    community = _community(session, tenant)
    assert community.deletion_requested_at == clock.now()
    assert community.deletion_requested_by_id == people.owner.id
    due = closing.deletion_due_at(community, app.config)
    assert due == clock.now() + timedelta(days=30)
    # The owners are told, in the console's audit log too.
    told = _emails(session, SCHEDULED)
    assert [m.community_id for m in told] == [tenant.id]
    with unscoped(session):
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.tenant_id == tenant.id, AuditEntry.entity == "communities")).all()
    assert [e.path for e in entries] == [_page(tenant)]
    assert "deletion_requested_at" in entries[0].changes

    # Every page says so; the owner sees how to cancel.
    console = owner.get(f"/c/{tenant.slug}/admin/").get_data(as_text=True)
    assert "closing-banner" in console and "cancel_community_deletion" not in console
    assert f"/c/{tenant.slug}/admin/delete/cancel" in console
    portal = login(people.member).get(f"/c/{tenant.slug}/").get_data(as_text=True)
    assert "closing-banner" in portal and "/admin/delete/cancel" not in portal
    assert "closing-banner" not in login(people.other_owner).get(
        f"/c/{other_tenant.slug}/").get_data(as_text=True)

    # A visitor sees it on the public page, and cannot register as a guest.
    assert "closing-banner" in client.get(f"/c/{tenant.slug}/").get_data(as_text=True)
    refused = client.post(f"/c/{tenant.slug}/meetups/{soon.id}/guest", data={
        "family_name": "来訪", "given_name": "花子", "email": "visitor-9c@example.jp"})
    assert refused.status_code == 400
    assert "closing" in refused.get_data(as_text=True) or "閉鎖" in refused.get_data(
        as_text=True)
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(Member).where(
            Member.email == "visitor-9c@example.jp")) == 0
    # No registrations, no invitations.
    with unscoped(session):
        member = session.get(Member, people.member_member.id)
        with pytest.raises(RegistrationError):
            register(session, soon, member)
    session.commit()
    invited = login(people.organizer).post(f"/c/{tenant.slug}/admin/invitations/new",
                                           data={"emails": "new@example.jp", "role": "member"})
    assert invited.status_code == 409
    # Its scheduled emails stop; the other community's go on.
    session.commit()
    assert tenant.id not in [t for t, _ in introduction_jobs.due_cycles(session, clock.now())]
    assert other_tenant.id in [t for t, _ in introduction_jobs.due_cycles(session, clock.now())]
    with app.app_context():
        assert reminder_jobs.send_meetup_reminders(tenant.id, "slot") == 0
        assert survey_jobs.send_surveys(tenant.id, "hour") == 0

    assert owner.post(_page(tenant) + "/cancel").status_code == 302
    community = _community(session, tenant)
    assert community.deletion_requested_at is None and not community.is_closing
    assert "closing-banner" not in owner.get(f"/c/{tenant.slug}/admin/").get_data(as_text=True)
    own = scoped(tenant)
    with app.test_request_context("/"):
        registered = register(own, own.get(Meetup, soon.id),
                              own.get(Member, people.member_member.id), notify=False)
    assert registered.status.value == "going"
    own.commit()
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.tenant_id == tenant.id, AuditEntry.entity == "communities")) == 2


def test_the_job_erases_the_community_after_the_grace_period(
        app, session, login, people, tenant, other_tenant, clock):
    person, past, _ = _seed_person(session, tenant, people)
    with unscoped(session):
        session.add(ConnectAccount(tenant_id=tenant.id, stripe_account_id="acct_gone"))
    session.commit()
    needles = [NAME, GIVEN, COMPANY, EMAIL, "ショウキョタニ"]
    owner = login(people.owner)
    assert _ask(owner, tenant).status_code == 302
    clock.shift(days=29)
    with app.app_context():
        assert privacy_jobs.purge_deleted_communities() == 0  # still in the grace period
    assert _hits(session, needles) >= {"members"}
    clock.shift(days=2)
    with app.app_context():
        assert privacy_jobs.purge_deleted_communities() == 1
        assert privacy_jobs.purge_deleted_communities() == 0  # idempotent
    session.expire_all()
    assert _hits(session, needles) == set()
    community = _community(session, tenant)
    assert community.deleted_at == clock.now() and community.slug == tenant.slug
    assert community.deletion_stripe_step == closing.CLOSED
    with unscoped(session):
        # The payment stays for tax law, pointing at a blanked member row.
        payment = session.scalars(select(Payment).where(Payment.tenant_id == tenant.id)).one()
        assert payment.amount_jpy == 3000 and payment.note == ""
        kept = session.get(Member, payment.member_id)
        assert kept.family_name == "" and kept.email is None and kept.account_id is None
        # Nobody else is left; the other community is as it was.
        assert session.scalar(select(func.count()).select_from(Member).where(
            Member.tenant_id == tenant.id)) == 1
        assert session.get(Member, people.other_owner_member.id).family_name == "高橋"
        assert session.scalar(select(func.count()).select_from(ConnectAccount).where(
            ConnectAccount.tenant_id == tenant.id)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.tenant_id == tenant.id)) == 0
    done = _emails(session, DONE)
    assert len(done) == 1 and done[0].community_id is None  # one owner, told once
    # A tombstone: nobody's page, its slug never given again.
    assert owner.get(f"/c/{tenant.slug}/").status_code == 404
    assert owner.get(_page(tenant)).status_code == 404
    assert login(people.other_owner).get(f"/c/{other_tenant.slug}/").status_code == 200


def test_stripe_plan_ends_is_kept_on_cancel_and_is_cancelled_at_the_end(
        app, session, client, login, people, tenant, billing_on, deliver, clock):  # noqa: F811
    session.commit()
    owner = login(people.owner)
    sub_id = subscribe(owner, tenant.slug, billing_on, deliver)

    def changes(method: str) -> list[dict]:  # type: ignore[type-arg]
        return [r.params for r in billing_on.requests
                if r.method == method and r.path == f"/v1/subscriptions/{sub_id}"
                and r.status == 200]

    assert _ask(owner, tenant).status_code == 302
    deliver()  # runs the jobs: the plan is set to end with the paid period
    assert changes("POST") == [{"cancel_at_period_end": "true"}]
    assert _community(session, tenant).deletion_stripe_step == closing.PAUSED
    assert owner.post(_page(tenant) + "/cancel").status_code == 302
    deliver()
    assert changes("POST")[-1] == {"cancel_at_period_end": "false"}
    assert _community(session, tenant).deletion_stripe_step == ""

    # Asked again; Stripe fails at the end: the community is erased all the same, and the
    # cancellation is tried again on the next run.
    assert _ask(owner, tenant).status_code == 302
    deliver()
    clock.shift(days=31)
    app.config["STRIPE_SECRET_KEY"] = "rk_wrong"
    with app.app_context():
        assert privacy_jobs.purge_deleted_communities() == 1
    community = _community(session, tenant)
    assert community.deleted_at is not None and community.deletion_stripe_step == closing.CLOSE
    assert "AuthenticationError" in community.deletion_stripe_error
    assert changes("DELETE") == []
    app.config["STRIPE_SECRET_KEY"] = "sk_test_joren"
    with app.app_context():
        privacy_jobs.purge_deleted_communities()
    community = _community(session, tenant)
    assert community.deletion_stripe_step == closing.CLOSED
    assert community.deletion_stripe_error == ""
    assert len(changes("DELETE")) == 1
    assert billing_on.objects[sub_id]["status"] == "canceled"
    # Stripe's notice of the end arrives after the erasure; its payload goes on the next run.
    deliver(*billing_on.take_events())
    with unscoped(session):
        row = session.scalars(select(Subscription).where(
            Subscription.tenant_id == tenant.id)).one()
        assert row.status == "canceled"
        assert session.scalar(select(func.count()).select_from(StripeEvent).where(
            StripeEvent.community_id == tenant.id, StripeEvent.payload != "")) >= 1
    with app.app_context():
        privacy_jobs.purge_deleted_communities()
    session.expire_all()
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(StripeEvent).where(
            StripeEvent.community_id == tenant.id, StripeEvent.payload != "")) == 0


def test_the_owner_already_ending_the_plan_is_left_alone(
        app, session, login, people, tenant, billing_on, deliver):  # noqa: F811
    session.commit()
    owner = login(people.owner)
    sub_id = subscribe(owner, tenant.slug, billing_on, deliver)
    deliver(billing_on.update(sub_id, cancel_at_period_end=True))
    before = len(billing_on.requests)
    assert _ask(owner, tenant).status_code == 302
    assert owner.post(_page(tenant) + "/cancel").status_code == 302
    deliver()
    assert [r for r in billing_on.requests[before:] if r.method != "GET"] == []


def test_both_languages(app, session, login, people, tenant):
    session.commit()
    owner = login(people.owner)
    ja = owner.get(_page(tenant)).get_data(as_text=True)
    assert "このコミュニティを削除" in ja and "法人税法" in ja
    en = in_english(owner).get(_page(tenant)).get_data(as_text=True)
    assert "What is kept, and why" in en
    due = datetime(2026, 7, 10, tzinfo=UTC)
    for language in ("ja", "en"):
        with app.test_request_context():
            subject, text, html = render_email(SCHEDULED, language, {
                "community_name": tenant.name, "slug": tenant.slug, "due": due, "name": "",
                "page_url": "http://localhost/x"})
            assert tenant.name in subject and "http://localhost/x" in text
            assert ("削除されます" in subject) == (language == "ja")
            subject, text, html = render_email(DONE, language, {
                "community_name": tenant.name, "slug": tenant.slug, "due": None, "name": ""})
            assert tenant.name in subject and tenant.name in html


def test_the_connected_account_is_forgotten_only_once_refunds_have_settled(
        app, session, login, people, tenant, clock):
    past = meetup(session, tenant, "先月の会", starts_at=clock.now() - timedelta(days=30))
    with unscoped(session):
        session.add(ConnectAccount(tenant_id=tenant.id, stripe_account_id="acct_refunds"))
        payment = Payment(tenant_id=tenant.id, member_id=people.member_member.id,
                          meetup_id=past.id, kind=PaymentKind.MEETUP_FEE, amount_jpy=3000,
                          method=PaymentMethod.STRIPE, status=PaymentStatus.PAID,
                          refund_requested_at=clock.now())
        session.add(payment)
    session.commit()
    assert _ask(login(people.owner), tenant).status_code == 302
    clock.shift(days=31)
    with app.app_context():
        assert privacy_jobs.purge_deleted_communities() == 1
    community = _community(session, tenant)
    assert community.deletion_stripe_step == closing.CLOSE
    assert "refund" in community.deletion_stripe_error
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(ConnectAccount).where(
            ConnectAccount.tenant_id == tenant.id)) == 1
        session.get(Payment, payment.id).status = PaymentStatus.REFUNDED
        session.flush()
    session.commit()
    with app.app_context():
        assert privacy_jobs.purge_deleted_communities() == 0
    community = _community(session, tenant)
    assert community.deletion_stripe_step == closing.CLOSED
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(ConnectAccount).where(
            ConnectAccount.tenant_id == tenant.id)) == 0


def test_a_closing_community_can_tell_its_members_now_but_schedules_nothing(
        app, session, scoped, login, people, tenant, other_tenant, clock):
    """Closing puts announcements scheduled for later back to the drafts (this community's
    only) and refuses new schedules; "send now" still goes, so organizers can say goodbye."""
    from joren.tenants.announcements import services as announcements
    from joren.tenants.announcements.models import Announcement, AnnouncementStatus
    from joren.workers import announcement_jobs

    session.commit()
    now = clock.now()
    ours, theirs = scoped(tenant), scoped(other_tenant)
    planned = announcements.save(ours, subject="来月の定例会", body="来月もどうぞ。",
                                 segment="everyone", meetup_id=None,
                                 author=people.organizer_member)
    announcements.schedule(ours, planned, now + timedelta(days=2), now=now)
    ours.commit()
    elsewhere = announcements.save(theirs, subject="他会のお知らせ", body="……",
                                   segment="everyone", meetup_id=None,
                                   author=people.other_owner_member)
    announcements.schedule(theirs, elsewhere, now + timedelta(days=2), now=now)
    theirs.commit()

    assert _ask(login(people.owner), tenant).status_code == 302
    ours.expire_all()
    theirs.expire_all()
    assert ours.get(Announcement, planned.id).status == AnnouncementStatus.DRAFT
    assert theirs.get(Announcement, elsewhere.id).status == AnnouncementStatus.SCHEDULED

    later = announcements.save(ours, subject="また来月", body="……", segment="everyone",
                               meetup_id=None, author=people.organizer_member)
    with pytest.raises(announcements.AnnouncementError):
        announcements.schedule(ours, later, clock.now() + timedelta(days=1), now=clock.now())
    ours.rollback()
    goodbye = announcements.save(ours, subject="閉会のお知らせ", body="ありがとうございました。",
                                 segment="everyone", meetup_id=None,
                                 author=people.organizer_member)
    with app.app_context():  # "now" enqueues the sending job at commit
        announcements.schedule(ours, goodbye, None, now=clock.now())
        ours.commit()
    clock.shift(days=3)  # past the planned one's old time too
    with app.app_context():
        announcement_jobs.send_announcements(tenant.id, "slot")
    subjects = {m.subject for m in _emails(session, announcements.TEMPLATE)}
    assert "閉会のお知らせ" in subjects
    assert "来月の定例会" not in subjects and "また来月" not in subjects
