"""Stripe events: stored once when the webhook receives them, applied once by a job.

Exactly once: the event id is unique in ``stripe_events``, so a replay or a duplicate delivery
stores nothing and enqueues nothing; the job locks the row and skips it once processed.

Out of order: the event only says *which* subscription changed. The job locks the community's
row, then fetches that subscription from Stripe and applies its current state, so however late
or shuffled the events arrive, the last one processed leaves what Stripe holds now. An event
about an older subscription (created before the one the community has) changes nothing.

Connect: an event of an organizer's connected account carries ``account``; it goes to the
handler its feature registered with ``register_connect_handler`` (never to the subscription
handlers below), or is recorded as ignored.

Grace period: when Stripe reports the subscription past due (a payment failed), Pro stays on
for ``GRACE_PERIOD`` from the moment Joren first sees it; then the community is held to the Free
limits (nothing is deleted) until a payment succeeds or the subscription ends.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.platform.billing.models import (
    ENDED_STATUSES,
    GRACE_STATUSES,
    PAID_STATUSES,
    PlanCode,
    StripeEvent,
    Subscription,
)
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.jobs import enqueue_after_commit
from joren.platform.tenancy import set_tenant, unscoped

log = logging.getLogger("joren.billing")

PROCESS_JOB = "joren.workers.billing_jobs.process_event"
GRACE_PERIOD = timedelta(days=7)
SUBSCRIPTION_EVENTS = ("customer.subscription.created", "customer.subscription.updated",
                       "customer.subscription.deleted")
INVOICE_EVENTS = ("invoice.paid", "invoice.payment_failed")


class BadEvent(ValueError):
    """The webhook body is not a Stripe event."""


def _timestamp(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def parse_event(payload: str) -> dict[str, Any]:
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise BadEvent("not JSON") from exc
    if not isinstance(event, dict) or event.get("object") != "event":
        raise BadEvent("not an event")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise BadEvent("no id or type")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise BadEvent("no data.object")
    try:
        _timestamp(event.get("created"))
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadEvent("no created") from exc
    return event


def store_event(session: Session, payload: str, event: dict[str, Any]) -> StripeEvent | None:
    """Store a verified event and enqueue its processing; None if it was already stored."""
    if session.scalar(select(StripeEvent.id).where(StripeEvent.stripe_event_id == event["id"])):
        return None
    row = StripeEvent(
        stripe_event_id=event["id"][:255], type=event["type"][:100],
        event_created_at=_timestamp(event["created"]), livemode=bool(event.get("livemode")),
        account=event.get("account") if isinstance(event.get("account"), str) else None,
        payload=payload,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None  # the same event, delivered twice at the same moment
    enqueue_after_commit(session, PROCESS_JOB, row.id)
    return row


def process_event(session: Session, event_row_id: int) -> str | None:
    """Apply one stored event, once. Returns what happened (also kept in ``outcome``)."""
    row = session.scalar(
        select(StripeEvent).where(StripeEvent.id == event_row_id).with_for_update()
    )
    if row is None or row.processed_at is not None:
        return None
    row.attempts += 1
    obj = json.loads(row.payload)["data"]["object"]
    if row.account:
        # An event of an organizer's connected account: never one of Joren's own subscription.
        handler = CONNECT_HANDLERS.get(row.type)
        outcome = (handler(session, row, obj) if handler
                   else f"ignored: {row.type} of a connected account is not handled")
    else:
        handler = HANDLERS.get(row.type)
        outcome = handler(session, row, obj) if handler else "ignored: not a billing event"
    row.processed_at = utcnow()
    row.outcome = outcome[:200]
    row.last_error = ""
    session.flush()
    return outcome


def record_failure(session: Session, event_row_id: int, error: str) -> None:
    row = session.get(StripeEvent, event_row_id)
    if row is not None and row.processed_at is None:
        row.attempts += 1
        row.last_error = error[:2000]


def unprocessed(session: Session, older_than: timedelta = timedelta(minutes=2),
                limit: int = 500) -> list[int]:
    """Events stored but not processed (their job was lost): the sweep enqueues them again."""
    cutoff = utcnow() - older_than
    return list(session.scalars(
        select(StripeEvent.id)
        .where(StripeEvent.processed_at.is_(None), StripeEvent.received_at < cutoff)
        .order_by(StripeEvent.received_at).limit(limit)
    ))


# -- handlers ----------------------------------------------------------------------------

def _id_of(value: Any) -> str | None:
    """An id from a field that is either the id itself or the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _community_from_metadata(*objects: dict[str, Any] | None) -> int | None:
    for obj in objects:
        metadata = (obj or {}).get("metadata") or {}
        value = metadata.get("community_id") if isinstance(metadata, dict) else None
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _community_from_ids(session: Session, subscription_id: str | None,
                        customer_id: str | None) -> int | None:
    with unscoped(session):
        for column, value in ((Subscription.stripe_subscription_id, subscription_id),
                              (Subscription.stripe_customer_id, customer_id)):
            if value:
                found = session.scalar(select(Subscription.tenant_id).where(column == value))
                if found is not None:
                    return int(found)
    return None


def _bind(session: Session, row: StripeEvent, community_id: int | None) -> Subscription | None:
    """Scope the job's session to the event's community, lock the community (so two events of
    one community are applied one after the other) and return its subscription row."""
    if community_id is None or session.scalar(
            select(Community.id).where(Community.id == community_id).with_for_update()) is None:
        return None
    set_tenant(session, community_id)
    row.community_id = community_id
    sub = session.scalar(select(Subscription))
    if sub is None:
        sub = Subscription(tenant_id=community_id, plan=PlanCode.FREE, status="")
        session.add(sub)
        session.flush()
    return sub


def fetch_subscription(subscription_id: str, account: str | None = None) -> dict[str, Any]:
    """Stripe's subscription now (on a connected ``account`` when given)."""
    options = {"stripe_account": account} if account else None
    return stripe_client.plain(stripe_client.client().v1.subscriptions.retrieve(
        subscription_id, None, options))


def period_end(data: dict[str, Any]) -> datetime | None:
    """The end of a Stripe subscription's current period."""
    value = data.get("current_period_end")
    if value is None:  # newer API versions keep the period on the subscription items
        items = (data.get("items") or {}).get("data") or []
        ends = [i.get("current_period_end") for i in items if i.get("current_period_end")]
        value = max(ends) if ends else None
    return _timestamp(value) if value is not None else None


def apply_subscription(sub: Subscription, data: dict[str, Any],
                       now: datetime | None = None) -> str:
    """Make the row say what Stripe's subscription ``data`` says (see the module docstring)."""
    now = now or utcnow()
    created = _timestamp(data["created"])
    if (sub.stripe_subscription_id and sub.stripe_subscription_id != data["id"]
            and sub.subscription_created_at is not None
            and created <= sub.subscription_created_at):
        return f"ignored: {data['id']} is older than {sub.stripe_subscription_id}"
    status = str(data.get("status") or "")
    sub.stripe_subscription_id = data["id"]
    sub.subscription_created_at = created
    sub.stripe_customer_id = _id_of(data.get("customer")) or sub.stripe_customer_id
    sub.status = status
    sub.plan = PlanCode.FREE if status in ENDED_STATUSES else PlanCode.PRO
    sub.current_period_end = period_end(data)
    sub.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
    if status in GRACE_STATUSES:
        if sub.grace_until is None:
            sub.grace_until = now + GRACE_PERIOD
    elif status in PAID_STATUSES or status in ENDED_STATUSES:
        sub.grace_until = None
    sub.synced_at = now
    return f"community {sub.tenant_id}: {sub.plan} {status}"


def _sync(session: Session, row: StripeEvent, subscription_id: str | None,
          hint: dict[str, Any] | None, customer_id: str | None) -> str:
    if not subscription_id:
        return "ignored: no subscription"
    community_id = (_community_from_metadata(hint)
                    or _community_from_ids(session, subscription_id, customer_id))
    if community_id is None:
        community_id = _community_from_metadata(fetch_subscription(subscription_id))
    sub = _bind(session, row, community_id)
    if sub is None:
        return f"ignored: {subscription_id} belongs to no community here"
    # Fetched once the community is locked: of two jobs, the one that commits last also
    # fetched last, so the newest state is the one that stays.
    return apply_subscription(sub, fetch_subscription(subscription_id))


def on_checkout_completed(session: Session, row: StripeEvent, obj: dict[str, Any]) -> str:
    if obj.get("mode") != "subscription":
        return "ignored: not a subscription checkout"
    community_id = _community_from_metadata(obj)
    if community_id is None and str(obj.get("client_reference_id") or "").isdigit():
        community_id = int(obj["client_reference_id"])
    sub = _bind(session, row, community_id)
    if sub is None:
        return "ignored: checkout for no community here"
    sub.stripe_customer_id = _id_of(obj.get("customer")) or sub.stripe_customer_id
    sub.checkout_generation += 1  # the next Checkout is a new one
    subscription_id = _id_of(obj.get("subscription"))
    if not subscription_id:
        return f"community {sub.tenant_id}: checkout completed without a subscription"
    return apply_subscription(sub, fetch_subscription(subscription_id))


def on_subscription(session: Session, row: StripeEvent, obj: dict[str, Any]) -> str:
    return _sync(session, row, _id_of(obj.get("id")), obj, _id_of(obj.get("customer")))


def _invoice_subscription(obj: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    details = ((obj.get("parent") or {}).get("subscription_details") or {})
    subscription_id = _id_of(obj.get("subscription")) or _id_of(details.get("subscription"))
    return subscription_id, details


def on_invoice(session: Session, row: StripeEvent, obj: dict[str, Any]) -> str:
    subscription_id, details = _invoice_subscription(obj)
    return _sync(session, row, subscription_id, details, _id_of(obj.get("customer")))


Handler = Callable[[Session, StripeEvent, dict[str, Any]], str]

# Events about Joren's own subscriptions (no ``account`` on the event).
HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": on_checkout_completed,
    **{name: on_subscription for name in SUBSCRIPTION_EVENTS},
    **{name: on_invoice for name in INVOICE_EVENTS},
}

# Events of the organizers' connected accounts (Stripe Connect: the event names the account),
# registered by the features that handle them (each module's ``register_events()``).
CONNECT_HANDLERS: dict[str, Handler] = {}


def _name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


def register_connect_handler(event_type: str, fn: Handler) -> None:
    """Route connected-account events of ``event_type`` to ``fn(session, row, obj) -> outcome``.

    Registering the same function again is a no-op (``create_app`` runs once per app); a second,
    different handler for one type is a wiring mistake and raises.
    """
    current = CONNECT_HANDLERS.get(event_type)
    if current is not None and _name(current) != _name(fn):
        raise ValueError(f"{event_type} is already handled by {_name(current)}")
    CONNECT_HANDLERS[event_type] = fn
