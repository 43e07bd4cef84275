"""Without Stripe keys (or with an organizer account that cannot take charges yet), paid meetups
work as before: going at once, fee paid at the door, and Stripe never hears a thing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Registration, RegistrationStatus
from joren.tenants.payments.models import ConnectAccount
from tests.stripe_fake import FakeStripe
from tests.tenants.helpers import in_english
from tests.tenants.meetups.helpers_registrations import seated_meetup
from tests.tenants.payments.stripe import online_helpers as h

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def keys_off(app):  # type: ignore[no-untyped-def]
    """No keys; a fake wired in anyway, to prove no request is made."""
    fake = FakeStripe()
    previous = {k: app.config.get(k) for k in ("STRIPE_SECRET_KEY", "BILLING_ENABLED",
                                               "STRIPE_HTTP_CLIENT")}
    app.config.update(STRIPE_SECRET_KEY=None, BILLING_ENABLED=False, STRIPE_HTTP_CLIENT=fake)
    try:
        yield fake
    finally:
        app.config.update(previous)


def _paid_meetup(session, tenant):  # type: ignore[no-untyped-def]
    row = seated_meetup(session, tenant, capacity=3, price=3000)
    session.commit()
    return row


def test_no_keys_means_pay_at_the_door_and_no_stripe_request(
        session, tenant, people, member_client, keys_off):
    meetup = _paid_meetup(session, tenant)
    page = member_client.get(f"/c/{tenant.slug}/meetups/{meetup.id}").get_data(as_text=True)
    assert "pay at the door" in page and "Register and pay" not in page
    response = h.register(member_client, meetup.id)
    assert "checkout" not in response.headers["Location"]
    reg = h.registration(session, meetup.id, people.member_member.id)
    assert reg.status == RegistrationStatus.GOING
    assert len(h.emails(session, "meetups/registrations/confirmed")) == 1
    assert h.pay(member_client, meetup.id).status_code == 303  # nothing to pay: back, told so
    assert h.payment_for(session, reg.id) == []
    assert keys_off.requests == []


def test_an_account_not_ready_yet_means_pay_at_the_door(
        session, tenant, people, member_client, billing_on):
    with unscoped(session):
        session.add(ConnectAccount(tenant_id=tenant.id, stripe_account_id="acct_pending",
                                   charges_enabled=False))
    meetup = _paid_meetup(session, tenant)
    h.register(member_client, meetup.id)
    reg = h.registration(session, meetup.id, people.member_member.id)
    assert reg.status == RegistrationStatus.GOING
    assert h.creates(billing_on) == []


def test_a_hold_whose_online_payment_went_away_keeps_its_seat_paid_at_the_door(
        session, tenant, people, member_client, billing_on):
    """The organizer's Stripe account stopped taking charges while a member held a seat:
    pressing "Pay" confirms the seat, to be paid at the door, instead of losing it."""
    with unscoped(session):
        session.add(ConnectAccount(tenant_id=tenant.id, stripe_account_id="acct_restricted",
                                   charges_enabled=False))
    meetup = _paid_meetup(session, tenant)
    with unscoped(session):
        session.add(Registration(tenant_id=tenant.id, meetup_id=meetup.id,
                                 member_id=people.member_member.id,
                                 status=RegistrationStatus.AWAITING_PAYMENT,
                                 offer_expires_at=utcnow() + timedelta(minutes=20)))
    session.commit()
    response = h.pay(in_english(member_client), meetup.id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/meetups/{meetup.id}")
    page = member_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your seat is confirmed: please pay the fee at the door." in page
    reg = h.registration(session, meetup.id, people.member_member.id)
    assert reg.status == RegistrationStatus.GOING and reg.offer_expires_at is None
    assert len(h.emails(session, "meetups/registrations/confirmed")) == 1
    assert h.payment_for(session, reg.id) == [] and h.creates(billing_on) == []
