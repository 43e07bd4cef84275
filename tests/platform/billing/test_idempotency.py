"""Every Stripe create carries an idempotency key made from committed data: work retried after
a crash gets Stripe's stored answer and creates nothing twice (the fake honours keys as
Stripe does)."""

from __future__ import annotations

import pytest

from joren.platform.billing import services
from joren.platform.billing.plans import subscription_of
from tests.stripe_fake import FakeStripe


def _checkout(session, tenant):  # type: ignore[no-untyped-def]
    return services.start_checkout(
        session, tenant, email="owner@example.jp",
        success_url="http://localhost/c/osaka-mixer/admin/billing?checkout=success",
        cancel_url="http://localhost/c/osaka-mixer/admin/billing?checkout=cancelled",
        language="ja")


def test_a_retry_after_a_crash_creates_no_second_customer_or_checkout(
        app_ctx, scoped, tenant, billing_on: FakeStripe):
    crashed = scoped(tenant)
    first = _checkout(crashed, tenant)
    crashed.rollback()  # the process died after Stripe answered: nothing was committed
    assert subscription_of(crashed, tenant) is None

    retry = scoped(tenant)
    second = _checkout(retry, tenant)
    retry.commit()
    assert second == first
    assert len(billing_on.objects_of("customer")) == 1
    assert len(billing_on.objects_of("checkout.session")) == 1
    for path in ("/v1/customers", "/v1/checkout/sessions"):
        attempts = [r for r in billing_on.requests if r.path == path]
        assert len(attempts) == 2
        assert attempts[0].idempotency_key == attempts[1].idempotency_key
        assert [r.replayed for r in attempts] == [False, True]
    # Once the customer id is committed, a later Checkout does not ask for a customer again.
    _checkout(retry, tenant)
    assert len([r for r in billing_on.requests if r.path == "/v1/customers"]) == 2


def test_the_fake_refuses_a_reused_key_with_other_parameters(app_ctx, billing_on: FakeStripe):
    import stripe

    from joren.platform.billing.stripe_client import client

    stripe_client = client()
    stripe_client.v1.customers.create({"email": "a@example.jp"}, {"idempotency_key": "k1"})
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.customers.create({"email": "b@example.jp"}, {"idempotency_key": "k1"})
    assert len(billing_on.objects_of("customer")) == 1


def test_another_language_is_another_checkout_not_an_idempotency_error(
        app_ctx, scoped, tenant, billing_on: FakeStripe):
    s = scoped(tenant)
    _checkout(s, tenant)
    english = services.start_checkout(
        s, tenant, email="owner@example.jp", success_url="http://localhost/s",
        cancel_url="http://localhost/c", language="en")
    assert english.url
    keys = [r.idempotency_key for r in billing_on.created("/v1/checkout/sessions")]
    assert len(set(keys)) == 2


def test_the_portal_is_asked_for_with_an_idempotency_key(app_ctx, scoped, tenant,
                                                         billing_on: FakeStripe):
    s = scoped(tenant)
    with pytest.raises(services.BillingError):
        services.open_portal(s, tenant, return_url="http://localhost/back")
    _checkout(s, tenant)
    portal = services.open_portal(s, tenant, return_url="http://localhost/back", language="en")
    assert portal.url.endswith(portal.stripe_id)
    [request] = billing_on.created("/v1/billing_portal/sessions")
    assert request.idempotency_key.startswith(f"joren-community-{tenant.id}-portal-")
    assert request.params == {"customer": subscription_of(s, tenant).stripe_customer_id,
                              "return_url": "http://localhost/back", "locale": "en"}
