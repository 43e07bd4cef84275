"""Refunds of fees paid online (Stripe, on the organizer's connected account).

A refund is asked for in the database first (``refund_requested_at/by/reason/amount`` on the
payment) and made by a job after the commit (``joren.workers.payment_jobs.refund_payment``);
a periodic sweep enqueues again the requests whose job was lost. The job calls Stripe with an
idempotency key made of the community, the payment and the amount, so a job killed after
Stripe answered and retried gets Stripe's stored refund back, never a second one.

Who asks:
- the policy, when a member cancels (portal, "can't make it" link, skipping a series date, the
  organizer cancelling the registration): a full refund when the cancellation comes at least
  ``refund_cutoff_hours`` before the start, otherwise none (no cutoff set: no refund);
- the organizer cancelling a meetup: every fee paid online, in full, with Joren's application
  fee returned too (Joren keeps no fee on a meetup that did not happen);
- the organizer, from the payments list ("organizer"); the online-payment flow when a paid
  seat cannot be given ("no_seat") or a member paid twice ("duplicate": fee returned too).

Refunds made in Stripe's dashboard arrive as ``charge.refunded``/``refund.updated`` events on
the connected account: the handler fetches the PaymentIntent (with its latest charge) and
applies what Stripe holds now, so replayed or shuffled events end in the same state.
A payment never goes back from refunded to paid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing import events, stripe_client
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.jobs import enqueue_after_commit
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.models import Member, Role
from joren.platform.urls import external_url
from joren.tenants.meetups.models import Meetup, Registration
from joren.tenants.payments.connect import services as connect
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from joren.tenants.payments.services import PaymentError

log = logging.getLogger("joren.payments")

REFUND_JOB = "joren.workers.payment_jobs.refund_payment"
REASONS = ("policy", "meetup_cancelled", "organizer", "no_seat", "duplicate")
DASHBOARD = "stripe_dashboard"
# Joren's application fee goes back too: the meetup did not happen, or the charge was a mistake.
FEE_BACK = frozenset({"meetup_cancelled", "no_seat", "duplicate"})
# Requests older than this and still not done are enqueued again by the sweep.
SWEEP_AFTER = timedelta(minutes=5)


# -- asking for a refund ----------------------------------------------------------------

def refunded_so_far(payment: Payment) -> int:
    """What Stripe already gave back (a partial refund from the dashboard), when no request of
    Joren's is pending."""
    if payment.status == PaymentStatus.REFUNDED:
        return payment.amount_jpy
    if payment.refund_requested_at is None and payment.refund_amount_jpy:
        return payment.refund_amount_jpy
    return 0


def _lock(session: Session, payment: Payment) -> Payment:
    locked = session.scalar(select(Payment).where(Payment.id == payment.id)
                            .with_for_update().execution_options(populate_existing=True))
    return locked if locked is not None else payment


def request_refund(session: Session, payment: Payment, *, actor: Member | None, reason: str,
                   amount_jpy: int | None = None, now: datetime | None = None) -> bool:
    """Record a refund request for a paid online payment and enqueue the refund job after the
    commit. Full by default. Returns False when a request is already pending or done (asking
    twice changes nothing); raises ``PaymentError`` for what cannot be refunded this way
    (a payment marked by hand is undone instead)."""
    if reason not in REASONS:
        raise ValueError(f"unknown refund reason {reason!r}")
    if payment.method != PaymentMethod.STRIPE or payment.kind != PaymentKind.MEETUP_FEE:
        raise PaymentError("not_online")
    if reason == "organizer" and (actor is None or not actor.role.at_least(Role.ORGANIZER)):
        raise PaymentError("refund_forbidden")
    payment = _lock(session, payment)
    if payment.status == PaymentStatus.REFUNDED or payment.refund_requested_at is not None:
        return False
    if payment.status != PaymentStatus.PAID or not payment.stripe_payment_intent_id:
        raise PaymentError("not_paid")
    remaining = payment.amount_jpy - refunded_so_far(payment)
    amount = remaining if amount_jpy is None else amount_jpy
    if type(amount) is not int or amount <= 0 or amount > remaining:
        raise PaymentError("bad_refund_amount")
    payment.refund_requested_at = now or utcnow()
    payment.refund_requested_by_id = actor.id if actor is not None else None
    payment.refund_reason = reason
    payment.refund_amount_jpy = amount
    session.flush()
    enqueue_after_commit(session, REFUND_JOB, payment.tenant_id, payment.id)
    return True


def _paid_online(session: Session, meetup_id: int, member_id: int | None = None) -> list[Payment]:
    query = select(Payment).where(
        Payment.meetup_id == meetup_id, Payment.kind == PaymentKind.MEETUP_FEE,
        Payment.method == PaymentMethod.STRIPE, Payment.status == PaymentStatus.PAID)
    if member_id is not None:
        query = query.where(Payment.member_id == member_id)
    return list(session.scalars(query.order_by(Payment.id)))


def refund_deadline(meetup: Meetup) -> datetime | None:
    """Until when a member who cancels is refunded (None: the policy refunds nothing)."""
    if meetup.refund_cutoff_hours is None or meetup.refund_cutoff_hours < 0:
        return None
    return meetup.starts_at - timedelta(hours=meetup.refund_cutoff_hours)


def policy_allows(meetup: Meetup, now: datetime) -> bool:
    deadline = refund_deadline(meetup)
    return deadline is not None and now <= deadline


def on_registration_cancelled(session: Session, registration: Registration, now: datetime,
                              actor: Member | None = None) -> list[Payment]:
    """A registration was cancelled: refund its fee paid online when the policy says so.
    Returns the payments a refund was asked for."""
    meetup = registration.meetup
    reason = "meetup_cancelled" if meetup.is_cancelled else "policy"
    if reason == "policy" and not policy_allows(meetup, now):
        return []
    requester = actor if actor is not None else registration.member
    return [p for p in _paid_online(session, meetup.id, registration.member_id)
            if request_refund(session, p, actor=requester, reason=reason, now=now)]


def on_meetup_cancelled(session: Session, meetup: Meetup, actor: Member | None,
                        now: datetime | None = None) -> list[Payment]:
    """The organizer cancelled the meetup: every fee paid online for it is refunded in full,
    whatever the policy."""
    now = now or utcnow()
    return [p for p in _paid_online(session, meetup.id)
            if request_refund(session, p, actor=actor, reason="meetup_cancelled", now=now)]


# -- what a member is told before cancelling ----------------------------------------------

@dataclass(frozen=True)
class RefundPreview:
    payment: Payment
    amount: int
    deadline: datetime | None
    refundable: bool


def preview(session: Session, meetup: Meetup, member_id: int,
            now: datetime | None = None) -> RefundPreview | None:
    """What cancelling now would refund the member's fee paid online (None: nothing paid
    online, or a refund is already under way)."""
    payments = [p for p in _paid_online(session, meetup.id, member_id)
                if p.refund_requested_at is None]
    if not payments:
        return None
    payment = payments[0]
    refundable = meetup.is_cancelled or policy_allows(meetup, now or utcnow())
    return RefundPreview(payment=payment, amount=payment.amount_jpy - refunded_so_far(payment),
                         deadline=refund_deadline(meetup), refundable=refundable)


# -- the job: make the refund in Stripe -----------------------------------------------------

def refund_params(payment: Payment) -> dict[str, Any]:
    reason = payment.refund_reason
    return {
        "payment_intent": payment.stripe_payment_intent_id,
        "amount": int(payment.refund_amount_jpy or payment.amount_jpy),
        "reason": "duplicate" if reason == "duplicate" else "requested_by_customer",
        "refund_application_fee": reason in FEE_BACK,
        "metadata": {"community_id": str(payment.tenant_id), "payment_id": str(payment.id),
                     "purpose": "meetup_fee"},
    }


def refund_key(payment: Payment, amount: int) -> str:
    """One refund per payment and amount. After a refund that failed (or a partial one), the
    next is keyed after it, so asking again is a new refund rather than Stripe's old answer."""
    parts: list[object] = ["community", payment.tenant_id, "payment", payment.id, "refund",
                           amount]
    if payment.stripe_refund_id:
        parts += ["after", payment.stripe_refund_id]
    return stripe_client.idempotency_key(*parts)


def perform_refund(session: Session, payment_id: int, now: datetime | None = None) -> str:
    """Make the requested refund of one payment (the job's body). Once: a done request is
    skipped, and Stripe replays a retried call with the same idempotency key."""
    payment = session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update())
    if payment is None:
        return "ignored: no such payment"
    if payment.status != PaymentStatus.PAID or payment.refund_requested_at is None:
        return f"payment {payment.id}: no refund pending"
    if not payment.stripe_payment_intent_id or not payment.stripe_account_id:
        log.error("payment %s cannot be refunded: no PaymentIntent or account", payment.id)
        return f"payment {payment.id}: not refundable"
    params = refund_params(payment)
    options = {"stripe_account": payment.stripe_account_id,
               "idempotency_key": refund_key(payment, params["amount"])}
    try:
        refund = stripe_client.plain(stripe_client.client().v1.refunds.create(params, options))
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "code", None) not in ("charge_already_refunded", "amount_too_large"):
            raise
        return _already_refunded(session, payment, now=now)
    if refund.get("status") in ("failed", "canceled"):
        log.error("Stripe refused refund %s of payment %s: %s", refund.get("id"), payment.id,
                  refund.get("failure_reason"))
        payment.stripe_refund_id = refund.get("id")
        payment.refund_requested_at = None  # not pending: the organizer may look into it
        return f"payment {payment.id}: refund {refund.get('status')}"
    payment.stripe_refund_id = refund.get("id")
    if params["amount"] >= payment.amount_jpy:
        return _mark_refunded(session, payment, payment.amount_jpy, now=now)
    return reconcile(session, payment, now=now)  # partial: what does the charge say now?


def _already_refunded(session: Session, payment: Payment, *,
                      now: datetime | None = None) -> str:
    """Stripe refunded (some of) the charge already, e.g. from its dashboard, and the event has
    not arrived: apply the charge; if less is left than was asked, ask for what is left."""
    charge = fetch_payment_intent(payment).get("latest_charge")
    if not isinstance(charge, dict):
        return f"payment {payment.id}: no charge yet"
    outcome = apply_charge(session, payment, charge, now=now)
    left = int(charge.get("amount") or 0) - int(charge.get("amount_refunded") or 0)
    if payment.refund_pending and 0 < left < (payment.refund_amount_jpy or 0):
        payment.refund_amount_jpy = left
        session.flush()
        enqueue_after_commit(session, REFUND_JOB, payment.tenant_id, payment.id)
        return f"payment {payment.id}: asking for the {left} left"
    return outcome


def fetch_payment_intent(payment: Payment) -> dict[str, Any]:
    return stripe_client.plain(stripe_client.client().v1.payment_intents.retrieve(
        payment.stripe_payment_intent_id, {"expand": ["latest_charge"]},
        {"stripe_account": payment.stripe_account_id}))


def reconcile(session: Session, payment: Payment, *, now: datetime | None = None,
              refund_id: str | None = None) -> str:
    """Apply what Stripe holds now for the payment's PaymentIntent (its latest charge)."""
    charge = fetch_payment_intent(payment).get("latest_charge")
    if not isinstance(charge, dict):
        return f"payment {payment.id}: no charge yet"
    return apply_charge(session, payment, charge, now=now, refund_id=refund_id)


def apply_charge(session: Session, payment: Payment, charge: dict[str, Any], *,
                 now: datetime | None = None, refund_id: str | None = None) -> str:
    refunded = int(charge.get("amount_refunded") or 0)
    if payment.status == PaymentStatus.REFUNDED:
        if refunded < payment.amount_jpy and not charge.get("refunded"):
            return _refund_failed(session, payment, refunded)
        return f"payment {payment.id}: already refunded"
    if payment.status != PaymentStatus.PAID:
        return f"payment {payment.id}: not paid ({payment.status.value})"
    if refund_id and not payment.stripe_refund_id:
        payment.stripe_refund_id = refund_id
    if refunded >= payment.amount_jpy or charge.get("refunded"):
        if payment.refund_requested_at is None:  # refunded in Stripe's dashboard
            payment.refund_reason = DASHBOARD
            payment.refund_requested_by_id = None
        return _mark_refunded(session, payment, payment.amount_jpy, now=now)
    if refunded <= 0:
        return f"payment {payment.id}: nothing refunded"
    if payment.refund_requested_at is not None and payment.stripe_refund_id is None:
        return f"payment {payment.id}: refunded {refunded} so far, request pending"
    changed = payment.refund_amount_jpy != refunded
    payment.refund_amount_jpy = refunded
    payment.refund_requested_at = None  # partially refunded: stays paid, nothing pending
    if payment.refund_reason == "":
        payment.refund_reason = DASHBOARD
    session.flush()
    if changed:
        _notify(session, payment, refunded)
    return f"payment {payment.id}: partially refunded {refunded}"


def _refund_failed(session: Session, payment: Payment, refunded: int) -> str:
    """Stripe gave the money back to the account (the refund failed): the fee is paid again,
    with nothing pending, so that the organizer sees it and may refund it again."""
    log.warning("the refund of payment %s failed at Stripe", payment.id)
    payment.status = PaymentStatus.PAID
    payment.refunded_at = None
    payment.refunded_by_id = None
    payment.refund_requested_at = None
    payment.refund_amount_jpy = refunded or None
    session.flush()
    return f"payment {payment.id}: refund failed, paid again"


def _mark_refunded(session: Session, payment: Payment, amount: int,
                   now: datetime | None = None) -> str:
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = now or utcnow()
    payment.refunded_by_id = payment.refund_requested_by_id
    payment.refund_amount_jpy = amount
    session.flush()
    _notify(session, payment, amount)
    return f"payment {payment.id}: refunded {amount}"


def _notify(session: Session, payment: Payment, amount: int) -> None:
    """Tell the member (once per payment, refunded total and Stripe refund)."""
    member = session.get(Member, payment.member_id)
    community = session.get(Community, payment.tenant_id)
    if member is None or community is None or not member.email:
        return
    language = (member.account.language if member.account is not None
                and member.account.language else community.default_language or "ja")
    meetup = session.get(Meetup, payment.meetup_id) if payment.meetup_id else None
    context = {
        "community_name": community.name, "member_name": member.display_name,
        "meetup": meetup, "payment": payment, "amount": amount,
        "full": amount >= payment.amount_jpy, "receipt_number": payment.receipt_number or "",
        "payments_url": external_url("community.payments.mine", slug=community.slug),
    }
    key = f"payment-refund:{payment.id}:{amount}:{payment.stripe_refund_id or ''}"
    queue_email(session, to=member.email, template="payments/refunded", context=context,
                language=language, idempotency_key=key, community_id=community.id)


# -- Stripe's events on the connected account (dashboard refunds) ---------------------------

def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def on_refund_event(session: Session, row: Any, obj: dict[str, Any]) -> str:
    """``charge.refunded`` (a charge) or ``refund.updated`` (a refund) on a connected account."""
    if connect.bind_event(session, row) is None:
        return "ignored: no community for this account"
    intent_id = _id_of(obj.get("payment_intent"))
    if intent_id is None and obj.get("object") == "refund" and _id_of(obj.get("charge")):
        charge = stripe_client.plain(stripe_client.client().v1.charges.retrieve(
            _id_of(obj.get("charge")), options={"stripe_account": row.account}))
        intent_id = _id_of(charge.get("payment_intent"))
    if intent_id is None:
        return "ignored: no payment intent"
    payment = session.scalar(select(Payment).where(
        Payment.stripe_payment_intent_id == intent_id,
        Payment.method == PaymentMethod.STRIPE).order_by(Payment.id).with_for_update())
    if payment is None:
        return f"ignored: no payment for {intent_id}"
    refund_id = obj.get("id") if obj.get("object") == "refund" else None
    return reconcile(session, payment, refund_id=refund_id)


def register_events() -> None:
    for event_type in ("charge.refunded", "refund.updated"):
        events.register_connect_handler(event_type, on_refund_event)


# -- the sweep ------------------------------------------------------------------------------

def stale_requests(session: Session, now: datetime | None = None,
                   limit: int = 500) -> list[tuple[int, int]]:
    """(community id, payment id) of refund requests whose job seems lost. The caller runs this
    unscoped (all communities)."""
    cutoff = (now or utcnow()) - SWEEP_AFTER
    return [(int(t), int(p)) for t, p in session.execute(
        select(Payment.tenant_id, Payment.id)
        .where(Payment.status == PaymentStatus.PAID, Payment.method == PaymentMethod.STRIPE,
               Payment.refund_requested_at.is_not(None),
               Payment.refund_requested_at < cutoff)
        .order_by(Payment.refund_requested_at).limit(limit))]
