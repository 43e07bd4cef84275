"""The page cache on more console pages (issue 14, helper "pagesc"): billing, online payments
(Connect), privacy and retention, the invite form kept with the invitations, an
announcement's page looked up before the announcement is read, and the analytics page's
check of its emails' states. Each is the same kept or computed, is computed once, shows a
change at once (a Stripe webhook's, a save's, the clock's end of a grace period, the mail
worker's), and never serves another community's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from joren.platform.billing import views as billing_views
from joren.platform.billing.models import Subscription
from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.tenancy import unscoped
from joren.tenants.announcements import services as announcement_services
from joren.tenants.announcements import views as announcement_views
from joren.tenants.engagement import dashboard_views
from joren.tenants.members import views as member_views
from joren.tenants.payments.connect import views as connect_views
from joren.tenants.privacy import views as privacy_views
from tests.platform.billing.conftest import billing_on, deliver, fake_stripe  # noqa: F401
from tests.platform.billing.helpers import subscribe
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    in_other_community,
    reads_when_kept,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.platform.test_pagecache_console_pages import _delivery, _send_all, _sent
from tests.tenants.engagement.test_analytics_views import PAGE as ANALYTICS
from tests.tenants.engagement.test_analytics_views import _history, send_url
from tests.tenants.helpers import in_english
from tests.tenants.payments.stripe.connect_helpers import connect, events, onboard

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"


# -- billing ----------------------------------------------------------------------------------

BILLING = f"{ADMIN}/billing"


def test_the_billing_page_off_is_the_same_kept_and_computed_once(app, monkeypatch, people,
                                                                  owner_client):
    in_english(owner_client)
    page = same_cached_and_not(app, owner_client, BILLING)
    assert 'data-billing="off"' in page
    computed = counting(monkeypatch, billing_views, "_page_body")
    owner_client.get(BILLING)
    assert computed == []
    assert len(reads_when_kept(app, owner_client, BILLING)) == 1


def test_the_billing_page_shows_a_webhooks_change_at_once(
        app, monkeypatch, session, tenant, people, owner_client,
        billing_on, deliver):  # noqa: F811 - the fixtures imported above
    in_english(owner_client)
    page = same_cached_and_not(app, owner_client, BILLING)
    assert 'data-plan="free"' in page and 'data-usage="members">4 / 50<' in page
    assert 'data-action="upgrade"' in page and 'data-action="manage"' not in page
    # the return from Checkout is its own page
    returned = same_cached_and_not(app, owner_client, f"{BILLING}?checkout=success")
    assert "Your payment went through" in returned
    assert "Your payment went through" not in same_cached_and_not(app, owner_client, BILLING)
    # Stripe's webhooks (the job writes the community's subscription row) show at once
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    page = same_cached_and_not(app, owner_client, BILLING)
    assert 'data-plan="pro"' in page and 'data-action="manage"' in page
    assert 'data-action="upgrade"' not in page
    deliver(*billing_on.fail_payment(sub_id))
    page = same_cached_and_not(app, owner_client, BILLING)
    assert 'data-billing="grace"' in page and 'data-plan="pro"' in page
    computed = counting(monkeypatch, billing_views, "_page_body")
    owner_client.get(BILLING)
    assert computed == []


def test_the_billing_page_kept_in_grace_ends_with_it(app, session, tenant, people, clock,
                                                      owner_client, billing_on, deliver):  # noqa: F811 - the fixtures imported above
    in_english(owner_client)
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    deliver(*billing_on.fail_payment(sub_id))
    with unscoped(session):  # the grace period ends in two minutes
        sub = session.scalar(select(Subscription).where(Subscription.tenant_id == tenant.id))
        sub.grace_until = clock.now() + timedelta(minutes=2)
        session.commit()
    page = same_cached_and_not(app, owner_client, BILLING)
    assert 'data-billing="grace"' in page
    clock.shift(minutes=1)
    assert 'data-billing="grace"' in owner_client.get(BILLING).get_data(as_text=True)
    clock.shift(minutes=2)  # nothing written: the clock alone ends it
    page = same_cached_and_not(app, owner_client, BILLING)
    assert 'data-billing="grace-ended"' in page and 'data-plan="free"' in page


def test_the_billing_page_computes_in_few_statements(app, people, owner_client, billing_on):  # noqa: F811 - the fixtures imported above
    assert len(computing(app, owner_client, BILLING)) <= 10


def test_the_billing_page_is_never_another_communitys(
        app, session, tenant, other_tenant, people, login, owner_client,
        billing_on, deliver):  # noqa: F811 - the fixtures imported above
    subscribe(owner_client, SLUG, billing_on, deliver)
    in_english(owner_client)
    assert 'data-plan="pro"' in owner_client.get(BILLING).get_data(as_text=True)  # kept
    intruder = login(people.other_owner)
    in_english(intruder)
    assert intruder.get(BILLING).status_code == 403
    theirs = intruder.get(f"/c/{other_tenant.slug}/admin/billing").get_data(as_text=True)
    assert 'data-plan="free"' in theirs and 'data-action="manage"' not in theirs
    assert tenant.name not in theirs


# -- privacy and retention --------------------------------------------------------------------

RETENTION = f"{ADMIN}/privacy"


def test_the_retention_page_is_the_same_kept_and_computed_once(app, monkeypatch, people,
                                                                organizer_client, owner_client):
    in_english(organizer_client)
    in_english(owner_client)
    page = same_cached_and_not(app, organizer_client, RETENTION)
    assert 'name="import_days"' in page and "Delete this community" not in page
    owners = same_cached_and_not(app, owner_client, RETENTION)  # their role's own page
    assert "Delete this community" in owners and "Download everything" in owners
    computed = counting(monkeypatch, privacy_views, "_retention_body")
    organizer_client.get(RETENTION)
    owner_client.get(RETENTION)
    assert computed == []
    assert len(reads_when_kept(app, organizer_client, RETENTION)) == 1


def test_the_retention_page_shows_a_save_and_a_notice_at_once(app, session, tenant, people,
                                                              clock, organizer_client):
    in_english(organizer_client)
    assert "You have not written your own notice" in same_cached_and_not(
        app, organizer_client, RETENTION)
    saved = organizer_client.post(RETENTION, data={"import_days": "17", "outbox_days": "",
                                                   "audit_days": ""})
    assert saved.status_code == 302
    organizer_client.get(saved.headers["Location"])  # with the "saved" message
    assert 'value="17"' in same_cached_and_not(app, organizer_client, RETENTION)
    # a refused save shows what was typed, never the kept page
    refused = organizer_client.post(RETENTION, data={"import_days": "0", "outbox_days": "23"})
    assert refused.status_code == 422 and 'value="23"' in refused.get_data(as_text=True)
    assert 'value="23"' not in same_cached_and_not(app, organizer_client, RETENTION)
    published = organizer_client.post(f"{RETENTION}/notice", data={"body": "私たちの方針"})
    assert published.status_code == 302
    organizer_client.get(published.headers["Location"])  # with the "published" message
    assert "Version 1, published" in same_cached_and_not(app, organizer_client, RETENTION)


def test_the_retention_page_computes_in_few_statements(app, people, organizer_client):
    assert len(computing(app, organizer_client, RETENTION)) <= 10


def test_the_retention_page_is_never_another_communitys(app, login, session, people,
                                                        organizer_client, other_tenant):
    organizer_client.post(RETENTION, data={"import_days": "17"})
    assert 'value="17"' in organizer_client.get(RETENTION).get_data(as_text=True)  # kept
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(RETENTION).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(RETENTION, other_tenant))
    assert theirs.status_code == 200 and 'value="17"' not in theirs.get_data(as_text=True)


# -- online payments (Stripe Connect) ---------------------------------------------------------

CONNECT = f"{ADMIN}/payments/online"


def test_the_connect_page_off_is_the_same_kept_and_computed_once(app, monkeypatch, people,
                                                                  organizer_client):
    in_english(organizer_client)
    assert 'data-connect="off"' in same_cached_and_not(app, organizer_client, CONNECT)
    computed = counting(monkeypatch, connect_views, "_page_body")
    organizer_client.get(CONNECT)
    assert computed == []
    assert len(reads_when_kept(app, organizer_client, CONNECT)) == 1


def test_the_connect_page_shows_stripes_webhooks_at_once(
        app, monkeypatch, session, tenant, people, organizer_client,
        billing_on, deliver):  # noqa: F811 - the fixtures imported above
    in_english(organizer_client)
    page = same_cached_and_not(app, organizer_client, CONNECT)
    assert 'data-connect="not_connected"' in page and 'data-fee="500"' in page
    connect(organizer_client, session, tenant)
    assert 'data-connect="onboarding"' in same_cached_and_not(app, organizer_client, CONNECT)
    acct = onboard(organizer_client, session, tenant, billing_on, deliver)
    page = same_cached_and_not(app, organizer_client, CONNECT)
    assert 'data-connect="ready"' in page and acct in page
    deliver(*events(billing_on.restrict_account(acct)))  # Stripe's account.updated
    page = same_cached_and_not(app, organizer_client, CONNECT)
    assert 'data-connect="onboarding"' in page and 'data-action="continue"' in page
    computed = counting(monkeypatch, connect_views, "_page_body")
    organizer_client.get(CONNECT)
    assert computed == []


def test_the_connect_page_kept_in_grace_shows_the_free_fee_when_it_ends(
        app, session, tenant, people, clock, owner_client, organizer_client,
        billing_on, deliver):  # noqa: F811 - the fixtures imported above
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    assert 'data-fee="250"' in same_cached_and_not(app, organizer_client, CONNECT)
    deliver(*billing_on.fail_payment(sub_id))
    with unscoped(session):  # the grace period ends in two minutes
        sub = session.scalar(select(Subscription).where(Subscription.tenant_id == tenant.id))
        sub.grace_until = clock.now() + timedelta(minutes=2)
        session.commit()
    assert 'data-fee="250"' in same_cached_and_not(app, organizer_client, CONNECT)
    clock.shift(minutes=3)  # nothing written: the clock alone ends it
    assert 'data-fee="500"' in same_cached_and_not(app, organizer_client, CONNECT)


def test_the_connect_page_computes_in_few_statements(
        app, people, organizer_client, billing_on):  # noqa: F811 - the fixture imported above
    assert len(computing(app, organizer_client, CONNECT)) <= 10


def test_the_connect_page_is_never_another_communitys(
        app, login, session, tenant, people, other_tenant, organizer_client,
        billing_on, deliver):  # noqa: F811 - the fixtures imported above
    acct = onboard(organizer_client, session, tenant, billing_on, deliver)
    assert acct in organizer_client.get(CONNECT).get_data(as_text=True)  # kept
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(CONNECT).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(CONNECT, other_tenant)).get_data(as_text=True)
    assert 'data-connect="not_connected"' in theirs and acct not in theirs


# -- the invitations: the invite form kept with the list --------------------------------------

INVITATIONS = f"{ADMIN}/invitations"


def test_the_invite_form_is_kept_with_the_list_by_role(app, monkeypatch, people, owner_client,
                                                       organizer_client, staff_client):
    in_english(owner_client)
    in_english(organizer_client)
    in_english(staff_client)
    owners = same_cached_and_not(app, owner_client, INVITATIONS)
    assert 'name="emails"' in owners and 'value="organizer"' in owners
    organizers = same_cached_and_not(app, organizer_client, INVITATIONS)
    assert 'name="emails"' in organizers and 'value="organizer"' not in organizers
    assert "Only owners can invite organizers." in organizers
    assert 'name="emails"' not in same_cached_and_not(app, staff_client, INVITATIONS)
    computed = counting(monkeypatch, member_views, "_invite_form")
    for client in (owner_client, organizer_client, staff_client):
        client.get(INVITATIONS)
    assert computed == []
    assert len(reads_when_kept(app, organizer_client, INVITATIONS)) == 1


def test_a_refused_invitation_shows_what_was_typed_never_the_kept_form(app, people,
                                                                      organizer_client):
    in_english(organizer_client)
    assert "hanako@" not in same_cached_and_not(app, organizer_client, INVITATIONS)
    refused = organizer_client.post(f"{INVITATIONS}/new", data={
        "emails": "hanako@", "role": "organizer"})
    assert refused.status_code in (403, 422)
    assert "hanako@" in refused.get_data(as_text=True)
    assert "hanako@" not in same_cached_and_not(app, organizer_client, INVITATIONS)
    sent = organizer_client.post(f"{INVITATIONS}/new", data={
        "emails": "hanako@example.jp", "role": "member"})
    assert sent.status_code == 302
    organizer_client.get(sent.headers["Location"])  # with the "sent" message
    page = same_cached_and_not(app, organizer_client, INVITATIONS)
    assert "hanako@example.jp" in page and 'name="emails"' in page


# -- an announcement's page: the announcement read only while computing ------------------------

def _draft(app, scoped, tenant, people, subject: str = "下書きのお知らせ") -> int:  # type: ignore[no-untyped-def]
    s = scoped(tenant)
    with app.app_context():
        announcement = announcement_services.save(
            s, subject=subject, body="来月は総会です。", segment="everyone", meetup_id=None,
            author=people.organizer_member)
        s.commit()
    announcement_id = announcement.id
    s.close()
    return announcement_id


def test_a_settled_delivery_page_is_served_in_one_statement(app, monkeypatch, session, scoped,
                                                            tenant, people, organizer_client):
    announcement_id = _sent(app, scoped, tenant, people)
    _send_all(session)
    page = same_cached_and_not(app, organizer_client, _delivery(announcement_id))
    assert "<title>総会のお知らせ" in page
    assert len(reads_when_kept(app, organizer_client, _delivery(announcement_id))) == 1
    computed = counting(monkeypatch, announcement_views, "_detail_body")
    organizer_client.get(_delivery(announcement_id))
    assert computed == []
    assert organizer_client.get(_delivery(announcement_id + 999)).status_code == 404


def test_a_drafts_page_shows_its_preview_computed_on_every_view(app, monkeypatch, session,
                                                                scoped, tenant, people,
                                                                organizer_client):
    announcement_id = _draft(app, scoped, tenant, people)
    page = same_cached_and_not(app, organizer_client, _delivery(announcement_id))
    assert "<title>下書きのお知らせ" in page and "来月は総会です。" in page
    computed = counting(monkeypatch, announcement_views, "_detail_body")
    organizer_client.get(_delivery(announcement_id))
    organizer_client.get(_delivery(announcement_id))
    assert len(computed) == 2
    # scheduled and sent: the delivery page, kept
    s = scoped(tenant)
    with app.app_context():
        announcement = s.get(announcement_services.Announcement, announcement_id)
        announcement_services.schedule(s, announcement, utcnow() + timedelta(hours=1),
                                       now=utcnow())
        s.commit()
        while announcement_services.send_batch(s, tenant, now=utcnow() + timedelta(hours=2)):
            s.commit()
    s.close()
    page = same_cached_and_not(app, organizer_client, _delivery(announcement_id))
    assert 'data-state="queued"' in page


def test_an_announcements_page_is_never_another_communitys(app, login, session, scoped, tenant,
                                                           people, other_tenant,
                                                           organizer_client):
    sent = _sent(app, scoped, tenant, people)
    draft = _draft(app, scoped, tenant, people)
    for announcement_id in (sent, draft):
        organizer_client.get(_delivery(announcement_id))  # kept
    intruder = signed_in_intruder(login, session, other_tenant)
    for announcement_id in (sent, draft):
        url = _delivery(announcement_id)
        assert intruder.get(url).status_code in (302, 403, 404)
        guessed = intruder.get(in_other_community(url, other_tenant))
        assert guessed.status_code == 404
        text = guessed.get_data(as_text=True)
        assert "総会のお知らせ" not in text and "下書きのお知らせ" not in text


# -- analytics: the emails' states read in a statement of their own ----------------------------

def test_kept_analytics_read_the_emails_states_alone(app, monkeypatch, session, scoped, tenant,
                                                     people, organizer_client):
    lapsed, *_ = _history(session, scoped, tenant, people)
    assert organizer_client.post(send_url(lapsed.id)).status_code in (200, 302)
    organizer_client.get(ANALYTICS)  # with the "sent" message
    page = same_cached_and_not(app, organizer_client, ANALYTICS)
    assert 'data-sent="pending"' in page
    served = reads_when_kept(app, organizer_client, ANALYTICS)
    assert len(served) == 2 and "outbox_messages" in served[1]
    computed = counting(monkeypatch, dashboard_views, "analytics")
    organizer_client.get(ANALYTICS)
    assert computed == []
    # the mail worker's bulk update marks no community: the state read shows it at once
    session.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
                    .values(status=OutboxStatus.SENT))
    session.commit()
    page = same_cached_and_not(app, organizer_client, ANALYTICS)
    assert 'data-sent="sent"' in page and 'data-sent="pending"' not in page
    assert len(computed) == 2  # with the cache off, then once on
