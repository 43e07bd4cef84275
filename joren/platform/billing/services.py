"""Subscribing a community to Pro: Stripe Checkout and the customer portal.

Both calls carry idempotency keys made from committed data only (the community id, the
subscription row's ``checkout_generation``, the day and a hash of the parameters), so a request
or job that crashes after Stripe answered and is tried again gets the same customer and the
same Checkout Session back, never a second one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.platform.billing.events import apply_subscription
from joren.platform.billing.models import ENDED_STATUSES, PlanCode, Subscription
from joren.platform.billing.plans import PRO, effective_plan, subscription_of
from joren.platform.db import utcnow
from joren.platform.identity.community import Community

CHECKOUT_LOCALES = {"ja": "ja", "en": "en"}
PRO_PRODUCT_NAME = "Joren Pro"


class BillingError(Exception):
    """The billing action cannot be done now; ``code`` says why ("already_pro", "no_customer")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Redirect:
    url: str
    stripe_id: str


def ensure_subscription(session: Session, community: Community) -> Subscription:
    """The community's subscription row, created (on Free) when it has none yet."""
    row = subscription_of(session, community)
    if row is None:
        row = Subscription(tenant_id=community.id, plan=PlanCode.FREE, status="")
        session.add(row)
        session.flush()
    return row


def pro_line_item() -> dict[str, object]:
    """Pro as a Checkout line item: JPY is zero-decimal, so ¥4,980 a month is 4980."""
    return {
        "price_data": {
            "currency": "jpy",
            "unit_amount": PRO.price_jpy,
            "recurring": {"interval": "month"},
            "product_data": {"name": PRO_PRODUCT_NAME},
        },
        "quantity": 1,
    }


def ensure_customer(session: Session, community: Community, row: Subscription,
                    email: str) -> str:
    """The community's Stripe customer, created once (idempotently) and remembered."""
    if row.stripe_customer_id:
        return row.stripe_customer_id
    params = {
        "name": community.name,
        "email": email,
        "metadata": {"community_id": str(community.id), "community_slug": community.slug},
    }
    customer = stripe_client.client().v1.customers.create(params, {
        "idempotency_key": stripe_client.idempotency_key(
            "community", community.id, "customer", params=params),
    })
    row.stripe_customer_id = stripe_client.plain(customer)["id"]
    session.flush()
    return row.stripe_customer_id


def start_checkout(session: Session, community: Community, *, email: str, success_url: str,
                   cancel_url: str, language: str = "ja") -> Redirect:
    """Create (or get back) the Checkout Session that subscribes ``community`` to Pro."""
    row = ensure_subscription(session, community)
    if effective_plan(row) == PRO:
        raise BillingError("already_pro")
    customer_id = ensure_customer(session, community, row, email)
    params = {
        "mode": "subscription",
        "customer": customer_id,
        "client_reference_id": str(community.id),
        "line_items": [pro_line_item()],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": CHECKOUT_LOCALES.get(language, "auto"),
        "metadata": {"community_id": str(community.id)},
        "subscription_data": {"metadata": {"community_id": str(community.id)}},
    }
    # Sessions live 24 hours; keyed by the day, a retry never gets back an expired one.
    key = stripe_client.idempotency_key(
        "community", community.id, "checkout", row.checkout_generation,
        utcnow().date().isoformat(), params=params)
    checkout = stripe_client.plain(
        stripe_client.client().v1.checkout.sessions.create(params, {"idempotency_key": key}))
    return Redirect(url=checkout["url"], stripe_id=checkout["id"])


def open_portal(session: Session, community: Community, *, return_url: str,
                language: str = "ja") -> Redirect:
    """A customer portal session (card changes, invoices, cancellation) for the community."""
    row = subscription_of(session, community)
    if row is None or not row.stripe_customer_id:
        raise BillingError("no_customer")
    params = {"customer": row.stripe_customer_id, "return_url": return_url,
              "locale": CHECKOUT_LOCALES.get(language, "auto")}
    # Portal links are short-lived: a retry within the same minute gets the same one.
    key = stripe_client.idempotency_key(
        "community", community.id, "portal", utcnow().strftime("%Y%m%dT%H%M"), params=params)
    portal = stripe_client.plain(
        stripe_client.client().v1.billing_portal.sessions.create(params, {"idempotency_key": key}))
    return Redirect(url=portal["url"], stripe_id=portal["id"])


def live_subscription(session: Session, community: Community) -> Subscription | None:
    """The community's Stripe subscription row while Stripe still bills it, else None."""
    row = subscription_of(session, community)
    if row is None or not row.stripe_subscription_id or row.status in ENDED_STATUSES:
        return None
    return row


def set_cancel_at_period_end(session: Session, community: Community, cancel: bool,
                             reason: str) -> bool:
    """Tell Stripe to end the subscription when the paid period ends (``cancel``), or not to
    any more; the row follows Stripe's answer. False when there is no live subscription.
    ``reason`` keys the idempotency key (e.g. the deletion request's time)."""
    row = live_subscription(session, community)
    if row is None:
        return False
    params = {"cancel_at_period_end": cancel}
    key = stripe_client.idempotency_key("community", community.id, "period-end", reason,
                                        params=params)
    data = stripe_client.plain(stripe_client.client().v1.subscriptions.update(
        row.stripe_subscription_id, params, {"idempotency_key": key}))
    apply_subscription(row, data)
    session.flush()
    return True


def cancel_subscription_now(session: Session, community: Community) -> bool:
    """End the subscription at once (the community is deleted); no refund of the period.
    False when there was none left to end."""
    row = live_subscription(session, community)
    if row is None:
        return False
    data = stripe_client.plain(stripe_client.client().v1.subscriptions.cancel(
        row.stripe_subscription_id, None, {"idempotency_key": stripe_client.idempotency_key(
            "community", community.id, "cancel-subscription", row.stripe_subscription_id)}))
    apply_subscription(row, data)
    session.flush()
    return True
