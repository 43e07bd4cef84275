"""Membership dues paid online: a Stripe subscription on the organizer's connected account,
end to end through the fake — the Checkout request (JPY amount, interval, Joren's fee), the
Connect webhooks (one payment per invoice under replay and out-of-order delivery), a failed
renewal lapsing after the paid period, cancelling at period end, billing off, and isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from joren.platform.billing.models import PlanCode, Subscription
from joren.platform.tenancy import unscoped
from joren.tenants.payments import pricing
from joren.tenants.payments.dues import services as dues
from joren.tenants.payments.models import (
    DuesSubscription,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from tests.tenants.helpers import in_english
from tests.tenants.payments.helpers import payments_of
from tests.tenants.payments.stripe.connect_helpers import OTHER_SLUG, last_event, onboard
from tests.tenants.payments.stripe.dues_helpers import enable_dues

pytestmark = pytest.mark.usefixtures("clock")

TOKYO = ZoneInfo("Asia/Tokyo")
PORTAL = "/c/osaka-mixer/dues"



@pytest.fixture()
def online(session, tenant, people, organizer_client, billing_on, deliver):  # type: ignore[no-untyped-def]
    acct = onboard(organizer_client, session, tenant, billing_on, deliver)
    enable_dues(session, tenant, amount=12000)
    session.commit()
    return acct


def _local(ts: int):  # type: ignore[no-untyped-def]
    return datetime.fromtimestamp(ts, UTC).astimezone(TOKYO).date()


def _start(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"{PORTAL}/checkout")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "/checkout/" in response.headers["Location"], response.headers["Location"]
    return response.headers["Location"].rsplit("/", 1)[1]


def _pay(client, fake, deliver):  # type: ignore[no-untyped-def]
    checkout_id = _start(client)
    events = fake.complete_checkout(checkout_id)
    deliver(*events)
    return str(fake.objects[checkout_id]["subscription"]), events


def _row(session, member) -> DuesSubscription | None:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return session.scalar(select(DuesSubscription).where(
            DuesSubscription.member_id == member.id))


def _dues_payments(session):  # type: ignore[no-untyped-def]
    return payments_of(session, kind=PaymentKind.DUES)


# -- Checkout -------------------------------------------------------------------------------

def test_checkout_asks_stripe_for_a_yearly_jpy_subscription_with_joren_fee(
        session, tenant, people, member_client, billing_on, online):
    checkout_id = _start(member_client)
    [request] = billing_on.created("/v1/checkout/sessions")
    params = request.params
    assert request.headers["stripe-account"] == online
    assert params["mode"] == "subscription"
    [item] = params["line_items"]
    assert item["price_data"]["currency"] == "jpy"
    assert item["price_data"]["unit_amount"] == "12000"  # ¥12,000, never 1200000
    assert item["price_data"]["recurring"] == {"interval": "year"}
    assert item["price_data"]["product_data"]["name"] == "年会費 – 大阪異業種交流会"
    assert params["subscription_data"]["application_fee_percent"] == "5"  # Free: 500 bps
    metadata = {"purpose": "dues", "community_id": str(tenant.id),
                "member_id": str(people.member_member.id)}
    assert params["metadata"] == metadata
    assert params["subscription_data"]["metadata"] == metadata
    assert params["customer_email"] == "member@example.jp"
    assert params["success_url"].endswith("/c/osaka-mixer/dues?checkout=success")
    assert request.idempotency_key.startswith(
        f"joren-community-{tenant.id}-dues-{people.member_member.id}-checkout-0-")
    # Pressing again before paying gets the same session back, not a second one.
    assert _start(member_client) == checkout_id
    assert len(billing_on.objects_of("checkout.session")) == 1


def test_on_pro_the_fee_is_two_and_a_half_percent(session, tenant, member_client, billing_on,
                                                  online):
    with unscoped(session):
        session.add(Subscription(tenant_id=tenant.id, plan=PlanCode.PRO, status="active"))
        session.commit()
    _start(member_client)
    [request] = billing_on.created("/v1/checkout/sessions")
    assert request.params["subscription_data"]["application_fee_percent"] == "2.5"


def test_paying_records_one_payment_for_the_invoice_period(session, tenant, people,
                                                           member_client, organizer_client,
                                                           billing_on, deliver, online):
    sub_id, events = _pay(member_client, billing_on, deliver)
    [payment] = _dues_payments(session)
    invoice = billing_on.objects_of("invoice")[0]
    line = invoice["lines"]["data"][0]
    assert (payment.member_id, payment.amount_jpy) == (people.member_member.id, 12000)
    assert (payment.method, payment.status) == (PaymentMethod.STRIPE, PaymentStatus.PAID)
    assert payment.stripe_invoice_id == invoice["id"]
    assert payment.stripe_subscription_id == sub_id
    assert payment.stripe_account_id == online
    assert payment.application_fee_jpy == 600
    assert payment.period_start == _local(line["period"]["start"])
    assert payment.period_end == _local(line["period"]["end"]) - timedelta(days=1)
    assert payment.receipt_number and payment.receipt_number.startswith("R-")
    row = _row(session, people.member_member)
    assert (row.stripe_subscription_id, row.status, row.checkout_generation) == (
        sub_id, "active", 1)
    assert row.stripe_customer_id == billing_on.objects[sub_id]["customer"]
    # Replayed, every event is a no-op.
    deliver(*events)
    assert len(_dues_payments(session)) == 1
    page = in_english(member_client).get(PORTAL).get_data(as_text=True)
    assert 'data-dues-state="paid"' in page and "data-dues-cancel" in page
    assert f"paid through {payment.period_end.strftime('%Y/%m/%d')}" in page
    mine = member_client.get("/c/osaka-mixer/payments").get_data(as_text=True)
    assert 'data-my-dues="paid"' in mine and "¥12,000" in mine
    listing = organizer_client.get("/c/osaka-mixer/admin/payments/dues/members")
    html = listing.get_data(as_text=True)
    row_html = html[html.index(f'data-member-id="{people.member_member.id}"'):][:200]
    assert 'data-dues-state="paid"' in row_html
    # A paid-up member is not offered a second subscription.
    response = member_client.post(f"{PORTAL}/checkout")
    assert response.status_code == 303 and response.headers["Location"].endswith(PORTAL)
    assert len(billing_on.objects_of("checkout.session")) == 1


def test_events_in_any_order_leave_one_payment_and_stripes_state(session, people,
                                                                member_client, billing_on,
                                                                deliver, online):
    checkout_id = _start(member_client)
    events = billing_on.complete_checkout(checkout_id)
    deliver(*reversed(events))
    deliver(*events)
    assert len(_dues_payments(session)) == 1
    sub_id = str(billing_on.objects[checkout_id]["subscription"])
    # A renewal fails, then the retry is paid: delivered newest first, the end state is
    # what Stripe says now (active), with one payment per paid invoice.
    failed = billing_on.fail_payment(sub_id)
    paid = billing_on.pay_invoice(sub_id)
    deliver(*paid)
    deliver(*failed)
    assert _row(session, people.member_member).status == "active"
    payments = _dues_payments(session)
    assert len(payments) == 2 and payments[1].amount_jpy == 12000
    assert payments[1].period_start == payments[0].period_end + timedelta(days=1)
    assert len({p.receipt_number for p in payments}) == 2


def test_a_failed_renewal_lapses_after_the_paid_period(session, scoped, tenant, people,
                                                      member_client, organizer_client,
                                                      billing_on, deliver, online):
    sub_id, _events = _pay(member_client, billing_on, deliver)
    [payment] = _dues_payments(session)
    deliver(*billing_on.fail_payment(sub_id))
    assert len(_dues_payments(session)) == 1  # nothing paid, nothing recorded
    row = _row(session, people.member_member)
    assert row.status == "past_due"
    s = scoped(tenant)
    member = people.member_member
    assert pricing.dues_current_ids(s, [member.id], payment.period_end) == {member.id}
    after = payment.period_end + timedelta(days=1)
    assert pricing.dues_current_ids(s, [member.id], after) == set()
    assert dues.state_for(s, s.get(type(member), member.id), after).state == "lapsed"
    page = in_english(member_client).get(PORTAL).get_data(as_text=True)
    assert "data-payment-failed" in page
    listing = in_english(organizer_client).get("/c/osaka-mixer/admin/payments/dues/members")
    assert "The last online payment failed." in listing.get_data(as_text=True)


def test_the_member_cancels_at_period_end(session, tenant, people, member_client, billing_on,
                                          deliver, online):
    sub_id, _events = _pay(member_client, billing_on, deliver)
    response = in_english(member_client).post(f"{PORTAL}/cancel")
    assert response.status_code == 303
    [update] = [r for r in billing_on.requests
                if r.method == "POST" and r.path == f"/v1/subscriptions/{sub_id}"]
    assert update.params == {"cancel_at_period_end": "true"}
    assert update.headers["stripe-account"] == online
    assert update.idempotency_key.startswith(
        f"joren-community-{tenant.id}-dues-{people.member_member.id}-cancel-{sub_id}")
    row = _row(session, people.member_member)
    assert row.cancel_at_period_end and row.status == "active"
    deliver(*billing_on.take_events())
    page = member_client.get(PORTAL).get_data(as_text=True)
    assert "ends at the end of the current period" in page and "data-dues-cancel" not in page
    assert 'data-dues-state="paid"' in page  # still paid up until the period ends
    member_client.post(f"{PORTAL}/cancel")  # again: nothing more is asked of Stripe
    assert len([r for r in billing_on.requests if r.path == f"/v1/subscriptions/{sub_id}"
                and r.method == "POST"]) == 1
    # At the end of the period Stripe ends it: dues lapse, and the member may pay again.
    deliver(billing_on.cancel(sub_id))
    assert _row(session, people.member_member).status == "canceled"
    second = _start(member_client)
    assert second != billing_on.objects_of("checkout.session")[0]["id"]


def test_an_event_about_an_older_subscription_changes_nothing(session, people, member_client,
                                                              billing_on, deliver, online):
    first, _events = _pay(member_client, billing_on, deliver)
    deliver(billing_on.cancel(first))
    billing_on.tick(5)
    second, _events = _pay(member_client, billing_on, deliver)
    assert second != first
    deliver(billing_on.update(first, metadata={"note": "late"}))
    row = _row(session, people.member_member)
    assert (row.stripe_subscription_id, row.status) == (second, "active")
    assert len(_dues_payments(session)) == 2


# -- billing off, not ready ----------------------------------------------------------------

def test_without_keys_the_page_says_so_and_stripe_is_never_called(session, tenant, people,
                                                                  member_client, fake_stripe):
    enable_dues(session, tenant, amount=12000)
    session.commit()
    page = in_english(member_client).get(PORTAL).get_data(as_text=True)
    assert "data-dues-offline" in page and "data-dues-checkout" not in page
    assert "Dues are paid by bank transfer or in cash at a meetup" in page
    response = member_client.post(f"{PORTAL}/checkout")
    assert response.status_code == 303
    assert "Dues cannot be paid online in this community yet." in member_client.get(
        PORTAL).get_data(as_text=True)
    assert member_client.post(f"{PORTAL}/cancel").status_code == 303
    assert fake_stripe.requests == []
    assert _dues_payments(session) == []


def test_an_account_still_onboarding_means_no_online_dues(session, tenant, people,
                                                          organizer_client, member_client,
                                                          billing_on):
    organizer_client.post("/c/osaka-mixer/admin/payments/online/connect")
    enable_dues(session, tenant, amount=12000)
    session.commit()
    before = len(billing_on.requests)
    page = member_client.get(PORTAL).get_data(as_text=True)
    assert "data-dues-offline" in page
    member_client.post(f"{PORTAL}/checkout")
    assert len(billing_on.requests) == before


def test_dues_off_means_nothing_to_pay(session, member_client, people, billing_on, online):
    from joren.tenants.payments.models import DuesSettings

    with unscoped(session):
        session.scalar(select(DuesSettings)).enabled = False
        session.commit()
    page = in_english(member_client).get(PORTAL).get_data(as_text=True)
    assert 'data-dues="off"' in page
    member_client.post(f"{PORTAL}/checkout")
    assert billing_on.created("/v1/checkout/sessions") == []


# -- isolation ----------------------------------------------------------------------------

def test_another_community_never_sees_or_receives_our_dues(session, login, tenant,
                                                           other_tenant, people, member_client,
                                                           billing_on, deliver, online):
    other_owner = login(people.other_owner)
    theirs = onboard(other_owner, session, other_tenant, billing_on, deliver, slug=OTHER_SLUG)
    sub_id, events = _pay(member_client, billing_on, deliver)
    # Their member cannot open our dues pages.
    for method, path in (("get", PORTAL), ("post", f"{PORTAL}/checkout"),
                         ("post", f"{PORTAL}/cancel")):
        assert getattr(other_owner, method)(path).status_code == 403
    assert "12,000" not in other_owner.get("/c/kobe-study/dues").get_data(as_text=True)
    # An event from their account naming our member is ignored (and asks Stripe nothing).
    invoice = dict(billing_on.objects_of("invoice")[0], id="in_forged")
    forged = billing_on.event("invoice.paid", invoice, account=theirs)
    before = len(billing_on.requests)
    deliver(forged)
    assert len(_dues_payments(session)) == 1
    assert len(billing_on.requests) == before
    assert last_event(session).outcome.startswith("ignored")
    assert last_event(session).community_id == other_tenant.id
    with unscoped(session):
        assert session.scalar(select(DuesSubscription).where(
            DuesSubscription.tenant_id == other_tenant.id)) is None
        assert session.scalar(select(DuesSubscription.stripe_subscription_id).where(
            DuesSubscription.tenant_id == tenant.id)) == sub_id
    assert events
