"""POST /billing/webhook: Stripe's events, verified, stored once and processed by a job.

The signature is checked with Stripe's own scheme (``Stripe-Signature: t=<ts>,v1=<hmac>``,
HMAC-SHA256 of ``"<ts>.<body>"`` with the endpoint secret) through the library's
``WebhookSignature.verify_header``; a bad signature or a timestamp older than the tolerance is
answered 400 and nothing is stored. Events of the organizers' connected accounts (Stripe
Connect) may come to the same URL signed with ``STRIPE_CONNECT_WEBHOOK_SECRET``. The secret that
verified an event decides what it may be: the Connect secret only signs events that name a
connected ``account`` (they go to the Connect handlers), the platform secret only events that
name none (Joren's own subscription); any other pairing is refused with 400. The endpoint only
stores the event and enqueues its job, so it answers fast; a duplicate answers 200 and does
nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from flask import Blueprint, abort, current_app, jsonify, request

from joren.platform.billing import stripe_client
from joren.platform.billing.events import BadEvent, parse_event, store_event
from joren.platform.db import db
from joren.platform.extensions import csrf

log = logging.getLogger("joren.billing")

bp = Blueprint("billing_webhooks", __name__)

TOLERANCE_SECONDS = 300  # Stripe's own default
MAX_BODY = 512 * 1024


PLATFORM, CONNECT = "platform", "connect"


def endpoint_secrets() -> dict[str, str]:
    """The secrets of the platform endpoint and, when configured, of the Connect endpoint
    (Stripe signs the events of connected accounts with the Connect endpoint's own secret)."""
    config = current_app.config
    names = {PLATFORM: "STRIPE_WEBHOOK_SECRET", CONNECT: "STRIPE_CONNECT_WEBHOOK_SECRET"}
    return {endpoint: str(config[name]) for endpoint, name in names.items() if config.get(name)}


def signed_by_stripe(payload: str, header: str | None, secrets: dict[str, str]) -> set[str]:
    """The endpoints (``PLATFORM``, ``CONNECT``) whose secret made ``header``, a valid and fresh
    signature of ``payload``; empty when none did."""
    endpoints = set()
    for endpoint, secret in secrets.items():
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            continue
        endpoints.add(endpoint)
    return endpoints


def from_its_endpoint(event: dict[str, Any], endpoints: set[str]) -> bool:
    """A connected account's event must come signed by the Connect endpoint, and an event
    naming no account by the platform endpoint: a Connect-signed event without ``account``
    must never reach the handlers of Joren's own subscriptions."""
    account = event.get("account")
    if account is None:
        return PLATFORM in endpoints
    return CONNECT in endpoints and isinstance(account, str) and bool(account)


@bp.post("/billing/webhook")
@csrf.exempt
def webhook() -> Any:
    secrets = endpoint_secrets()
    if not stripe_client.billing_configured() or not secrets:
        abort(404)
    if (request.content_length or 0) > MAX_BODY:
        return jsonify(error="too large"), 413
    try:
        payload = request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        return jsonify(error="not UTF-8"), 400
    endpoints = signed_by_stripe(payload, request.headers.get("Stripe-Signature"), secrets)
    if not endpoints:
        log.warning("Stripe webhook refused: bad signature or stale timestamp")
        return jsonify(error="invalid signature"), 400
    try:
        event = parse_event(payload)
    except BadEvent as exc:
        return jsonify(error=str(exc)), 400
    if not from_its_endpoint(event, endpoints):
        log.warning("Stripe webhook refused: event %s signed by the %s endpoint %s an account",
                    event["id"][:64], " and ".join(sorted(endpoints)),
                    "without" if event.get("account") is None else "with")
        return jsonify(error="event does not match the endpoint that signed it"), 400
    row = store_event(db.session, payload, event)
    db.session.commit()
    return jsonify(received=True, duplicate=row is None)
