"""Steps shared by the Stripe Connect tests: connect a community, read its account back."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing.models import StripeEvent
from joren.platform.tenancy import unscoped
from joren.tenants.payments.models import ConnectAccount
from tests.stripe_fake import FakeStripe

SLUG = "osaka-mixer"
OTHER_SLUG = "kobe-study"


def page_url(slug: str = SLUG, rest: str = "") -> str:
    return f"/c/{slug}/admin/payments/online{rest}"


def events(value: Any) -> list[dict[str, Any]]:
    """The fake's helpers return one event or a list of them."""
    return list(value) if isinstance(value, list | tuple) else [value]


def connected(session: Session, community: Any) -> ConnectAccount | None:
    """The community's ConnectAccount row, fresh from the database."""
    session.expire_all()
    with unscoped(session):
        return session.scalar(
            select(ConnectAccount).where(ConnectAccount.tenant_id == community.id))


def connect(client: FlaskClient, session: Session, community: Any,
            slug: str = SLUG) -> str:
    """Press "Connect with Stripe"; return the connected account's id."""
    response = client.post(page_url(slug, "/connect"))
    assert response.status_code == 303, response.get_data(as_text=True)
    row = connected(session, community)
    assert row is not None
    return row.stripe_account_id


def onboard(client: FlaskClient, session: Session, community: Any, fake: FakeStripe,
            deliver: Any, slug: str = SLUG) -> str:
    """Connect, finish onboarding at Stripe, deliver Stripe's account.updated."""
    acct = connect(client, session, community, slug)
    deliver(*events(fake.complete_onboarding(acct)))
    return acct


def last_event(session: Session) -> StripeEvent:
    session.expire_all()
    return session.scalars(select(StripeEvent).order_by(StripeEvent.id.desc())).first()
