"""A member pays a meetup fee online: register → seat held → Stripe Checkout on the organizer's
connected account → webhook → going, with a receipt. Replays, out-of-order events, doubled or
crashed pay requests never make a second Checkout or a second confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from joren.platform.db import utcnow
from joren.platform.tenancy import set_tenant
from joren.tenants.meetups.models import Registration, RegistrationStatus
from joren.tenants.payments.models import PaymentMethod, PaymentStatus
from joren.tenants.payments.online import services as online
from tests.clock import today_in_tokyo
from tests.tenants.meetups.helpers_registrations import seated_meetup
from tests.tenants.payments.stripe import online_helpers as h
from tests.tenants.payments.stripe.refund_helpers import connect

pytestmark = pytest.mark.usefixtures("clock", "billing_on")

GOING, AWAITING = RegistrationStatus.GOING, RegistrationStatus.AWAITING_PAYMENT



@pytest.fixture()
def acct(session, billing_on, tenant, people):  # type: ignore[no-untyped-def]
    return connect(session, billing_on, tenant)


@pytest.fixture()
def evening(session, tenant, acct):  # type: ignore[no-untyped-def]
    """¥3,000, two seats, a week from now; the community takes payments online."""
    row = seated_meetup(session, tenant, capacity=2, price=3000, title="十二月定例会")
    session.commit()
    return row


def _held(session, member_client, evening, people):  # type: ignore[no-untyped-def]
    response = h.register(member_client, evening.id)
    sid = h.session_id_of(response)
    return sid, h.registration(session, evening.id, people.member_member.id)


def test_register_holds_the_seat_and_sends_the_member_to_checkout(
        session, tenant, people, member_client, billing_on, acct, evening):
    before = utcnow()
    sid, reg = _held(session, member_client, evening, people)
    assert reg.status == AWAITING
    assert before + timedelta(minutes=34) < reg.offer_expires_at < utcnow() + timedelta(minutes=36)
    # No "you're going" yet: the seat is only held.
    assert h.emails(session, "meetups/registrations/confirmed") == []
    [payment] = h.payment_for(session, reg.id)
    assert (payment.status, payment.method, payment.amount_jpy, payment.application_fee_jpy) == (
        PaymentStatus.PENDING, PaymentMethod.STRIPE, 3000, 150)
    assert payment.stripe_checkout_session_id == sid
    assert payment.stripe_account_id == acct
    [request] = h.creates(billing_on)
    params = request.params
    assert request.stripe_account == acct
    assert request.idempotency_key == f"joren-community-{tenant.id}-payment-{payment.id}-checkout"
    assert params["mode"] == "payment"
    [item] = params["line_items"]
    assert item["price_data"]["currency"] == "jpy"
    assert item["price_data"]["unit_amount"] == "3000"  # JPY has no minor unit
    assert item["price_data"]["product_data"]["name"].startswith("十二月定例会 ")
    assert params["payment_intent_data"]["application_fee_amount"] == "150"  # Free: 5%
    expected = {"purpose": "meetup_fee", "community_id": str(tenant.id),
                "payment_id": str(payment.id), "registration_id": str(reg.id),
                "meetup_id": str(evening.id), "member_id": str(people.member_member.id)}
    assert params["metadata"] == expected
    assert params["payment_intent_data"]["metadata"] == expected
    assert params["customer_email"] == "member@example.jp"
    assert params["locale"] == "en"
    assert params["success_url"].endswith(
        f"/c/{tenant.slug}/meetups/{evening.id}/paid?session_id={{CHECKOUT_SESSION_ID}}")
    assert params["cancel_url"].endswith(f"/c/{tenant.slug}/meetups/{evening.id}")
    expires = int(params["expires_at"])
    assert billing_on.clock + 30 * 60 <= expires <= reg.offer_expires_at.timestamp()


def test_the_webhook_confirms_the_seat_with_a_receipt(
        session, tenant, people, member_client, billing_on, acct, evening, deliver):
    sid, reg = _held(session, member_client, evening, people)
    paid_page = member_client.get(f"/c/{tenant.slug}/meetups/{evening.id}/paid?session_id={sid}")
    assert 'data-payment-state="waiting"' in paid_page.get_data(as_text=True)
    assert 'http-equiv="refresh"' in paid_page.get_data(as_text=True)
    deliver(*billing_on.complete_checkout(sid))
    reg = h.registration(session, evening.id, people.member_member.id)
    assert reg.status == GOING and reg.offer_expires_at is None
    [payment] = h.payment_for(session, reg.id)
    assert payment.status == PaymentStatus.PAID and payment.amount_jpy == 3000
    assert payment.stripe_payment_intent_id == billing_on.objects[sid]["payment_intent"]
    assert payment.receipt_number == f"R-{today_in_tokyo().year}-000001"
    assert len(h.emails(session, "meetups/registrations/confirmed")) == 1
    [receipt] = h.emails(session, "payments/online_receipt")
    assert f"/payments/{payment.id}/receipt" in receipt.text_body
    page = member_client.get(f"/c/{tenant.slug}/meetups/{evening.id}/paid?session_id={sid}")
    body = page.get_data(as_text=True)
    assert 'data-payment-state="going"' in body and "http-equiv" not in body
    assert f"/payments/{payment.id}/receipt" in body
    detail = member_client.get(f"/c/{tenant.slug}/meetups/{evening.id}").get_data(as_text=True)
    assert "data-paid" in detail and f"/payments/{payment.id}/receipt" in detail


def test_a_replayed_or_repeated_event_changes_nothing(
        session, client, tenant, people, member_client, billing_on, acct, evening, deliver):
    from tests.platform.billing.conftest import post_event

    sid, reg = _held(session, member_client, evening, people)
    [completed] = billing_on.complete_checkout(sid)
    deliver(completed)
    replay = post_event(client, completed)
    assert replay.status_code == 200 and replay.get_json()["duplicate"] is True
    # The same news under another event id (async success after completion): idempotent.
    deliver(h.events_for(billing_on, "checkout.session.async_payment_succeeded", sid, acct))
    [payment] = h.payment_for(session, reg.id)
    assert payment.status == PaymentStatus.PAID
    assert payment.receipt_number == f"R-{today_in_tokyo().year}-000001"
    assert len(h.emails(session, "meetups/registrations/confirmed")) == 1
    assert len(h.emails(session, "payments/online_receipt")) == 1


def test_an_expired_event_arriving_after_payment_leaves_it_paid(
        session, tenant, people, member_client, billing_on, acct, evening, deliver):
    sid, reg = _held(session, member_client, evening, people)
    stale = dict(billing_on.objects[sid], status="expired")  # what an old event would say
    [completed] = billing_on.complete_checkout(sid)
    expired = billing_on.event("checkout.session.expired", stale, account=acct)
    deliver(expired, completed)  # out of order: "expired" first, for a Session that was paid
    reg = h.registration(session, evening.id, people.member_member.id)
    assert reg.status == GOING
    [payment] = h.payment_for(session, reg.id)
    assert payment.status == PaymentStatus.PAID
    deliver(billing_on.event("checkout.session.expired", stale, account=acct))
    assert h.registration(session, evening.id, people.member_member.id).status == GOING
    assert h.emails(session, "meetups/registrations/hold_released") == []


def test_paying_twice_reuses_the_open_checkout(
        session, tenant, people, member_client, billing_on, acct, evening):
    sid, reg = _held(session, member_client, evening, people)
    again = h.pay(member_client, evening.id)
    assert h.session_id_of(again) == sid
    assert h.session_id_of(h.pay(member_client, evening.id)) == sid
    assert len(h.creates(billing_on)) == 1
    assert len(billing_on.objects_of("checkout.session")) == 1
    assert len(h.payment_for(session, reg.id)) == 1


def test_a_request_that_crashed_after_stripe_answered_gets_the_same_session(
        app, session, tenant, people, billing_on, acct, evening, scoped, monkeypatch):
    from joren.platform.membership.models import Member
    from joren.tenants.meetups.models import Meetup
    from joren.tenants.meetups.registrations import services as reg_services

    ts = scoped(tenant)
    with app.test_request_context("/"), force_locale("en"):
        reg = reg_services.register(ts, ts.get(Meetup, evening.id),
                            ts.get(Member, people.member_member.id))
        ts.commit()
        assert reg.status == AWAITING
        calls = []
        real = online._remember_session

        def crash_once(s, payment, data):  # type: ignore[no-untyped-def]
            calls.append(data["id"])
            if len(calls) == 1:
                raise RuntimeError("the database went away after Stripe answered")
            return real(s, payment, data)

        monkeypatch.setattr(online, "_remember_session", crash_once)
        with pytest.raises(RuntimeError):
            online.start_checkout(ts, reg)
        ts.rollback()
        url = online.start_checkout(ts, ts.get(Registration, reg.id))
        ts.commit()
    assert calls[0] == calls[1] and url.endswith(calls[0])
    requests = billing_on.created(h.CHECKOUTS)
    assert len(requests) == 2 and requests[1].replayed
    assert requests[0].idempotency_key == requests[1].idempotency_key
    assert len(billing_on.objects_of("checkout.session")) == 1
    [payment] = h.payment_for(session, reg.id)
    assert payment.stripe_checkout_session_id == calls[0]


def test_the_paid_page_asks_stripe_when_the_webhook_is_late(
        session, tenant, people, member_client, billing_on, acct, evening):
    sid, reg = _held(session, member_client, evening, people)
    billing_on.complete_checkout(sid)  # the webhook has not arrived
    url = f"/c/{tenant.slug}/meetups/{evening.id}/paid?session_id={sid}"
    body = member_client.get(url + "&n=1").get_data(as_text=True)
    assert 'data-payment-state="waiting"' in body
    body = member_client.get(url + f"&n={3}").get_data(as_text=True)
    assert 'data-payment-state="going"' in body
    assert h.registration(session, evening.id, people.member_member.id).status == GOING


def test_the_portal_shows_the_price_to_pay_and_the_deadline(
        session, tenant, people, member_client, billing_on, acct, evening):
    page = member_client.get(f"/c/{tenant.slug}/meetups/{evening.id}").get_data(as_text=True)
    assert "Register and pay ¥3,000" in page and "paid online by card" in page
    _held(session, member_client, evening, people)
    page = member_client.get(f"/c/{tenant.slug}/meetups/{evening.id}").get_data(as_text=True)
    assert "Pay ¥3,000 to confirm your seat (held until" in page
    assert f"/c/{tenant.slug}/meetups/{evening.id}/pay" in page
    mine = member_client.get(f"/c/{tenant.slug}/meetups/mine").get_data(as_text=True)
    assert "Awaiting payment" in mine


def test_the_console_lists_who_is_paying(
        session, tenant, people, member_client, organizer_client, billing_on, acct, evening):
    _held(session, member_client, evening, people)
    page = organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{evening.id}/registrations")
    body = page.get_data(as_text=True)
    assert 'data-count="awaiting_payment"' in body
    assert people.member_member.family_name in body


def test_approval_first_then_payment(
        app, session, tenant, people, member_client, organizer_client, billing_on, acct):
    meetup = seated_meetup(session, tenant, capacity=5, price=3000, requires_approval=True)
    session.commit()
    response = h.register(member_client, meetup.id)
    assert response.status_code in (302, 303) and "checkout" not in response.headers["Location"]
    reg = h.registration(session, meetup.id, people.member_member.id)
    assert reg.status == RegistrationStatus.PENDING
    approve = organizer_client.post(
        f"/c/{tenant.slug}/admin/meetups/{meetup.id}/registrations/{reg.id}",
        data={"action": "approve"})
    assert approve.status_code in (302, 303)
    reg = h.registration(session, meetup.id, people.member_member.id)
    assert reg.status == AWAITING
    assert reg.offer_expires_at > utcnow() + timedelta(hours=20)  # a day to pay, not minutes
    assert len(h.emails(session, "meetups/registrations/pay_to_confirm")) == 1
    assert h.emails(session, "meetups/registrations/confirmed") == []
    sid = h.session_id_of(h.pay(member_client, meetup.id))
    assert sid in billing_on.objects


def test_online_fee_is_zero_without_a_ready_account(app, session, tenant, scoped, billing_on):
    meetup = seated_meetup(session, tenant, capacity=5, price=3000)
    session.commit()
    ts = scoped(tenant)
    set_tenant(ts, tenant.id)
    with app.app_context():
        assert online.online_fee(ts, meetup, None) == 0


def test_the_pay_step_renders_in_japanese(session, tenant, people, owner_client, billing_on,
                                          acct, evening):
    """The owner's account has no language of its own: the community's Japanese."""
    response = h.register(owner_client, evening.id)
    h.session_id_of(response)
    page = owner_client.get(f"/c/{tenant.slug}/meetups/{evening.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="ja"' in body and "3,000" in body
    assert f"/c/{tenant.slug}/meetups/{evening.id}/pay" in body
    [request] = h.creates(billing_on)
    assert request.params["locale"] == "ja"


def test_a_dues_paying_member_pays_the_member_price(
        session, tenant, people, member_client, billing_on, acct):
    from datetime import date

    from joren.platform.tenancy import unscoped
    from joren.tenants.payments.models import Payment, PaymentKind

    meetup = seated_meetup(session, tenant, capacity=5, price=3000, member_price=2000)
    with unscoped(session):
        session.add(Payment(tenant_id=tenant.id, member_id=people.member_member.id,
                            kind=PaymentKind.DUES, amount_jpy=12000,
                            method=PaymentMethod.BANK_TRANSFER, status=PaymentStatus.PAID,
                            paid_at=utcnow(), period_start=date(2000, 1, 1),
                            period_end=date(2100, 12, 31), note=""))
    session.commit()
    page = member_client.get(f"/c/{tenant.slug}/meetups/{meetup.id}").get_data(as_text=True)
    assert "Register and pay ¥2,000" in page
    sid = h.session_id_of(h.register(member_client, meetup.id))
    [request] = h.creates(billing_on)
    assert request.params["line_items"][0]["price_data"]["unit_amount"] == "2000"
    assert request.params["payment_intent_data"]["application_fee_amount"] == "100"
    reg = h.registration(session, meetup.id, people.member_member.id)
    [payment] = h.payment_for(session, reg.id)
    assert (payment.amount_jpy, payment.application_fee_jpy) == (2000, 100)
    assert billing_on.objects[sid]["amount_total"] == 2000
