"""Shared steps of the billing tests: subscribe through Checkout, read the plan back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from joren.platform.billing.models import Subscription
from joren.platform.billing.plans import Plan, plan_for, subscription_of
from tests.stripe_fake import FakeStripe


def upgrade(owner_client: FlaskClient, slug: str) -> str:
    """Press "Upgrade" on the billing page; return the Checkout Session id it redirects to."""
    response = owner_client.post(f"/c/{slug}/admin/billing/upgrade")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def subscribe(owner_client: FlaskClient, slug: str, fake: FakeStripe,
              deliver: Any) -> str:
    """Free → Pro through Checkout and the webhooks; returns the subscription id."""
    session_id = upgrade(owner_client, slug)
    deliver(*fake.complete_checkout(session_id))
    return str(fake.objects[session_id]["subscription"])


def row(session: Session, community: Any) -> Subscription | None:
    session.expire_all()
    return subscription_of(session, community)


def plan(app: Flask, session: Session, community: Any, now: datetime | None = None) -> Plan:
    session.expire_all()
    with app.app_context():
        return plan_for(session, community, now)
