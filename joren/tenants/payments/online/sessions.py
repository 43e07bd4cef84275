"""Stripe's side of a meetup fee's Checkout: the Session as Stripe holds it now, closing it, and
the payments it concerns. Both the pay step (``online.services``) and what Stripe says
(``online.sync``) build on this."""

from __future__ import annotations

import contextlib
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.tenants.meetups.models import Registration
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus

PURPOSE = "meetup_fee"
EXPIRE_JOB = "joren.workers.payment_jobs.expire_checkout"


def open_payment(session: Session, registration: Registration) -> Payment | None:
    """The registration's PENDING online payment (its Checkout may still be open)."""
    return session.scalar(
        select(Payment).where(Payment.registration_id == registration.id,
                              Payment.status == PaymentStatus.PENDING,
                              Payment.method == PaymentMethod.STRIPE)
        .order_by(Payment.id.desc()).limit(1)
        .execution_options(populate_existing=True))


def paid_payment(session: Session, meetup_id: int, member_id: int,
                 other_than: int | None = None) -> Payment | None:
    query = select(Payment).where(Payment.meetup_id == meetup_id, Payment.member_id == member_id,
                                  Payment.kind == PaymentKind.MEETUP_FEE,
                                  Payment.status == PaymentStatus.PAID)
    if other_than is not None:
        query = query.where(Payment.id != other_than)
    return session.scalar(query.order_by(Payment.id.desc()).limit(1))


def options(payment: Payment, *key: object) -> dict[str, Any]:
    """Stripe request options: the organizer's account, and an idempotency key when given."""
    found: dict[str, Any] = {"stripe_account": payment.stripe_account_id}
    if key:
        found["idempotency_key"] = stripe_client.idempotency_key(
            "community", payment.tenant_id, "payment", payment.id, *key)
    return found


def retrieve(payment: Payment, session_id: str | None = None) -> dict[str, Any]:
    """Stripe's Checkout Session of ``payment`` now, with its PaymentIntent."""
    return stripe_client.plain(stripe_client.client().v1.checkout.sessions.retrieve(
        session_id or str(payment.stripe_checkout_session_id),
        {"expand": ["payment_intent"]}, options(payment)))


def expire_session(payment: Payment) -> dict[str, Any]:
    """Close an open Checkout so it can no longer be paid; returns the Session as it is now."""
    # No longer open (just paid, or already expired): what it is now is fetched below.
    with contextlib.suppress(stripe.InvalidRequestError):
        stripe_client.client().v1.checkout.sessions.expire(
            str(payment.stripe_checkout_session_id), None, options(payment, "expire"))
    return retrieve(payment)
