"""Steps shared by the online meetup-fee tests: a paid meetup, a member registering through the
portal and landing on the fake's Checkout, reading registrations, payments and emails back."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.mail.models import OutboxMessage
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Registration
from joren.tenants.payments.models import Payment
from tests.stripe_fake import FakeStripe

SLUG = "osaka-mixer"
CHECKOUTS = "/v1/checkout/sessions"


def register(client: FlaskClient, meetup_id: int, slug: str = SLUG) -> Any:
    return client.post(f"/c/{slug}/meetups/{meetup_id}/register")


def pay(client: FlaskClient, meetup_id: int, slug: str = SLUG) -> Any:
    return client.post(f"/c/{slug}/meetups/{meetup_id}/pay")


def session_id_of(response: Any) -> str:
    """The Checkout Session a response redirected to (the fake's hosted page)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "/checkout/cs_" in location, location
    return location.rsplit("/", 1)[1]


def registration(session: Session, meetup_id: int, member_id: int) -> Registration:
    with unscoped(session):
        session.expire_all()
        row = session.scalar(select(Registration).where(
            Registration.meetup_id == meetup_id, Registration.member_id == member_id))
    assert row is not None
    return row


def payment_for(session: Session, registration_id: int) -> list[Payment]:
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(Payment).where(
            Payment.registration_id == registration_id).order_by(Payment.id)))


def emails(session: Session, template: str, to: str | None = None) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.template == template)
    if to:
        query = query.where(OutboxMessage.to_email == to)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def creates(fake: FakeStripe) -> list[Any]:
    """Checkout Sessions actually created (not replays of a stored answer)."""
    return [r for r in fake.created(CHECKOUTS) if not r.replayed]


def events_for(fake: FakeStripe, kind: str, session_id: str, account: str) -> dict[str, Any]:
    """An event of ``kind`` about the Session as Stripe holds it now."""
    return fake.event(kind, fake.objects[session_id], account=account)
