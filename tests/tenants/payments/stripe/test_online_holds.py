"""Seat holds while paying online: the expiry sweep asks Stripe first (paid → going, open →
expired in Stripe, then released and passed on); a payment arriving after its hold was released
gets a free seat or a full refund; a second payment is refunded; a waitlist offer is taken by
paying."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_babel import force_locale

from joren.platform.db import utcnow
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import offers as reg_offers
from joren.tenants.meetups.registrations import services as reg_services
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from joren.tenants.payments.online import services as online
from tests import factories
from tests.tenants.meetups.helpers_registrations import seated_meetup
from tests.tenants.payments.stripe import online_helpers as h
from tests.tenants.payments.stripe.refund_helpers import connect

pytestmark = pytest.mark.usefixtures("clock", "billing_on")

GOING, AWAITING, OFFERED, WAITLISTED, CANCELLED = (
    RegistrationStatus.GOING, RegistrationStatus.AWAITING_PAYMENT, RegistrationStatus.OFFERED,
    RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED)



@pytest.fixture()
def acct(session, billing_on, tenant, people):  # type: ignore[no-untyped-def]
    return connect(session, billing_on, tenant)


@pytest.fixture()
def one_seat(session, tenant, acct):  # type: ignore[no-untyped-def]
    row = seated_meetup(session, tenant, capacity=1, price=3000, title="少人数勉強会")
    session.commit()
    return row


@pytest.fixture()
def ts(scoped, tenant, session):  # type: ignore[no-untyped-def]
    session.commit()
    return scoped(tenant)


@pytest.fixture()
def ctx(app):  # type: ignore[no-untyped-def]
    """Services run inside ``ctx()`` only (client requests need no pushed context)."""

    @contextmanager
    def push():  # type: ignore[no-untyped-def]
        with app.test_request_context("/"), force_locale("en"):
            yield

    return push


def _waiting(session, tenant, ts, meetup, ctx):  # type: ignore[no-untyped-def]
    """Someone else registers after the seat is held: waitlisted."""
    other = factories.member(session, tenant, email="waiting@example.jp")
    session.commit()
    with ctx():
        reg = reg_services.register(ts, ts.get(Meetup, meetup.id), ts.get(Member, other.id))
        ts.commit()
    assert reg.status == WAITLISTED
    return other


def _sweep(ts, ctx, minutes: float = 40):  # type: ignore[no-untyped-def]
    with ctx():
        n = reg_offers.expire_offers(ts, now=utcnow() + timedelta(minutes=minutes))
        ts.commit()
    return n


def test_an_unpaid_hold_is_released_and_the_seat_passed_on(
        session, tenant, people, member_client, billing_on, acct, one_seat, ts, ctx, run_jobs,
        deliver):
    sid, _reg = h.session_id_of(h.register(member_client, one_seat.id)), None
    other = _waiting(session, tenant, ts, one_seat, ctx)
    assert _sweep(ts, ctx, minutes=10) == 0  # not yet
    assert _sweep(ts, ctx) == 1
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == CANCELLED
    # Stripe was asked, and the still-open Checkout closed so it can no longer be paid.
    assert billing_on.objects[sid]["status"] == "expired"
    assert any(r.path == f"/v1/checkout/sessions/{sid}/expire" and r.stripe_account == acct
               for r in billing_on.requests)
    [payment] = h.payment_for(session, mine.id)
    assert payment.status == PaymentStatus.CANCELLED
    assert h.registration(session, one_seat.id, other.id).status == OFFERED
    assert len(h.emails(session, "meetups/registrations/hold_released", "member@example.jp")) == 1
    assert h.emails(session, "meetups/registrations/offer_expired") == []
    [offer] = h.emails(session, "meetups/registrations/offer", "waiting@example.jp")
    assert "支払ってお席を確保する" in offer.text_body  # the member's language: ja
    assert _sweep(ts, ctx) == 0  # idempotent
    deliver(*billing_on.take_events())  # Stripe's "expired" event: nothing more happens
    assert len(h.emails(session, "meetups/registrations/hold_released")) == 1


def test_the_sweep_confirms_a_hold_whose_webhook_was_lost(
        session, tenant, people, member_client, billing_on, acct, one_seat, ts, ctx):
    sid = h.session_id_of(h.register(member_client, one_seat.id))
    billing_on.complete_checkout(sid)  # paid; the webhook never arrives
    _sweep(ts, ctx)
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == GOING
    [payment] = h.payment_for(session, mine.id)
    assert payment.status == PaymentStatus.PAID and payment.receipt_number
    assert h.emails(session, "meetups/registrations/hold_released") == []


def test_the_checkout_expiring_releases_the_hold(
        session, tenant, people, member_client, billing_on, acct, one_seat, ts, ctx, deliver):
    sid = h.session_id_of(h.register(member_client, one_seat.id))
    other = _waiting(session, tenant, ts, one_seat, ctx)
    deliver(billing_on.expire_checkout(sid))
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == CANCELLED
    assert h.payment_for(session, mine.id)[0].status == PaymentStatus.CANCELLED
    assert h.registration(session, one_seat.id, other.id).status == OFFERED


def test_a_late_payment_takes_a_free_seat(
        session, tenant, people, member_client, billing_on, acct, one_seat, ts, ctx, deliver):
    sid = h.session_id_of(h.register(member_client, one_seat.id))
    billing_on.complete_checkout(sid, delayed=True)  # konbini: paid later
    _sweep(ts, ctx)
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == CANCELLED
    deliver(*billing_on.settle_async_payment(sid))
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == GOING
    [payment] = h.payment_for(session, mine.id)
    assert payment.status == PaymentStatus.PAID and payment.refund_requested_at is None
    assert len(h.emails(session, "meetups/registrations/confirmed")) == 1


def test_a_late_payment_without_a_seat_is_refunded_in_full(
        session, tenant, people, member_client, billing_on, acct, one_seat, ts, ctx, deliver):
    sid = h.session_id_of(h.register(member_client, one_seat.id))
    billing_on.complete_checkout(sid, delayed=True)
    other = _waiting(session, tenant, ts, one_seat, ctx)
    _sweep(ts, ctx)
    assert h.registration(session, one_seat.id, other.id).status == OFFERED  # seat taken
    deliver(*billing_on.settle_async_payment(sid))
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == CANCELLED
    [payment] = h.payment_for(session, mine.id)
    assert payment.refund_reason == "no_seat" and payment.refund_amount_jpy == 3000
    [told] = h.emails(session, "payments/online_refunded", "member@example.jp")
    assert "refunded in full" in told.text_body
    refunds_made = [r for r in billing_on.created("/v1/refunds") if not r.replayed]
    assert len(refunds_made) == 1 and refunds_made[0].stripe_account == acct


def test_a_second_payment_for_a_paid_fee_is_refunded(
        session, tenant, people, member_client, billing_on, acct, one_seat, ts, ctx, deliver):
    sid = h.session_id_of(h.register(member_client, one_seat.id))
    deliver(*billing_on.complete_checkout(sid))
    reg = ts.get(Registration, h.registration(session, one_seat.id,
                                              people.member_member.id).id)
    from joren.platform.billing import stripe_client

    with ctx():
        second = Payment(member_id=reg.member_id, meetup_id=one_seat.id,
                         kind=PaymentKind.MEETUP_FEE, amount_jpy=3000,
                         method=PaymentMethod.STRIPE, status=PaymentStatus.PENDING,
                         registration_id=reg.id, stripe_account_id=acct, application_fee_jpy=150,
                         created_at=utcnow().replace(microsecond=0))
        ts.add(second)
        ts.commit()
        data = stripe_client.plain(stripe_client.client().v1.checkout.sessions.create(
            online.checkout_params(ts, second, reg), {"stripe_account": acct}))
        second.stripe_checkout_session_id = data["id"]
        ts.commit()
    deliver(*billing_on.complete_checkout(data["id"]))
    first, again = h.payment_for(session, reg.id)
    assert first.status == PaymentStatus.PAID and first.refund_requested_at is None
    assert again.refund_reason == "duplicate"
    assert h.registration(session, one_seat.id, reg.member_id).status == GOING
    assert len(h.emails(session, "meetups/registrations/confirmed")) == 1


def test_a_waitlist_offer_is_taken_by_paying(
        session, client, tenant, people, member_client, billing_on, acct, ts, ctx, deliver):
    meetup = seated_meetup(session, tenant, capacity=1, price=3000, title="満席の会")
    first = factories.member(session, tenant, email="first@example.jp")
    session.commit()
    # The first person has the seat (a series registration: going, no payment step).
    with ctx():
        seat = reg_services.register(ts, ts.get(Meetup, meetup.id), ts.get(Member, first.id),
                             source="series")
        ts.commit()
        assert seat.status == GOING
        waiting = reg_services.register(ts, ts.get(Meetup, meetup.id),
                                ts.get(Member, people.member_member.id))
        ts.commit()
        assert waiting.status == WAITLISTED
        reg_services.cancel_registration(ts, ts.get(Registration, seat.id))
        ts.commit()
    offered = h.registration(session, meetup.id, people.member_member.id)
    assert offered.status == OFFERED
    # Taking the seat without paying is refused when the fee is paid online.
    refused = member_client.post(f"/c/{tenant.slug}/meetups/{meetup.id}/offer/accept")
    assert refused.status_code in (302, 303)
    assert h.registration(session, meetup.id, people.member_member.id).status == OFFERED
    [mail] = h.emails(session, "meetups/registrations/offer", "member@example.jp")
    link = next(w for w in mail.text_body.split() if "/registrations/offer/" in w)
    page = client.get(link)
    # The community speaks Japanese.
    assert "3,000 を支払ってお席を確保する" in page.get_data(as_text=True)
    sid = h.session_id_of(client.post(link, data={"action": "accept"}))
    [request] = h.creates(billing_on)
    deadline = offered.offer_expires_at.timestamp()
    # The offer's own deadline, within Stripe's 24 hours (an offer made moments ago lasts 24 h).
    assert deadline - 5 * 60 - 2 <= int(request.params["expires_at"]) <= deadline
    deliver(*billing_on.complete_checkout(sid))
    reg = h.registration(session, meetup.id, people.member_member.id)
    assert reg.status == GOING
    assert h.payment_for(session, reg.id)[0].status == PaymentStatus.PAID
    done = client.get(f"/c/{tenant.slug}/meetups/{meetup.id}/paid?session_id={sid}")
    assert 'data-payment-state="going"' in done.get_data(as_text=True)


def test_cancelling_a_hold_closes_its_checkout(
        session, tenant, people, member_client, billing_on, acct, one_seat, run_jobs):
    sid = h.session_id_of(h.register(member_client, one_seat.id))
    response = member_client.post(f"/c/{tenant.slug}/meetups/{one_seat.id}/cancel")
    assert response.status_code in (302, 303)
    run_jobs()
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == CANCELLED
    assert billing_on.objects[sid]["status"] == "expired"  # can no longer be paid
    [payment] = h.payment_for(session, mine.id)
    assert payment.status == PaymentStatus.CANCELLED


def test_a_delayed_payment_that_fails_releases_the_hold(
        session, tenant, people, member_client, billing_on, acct, one_seat, deliver):
    sid = h.session_id_of(h.register(member_client, one_seat.id))
    deliver(*billing_on.complete_checkout(sid, delayed=True))  # konbini: not paid yet
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == AWAITING
    assert h.payment_for(session, mine.id)[0].status == PaymentStatus.PENDING
    deliver(*billing_on.settle_async_payment(sid, succeeded=False))
    mine = h.registration(session, one_seat.id, people.member_member.id)
    assert mine.status == CANCELLED
    assert h.payment_for(session, mine.id)[0].status == PaymentStatus.CANCELLED
