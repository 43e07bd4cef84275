"""POST /billing/webhook: Stripe's events, verified, stored once and processed by a job.

The signature is checked with Stripe's own scheme (``Stripe-Signature: t=<ts>,v1=<hmac>``,
HMAC-SHA256 of ``"<ts>.<body>"`` with the endpoint secret) through the library's
``WebhookSignature.verify_header``; a bad signature or a timestamp older than the tolerance is
answered 400 and nothing is stored. Events of the organizers' connected accounts (Stripe
Connect) may come to the same URL signed with ``STRIPE_CONNECT_WEBHOOK_SECRET``; either secret
is accepted. The endpoint only stores the event and enqueues its job, so it answers fast; a
duplicate answers 200 and does nothing.
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


def endpoint_secrets() -> list[str]:
    """The secrets of the platform endpoint and, when configured, of the Connect endpoint
    (Stripe signs the events of connected accounts with the Connect endpoint's own secret)."""
    config = current_app.config
    return [str(config[name]) for name in ("STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET")
            if config.get(name)]


def signed_by_stripe(payload: str, header: str | None, secrets: list[str]) -> bool:
    """Whether ``header`` is a valid, fresh signature of ``payload`` with one of ``secrets``."""
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError:
            continue
        return True
    return False


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
    if not signed_by_stripe(payload, request.headers.get("Stripe-Signature"), secrets):
        log.warning("Stripe webhook refused: bad signature or stale timestamp")
        return jsonify(error="invalid signature"), 400
    try:
        event = parse_event(payload)
    except BadEvent as exc:
        return jsonify(error=str(exc)), 400
    row = store_event(db.session, payload, event)
    db.session.commit()
    return jsonify(received=True, duplicate=row is None)
