"""A local fake of Stripe for the tests: no request ever leaves the machine.

``FakeStripe`` is a ``stripe.HTTPClient``: give it to the library (``STRIPE_HTTP_CLIENT``) and
every API call lands in ``handle()``, which records it and answers with the JSON shapes Stripe
uses for the objects Joren touches (customer, checkout.session, subscription, invoice,
billing_portal.session) and, through ``ConnectMixin`` (tests/stripe_fake_connect.py), what
Stripe Connect payments need: connected accounts and onboarding links, Checkout in payment mode
with an application fee, payment intents, charges, refunds and ``expand[]``. A request with a
``Stripe-Account`` header acts on that connected account, and sees only its objects. Like Stripe
it honours idempotency keys, per account: the same key with the same parameters returns the
stored response and creates nothing; with other parameters, an ``idempotency_error``.

The ``complete_checkout``/``fail_payment``/``pay_invoice``/``cancel``/``update`` helpers (and
``complete_onboarding``, ``expire_checkout``, ``refund_from_dashboard``...) act as Stripe would
and return the events Stripe would send; events that API calls cause (a refund, an expiry) wait
in ``outbox`` (``take_events()``). Events about a connected account's objects carry
``"account"``. ``signature_header`` signs a payload
with Stripe's scheme (``t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">``), written here
independently of the library's own verification code.

For the browser test, ``serve()`` runs it over HTTP: the API under ``/v1/`` and a Checkout page
whose "Pay" button completes the session, sends the signed webhooks to Joren and redirects to
the ``success_url``, as Stripe's hosted Checkout does; and an onboarding page for account links.
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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from werkzeug.serving import make_server

from tests.stripe_fake_connect import (  # noqa: F401 - DAY, MONTH, YEAR: re-exported
    DAY,
    INTERVALS,
    MONTH,
    YEAR,
    ConnectMixin,
    StripeAPIError,
    _error,
    as_list,
    check_metadata,
    invalid,
)

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
    stripe_account: str | None = None


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


GET_KINDS = {
    "customers": "customer", "checkout/sessions": "checkout.session",
    "subscriptions": "subscription", "invoices": "invoice", "payment_intents": "payment_intent",
    "charges": "charge", "refunds": "refund", "accounts": "account",
    "application_fees": "application_fee",
}
_GET_ONE = re.compile(rf"/v1/({'|'.join(GET_KINDS)})/(\w+)")


class FakeStripe(ConnectMixin, stripe.HTTPClient):
    name = "joren-fake-stripe"

    def __init__(self, public_url: str = "https://fake-stripe.invalid") -> None:
        super().__init__()
        self.public_url = public_url
        self.lock = threading.RLock()
        self.requests: list[Recorded] = []
        self.objects: dict[str, dict[str, Any]] = {}
        self.line_items: dict[str, list[dict[str, Any]]] = {}
        self.subscription_metadata: dict[str, dict[str, str]] = {}
        self.checkout_params: dict[str, dict[str, Any]] = {}
        # object id -> the connected account it lives on (absent: the platform's own).
        self.owner: dict[str, str] = {}
        self.account_links: dict[str, dict[str, Any]] = {}
        # payment intent id -> application fee refunded to the account so far.
        self.application_fee_refunds: defaultdict[str, int] = defaultdict(int)
        self.refund_status = "succeeded"  # "pending" to make refunds settle later
        # Events Stripe sends because of API calls (a refund, an expiry): take_events().
        self.outbox: list[dict[str, Any]] = []
        self._idempotent: dict[tuple[str | None, str], tuple[str, int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self.clock = int(time.time())
        # Where the served pages send their webhooks (browser test). Connect events (with
        # "account") go to connect_webhook_url / are signed with connect_webhook_secret when set.
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.connect_webhook_url: str | None = None
        self.connect_webhook_secret: str | None = None
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
        account = headers.get("stripe-account") or None
        record = Recorded(method, path, params, key, headers=headers, stripe_account=account)
        with self.lock:
            self.requests.append(record)
            if not headers.get("authorization", "").startswith("Bearer sk_"):
                record.status = 401
                return 401, _error("invalid_request_error", "Invalid API Key provided"), {}
            if account and (self.objects.get(account) or {}).get("object") != "account":
                record.status = 403
                return 403, _error(
                    "invalid_request_error", "The provided key does not have access to account "
                    f"'{account}' (or that account does not exist). Application access may "
                    "have been revoked.", "account_invalid"), {}
            fingerprint = json.dumps([method, path, params], sort_keys=True)
            stored = (account, key) if key else None
            if method == "POST" and stored and stored in self._idempotent:
                seen, status, response = self._idempotent[stored]
                if seen != fingerprint:
                    record.status = 400
                    return 400, _error("idempotency_error", "Keys for idempotent requests can "
                                       "only be used with the same parameters they were "
                                       "first used with."), {}
                record.status, record.replayed = status, True
                return status, copy.deepcopy(response), {"idempotent-replayed": "true"}
            try:
                status, response = 200, self._route(method, path, params, account)
                if params.get("expand"):
                    self._expand(response, params["expand"], account)
            except StripeAPIError as exc:
                status, response = exc.status, _error(exc.kind, exc.message, exc.code,
                                                      exc.param)
            record.status = status
            if method == "POST" and stored:
                self._idempotent[stored] = (fingerprint, status, copy.deepcopy(response))
            return status, response, {}

    def _route(self, method: str, path: str, params: dict[str, Any],
               account: str | None) -> dict[str, Any]:
        routes = {
            ("POST", "/v1/customers"): self._create_customer,
            ("POST", "/v1/checkout/sessions"): self._create_checkout,
            ("POST", "/v1/billing_portal/sessions"): self._create_portal,
            ("POST", "/v1/accounts"): self._create_account,
            ("POST", "/v1/account_links"): self._create_account_link,
            ("POST", "/v1/refunds"): self._create_refund,
            ("GET", "/v1/refunds"): self._list("refund", path, ("payment_intent", "charge")),
            ("GET", "/v1/checkout/sessions"): self._list(
                "checkout.session", path, ("payment_intent", "customer", "status",
                                           "subscription")),
        }
        if (method, path) in routes:
            return routes[(method, path)](params, account)
        if method == "GET" and path == "/v1/account" and account:
            return copy.deepcopy(self._get(account, account, "account"))
        match = re.fullmatch(r"/v1/checkout/sessions/(\w+)/expire", path)
        if method == "POST" and match:
            return self._expire_checkout_api(match.group(1), account)
        match = re.fullmatch(r"/v1/subscriptions/(\w+)", path)
        if method in ("POST", "DELETE") and match:
            return self._change_subscription(method, match.group(1), params, account)
        match = _GET_ONE.fullmatch(path)
        if method == "GET" and match:
            return copy.deepcopy(self._get(match.group(2), account, GET_KINDS[match.group(1)]))
        raise StripeAPIError(404, "invalid_request_error",
                             f"Unrecognized request URL ({method}: {path}).")

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def _store(self, obj: dict[str, Any], account: str | None = None) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        if account:
            self.owner[obj["id"]] = account
        return copy.deepcopy(obj)

    def _create_customer(self, params: dict[str, Any],
                         account: str | None = None) -> dict[str, Any]:
        return self._store({
            "id": self._new_id("cus"), "object": "customer", "created": self.clock,
            "email": params.get("email"), "name": params.get("name"),
            "metadata": check_metadata(params.get("metadata")), "livemode": False,
        }, account)

    def _create_portal(self, params: dict[str, Any], account: str | None) -> dict[str, Any]:
        self._param_object(params.get("customer"), account, "customer", "customer")
        portal_id = self._new_id("bps")
        return self._store({
            "id": portal_id, "object": "billing_portal.session", "created": self.clock,
            "customer": params["customer"], "return_url": params.get("return_url"),
            "locale": params.get("locale"), "url": f"{self.public_url}/portal/{portal_id}",
            "livemode": False,
        }, account)

    def _change_subscription(self, method: str, sub_id: str, params: dict[str, Any],
                             account: str | None) -> dict[str, Any]:
        """DELETE cancels now; POST sets cancel_at_period_end / metadata. The events wait in
        the outbox."""
        sub = self._get(sub_id, account, "subscription")
        if sub["status"] == "canceled":
            raise invalid("A canceled subscription can only update its cancellation_details "
                          "and metadata.")
        if method == "DELETE":
            self.outbox.append(self.cancel(sub_id))
            return copy.deepcopy(sub)
        changes: dict[str, Any] = {}
        if "cancel_at_period_end" in params:
            changes["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        if "metadata" in params:
            metadata = dict(sub["metadata"])
            for name, value in check_metadata(params["metadata"]).items():
                if value == "":
                    metadata.pop(name, None)
                else:
                    metadata[name] = value
            changes["metadata"] = metadata
        if changes:
            self.outbox.append(self.update(sub_id, **changes))
        return copy.deepcopy(sub)

    # -- what Stripe does on its side, and the events it sends ------------------------------
    def tick(self, seconds: int = 1) -> int:
        self.clock += seconds
        return self.clock

    def event(self, type_: str, obj: dict[str, Any], previous: dict[str, Any] | None = None,
              created: int | None = None, account: str | None = None) -> dict[str, Any]:
        """An event about ``obj``; about a connected account's object it carries "account"."""
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        event = {
            "id": self._new_id("evt"), "object": "event", "api_version": stripe.api_version,
            "created": self.clock if created is None else created, "type": type_,
            "data": data, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }
        account = account or self.owner.get(str(obj.get("id")))
        if account:
            event["account"] = account
        return event

    @staticmethod
    def _seconds(recurring: dict[str, Any]) -> int:
        return INTERVALS[recurring["interval"]] * int(recurring.get("interval_count") or 1)

    def _invoice(self, sub: dict[str, Any], status: str,
                 reason: str = "subscription_cycle") -> dict[str, Any]:
        invoice_id = self._new_id("in")
        lines = [{
            "id": self._new_id("il"), "object": "line_item",
            "amount": i["price"]["unit_amount"] * i["quantity"], "currency": sub["currency"],
            "description": f"{i['quantity']} × {i['price']['product']}",
            "quantity": i["quantity"], "metadata": copy.deepcopy(sub["metadata"]),
            "period": {"start": i["current_period_start"], "end": i["current_period_end"]},
        } for i in sub["items"]["data"]]
        amount = sum(line["amount"] for line in lines)
        paid = status == "paid"
        customer = self.objects.get(sub["customer"] or "") or {}
        invoice = {
            "id": invoice_id, "object": "invoice", "customer": sub["customer"],
            "customer_email": customer.get("email"),
            "currency": sub["currency"], "amount_due": amount,
            "amount_paid": amount if paid else 0, "amount_remaining": 0 if paid else amount,
            "status": status, "attempt_count": 1, "billing_reason": reason,
            "lines": as_list(lines, f"/v1/invoices/{invoice_id}/lines"),
            "status_transitions": {"finalized_at": self.clock,
                                   "paid_at": self.clock if paid else None},
            "created": self.clock, "livemode": False,
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": sub["id"], "metadata": copy.deepcopy(sub["metadata"])}},
        }
        if sub.get("application_fee_percent") is not None:
            invoice["application_fee_amount"] = round(
                amount * sub["application_fee_percent"] / 100)
        sub["latest_invoice"] = invoice_id
        return self._store(invoice, self.owner.get(sub["id"]))

    def complete_checkout(self, session_id: str, *,
                          delayed: bool = False) -> list[dict[str, Any]]:
        """The customer paid. Payment mode: a PaymentIntent and its Charge (``delayed``: a
        konbini payment still to be made, see ``settle_async_payment``) and
        [checkout.session.completed]. Subscription mode: a subscription (active), a paid
        invoice, and [customer.subscription.created, invoice.paid, checkout.session.completed].
        """
        with self.lock:
            session = self.objects[session_id]
            if session["status"] != "open":
                raise invalid(f"Checkout Session {session_id} is {session['status']}, not open.")
            if self.clock >= session["expires_at"]:
                raise invalid(f"Checkout Session {session_id} has expired (expire_checkout).")
            self.tick()
            if session["mode"] == "payment":
                return self._complete_payment(session, delayed)
            return self._complete_subscription(session)

    def _complete_subscription(self, session: dict[str, Any]) -> list[dict[str, Any]]:
        session_id, account = session["id"], self.owner.get(session["id"])
        if not session["customer"]:  # Checkout makes one in subscription mode
            session["customer"] = self._create_customer(
                {"email": session["customer_email"]}, account)["id"]
        sub_items = [{
            "id": self._new_id("si"), "object": "subscription_item",
            "quantity": int(i.get("quantity", 1)), "current_period_start": self.clock,
            "current_period_end": self.clock + self._seconds(i["price_data"]["recurring"]),
            "price": {"object": "price", "currency": i["price_data"]["currency"],
                      "unit_amount": int(i["price_data"]["unit_amount"]),
                      "recurring": {
                          "interval": i["price_data"]["recurring"]["interval"],
                          "interval_count": int(
                              i["price_data"]["recurring"].get("interval_count") or 1)},
                      "product": i["price_data"]["product_data"]["name"]},
        } for i in self.line_items[session_id] if i["price_data"].get("recurring")]
        sub = {
            "id": self._new_id("sub"), "object": "subscription",
            "customer": session["customer"], "status": "active", "created": self.clock,
            "currency": session["currency"], "cancel_at_period_end": False,
            "canceled_at": None, "ended_at": None, "latest_invoice": None,
            "metadata": copy.deepcopy(self.subscription_metadata[session_id]),
            "items": {"object": "list", "data": sub_items}, "livemode": False,
        }
        if account:
            percent = ((self.checkout_params.get(session_id) or {}).get("subscription_data")
                       or {}).get("application_fee_percent")
            sub["application_fee_percent"] = float(percent) if percent is not None else None
        self._store(sub, account)
        customer = self.objects[session["customer"]]
        session.update(status="complete", payment_status="paid", subscription=sub["id"],
                       customer_details={"email": customer.get("email"), "name": None})
        invoice = self._invoice(sub, "paid", "subscription_create")
        session["invoice"] = invoice["id"]
        return [self.event("customer.subscription.created", sub),
                self.event("invoice.paid", invoice),
                self.event("checkout.session.completed", session)]

    def _open_invoice(self, sub: dict[str, Any]) -> dict[str, Any] | None:
        latest = self.objects.get(sub.get("latest_invoice") or "")
        return latest if latest and latest["status"] == "open" else None

    def _advance(self, sub: dict[str, Any]) -> None:
        """The next billing period (a renewal)."""
        for item in sub["items"]["data"]:
            start = item["current_period_end"]
            item.update(current_period_start=start,
                        current_period_end=start + self._seconds(item["price"]["recurring"]))

    def update(self, sub_id: str, **changes: Any) -> dict[str, Any]:
        with self.lock:
            sub = self.objects[sub_id]
            self.tick()
            previous = {k: sub.get(k) for k in changes}
            sub.update(changes)
            return self.event("customer.subscription.updated", sub, previous)

    def fail_payment(self, sub_id: str) -> list[dict[str, Any]]:
        """A renewal (the next period's open invoice), or the retry of the open invoice,
        fails: [invoice.payment_failed, customer.subscription.updated (past_due)]."""
        with self.lock:
            sub = self.objects[sub_id]
            self.tick()
            invoice = self._open_invoice(sub)
            if invoice is None:
                self._advance(sub)
                invoice = self._invoice(sub, "open")
            else:
                invoice["attempt_count"] += 1
            failed = self.event("invoice.payment_failed", invoice)
            return [failed, self.update(sub_id, status="past_due")]

    def pay_invoice(self, sub_id: str) -> list[dict[str, Any]]:
        """The open invoice is paid; with none open, a renewal is (the period moves on):
        [invoice.paid, customer.subscription.updated (active)]."""
        with self.lock:
            sub = self.objects[sub_id]
            self.tick()
            invoice = self._open_invoice(sub)
            if invoice is None:
                self._advance(sub)
                invoice = self._invoice(sub, "paid")
            else:
                invoice.update(status="paid", amount_paid=invoice["amount_due"],
                               amount_remaining=0)
                invoice["status_transitions"]["paid_at"] = self.clock
            paid = self.event("invoice.paid", invoice)
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
        connect = bool(event.get("account"))
        url = (connect and self.connect_webhook_url) or self.webhook_url
        secret = (connect and self.connect_webhook_secret) or self.webhook_secret
        assert url and secret
        payload = json.dumps(event)
        request = urllib.request.Request(
            url, data=payload.encode(), method="POST",
            headers={"Content-Type": "application/json",
                     "Stripe-Signature": signature_header(payload, secret)})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            status = int(response.status)
        self.delivered.append((event["type"], status))
        return status

    def deliver_outbox(self) -> list[int]:
        """Send the events API calls caused (``outbox``) to Joren's webhook."""
        return [self.deliver(event) for event in self.take_events()]

    def wsgi_app(self) -> Any:
        from flask import Flask, abort, redirect
        from flask import request as flask_request
        from markupsafe import escape

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
                f"{escape(i['price_data']['product_data']['name'])}: "
                f"{i['price_data']['unit_amount']} {i['price_data']['currency'].upper()}"
                + (f" / {i['price_data']['recurring']['interval']}"
                   if i["price_data"].get("recurring") else "")
                + (f" × {i['quantity']}" if int(i.get("quantity", 1)) != 1 else "")
                + "</li>"
                for i in self.line_items[session_id])
            return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    f"<title>Fake Stripe Checkout</title></head><body>"
                    f"<h1>Fake Stripe Checkout</h1><ul>{rows}</ul>"
                    f"<p>Total: <span id='total'>{session['amount_total']}</span> "
                    f"{session['currency'].upper()}</p>"
                    f"<p id='status'>{session['status']}</p>"
                    f"<form method='post' action='/checkout/{session_id}/pay'>"
                    f"<button type='submit' id='pay'>Pay</button></form>"
                    f"<a href='{escape(session['cancel_url'] or '')}'>Back</a></body></html>")

        @web.post("/checkout/<session_id>/pay")
        def pay(session_id: str) -> Any:
            session = self.objects.get(session_id)
            if session is None or session["object"] != "checkout.session":
                abort(404)
            if session["status"] != "open":
                abort(400)
            for event in self.complete_checkout(session_id):
                self.deliver(event)
            return redirect(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))

        @web.get("/connect/<account_id>/onboard/<link_id>")
        def onboarding_page(account_id: str, link_id: str) -> Any:
            if self.account_link(account_id, link_id) is None:
                abort(404)
            return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    f"<title>Fake Stripe onboarding</title></head><body>"
                    f"<h1>Fake Stripe onboarding</h1><p id='account'>{account_id}</p>"
                    f"<form method='post' action='/connect/{account_id}/onboard/{link_id}'>"
                    f"<button type='submit' id='finish-onboarding'>Finish</button></form>"
                    f"</body></html>")

        @web.post("/connect/<account_id>/onboard/<link_id>")
        def finish_onboarding(account_id: str, link_id: str) -> Any:
            with self.lock:
                link = self.account_link(account_id, link_id)
                if link is None:
                    abort(404)
                link["used"] = True
                event = self.complete_onboarding(account_id)
            self.deliver(event)
            if not link["return_url"]:
                return "<!doctype html><p id='onboarded'>Onboarding complete</p>"
            return redirect(link["return_url"])

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
