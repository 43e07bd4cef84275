"""Test data for the refund tests: a community with a connected account, and a fee paid online
through the fake Stripe (a payment-mode Checkout on the connected account, completed), with the
payment row written the way the online-payment flow writes it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.platform.db import utcnow
from joren.platform.membership.models import Member
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.payments.models import (
    ConnectAccount,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from tests.stripe_fake import FakeStripe

FEE = 3000
APPLICATION_FEE = 150


def connect(session: Session, fake: FakeStripe, community: Any) -> str:
    """An onboarded connected account for ``community``; returns its id."""
    account = fake.add_account()
    with unscoped(session):
        session.add(ConnectAccount(tenant_id=community.id, stripe_account_id=account["id"],
                                   charges_enabled=True, payouts_enabled=True,
                                   details_submitted=True, requirements_due="",
                                   disabled_reason="", synced_at=utcnow()))
        session.flush()
    return str(account["id"])


def going(session: Session, meetup: Meetup, member: Member) -> Registration:
    with unscoped(session):
        registration = Registration(tenant_id=meetup.tenant_id, meetup_id=meetup.id,
                                    member_id=member.id, status=RegistrationStatus.GOING,
                                    source="portal", status_changed_at=utcnow(),
                                    confirmed_at=utcnow())
        session.add(registration)
        session.flush()
    return registration


_receipts = iter(range(1, 10_000))


def paid_online(session: Session, app: Flask, fake: FakeStripe, account_id: str,
                meetup: Meetup, member: Member, *, amount: int = FEE,
                application_fee: int = APPLICATION_FEE,
                paid_at: datetime | None = None) -> Payment:
    """``member`` registered and paid ``amount`` through Checkout on ``account_id``."""
    registration = going(session, meetup, member)
    metadata = {"purpose": "meetup_fee", "community_id": str(meetup.tenant_id),
                "registration_id": str(registration.id), "meetup_id": str(meetup.id),
                "member_id": str(member.id)}
    with app.app_context():
        checkout = stripe_client.plain(stripe_client.client().v1.checkout.sessions.create({
            "mode": "payment", "success_url": "http://localhost/ok", "metadata": metadata,
            "line_items": [{"quantity": 1, "price_data": {
                "currency": "jpy", "unit_amount": amount,
                "product_data": {"name": meetup.title}}}],
            "payment_intent_data": {"application_fee_amount": application_fee,
                                    "metadata": metadata},
        }, {"stripe_account": account_id}))
    fake.complete_checkout(checkout["id"])
    fake.take_events()
    intent_id = fake.objects[checkout["id"]]["payment_intent"]
    with unscoped(session):
        payment = Payment(
            tenant_id=meetup.tenant_id, member_id=member.id, meetup_id=meetup.id,
            kind=PaymentKind.MEETUP_FEE, amount_jpy=amount, method=PaymentMethod.STRIPE,
            status=PaymentStatus.PAID, paid_at=paid_at or utcnow() - timedelta(days=1),
            registration_id=registration.id, stripe_account_id=account_id,
            stripe_checkout_session_id=checkout["id"], stripe_payment_intent_id=intent_id,
            application_fee_jpy=application_fee, note="",
            receipt_number=f"R-2026-{next(_receipts):06d}")
        session.add(payment)
        session.flush()
    return payment


def refunds_made(fake: FakeStripe) -> list[Any]:
    """POST /v1/refunds that Stripe carried out (not replays of a stored answer)."""
    return [r for r in fake.created("/v1/refunds") if not r.replayed]
