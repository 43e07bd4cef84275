"""Plan transitions driven by Stripe's webhooks, against the fake Stripe.

Free → Pro (Checkout, then checkout.session.completed, customer.subscription.created and
invoice.paid), Pro updated, a failed payment and its grace period, back to Pro when paid,
cancelled → Free; JPY amounts end to end; events out of order.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.platform.billing.events import GRACE_PERIOD
from joren.platform.billing.models import PlanCode
from joren.platform.billing.plans import FREE, PRO
from joren.platform.db import utcnow
from tests.platform.billing.helpers import plan, row, subscribe, upgrade

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"


def test_a_community_without_a_subscription_is_on_free(app, session, tenant, billing_on):
    assert row(session, tenant) is None
    assert plan(app, session, tenant) == FREE


def test_checkout_asks_stripe_for_4980_jpy_a_month(app, session, tenant, people, owner_client,
                                                   billing_on):
    session_id = upgrade(owner_client, SLUG)
    [create] = billing_on.created("/v1/checkout/sessions")
    assert create.params["mode"] == "subscription"
    assert create.params["line_items"] == [{
        "price_data": {"currency": "jpy", "unit_amount": "4980",
                       "recurring": {"interval": "month"},
                       "product_data": {"name": "Joren Pro"}},
        "quantity": "1",
    }]
    assert create.params["client_reference_id"] == str(tenant.id)
    assert create.params["subscription_data"] == {"metadata": {"community_id": str(tenant.id)}}
    assert create.idempotency_key and create.idempotency_key.startswith(
        f"joren-community-{tenant.id}-checkout-0-")
    checkout = billing_on.objects[session_id]
    assert (checkout["amount_total"], checkout["currency"]) == (4980, "jpy")
    [customer] = billing_on.created("/v1/customers")
    assert customer.params["email"] == "owner@example.jp"
    assert row(session, tenant).stripe_customer_id == checkout["customer"]
    assert plan(app, session, tenant) == FREE  # nothing changes before Stripe says it is paid


def test_free_to_pro_through_checkout_and_webhooks(app, session, tenant, people, owner_client,
                                                   billing_on, deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    sub = row(session, tenant)
    assert (sub.plan, sub.status, sub.stripe_subscription_id) == (PlanCode.PRO, "active", sub_id)
    assert sub.current_period_end is not None and sub.current_period_end > utcnow()
    assert sub.checkout_generation == 1
    assert plan(app, session, tenant) == PRO
    # The subscription Stripe holds is the JPY price end to end.
    [item] = billing_on.objects[sub_id]["items"]["data"]
    assert (item["price"]["unit_amount"], item["price"]["currency"]) == (4980, "jpy")
    invoices = billing_on.objects_of("invoice")
    assert [(i["amount_paid"], i["currency"]) for i in invoices] == [(4980, "jpy")]


def test_pro_updated_to_cancel_at_period_end_keeps_pro_until_then(
        app, session, tenant, people, owner_client, billing_on, deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    deliver(billing_on.update(sub_id, cancel_at_period_end=True))
    sub = row(session, tenant)
    assert sub.cancel_at_period_end is True
    assert plan(app, session, tenant) == PRO


def test_payment_failed_grace_then_free_limits_then_paid_again(
        app, session, tenant, people, owner_client, billing_on, deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    before = utcnow()
    deliver(*billing_on.fail_payment(sub_id))
    sub = row(session, tenant)
    assert sub.status == "past_due" and sub.plan == PlanCode.PRO
    assert before + GRACE_PERIOD <= sub.grace_until <= utcnow() + GRACE_PERIOD
    assert plan(app, session, tenant) == PRO  # during the grace period
    assert plan(app, session, tenant, now=sub.grace_until + timedelta(seconds=1)) == FREE
    # A second failed attempt does not extend the grace period.
    first_grace = sub.grace_until
    deliver(*billing_on.fail_payment(sub_id))
    assert row(session, tenant).grace_until == first_grace
    # The card is updated and the invoice paid: Pro again, the grace period forgotten.
    deliver(*billing_on.pay_invoice(sub_id))
    sub = row(session, tenant)
    assert (sub.status, sub.grace_until) == ("active", None)
    assert plan(app, session, tenant, now=first_grace + timedelta(days=1)) == PRO


def test_cancelled_goes_back_to_free_and_can_subscribe_again(
        app, session, tenant, people, owner_client, billing_on, deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    deliver(billing_on.cancel(sub_id))
    sub = row(session, tenant)
    assert (sub.plan, sub.status) == (PlanCode.FREE, "canceled")
    assert plan(app, session, tenant) == FREE
    # Subscribing again is a new Checkout (a new idempotency key), and a new subscription.
    second = subscribe(owner_client, SLUG, billing_on, deliver)
    assert second != sub_id
    assert len(billing_on.created("/v1/checkout/sessions")) == 2
    assert len({r.idempotency_key for r in billing_on.created("/v1/checkout/sessions")}) == 2
    assert row(session, tenant).stripe_subscription_id == second
    assert plan(app, session, tenant) == PRO


def test_deleted_before_updated_ends_on_free(app, session, tenant, people, owner_client,
                                             billing_on, deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    updated = billing_on.update(sub_id, cancel_at_period_end=True)
    deleted = billing_on.cancel(sub_id)
    deliver(deleted, updated)  # Stripe does not promise order
    sub = row(session, tenant)
    assert (sub.plan, sub.status) == (PlanCode.FREE, "canceled")


def test_an_older_past_due_update_arriving_late_does_not_undo_the_payment(
        app, session, tenant, people, owner_client, billing_on, deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    failed, past_due = billing_on.fail_payment(sub_id)
    paid, active = billing_on.pay_invoice(sub_id)
    deliver(paid, active, past_due, failed)
    sub = row(session, tenant)
    assert (sub.status, sub.grace_until) == ("active", None)
    assert plan(app, session, tenant) == PRO


def test_created_after_completed_and_subscription_events_first(
        app, session, tenant, people, owner_client, billing_on, deliver):
    session_id = upgrade(owner_client, SLUG)
    created, paid, completed = billing_on.complete_checkout(session_id)
    deliver(completed, paid, created)
    sub = row(session, tenant)
    assert (sub.plan, sub.status) == (PlanCode.PRO, "active")
    assert sub.checkout_generation == 1


def test_an_event_about_an_older_subscription_changes_nothing(
        app, session, tenant, people, owner_client, billing_on, deliver):
    first = subscribe(owner_client, SLUG, billing_on, deliver)
    old_cancel = billing_on.cancel(first)
    deliver(old_cancel)
    second = subscribe(owner_client, SLUG, billing_on, deliver)
    # The first subscription's deletion is delivered again later (a new event id, late).
    late = billing_on.event("customer.subscription.deleted", billing_on.objects[first])
    deliver(late)
    sub = row(session, tenant)
    assert (sub.stripe_subscription_id, sub.status) == (second, "active")


def test_events_for_unknown_subscriptions_or_other_modes_are_recorded_and_ignored(
        app, session, tenant, people, billing_on, deliver):
    from sqlalchemy import select

    from joren.platform.billing.models import StripeEvent

    payment = billing_on.event("checkout.session.completed", {
        "id": "cs_test_payment", "object": "checkout.session", "mode": "payment",
        "metadata": {}, "customer": None, "subscription": None})
    other = billing_on.event("charge.refunded", {"id": "ch_1", "object": "charge"})
    deliver(payment, other)
    outcomes = dict(session.execute(select(StripeEvent.type, StripeEvent.outcome)).all())
    assert outcomes == {"checkout.session.completed": "ignored: not a subscription checkout",
                        "charge.refunded": "ignored: not a billing event"}
    assert row(session, tenant) is None


def test_invoice_events_in_the_older_api_shape_and_without_metadata(
        app, session, tenant, people, owner_client, billing_on, deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    billing_on.objects[sub_id]["status"] = "past_due"
    old_shape = billing_on.event("invoice.payment_failed", {
        "id": "in_old", "object": "invoice", "subscription": sub_id,
        "customer": billing_on.objects[sub_id]["customer"]})
    deliver(old_shape)  # found through the subscription id Joren stored
    assert row(session, tenant).status == "past_due"


def test_a_subscription_known_only_to_stripe_is_matched_by_its_metadata(
        app, session, tenant, people, billing_on, deliver):
    sub = {"id": "sub_elsewhere", "object": "subscription", "customer": "cus_elsewhere",
           "status": "active", "created": billing_on.clock, "cancel_at_period_end": False,
           "metadata": {"community_id": str(tenant.id)}, "items": {"data": []}}
    billing_on.objects[sub["id"]] = sub
    bare = billing_on.event("invoice.paid", {"id": "in_bare", "object": "invoice",
                                             "subscription": "sub_elsewhere"})
    deliver(bare)
    assert (row(session, tenant).plan, row(session, tenant).status) == (PlanCode.PRO, "active")


def test_a_subscription_of_no_community_here_is_ignored(app, session, tenant, people,
                                                        billing_on, deliver):
    from sqlalchemy import select

    from joren.platform.billing.models import StripeEvent

    sub = {"id": "sub_foreign", "object": "subscription", "customer": "cus_foreign",
           "status": "active", "created": billing_on.clock, "metadata": {"community_id": "999999"},
           "items": {"data": []}}
    billing_on.objects[sub["id"]] = sub
    deliver(billing_on.event("customer.subscription.updated", sub))
    stored = session.scalar(select(StripeEvent))
    assert stored.processed_at is not None and stored.outcome.startswith("ignored:")
    assert row(session, tenant) is None
