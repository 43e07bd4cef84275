"""The one place that builds a Stripe client from the configuration.

``STRIPE_SECRET_KEY`` turns billing on; ``STRIPE_WEBHOOK_SECRET`` verifies webhooks;
``STRIPE_API_BASE`` points the library elsewhere (stripe-mock, the tests' fake served over
HTTP). Tests may also put an ``stripe.HTTPClient`` in ``STRIPE_HTTP_CLIENT`` so no request
leaves the process. Every call that creates something in Stripe passes an idempotency key
made by ``idempotency_key()`` from data already committed, so a retried job or request gets
Stripe's stored answer instead of a second object.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import stripe
from flask import current_app

KEY_PREFIX = "joren"
MAX_KEY_LENGTH = 255


class BillingOff(RuntimeError):
    """Billing is off: no Stripe secret key is configured."""


def billing_configured(config: Mapping[str, Any] | None = None) -> bool:
    config = current_app.config if config is None else config
    return bool(config.get("BILLING_ENABLED") and config.get("STRIPE_SECRET_KEY"))


def client(config: Mapping[str, Any] | None = None) -> stripe.StripeClient:
    config = current_app.config if config is None else config
    if not billing_configured(config):
        raise BillingOff("no STRIPE_SECRET_KEY")
    options: dict[str, Any] = {"max_network_retries": 2}
    if config.get("STRIPE_API_BASE"):
        options["base_addresses"] = {"api": str(config["STRIPE_API_BASE"]).rstrip("/")}
    if config.get("STRIPE_HTTP_CLIENT") is not None:
        options["http_client"] = config["STRIPE_HTTP_CLIENT"]
    return stripe.StripeClient(str(config["STRIPE_SECRET_KEY"]), **options)


def idempotency_key(*parts: object, params: Mapping[str, Any] | None = None) -> str:
    """``joren-<parts>[-<hash of params>]``: the same parts and parameters give the same key.

    Hashing the parameters in means a changed request (another language, another price) gets a
    new key instead of Stripe's idempotency error, while an identical retry reuses the key.
    """
    key = "-".join([KEY_PREFIX, *(str(p) for p in parts)])
    if params is not None:
        digest = hashlib.sha256(
            json.dumps(params, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()[:16]
        key = f"{key}-{digest}"
    return key[:MAX_KEY_LENGTH]


def plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain JSON data (the library's objects differ between versions)."""
    if isinstance(obj, dict):
        return obj
    return json.loads(str(obj))
