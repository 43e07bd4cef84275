"""A local fake of Stripe for the tests: no request ever leaves the machine.

``FakeStripe`` is a ``stripe.HTTPClient``: give it to the library (``STRIPE_HTTP_CLIENT``) and
every API call lands in ``handle()``, which records it and answers with the JSON shapes Stripe
uses for the objects Joren touches (customer, checkout.session, subscription, invoice,
billing_portal.session). Like Stripe it honours idempotency keys: the same key with the same
parameters returns the stored response and creates nothing; with other parameters, an
``idempotency_error``.

The ``complete_checkout``/``fail_payment``/``pay_invoice``/``cancel``/``update`` helpers act as
Stripe would and return the events Stripe would send; ``signature_header`` signs a payload
with Stripe's scheme (``t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">``), written here
independently of the library's own verification code.

For the browser test, ``serve()`` runs it over HTTP: the API under ``/v1/`` and a Checkout page
whose "Pay" button completes the session, sends the signed webhooks to Joren and redirects to
the ``success_url``, as Stripe's hosted Checkout does.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from werkzeug.serving import make_server

DAY = 86400
MONTH = 30 * DAY
_KEY_PART = re.compile(r"\[([^\]]*)\]")


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    status: int = 200
    replayed: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (``a[b][0][c]=1``) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *_KEY_PART.findall(key[len(head):])]
        node: Any = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def signature_header(payload: str, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class StripeAPIError(Exception):
    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


class FakeStripe(stripe.HTTPClient):
    name = "joren-fake-stripe"

    def __init__(self, public_url: str = "https://fake-stripe.invalid") -> None:
        super().__init__()
        self.public_url = public_url
        self.lock = threading.RLock()
        self.requests: list[Recorded] = []
        self.objects: dict[str, dict[str, Any]] = {}
        self.line_items: dict[str, list[dict[str, Any]]] = {}
        self.subscription_metadata: dict[str, dict[str, str]] = {}
        self._idempotent: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self.clock = int(time.time())
        # Where the served Checkout page sends its webhooks (browser test).
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.delivered: list[tuple[str, int]] = []

    # -- the library's HTTP client interface ---------------------------------------------
    def request(self, method: str, url: str, headers: Any, post_data: Any = None,
                *, _usage: Any = None) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        status, payload, extra = self.handle(method.upper(), parts.path, parts.query,
                                             dict(headers or {}), body)
        return json.dumps(payload), status, {"request-id": f"req_{next(self._ids)}", **extra}

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the fake does not stream")

    def close(self) -> None:
        pass

    # -- the API ------------------------------------------------------------------------
    def created(self, kind: str) -> list[Recorded]:
        """Recorded successful create requests for ``kind`` (e.g. "/v1/checkout/sessions")."""
        return [r for r in self.requests if r.method == "POST" and r.path == kind
                and r.status == 200]

    def objects_of(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["object"] == kind]

    def handle(self, method: str, path: str, query: str, headers: dict[str, str],
               body: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        headers = {k.lower(): v for k, v in headers.items()}
        params = decode_form(body if method == "POST" else query)
        key = headers.get("idempotency-key")
        record = Recorded(method, path, params, key, headers=headers)
        with self.lock:
            self.requests.append(record)
            if not headers.get("authorization", "").startswith("Bearer sk_"):
                record.status = 401
                return 401, _error("invalid_request_error", "Invalid API Key provided"), {}
            fingerprint = json.dumps([method, path, params], sort_keys=True)
            if method == "POST" and key and key in self._idempotent:
                seen, status, response = self._idempotent[key]
                if seen != fingerprint:
                    record.status = 400
                    return 400, _error("idempotency_error", "Keys for idempotent requests can "
                                       "only be used with the same parameters they were "
                                       "first used with."), {}
                record.status, record.replayed = status, True
                return status, copy.deepcopy(response), {"idempotent-replayed": "true"}
            try:
                status, response = 200, self._route(method, path, params)
            except StripeAPIError as exc:
                status, response = exc.status, _error(exc.kind, exc.message)
            record.status = status
            if method == "POST" and key:
                self._idempotent[key] = (fingerprint, status, copy.deepcopy(response))
            return status, response, {}

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        routes = {
            ("POST", "/v1/customers"): self._create_customer,
            ("POST", "/v1/checkout/sessions"): self._create_checkout,
            ("POST", "/v1/billing_portal/sessions"): self._create_portal,
        }
        if (method, path) in routes:
            return routes[(method, path)](params)
        match = re.fullmatch(r"/v1/(customers|checkout/sessions|subscriptions|invoices)/([\w]+)",
                             path)
        if method == "GET" and match:
            return copy.deepcopy(self._get(match.group(2)))
        raise StripeAPIError(404, "invalid_request_error", f"Unrecognized request URL ({path})")

    def _get(self, object_id: str) -> dict[str, Any]:
        if object_id not in self.objects:
            raise StripeAPIError(404, "invalid_request_error", f"No such object: '{object_id}'")
        return self.objects[object_id]

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def _store(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        return copy.deepcopy(obj)

    def _create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store({
            "id": self._new_id("cus"), "object": "customer", "created": self.clock,
            "email": params.get("email"), "name": params.get("name"),
            "metadata": params.get("metadata", {}), "livemode": False,
        })

    def _create_checkout(self, params: dict[str, Any]) -> dict[str, Any]:
        for required in ("mode", "success_url", "line_items"):
            if required not in params:
                raise StripeAPIError(400, "invalid_request_error",
                                     f"Missing required param: {required}.")
        if params.get("customer") and params["customer"] not in self.objects:
            raise StripeAPIError(400, "invalid_request_error",
                                 f"No such customer: '{params['customer']}'")
        items = params["line_items"]
        amount = sum(int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1))
                     for i in items)
        currency = items[0]["price_data"]["currency"]
        session_id = self._new_id("cs_test")
        self.line_items[session_id] = copy.deepcopy(items)
        self.subscription_metadata[session_id] = dict(
            (params.get("subscription_data") or {}).get("metadata", {}))
        return self._store({
            "id": session_id, "object": "checkout.session", "mode": params["mode"],
            "status": "open", "payment_status": "unpaid", "created": self.clock,
            "expires_at": self.clock + DAY, "customer": params.get("customer"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}), "currency": currency,
            "amount_total": amount, "amount_subtotal": amount, "locale": params.get("locale"),
            "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
            "subscription": None, "url": f"{self.public_url}/checkout/{session_id}",
            "livemode": False,
        })

    def _create_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("customer") not in self.objects:
            raise StripeAPIError(400, "invalid_request_error",
                                 f"No such customer: '{params.get('customer')}'")
        portal_id = self._new_id("bps")
        return self._store({
            "id": portal_id, "object": "billing_portal.session", "created": self.clock,
            "customer": params["customer"], "return_url": params.get("return_url"),
            "locale": params.get("locale"), "url": f"{self.public_url}/portal/{portal_id}",
            "livemode": False,
        })

    # -- what Stripe does on its side, and the events it sends ------------------------------
    def tick(self, seconds: int = 1) -> int:
        self.clock += seconds
        return self.clock

    def event(self, type_: str, obj: dict[str, Any], previous: dict[str, Any] | None = None,
              created: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        return {
            "id": self._new_id("evt"), "object": "event", "api_version": stripe.api_version,
            "created": self.clock if created is None else created, "type": type_,
            "data": data, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }

    def _invoice(self, sub: dict[str, Any], status: str) -> dict[str, Any]:
        amount = sum(i["price"]["unit_amount"] * i["quantity"] for i in sub["items"]["data"])
        return self._store({
            "id": self._new_id("in"), "object": "invoice", "customer": sub["customer"],
            "currency": sub["currency"], "amount_due": amount,
            "amount_paid": amount if status == "paid" else 0, "status": status,
            "created": self.clock, "livemode": False,
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": sub["id"], "metadata": copy.deepcopy(sub["metadata"])}},
        })

    def complete_checkout(self, session_id: str) -> list[dict[str, Any]]:
        """The customer paid: a subscription (active), a paid invoice, and three events."""
        with self.lock:
            session = self.objects[session_id]
            self.tick()
            items = self.line_items[session_id]
            sub_id = self._new_id("sub")
            sub_items = [{
                "id": self._new_id("si"), "object": "subscription_item", "quantity":
                int(i.get("quantity", 1)), "current_period_start": self.clock,
                "current_period_end": self.clock + MONTH,
                "price": {"object": "price", "currency": i["price_data"]["currency"],
                          "unit_amount": int(i["price_data"]["unit_amount"]),
                          "recurring": {"interval": i["price_data"]["recurring"]["interval"]},
                          "product": i["price_data"]["product_data"]["name"]},
            } for i in items]
            sub = {
                "id": sub_id, "object": "subscription", "customer": session["customer"],
                "status": "active", "created": self.clock, "currency": session["currency"],
                "cancel_at_period_end": False, "canceled_at": None, "ended_at": None,
                "metadata": copy.deepcopy(self.subscription_metadata[session_id]),
                "items": {"object": "list", "data": sub_items}, "livemode": False,
            }
            self._store(sub)
            session.update(status="complete", payment_status="paid", subscription=sub_id)
            invoice = self._invoice(sub, "paid")
            return [self.event("customer.subscription.created", sub),
                    self.event("invoice.paid", invoice),
                    self.event("checkout.session.completed", session)]

    def update(self, sub_id: str, **changes: Any) -> dict[str, Any]:
        with self.lock:
            sub = self.objects[sub_id]
            self.tick()
            previous = {k: sub.get(k) for k in changes}
            sub.update(changes)
            return self.event("customer.subscription.updated", sub, previous)

    def fail_payment(self, sub_id: str) -> list[dict[str, Any]]:
        with self.lock:
            sub = self.objects[sub_id]
            self.tick()
            invoice = self._invoice(sub, "open")
            failed = self.event("invoice.payment_failed", invoice)
            return [failed, self.update(sub_id, status="past_due")]

    def pay_invoice(self, sub_id: str) -> list[dict[str, Any]]:
        with self.lock:
            sub = self.objects[sub_id]
            self.tick()
            paid = self.event("invoice.paid", self._invoice(sub, "paid"))
            return [paid, self.update(sub_id, status="active")]

    def cancel(self, sub_id: str) -> dict[str, Any]:
        with self.lock:
            sub = self.objects[sub_id]
            self.tick()
            sub.update(status="canceled", canceled_at=self.clock, ended_at=self.clock)
            return self.event("customer.subscription.deleted", sub)

    # -- over HTTP (browser test) ---------------------------------------------------------
    def deliver(self, event: dict[str, Any]) -> int:
        """POST ``event`` to Joren's webhook, signed, as Stripe does; returns the status."""
        assert self.webhook_url and self.webhook_secret
        payload = json.dumps(event)
        request = urllib.request.Request(
            self.webhook_url, data=payload.encode(), method="POST",
            headers={"Content-Type": "application/json",
                     "Stripe-Signature": signature_header(payload, self.webhook_secret)})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            status = int(response.status)
        self.delivered.append((event["type"], status))
        return status

    def wsgi_app(self) -> Any:
        from flask import Flask, abort, redirect
        from flask import request as flask_request

        web = Flask("fake_stripe")

        @web.route("/v1/<path:rest>", methods=["GET", "POST", "DELETE"])
        def api(rest: str) -> Any:
            status, payload, extra = self.handle(
                flask_request.method, f"/v1/{rest}", flask_request.query_string.decode(),
                dict(flask_request.headers), flask_request.get_data(as_text=True))
            return web.response_class(json.dumps(payload), status=status,
                                      mimetype="application/json", headers=extra)

        @web.get("/checkout/<session_id>")
        def checkout_page(session_id: str) -> Any:
            session = self.objects.get(session_id)
            if session is None or session["object"] != "checkout.session":
                abort(404)
            rows = "".join(
                f"<li data-amount='{i['price_data']['unit_amount']}'>"
                f"{i['price_data']['product_data']['name']}: "
                f"{i['price_data']['unit_amount']} {i['price_data']['currency'].upper()} / "
                f"{i['price_data']['recurring']['interval']}</li>"
                for i in self.line_items[session_id])
            return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    f"<title>Fake Stripe Checkout</title></head><body>"
                    f"<h1>Fake Stripe Checkout</h1><ul>{rows}</ul>"
                    f"<p>Total: <span id='total'>{session['amount_total']}</span> "
                    f"{session['currency'].upper()}</p>"
                    f"<form method='post' action='/checkout/{session_id}/pay'>"
                    f"<button type='submit' id='pay'>Pay</button></form>"
                    f"<a href='{session['cancel_url']}'>Back</a></body></html>")

        @web.post("/checkout/<session_id>/pay")
        def pay(session_id: str) -> Any:
            session = self.objects.get(session_id)
            if session is None or session["status"] != "open":
                abort(404)
            for event in self.complete_checkout(session_id):
                self.deliver(event)
            return redirect(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))

        @web.get("/portal/<portal_id>")
        def portal(portal_id: str) -> Any:
            portal_session = self.objects.get(portal_id)
            if portal_session is None:
                abort(404)
            return (f"<!doctype html><html><body><h1>Fake customer portal</h1>"
                    f"<a href='{portal_session['return_url']}'>Return</a></body></html>")

        return web

    @contextmanager
    def serve(self, port: int) -> Iterator[str]:
        self.public_url = f"http://127.0.0.1:{port}"
        server = make_server("127.0.0.1", port, self.wsgi_app(), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.public_url
        finally:
            server.shutdown()
            thread.join(timeout=10)


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
