"""Meetup fees paid online: Stripe Checkout on the organizer's connected account.

A member who registers for a paid meetup, when the community takes payments online
(``connect.online_payments_ready``) and their fee (``pricing.fee_for``) is above zero, gets a seat
*held* (``awaiting_payment``) while they pay; the registration becomes ``going`` only when
Stripe says the payment succeeded (webhook, see ``stripe_events``). A waitlisted member offered
a freed seat (``offered``) takes it the same way: by paying.

Exactly one Checkout per hold: the PENDING ``Payment`` is committed before Stripe is called and
the Checkout's idempotency key is made from its id, with parameters computed from committed data
only, so a retried or doubled request gets the same Session back; a still-open Session is reused.

Out of order safe: every event, the expiry sweep and the "paid" page *retrieve* the Session
from Stripe and apply what it says now (``online_sync.reconcile``, idempotent). A payment that
succeeds after its hold was released gets a free seat if there is one, else it is refunded in
full; a second payment for a fee already paid is refunded in full.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.platform.db import utcnow
from joren.platform.identity.community import Community, community_of
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member
from joren.platform.urls import external_url
from joren.tenants.meetups.models import HOLDS, Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations.holds import confirm_paid
from joren.tenants.meetups.registrations.seats import RegistrationError, lock_meetup
from joren.tenants.payments import pricing
from joren.tenants.payments.connect import services as connect
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from joren.tenants.payments.online.sessions import (
    EXPIRE_JOB,
    PURPOSE,
    open_payment,
    options,
    retrieve,
)
from joren.tenants.payments.online.sync import reconcile

log = logging.getLogger("joren.payments")

CHECKOUT_MARGIN = timedelta(minutes=5)
CHECKOUT_SHORTEST = timedelta(minutes=31)  # Stripe: at least 30 minutes from now
CHECKOUT_LONGEST = timedelta(hours=23, minutes=55)  # Stripe: at most 24 hours
CHECKOUT_LOCALES = {"ja": "ja", "en": "en"}


class PayAtTheDoor(RegistrationError):
    """Online payment stopped being available during a hold (the organizer's Stripe account
    can no longer take charges): the seat was confirmed, to be paid at the door. The caller
    commits."""


def online_fee(session: Session, meetup: Meetup, member: Member | None) -> int:
    """What ``member`` pays online for ``meetup``; 0 when online payment does not apply (a free
    meetup or fee, no Stripe keys, or an organizer account that cannot take charges yet)."""
    if member is None or (not meetup.price and not meetup.member_price):
        return 0
    if not connect.online_payments_ready(session):
        return 0
    return max(int(pricing.fee_for(session, meetup, member)), 0)


# -- starting a Checkout ---------------------------------------------------------------------

def _check_payable(registration: Registration, meetup: Meetup, now: datetime) -> None:
    if meetup.is_cancelled:
        raise RegistrationError(_l("This meetup has been cancelled."))
    if registration.status not in HOLDS:
        if registration.status == RegistrationStatus.GOING:
            raise RegistrationError(_l("Your seat is already confirmed."))
        raise RegistrationError(_l("There is nothing to pay for this registration."))
    if registration.offer_expires_at is None or registration.offer_expires_at <= now:
        raise RegistrationError(_l("The seat held for you has been released."))


def checkout_expiry(registration: Registration, created: datetime) -> datetime:
    """When the Checkout of a payment created at ``created`` expires: the hold's end (minus a
    margin for a fresh registration's short hold), between Stripe's 30 minutes and 24 hours.
    Computed from committed data only, so a retried request sends the same parameters."""
    hold = registration.offer_expires_at or created
    target = hold - CHECKOUT_MARGIN if registration.status == RegistrationStatus.AWAITING_PAYMENT \
        else hold
    target = min(target, created + CHECKOUT_LONGEST)
    return max(target, created + CHECKOUT_SHORTEST)


def _new_payment(session: Session, registration: Registration, meetup: Meetup, fee: int,
                 now: datetime) -> Payment:
    account = connect.account_for(session)
    assert account is not None  # online_fee() > 0 means the account is ready
    created = now.replace(microsecond=0)
    payment = Payment(
        member_id=registration.member_id, meetup_id=meetup.id, kind=PaymentKind.MEETUP_FEE,
        amount_jpy=fee, method=PaymentMethod.STRIPE, status=PaymentStatus.PENDING,
        registration_id=registration.id, stripe_account_id=account.stripe_account_id,
        application_fee_jpy=connect.application_fee(session, meetup.tenant_id, fee),
        created_at=created,
    )
    session.add(payment)
    # The member paying must not lose the seat while Stripe's page is still open.
    expires = checkout_expiry(registration, created)
    if registration.offer_expires_at is None or registration.offer_expires_at < expires:
        registration.offer_expires_at = expires
    session.flush()
    return payment


def _line_name(session: Session, meetup: Meetup) -> str:
    zone = community_of(session, meetup.tenant_id).zone
    return f"{meetup.title} {meetup.starts_at.astimezone(zone):%Y/%m/%d %H:%M}"[:250]


def metadata(payment: Payment) -> dict[str, str]:
    return {"purpose": PURPOSE, "community_id": str(payment.tenant_id),
            "payment_id": str(payment.id), "registration_id": str(payment.registration_id),
            "meetup_id": str(payment.meetup_id), "member_id": str(payment.member_id)}


def checkout_params(session: Session, payment: Payment, registration: Registration) -> dict:
    """The Checkout Session for ``payment``, from committed data only."""
    meetup, member = registration.meetup, registration.member
    community = session.get(Community, payment.tenant_id)
    assert community is not None
    data = metadata(payment)
    name = _line_name(session, meetup)
    success = external_url("community.checkout.paid", slug=community.slug,
                           meetup_id=meetup.id) + "?session_id={CHECKOUT_SESSION_ID}"
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{"price_data": {"currency": "jpy", "unit_amount": payment.amount_jpy,
                                       "product_data": {"name": name}},
                        "quantity": 1}],
        "payment_intent_data": {"metadata": data, "description": name},
        "metadata": data,
        "client_reference_id": f"payment-{payment.id}",
        "locale": CHECKOUT_LOCALES.get(recipient_language(member, community), "auto"),
        "expires_at": int(checkout_expiry(registration, payment.created_at).timestamp()),
        "success_url": success,
        "cancel_url": external_url("community.meetups.portal_detail", slug=community.slug,
                                   meetup_id=meetup.id),
    }
    if payment.application_fee_jpy > 0:
        params["payment_intent_data"]["application_fee_amount"] = payment.application_fee_jpy
    if member.email:
        params["customer_email"] = member.email
    return params


def _remember_session(session: Session, payment: Payment, data: dict[str, Any]) -> None:
    payment.stripe_checkout_session_id = str(data["id"])
    session.flush()


def start_checkout(session: Session, registration: Registration,
                   now: datetime | None = None) -> str | None:
    """The URL of the Checkout that pays ``registration``'s held seat (created, or the open one
    reused); None when Stripe says it is paid already (the registration is then confirmed).

    Commits: the PENDING payment before Stripe is called (its id makes the idempotency key).
    The caller commits the Session id it stores. Raises ``RegistrationError`` when there is
    nothing to pay.
    """
    for _attempt in range(2):
        now = now or utcnow()
        meetup = lock_meetup(session, registration.meetup_id)
        session.refresh(registration)
        _check_payable(registration, meetup, now)
        fee = online_fee(session, meetup, registration.member)
        if fee <= 0:
            if (registration.status == RegistrationStatus.AWAITING_PAYMENT
                    and open_payment(session, registration) is None):
                # Nobody can pay online now; the member keeps the seat they were holding.
                registration.note = "online payment unavailable: pay at the door"
                confirm_paid(session, registration, now)
                raise PayAtTheDoor(_l("Online payment is not available right now. Your seat "
                                      "is confirmed: please pay the fee at the door."))
            raise RegistrationError(_l("This fee is not paid online."))
        payment = open_payment(session, registration)
        if payment is None:
            payment = _new_payment(session, registration, meetup, fee, now)
        session.commit()  # the payment (and its key) exist before Stripe hears of them
        if payment.stripe_checkout_session_id:
            data = retrieve(payment)
            if data.get("status") == "open" and data.get("url"):
                return str(data["url"])
            outcome = reconcile(session, payment, data, now=now)
            session.commit()
            if payment.status == PaymentStatus.PAID:
                log.info("payment %s: %s", payment.id, outcome)
                return None
            if payment.status == PaymentStatus.PENDING:  # completed, async payment pending
                raise RegistrationError(_l("Your payment is being processed."))
            now = None
            continue  # that Checkout expired while the seat is still held: a new one
        params = checkout_params(session, payment, registration)
        data = stripe_client.plain(stripe_client.client().v1.checkout.sessions.create(
            params, options(payment, "checkout")))
        _remember_session(session, payment, data)
        return str(data["url"])
    raise RegistrationError(_l("The payment could not be started. Please try again."))


def on_hold_released(session: Session, registration: Registration) -> None:
    """A hold ended (cancelled by the member, released): close its open Checkout after commit,
    so it can no longer be paid."""
    for payment_id in session.scalars(select(Payment.id).where(
            Payment.registration_id == registration.id,
            Payment.status == PaymentStatus.PENDING, Payment.method == PaymentMethod.STRIPE)):
        enqueue_after_commit(session, EXPIRE_JOB, registration.tenant_id, payment_id)
