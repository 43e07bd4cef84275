"""Checkout events of the organizers' connected accounts (Stripe Connect).

``checkout.session.completed`` / ``async_payment_succeeded`` / ``async_payment_failed`` /
``expired``: the Session's ``metadata.purpose`` says whose it is — ``meetup_fee`` (a member
paying a meetup, ``online``) or ``dues`` (membership dues, ``dues``). The event only says *which*
Session changed: the handler binds the event to the community owning the account (locked),
retrieves the Session from Stripe and applies what it says now, so replays and events arriving
out of order leave Stripe's final state.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing.events import register_connect_handler
from joren.platform.billing.models import StripeEvent
from joren.tenants.payments.connect import services as connect
from joren.tenants.payments.dues import events as dues_events
from joren.tenants.payments.models import Payment, PaymentKind
from joren.tenants.payments.online import sync as online_sync
from joren.tenants.payments.online.sessions import PURPOSE, retrieve

log = logging.getLogger("joren.payments")

CHECKOUT_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded",
                   "checkout.session.async_payment_failed", "checkout.session.expired")


def _payment_for(session: Session, obj: dict[str, Any]) -> Payment | None:
    """The meetup-fee payment the Session names (in the bound community only)."""
    raw = str((obj.get("metadata") or {}).get("payment_id") or "")
    query = select(Payment).where(Payment.kind == PaymentKind.MEETUP_FEE)
    if raw.isdigit() and len(raw) < 18:
        query = query.where(Payment.id == int(raw))
    elif isinstance(obj.get("id"), str):
        query = query.where(Payment.stripe_checkout_session_id == obj["id"])
    else:
        return None
    return session.scalar(query)


def on_meetup_fee(session: Session, row: StripeEvent, obj: dict[str, Any]) -> str:
    account = connect.bind_event(session, row)
    if account is None:
        return f"ignored: {row.account} belongs to no community here"
    payment = _payment_for(session, obj)
    if payment is None:
        return f"ignored: {obj.get('id')} is no payment of community {account.tenant_id}"
    if payment.stripe_account_id != row.account:
        return f"mismatch: {row.account} is not the account of payment {payment.id}"
    # Whatever the event says, Stripe's Session as it is now decides.
    data = retrieve(payment, str(obj.get("id") or payment.stripe_checkout_session_id))
    return online_sync.reconcile(session, payment, data, account=row.account)


def on_checkout_session(session: Session, row: StripeEvent, obj: dict[str, Any]) -> str:
    purpose = (obj.get("metadata") or {}).get("purpose")
    if purpose == PURPOSE:
        return on_meetup_fee(session, row, obj)
    if purpose == "dues":
        return str(dues_events.on_checkout_session(session, row, obj))
    return f"ignored: checkout for {purpose or 'nothing Joren knows'}"


def register_events() -> None:
    for event_type in CHECKOUT_EVENTS:
        register_connect_handler(event_type, on_checkout_session)
