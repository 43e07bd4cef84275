"""What Stripe says about a meetup fee's Checkout, applied: paid → going (with a receipt), expired
→ the hold released; a payment after the hold was released takes a free seat or is refunded in
full, a second payment for a fee already paid is refunded. ``reconcile`` is idempotent and works
from the Session as Stripe holds it *now* (retrieved by the caller), so webhooks arriving twice or
out of order, the expiry sweep and the "paid" page can all call it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.language import recipient_language
from joren.platform.urls import external_url
from joren.tenants.meetups.models import HOLDS, Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations.emails import send
from joren.tenants.meetups.registrations.holds import confirm_paid
from joren.tenants.meetups.registrations.seats import (
    lock_meetup,
    seat_decision,
)
from joren.tenants.meetups.registrations.waitlist import release_hold
from joren.tenants.payments import receipts, refunds
from joren.tenants.payments import services as payment_services
from joren.tenants.payments.models import Payment, PaymentMethod, PaymentStatus
from joren.tenants.payments.online.sessions import (
    EXPIRE_JOB,
    expire_session,
    paid_payment,
    retrieve,
)

log = logging.getLogger("joren.payments")


# -- what Stripe says ------------------------------------------------------------------------

def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def mismatch(payment: Payment, data: dict[str, Any], account: str | None) -> str | None:
    """Why Stripe's Session cannot be this payment's, or None when it matches."""
    if payment.stripe_checkout_session_id and data.get("id") != payment.stripe_checkout_session_id:
        return f"session {data.get('id')} is not {payment.stripe_checkout_session_id}"
    if str((data.get("metadata") or {}).get("payment_id")) != str(payment.id):
        return "metadata names another payment"
    if str(data.get("currency") or "").lower() != "jpy":
        return f"currency {data.get('currency')}"
    if int(data.get("amount_total") or 0) != payment.amount_jpy:
        return f"amount {data.get('amount_total')} != {payment.amount_jpy}"
    if account is not None and account != payment.stripe_account_id:
        return f"account {account} != {payment.stripe_account_id}"
    return None


def reconcile(session: Session, payment: Payment, data: dict[str, Any], *,
              account: str | None = None, now: datetime | None = None,
              release: bool = True) -> str:
    """Make ``payment`` (and its registration) say what Stripe's Session ``data`` says now.
    Idempotent; the session must be scoped to the payment's community. ``release=False``: an
    expired Checkout leaves the seat hold to the caller (the expiry sweep)."""
    now = now or utcnow()
    problem = mismatch(payment, data, account)
    if problem:
        log.warning("payment %s: Stripe session does not match: %s", payment.id, problem)
        return f"mismatch: {problem}"
    if payment.stripe_checkout_session_id is None:
        payment.stripe_checkout_session_id = str(data["id"])
        session.flush()
    status, paid = data.get("status"), data.get("payment_status")
    if status == "complete" and paid in ("paid", "no_payment_required"):
        return _paid(session, payment, data, now)
    if status == "expired" or _failed(data):
        return _expired(session, payment, now, release)
    return f"payment {payment.id}: session {status}, {paid}"


def _community(session: Session, payment: Payment) -> Community:
    community = session.get(Community, payment.tenant_id)
    assert community is not None
    return community


def _paid(session: Session, payment: Payment, data: dict[str, Any], now: datetime) -> str:
    meetup = lock_meetup(session, int(payment.meetup_id or 0))
    session.refresh(payment)  # under the lock: whoever got here first already applied it
    if payment.status in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        return f"payment {payment.id}: already {payment.status.value}"
    registration = session.scalar(select(Registration).where(
        Registration.id == payment.registration_id).execution_options(populate_existing=True))
    earlier = paid_payment(session, meetup.id, payment.member_id, other_than=payment.id)
    zone = _community(session, payment).zone
    payment.status = PaymentStatus.PAID
    payment.method = PaymentMethod.STRIPE
    payment.paid_at = now
    payment.stripe_payment_intent_id = _id_of(data.get("payment_intent"))
    payment.receipt_number = payment_services.next_receipt_number(
        session, now.astimezone(zone).year)
    session.flush()
    if registration is None:
        return _refund(session, payment, None, "no_seat")
    if earlier is not None:
        return _refund(session, payment, registration, "duplicate")
    if registration.status in HOLDS or registration.status == RegistrationStatus.GOING:
        seated = registration.status != RegistrationStatus.GOING
    elif _seat_free(session, meetup, registration, now):
        seated = True  # paid after the hold was released, and a seat is still free
    else:
        return _refund(session, payment, registration, "no_seat")
    if seated:
        confirm_paid(session, registration, now)
    _expire_others(session, payment)
    _send_receipt(session, payment, registration)
    return f"payment {payment.id}: paid, registration {registration.id} going"


def _seat_free(session: Session, meetup: Meetup, registration: Registration,
               now: datetime) -> bool:
    if meetup.is_cancelled or meetup.starts_at <= now:
        return False
    decision = seat_decision(session, meetup, registration.member)
    return decision.status == RegistrationStatus.GOING


def _refund(session: Session, payment: Payment, registration: Registration | None,
            reason: str) -> str:
    refunds.request_refund(session, payment, actor=None, reason=reason)
    if registration is not None:
        send(session, registration, "payments/online_refunded",
             f"payment:{payment.id}:refund-{reason}", payment=payment, reason=reason)
    return f"payment {payment.id}: paid but refunded ({reason})"


def _expire_others(session: Session, payment: Payment) -> None:
    """Other open Checkouts of the same registration can no longer be needed: close them."""
    others = session.scalars(select(Payment.id).where(
        Payment.registration_id == payment.registration_id, Payment.id != payment.id,
        Payment.status == PaymentStatus.PENDING, Payment.method == PaymentMethod.STRIPE))
    for other_id in others:
        enqueue_after_commit(session, EXPIRE_JOB, payment.tenant_id, other_id)


def _send_receipt(session: Session, payment: Payment, registration: Registration) -> None:
    """The receipt email, with the receipt (領収書) attached as a PDF; members who sign in also
    get the link to its page."""
    community = _community(session, payment)
    signed_in = registration.member.account_id is not None
    receipt_url = external_url("community.payments.receipt", slug=community.slug,
                               payment_id=payment.id) if signed_in else None
    pdf = receipts.attachment(payment, community, payment_services.settings_for(
        session, create=False), recipient_language(registration.member, community))
    send(session, registration, "payments/online_receipt", f"payment:{payment.id}:receipt",
         attachments=[pdf], payment=payment, receipt_url=receipt_url)


def _failed(data: dict[str, Any]) -> bool:
    """A completed Checkout whose delayed payment (konbini) will never be paid."""
    intent = data.get("payment_intent")
    return (data.get("status") == "complete" and data.get("payment_status") == "unpaid"
            and isinstance(intent, dict) and intent.get("status") == "canceled")


def _expired(session: Session, payment: Payment, now: datetime, release: bool = True) -> str:
    if payment.meetup_id is not None:
        lock_meetup(session, payment.meetup_id)
        session.refresh(payment)
    if payment.status != PaymentStatus.PENDING:
        return f"payment {payment.id}: already {payment.status.value}"
    payment.status = PaymentStatus.CANCELLED
    session.flush()
    if not release:
        return f"payment {payment.id}: checkout expired"
    registration = session.get(Registration, payment.registration_id)
    newer = session.scalar(select(Payment.id).where(
        Payment.registration_id == payment.registration_id, Payment.id > payment.id).limit(1))
    if (registration is not None and newer is None
            and registration.status == RegistrationStatus.AWAITING_PAYMENT):
        release_hold(session, registration, now)
        return f"payment {payment.id}: checkout expired, seat released"
    return f"payment {payment.id}: checkout expired"


# -- the expiry sweep ------------------------------------------------------------------------

def settle_expired_holds(session: Session, now: datetime) -> set[int]:
    """Before holds past their deadline are released, ask Stripe about their Checkouts: a paid
    one confirms the seat, an open one is expired so it can no longer be paid. Returns the
    registrations to keep for now (Stripe could not be asked: the next sweep tries again)."""
    rows = session.execute(
        select(Payment, Registration).join(Registration,
                                           Registration.id == Payment.registration_id)
        .where(Registration.status.in_(HOLDS), Registration.offer_expires_at <= now,
               Payment.status == PaymentStatus.PENDING, Payment.method == PaymentMethod.STRIPE)
        .order_by(Payment.id)).all()
    keep: set[int] = set()
    if not rows:
        return keep
    if not stripe_client.billing_configured():
        return keep  # Stripe cannot be asked: the holds end, and a late payment is handled
    for payment, registration in rows:
        if not payment.stripe_checkout_session_id:
            payment.status = PaymentStatus.CANCELLED  # Stripe never answered for it
            continue
        try:
            data = retrieve(payment)
            if data.get("status") == "open":
                data = expire_session(payment)
        except stripe.StripeError:
            log.exception("payment %s: Stripe could not be asked", payment.id)
            keep.add(registration.id)
            continue
        reconcile(session, payment, data, now=now, release=False)
        if payment.status == PaymentStatus.PENDING and data.get("status") == "open":
            keep.add(registration.id)
    session.flush()
    return keep


def expire_stale_checkout(session: Session, payment_id: int) -> str:
    """A PENDING payment whose registration no longer needs it: close its Checkout."""
    payment = session.get(Payment, payment_id)
    if payment is None or payment.status != PaymentStatus.PENDING:
        return "nothing to do"
    if not payment.stripe_checkout_session_id:
        payment.status = PaymentStatus.CANCELLED
        return f"payment {payment.id}: cancelled"
    data = retrieve(payment)
    if data.get("status") == "open":
        data = expire_session(payment)
    return reconcile(session, payment, data)
