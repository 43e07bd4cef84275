"""Billing on, against the local fake Stripe; webhooks signed with Stripe's scheme."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.stripe_fake import FakeStripe, signature_header

WEBHOOK_SECRET = "whsec_test_joren_billing"
# Stripe signs connected accounts' events with the Connect endpoint's own secret.
CONNECT_WEBHOOK_SECRET = "whsec_test_joren_connect"
BILLING_CONFIG = ("STRIPE_SECRET_KEY", "BILLING_ENABLED", "STRIPE_WEBHOOK_SECRET",
                  "STRIPE_CONNECT_WEBHOOK_SECRET", "STRIPE_HTTP_CLIENT", "STRIPE_API_BASE")


@pytest.fixture()
def fake_stripe() -> FakeStripe:
    return FakeStripe()


@pytest.fixture()
def billing_on(app: Flask, fake_stripe: FakeStripe) -> Iterator[FakeStripe]:
    """Billing configured as in production, the library talking to the fake."""
    previous = {key: app.config.get(key) for key in BILLING_CONFIG}
    app.config.update(STRIPE_SECRET_KEY="sk_test_joren", BILLING_ENABLED=True,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_CONNECT_WEBHOOK_SECRET=CONNECT_WEBHOOK_SECRET,
                      STRIPE_HTTP_CLIENT=fake_stripe,
                      STRIPE_API_BASE=None)
    try:
        yield fake_stripe
    finally:
        app.config.update(previous)


def post_event(client: FlaskClient, event: dict[str, Any], *, secret: str | None = None,
               timestamp: int | None = None, header: str | None = None) -> Any:
    """Post ``event`` signed as Stripe does: by default with the Connect endpoint's secret when
    it names a connected ``account``, else with the platform endpoint's."""
    if secret is None:
        secret = CONNECT_WEBHOOK_SECRET if event.get("account") else WEBHOOK_SECRET
    payload = json.dumps(event)
    signature = header if header is not None else signature_header(payload, secret, timestamp)
    return client.post("/billing/webhook", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": signature})


@pytest.fixture()
def deliver(client: FlaskClient, run_jobs):  # type: ignore[no-untyped-def]
    """``deliver(*events)``: post each signed event to the webhook, then run the jobs."""

    def send(*events: dict[str, Any]) -> None:
        for event in events:
            response = post_event(client, event)
            assert response.status_code == 200, response.get_data(as_text=True)
        run_jobs()

    return send
