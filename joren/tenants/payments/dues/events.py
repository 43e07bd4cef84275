"""Dues paid by a Stripe subscription on the organizer's connected account: the Connect webhooks.

- ``checkout.session.completed`` (purpose "dues", dispatched by the Connect checkout handler
  to ``on_checkout_session``): links the member's subscription and syncs it.
- ``customer.subscription.created/updated/deleted`` and ``invoice.payment_failed``: the job
  locks the community (``connect.bind_event``), *retrieves* the subscription from the connected
  account and applies Stripe's current state, so late or shuffled events leave the right final
  state; an event about an older subscription than the member's current one changes nothing.
- ``invoice.paid``: one DUES payment per invoice (``stripe_invoice_id`` is unique per community,
  so a replay records nothing), for the amount paid (JPY), covering the invoice line's period as
  local dates of the community (the end is exclusive in Stripe, inclusive here).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.platform.billing.events import fetch_subscription, period_end, register_connect_handler
from joren.platform.db import utcnow
from joren.platform.identity.community import Community, community_of
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.payments import pricing
from joren.tenants.payments.connect import services as connect
from joren.tenants.payments.dues.services import (
    PURPOSE,
    RUNNING_STATUSES,
    DuesError,
    subscription_of,
)
from joren.tenants.payments.models import (
    DuesSubscription,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from joren.tenants.payments.services import next_receipt_number

log = logging.getLogger("joren.payments")

SUBSCRIPTION_EVENTS = ("customer.subscription.created", "customer.subscription.updated",
                       "customer.subscription.deleted")


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC) if value is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _metadata(*objects: Any) -> dict[str, Any]:
    """The first dues metadata among ``objects`` ({} when none says purpose "dues")."""
    for obj in objects:
        metadata = (obj or {}).get("metadata") if isinstance(obj, dict) else None
        if isinstance(metadata, dict) and metadata.get("purpose") == PURPOSE:
            return metadata
    return {}


def _member_from(session: Session, metadata: dict[str, Any]) -> Member | None:
    """The member the metadata names, if it is about this community."""
    community_id, member_id = (str(metadata.get("community_id") or ""),
                               str(metadata.get("member_id") or ""))
    if not (community_id.isdigit() and member_id.isdigit()
            and int(community_id) == current_tenant_id(session)):
        return None
    return session.scalar(select(Member).where(Member.id == int(member_id)))


def apply_subscription(row: DuesSubscription, data: dict[str, Any],
                       now: datetime | None = None) -> str:
    """Make the member's row say what Stripe's subscription ``data`` says."""
    created = _timestamp(data.get("created"))
    if (row.stripe_subscription_id and row.stripe_subscription_id != data.get("id")
            and row.subscription_created_at is not None and created is not None
            and created <= row.subscription_created_at):
        return f"ignored: {data.get('id')} is older than {row.stripe_subscription_id}"
    row.stripe_subscription_id = str(data["id"])
    row.subscription_created_at = created or row.subscription_created_at
    row.stripe_customer_id = _id_of(data.get("customer")) or row.stripe_customer_id
    row.status = str(data.get("status") or "")[:30]
    row.current_period_end = period_end(data)
    row.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
    row.synced_at = now or utcnow()
    return f"dues of member {row.member_id}: {row.status}"


def _row_for(session: Session, subscription_id: str | None,
             *objects: Any) -> DuesSubscription | None:
    """The member's dues subscription row: by the Stripe id, else by the dues metadata (the
    row is created then); None when the subscription is not about dues here."""
    if subscription_id:
        row = session.scalar(select(DuesSubscription).where(
            DuesSubscription.stripe_subscription_id == subscription_id))
        if row is not None:
            return row
    member = _member_from(session, _metadata(*objects))
    if member is None:
        return None
    row = subscription_of(session, member.id)
    if row is None:
        row = DuesSubscription(member_id=member.id, status="", checkout_generation=0,
                               cancel_at_period_end=False)
        session.add(row)
        session.flush()
    return row


def _sync(session: Session, account_id: str, subscription_id: str | None,
          *hints: Any) -> tuple[DuesSubscription | None, dict[str, Any] | None, str]:
    if not subscription_id:
        return None, None, "ignored: no subscription"
    row = _row_for(session, subscription_id, *hints)
    data = None
    if row is None and not _metadata(*hints):
        # Not ours by the event alone: the subscription itself may say it is for dues.
        data = fetch_subscription(subscription_id, account_id)
        row = _row_for(session, subscription_id, data)
    if row is None:
        return None, None, f"ignored: {subscription_id} is not for dues here"
    # Retrieved once the community is locked: the job that commits last fetched last.
    data = fetch_subscription(subscription_id, account_id) if data is None else data
    return row, data, apply_subscription(row, data)


def _bind(session: Session, row: Any) -> Any:
    return connect.bind_event(session, row)


def on_subscription(session: Session, row: Any, obj: dict[str, Any]) -> str:
    account = _bind(session, row)
    if account is None:
        return f"ignored: {row.account} belongs to no community here"
    return _sync(session, account.stripe_account_id, _id_of(obj.get("id")), obj)[2]


def _invoice_subscription(obj: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    subscription_id = _id_of(obj.get("subscription")) or _id_of(details.get("subscription"))
    return subscription_id, details


def _invoice_period(obj: dict[str, Any],
                    data: dict[str, Any] | None) -> tuple[datetime | None, datetime | None]:
    """The service period the invoice paid for: its subscription lines' period, else the
    subscription's current period."""
    starts, ends = [], []
    for line in ((obj.get("lines") or {}).get("data") or []):
        period = line.get("period") or {}
        start, end = _timestamp(period.get("start")), _timestamp(period.get("end"))
        if start and end and end > start:
            starts.append(start)
            ends.append(end)
    if starts:
        return min(starts), max(ends)
    if data:
        items = (data.get("items") or {}).get("data") or []
        start = _timestamp(data.get("current_period_start")) or _timestamp(
            min((i.get("current_period_start") for i in items
                 if i.get("current_period_start")), default=None))
        return start, period_end(data)
    return None, None


def on_invoice_paid(session: Session, row: Any, obj: dict[str, Any]) -> str:
    account = _bind(session, row)
    if account is None:
        return f"ignored: {row.account} belongs to no community here"
    invoice_id = _id_of(obj.get("id"))
    subscription_id, details = _invoice_subscription(obj)
    sub, data, outcome = _sync(session, account.stripe_account_id, subscription_id, details,
                               obj)
    if sub is None or not invoice_id:
        return outcome
    existing = session.scalar(select(Payment.id).where(Payment.stripe_invoice_id == invoice_id))
    if existing is not None:
        return f"{outcome}; invoice {invoice_id} already recorded"
    amount = int(obj.get("amount_paid") or 0)
    if amount <= 0 or str(obj.get("currency") or "jpy").lower() != "jpy":
        return f"{outcome}; invoice {invoice_id}: nothing paid in JPY"
    zone = community_of(session).zone
    start, end = _invoice_period(obj, data)
    paid_at = (_timestamp((obj.get("status_transitions") or {}).get("paid_at"))
               or row.event_created_at or utcnow())
    period_start = pricing.local_date(start or paid_at, zone)
    period_end = (pricing.local_date(end, zone) - timedelta(days=1)) if end else period_start
    payment = Payment(
        member_id=sub.member_id, meetup_id=None, kind=PaymentKind.DUES, amount_jpy=amount,
        method=PaymentMethod.STRIPE, status=PaymentStatus.PAID, paid_at=paid_at,
        stripe_account_id=account.stripe_account_id, stripe_invoice_id=invoice_id[:255],
        stripe_subscription_id=subscription_id,
        application_fee_jpy=int(obj.get("application_fee_amount") or 0),
        period_start=period_start, period_end=max(period_end, period_start),
        receipt_number=next_receipt_number(session, pricing.local_date(paid_at, zone).year),
    )
    session.add(payment)
    session.flush()
    return f"{outcome}; invoice {invoice_id}: ¥{amount} recorded"


def on_invoice_failed(session: Session, row: Any, obj: dict[str, Any]) -> str:
    account = _bind(session, row)
    if account is None:
        return f"ignored: {row.account} belongs to no community here"
    subscription_id, details = _invoice_subscription(obj)
    return _sync(session, account.stripe_account_id, subscription_id, details, obj)[2]


def on_checkout_session(session: Session, row: Any, obj: dict[str, Any]) -> str:
    """A dues Checkout completed (or expired) on a connected account."""
    account = _bind(session, row)
    if account is None:
        return f"ignored: {row.account} belongs to no community here"
    member = _member_from(session, _metadata(obj))
    if member is None:
        return "ignored: dues checkout for no member here"
    dues_row = _row_for(session, None, obj)
    assert dues_row is not None
    if row.type == "checkout.session.expired":
        dues_row.checkout_generation += 1  # the next Checkout is a new one
        return f"dues of member {member.id}: checkout expired"
    if row.type != "checkout.session.completed" or obj.get("mode") != "subscription":
        return f"ignored: {row.type} for dues"
    dues_row.stripe_customer_id = _id_of(obj.get("customer")) or dues_row.stripe_customer_id
    dues_row.checkout_generation += 1
    subscription_id = _id_of(obj.get("subscription"))
    if not subscription_id:
        return f"dues of member {member.id}: checkout completed without a subscription"
    return apply_subscription(dues_row,
                              fetch_subscription(subscription_id, account.stripe_account_id))


def register_events() -> None:
    for name in SUBSCRIPTION_EVENTS:
        register_connect_handler(name, on_subscription)
    register_connect_handler("invoice.paid", on_invoice_paid)
    register_connect_handler("invoice.payment_failed", on_invoice_failed)


def cancel_at_period_end(session: Session, community: Community, member: Member) -> str:
    """Ask Stripe to end the member's dues subscription when the paid period ends."""
    from joren.tenants.payments.connect import services as connect
    row = subscription_of(session, member.id)
    if row is None or not row.stripe_subscription_id or row.status not in RUNNING_STATUSES:
        raise DuesError("no_subscription")
    if row.cancel_at_period_end:
        return "already"
    account = connect.account_for(session)
    if account is None or not stripe_client.billing_configured():
        raise DuesError("offline")
    params = {"cancel_at_period_end": True}
    key = stripe_client.idempotency_key("community", community.id, "dues", member.id, "cancel",
                                        row.stripe_subscription_id, params=params)
    data = stripe_client.plain(stripe_client.client().v1.subscriptions.update(
        row.stripe_subscription_id, params,
        {"stripe_account": account.stripe_account_id, "idempotency_key": key}))
    return apply_subscription(row, data)
