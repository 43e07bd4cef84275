"""The Stripe Connect half of the tests' fake Stripe (``FakeStripe`` in tests/stripe_fake.py).

Connected accounts and their onboarding links, Checkout in payment mode with an application fee
(direct charges: the PaymentIntent, the Charge and every other object live on the connected
account), refunds, ``expand[]``, and the events Stripe sends as a consequence of API calls
(``outbox``). A request carrying ``Stripe-Account: acct_...`` acts on that account: what it
creates belongs to the account (``owner``), and an object of another account, or of the
platform, answers 404 as Stripe does, and vice versa.
"""

from __future__ import annotations

import copy
from typing import Any

DAY = 86400
MONTH = 30 * DAY
YEAR = 365 * DAY
INTERVALS = {"day": DAY, "week": 7 * DAY, "month": MONTH, "year": YEAR}
# Stripe's minimum charge amounts (zero-decimal JPY: ¥50 is 50).
MINIMUM_CHARGE = {"jpy": 50, "usd": 50, "eur": 50}
CHECKOUT_LOCALES = {
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr",
    "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt",
    "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
}
REFUND_REASONS = {"duplicate", "fraudulent", "requested_by_customer"}
ONBOARDING_DUE = ["business_profile.mcc", "business_profile.url", "external_account",
                  "representative.first_name_kana", "tos_acceptance.date", "tos_acceptance.ip"]
LINK_LIFETIME = 300


class StripeAPIError(Exception):
    def __init__(self, status: int, kind: str, message: str, code: str | None = None,
                 param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message
        self.code, self.param = code, param


def _error(kind: str, message: str, code: str | None = None,
           param: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return {"error": error}


def invalid(message: str, code: str | None = None, param: str | None = None) -> StripeAPIError:
    return StripeAPIError(400, "invalid_request_error", message, code, param)


def no_such(kind: str, object_id: str, status: int = 404,
            param: str | None = None) -> StripeAPIError:
    return StripeAPIError(status, "invalid_request_error", f"No such {kind}: '{object_id}'",
                          "resource_missing", param)


def integer(value: Any, param: str, minimum: int = 0) -> int:
    """A form-encoded integer parameter, as Stripe parses it (``"3000"``, never ``"3000.5"``)."""
    text = str(value)
    if not text.lstrip("-").isdigit():
        raise invalid(f"Invalid integer: {text}", "parameter_invalid_integer", param)
    number = int(text)
    if number < minimum:
        raise invalid(f"This value must be greater than or equal to {minimum}.",
                      "parameter_invalid_integer", param)
    return number


def check_metadata(metadata: Any, param: str = "metadata") -> dict[str, str]:
    if metadata in (None, ""):
        return {}
    if not isinstance(metadata, dict):
        raise invalid("Invalid object", "parameter_invalid_empty", param)
    if len(metadata) > 50:
        raise invalid("You can specify up to 50 keys in metadata.", param=param)
    for key, value in metadata.items():
        if len(key) > 40 or len(str(value)) > 500:
            raise invalid("Metadata keys can be up to 40 characters long and values up to 500 "
                          "characters long.", param=f"{param}[{key}]")
    return dict(metadata)


def as_list(items: list[dict[str, Any]], url: str) -> dict[str, Any]:
    return {"object": "list", "data": items, "has_more": False, "total_count": len(items),
            "url": url}


class ConnectMixin:
    """Mixed into ``FakeStripe``; uses its ``objects``, ``owner``, ``_store``, ``event``..."""

    objects: dict[str, dict[str, Any]]
    owner: dict[str, str]
    outbox: list[dict[str, Any]]
    clock: int
    public_url: str

    # -- ownership -------------------------------------------------------------------------
    def _visible(self, object_id: str, account: str | None) -> bool:
        obj = self.objects.get(object_id)
        if obj is None:
            return False
        if obj["object"] == "account":
            return account is None or account == object_id
        return self.owner.get(object_id) == account

    def _get(self, object_id: str, account: str | None = None,
             kind: str | None = None) -> dict[str, Any]:
        obj = self.objects.get(object_id)
        if not self._visible(object_id, account) or (kind and obj and obj["object"] != kind):
            raise no_such(kind or (obj or {}).get("object", "object"), object_id)
        assert obj is not None
        return obj

    def _param_object(self, object_id: Any, account: str | None, kind: str,
                      param: str) -> dict[str, Any]:
        """An object named in a parameter: unknown (or another account's) is a 400."""
        if not isinstance(object_id, str) or not object_id:
            raise invalid(f"Missing required param: {param}.", "parameter_missing", param)
        try:
            return self._get(object_id, account, kind)
        except StripeAPIError:
            raise no_such(kind, object_id, 400, param) from None

    def take_events(self) -> list[dict[str, Any]]:
        """The events Stripe sent because of API calls since the last take (and forget them)."""
        with self.lock:  # type: ignore[attr-defined]
            events, self.outbox[:] = list(self.outbox), []
            return events

    # -- accounts and onboarding -----------------------------------------------------------
    def _create_account(self, params: dict[str, Any], account: str | None) -> dict[str, Any]:
        if account:
            raise invalid("Connected accounts cannot create other accounts.")
        kind = params.get("type")
        if kind is None and not params.get("controller"):
            raise invalid("Missing required param: type.", "parameter_missing", "type")
        if kind is not None and kind not in ("standard", "express", "custom"):
            raise invalid("Invalid type: must be one of standard, express, or custom",
                          "parameter_invalid_empty", "type")
        country = str(params.get("country") or "JP").upper()
        requested = params.get("capabilities") or {}
        profile = params.get("business_profile") or {}
        return self._store({  # type: ignore[attr-defined]
            "id": self._new_id("acct"), "object": "account",  # type: ignore[attr-defined]
            "type": kind or "standard", "country": country, "email": params.get("email"),
            "business_type": params.get("business_type"),
            "business_profile": {"name": profile.get("name"), "url": profile.get("url"),
                                 "mcc": profile.get("mcc"),
                                 "product_description": profile.get("product_description")},
            "capabilities": {name: "inactive" for name in requested},
            "charges_enabled": False, "payouts_enabled": False, "details_submitted": False,
            "default_currency": {"JP": "jpy", "US": "usd"}.get(country, "eur"),
            "requirements": self._requirements(list(ONBOARDING_DUE)),
            "metadata": check_metadata(params.get("metadata")), "created": self.clock,
            "livemode": False,
        })

    @staticmethod
    def _requirements(due: list[str]) -> dict[str, Any]:
        return {"currently_due": due, "eventually_due": list(due), "past_due": list(due),
                "pending_verification": [], "errors": [], "current_deadline": None,
                "disabled_reason": "requirements.past_due" if due else None}

    def add_account(self, *, onboarded: bool = True, **fields: Any) -> dict[str, Any]:
        """A connected account made directly (no request recorded), onboarded by default."""
        with self.lock:  # type: ignore[attr-defined]
            acct = self._create_account({"type": "standard", **fields}, None)
            if onboarded:
                self.complete_onboarding(acct["id"])
            return copy.deepcopy(self.objects[acct["id"]])

    def _account_change(self, account_id: str, **changes: Any) -> dict[str, Any]:
        with self.lock:  # type: ignore[attr-defined]
            acct = self._get(account_id, None, "account")
            self.tick()  # type: ignore[attr-defined]
            previous = {key: copy.deepcopy(acct.get(key)) for key in changes}
            acct.update(changes)
            return self.event("account.updated", acct, previous,  # type: ignore[attr-defined]
                              account=account_id)

    def complete_onboarding(self, account_id: str) -> dict[str, Any]:
        """The organizer finished Stripe's onboarding: charges and payouts enabled."""
        acct = self._get(account_id, None, "account")
        return self._account_change(
            account_id, charges_enabled=True, payouts_enabled=True, details_submitted=True,
            requirements=self._requirements([]),
            capabilities={name: "active" for name in acct["capabilities"]})

    def restrict_account(self, account_id: str) -> dict[str, Any]:
        """Stripe needs more information and disabled charges (and payouts)."""
        return self._account_change(
            account_id, charges_enabled=False, payouts_enabled=False,
            requirements=self._requirements(["individual.verification.document"]))

    def _create_account_link(self, params: dict[str, Any],
                             account: str | None) -> dict[str, Any]:
        if account:
            raise invalid("Account links must be created by the platform.")
        if not params.get("type"):
            raise invalid("Missing required param: type.", "parameter_missing", "type")
        if params["type"] not in ("account_onboarding", "account_update"):
            raise invalid(f"Invalid type: {params['type']}", param="type")
        self._param_object(params.get("account"), None, "account", "account")
        link_id = self._new_id("al")  # type: ignore[attr-defined]
        link = {"account": params["account"], "type": params["type"],
                "refresh_url": params.get("refresh_url"), "return_url": params.get("return_url"),
                "created": self.clock, "expires_at": self.clock + LINK_LIFETIME, "used": False}
        self.account_links[link_id] = link  # type: ignore[attr-defined]
        return {"object": "account_link", "created": link["created"],
                "expires_at": link["expires_at"],
                "url": f"{self.public_url}/connect/{params['account']}/onboard/{link_id}"}

    def account_link(self, account_id: str, link_id: str) -> dict[str, Any] | None:
        """The link if it is for ``account_id``, unused and not expired (fake clock)."""
        link = self.account_links.get(link_id)  # type: ignore[attr-defined]
        if (link is None or link["account"] != account_id or link["used"]
                or self.clock > link["expires_at"]):
            return None
        return link

    # -- Checkout Sessions -----------------------------------------------------------------
    def _create_checkout(self, params: dict[str, Any], account: str | None) -> dict[str, Any]:
        for required in ("mode", "success_url", "line_items"):
            if required not in params:
                raise invalid(f"Missing required param: {required}.", "parameter_missing",
                              required)
        mode = params["mode"]
        if mode not in ("payment", "subscription"):
            raise invalid(f"Invalid mode: the fake supports payment and subscription, not {mode}",
                          param="mode")
        if params.get("customer") and params.get("customer_email"):
            raise invalid("You may only specify one of these parameters: customer, "
                          "customer_email.")
        if params.get("customer"):
            self._param_object(params["customer"], account, "customer", "customer")
        if params.get("locale") and params["locale"] not in CHECKOUT_LOCALES:
            raise invalid(f"Invalid locale: {params['locale']}", param="locale")
        items, amount, currency = self._checkout_items(params["line_items"], mode)
        payment_data = params.get("payment_intent_data") or {}
        sub_data = params.get("subscription_data") or {}
        if payment_data and mode != "payment":
            raise invalid(f"You can not pass `payment_intent_data` in `{mode}` mode.",
                          param="payment_intent_data")
        if sub_data and mode != "subscription":
            raise invalid(f"You can not pass `subscription_data` in `{mode}` mode.",
                          param="subscription_data")
        check_metadata(payment_data.get("metadata"), "payment_intent_data[metadata]")
        check_metadata(sub_data.get("metadata"), "subscription_data[metadata]")
        self._check_fees(payment_data, sub_data, amount, account)
        if mode == "payment" and amount < MINIMUM_CHARGE.get(currency, 50):
            raise invalid(f"The Checkout Session's total amount due must add up to at least "
                          f"{MINIMUM_CHARGE.get(currency, 50)} {currency}.",
                          "amount_too_small")
        expires_at = self.clock + DAY
        if params.get("expires_at") is not None:
            expires_at = integer(params["expires_at"], "expires_at")
            if expires_at < self.clock + 30 * 60:
                raise invalid("The `expires_at` timestamp must be at least 30 minutes from "
                              "Checkout Session creation.", param="expires_at")
            if expires_at > self.clock + DAY:
                raise invalid("The `expires_at` timestamp must be less than 24 hours from "
                              "Checkout Session creation.", param="expires_at")
        session_id = self._new_id("cs_test")  # type: ignore[attr-defined]
        self.line_items[session_id] = items  # type: ignore[attr-defined]
        self.checkout_params[session_id] = copy.deepcopy(params)  # type: ignore[attr-defined]
        self.subscription_metadata[session_id] = dict(  # type: ignore[attr-defined]
            sub_data.get("metadata") or {})
        return self._store({  # type: ignore[attr-defined]
            "id": session_id, "object": "checkout.session", "mode": mode,
            "status": "open", "payment_status": "unpaid", "created": self.clock,
            "expires_at": expires_at, "customer": params.get("customer"),
            "customer_email": params.get("customer_email"), "customer_details": None,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": check_metadata(params.get("metadata")), "currency": currency,
            "amount_total": amount, "amount_subtotal": amount, "locale": params.get("locale"),
            "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
            "payment_intent": None, "subscription": None, "invoice": None,
            "url": f"{self.public_url}/checkout/{session_id}", "livemode": False,
        }, account)

    def _checkout_items(self, raw: Any, mode: str) -> tuple[list[dict[str, Any]], int, str]:
        if not isinstance(raw, list) or not raw:
            raise invalid("Missing required param: line_items.", "parameter_missing",
                          "line_items")
        items, amount, currencies, recurring = [], 0, set(), 0
        for n, item in enumerate(raw):
            price = item.get("price_data") if isinstance(item, dict) else None
            if not isinstance(price, dict):
                raise invalid("The fake only knows line_items[].price_data.",
                              param=f"line_items[{n}][price_data]")
            for required in ("currency", "unit_amount"):
                if required not in price:
                    raise invalid(f"Missing required param: line_items[{n}][price_data]"
                                  f"[{required}].", "parameter_missing")
            name = (price.get("product_data") or {}).get("name")
            if not name:
                raise invalid(f"Missing required param: line_items[{n}][price_data]"
                              f"[product_data][name].", "parameter_missing")
            unit = integer(price["unit_amount"], f"line_items[{n}][price_data][unit_amount]")
            quantity = integer(item.get("quantity", 1), f"line_items[{n}][quantity]", 1)
            interval = (price.get("recurring") or {}).get("interval")
            if price.get("recurring") is not None:
                if interval not in INTERVALS:
                    raise invalid(f"Invalid recurring interval: {interval}",
                                  param=f"line_items[{n}][price_data][recurring][interval]")
                recurring += 1
            currency = str(price["currency"]).lower()
            currencies.add(currency)
            price = {**price, "currency": currency, "unit_amount": str(unit)}
            items.append({**item, "price_data": price, "quantity": str(quantity)})
            amount += unit * quantity
        if len(currencies) > 1:
            raise invalid("All line items must use the same currency.")
        if mode == "payment" and recurring:
            raise invalid("You specified `payment` mode but passed a recurring price. Either "
                          "switch to `subscription` mode or use only one-time prices.")
        if mode == "subscription" and not recurring:
            raise invalid("You must provide at least one recurring price in `subscription` "
                          "mode when using prices.")
        return items, amount, currencies.pop()

    @staticmethod
    def _check_fees(payment_data: dict[str, Any], sub_data: dict[str, Any], amount: int,
                    account: str | None) -> None:
        if payment_data.get("application_fee_amount") is not None:
            param = "payment_intent_data[application_fee_amount]"
            if not account:
                raise invalid("Can only apply an application_fee_amount when the "
                              "PaymentIntent is attempting a direct payment (using an OAuth "
                              "key or Stripe-Account header) or destination payment (using "
                              "`transfer_data[destination]`).", param=param)
            fee = integer(payment_data["application_fee_amount"], param)
            if fee > amount:
                raise invalid(f"The application fee ({fee}) must not exceed the amount "
                              f"({amount}).", param=param)
        if sub_data.get("application_fee_percent") is not None:
            param = "subscription_data[application_fee_percent]"
            if not account:
                raise invalid("Can only apply an application_fee_percent on a connected "
                              "account (Stripe-Account header).", param=param)
            try:
                percent = float(sub_data["application_fee_percent"])
            except ValueError:
                raise invalid("Invalid decimal: "
                              f"{sub_data['application_fee_percent']}", param=param) from None
            if not 0 <= percent <= 100:
                raise invalid("application_fee_percent must be between 0 and 100.",
                              param=param)

    def _session_line_items(self, session_id: str) -> dict[str, Any]:
        data = []
        for n, item in enumerate(self.line_items[session_id]):  # type: ignore[attr-defined]
            price, quantity = item["price_data"], int(item["quantity"])
            unit = int(price["unit_amount"])
            data.append({
                "id": f"li_{session_id}_{n}", "object": "item",
                "description": price["product_data"]["name"], "quantity": quantity,
                "amount_subtotal": unit * quantity, "amount_total": unit * quantity,
                "currency": price["currency"],
                "price": {"object": "price", "currency": price["currency"], "unit_amount": unit,
                          "recurring": price.get("recurring"), "type": "recurring"
                          if price.get("recurring") else "one_time"}})
        return as_list(data, f"/v1/checkout/sessions/{session_id}/line_items")

    def expire_checkout(self, session_id: str) -> dict[str, Any]:
        """The session timed out (or was expired): returns checkout.session.expired."""
        with self.lock:  # type: ignore[attr-defined]
            session = self.objects[session_id]
            if session["status"] != "open":
                raise invalid('Only Checkout Sessions with a status in ["open"] can be '
                              'expired.')
            self.tick()  # type: ignore[attr-defined]
            session["status"] = "expired"
            return self.event("checkout.session.expired", session)  # type: ignore[attr-defined]

    def _expire_checkout_api(self, session_id: str, account: str | None) -> dict[str, Any]:
        self._get(session_id, account, "checkout.session")
        self.outbox.append(self.expire_checkout(session_id))
        return copy.deepcopy(self.objects[session_id])

    def _complete_payment(self, session: dict[str, Any], delayed: bool) -> list[dict[str, Any]]:
        session_id, account = session["id"], self.owner.get(session["id"])
        data = self.checkout_params[session_id].get(  # type: ignore[attr-defined]
            "payment_intent_data") or {}
        fee = data.get("application_fee_amount")
        pi = {
            "id": self._new_id("pi"), "object": "payment_intent",  # type: ignore[attr-defined]
            "status": "requires_action" if delayed else "succeeded",
            "amount": session["amount_total"], "amount_received": 0,
            "currency": session["currency"], "customer": session["customer"],
            "application_fee_amount": int(fee) if fee is not None else None,
            "description": data.get("description"), "metadata": dict(data.get("metadata") or {}),
            "latest_charge": None, "created": self.clock, "livemode": False,
        }
        self._store(pi, account)  # type: ignore[attr-defined]
        email = session["customer_email"] or (
            self.objects[session["customer"]]["email"] if session["customer"] else None)
        session.update(status="complete", payment_intent=pi["id"],
                       customer_details={"email": email, "name": None})
        if not delayed:
            self._charge(pi)
            session["payment_status"] = "paid"
        return [self.event("checkout.session.completed", session)]  # type: ignore[attr-defined]

    def _charge(self, pi: dict[str, Any]) -> dict[str, Any]:
        account = self.owner.get(pi["id"])
        charge_id = self._new_id("ch")  # type: ignore[attr-defined]
        fee_id = None
        if pi["application_fee_amount"] and account:
            fee_id = self._new_id("fee")  # type: ignore[attr-defined]
            self._store({  # type: ignore[attr-defined]
                "id": fee_id, "object": "application_fee", "account": account,
                "amount": pi["application_fee_amount"], "amount_refunded": 0,
                "refunded": False, "charge": charge_id, "currency": pi["currency"],
                "created": self.clock, "livemode": False})  # the platform's
        charge = {
            "id": charge_id, "object": "charge", "amount": pi["amount"],
            "amount_captured": pi["amount"], "amount_refunded": 0, "refunded": False,
            "paid": True, "captured": True, "status": "succeeded", "payment_intent": pi["id"],
            "currency": pi["currency"], "customer": pi["customer"],
            "application_fee": fee_id, "application_fee_amount": pi["application_fee_amount"],
            "description": pi["description"], "metadata": copy.deepcopy(pi["metadata"]),
            "refunds": as_list([], f"/v1/charges/{charge_id}/refunds"),
            "created": self.clock, "livemode": False,
        }
        self._store(charge, account)  # type: ignore[attr-defined]
        pi.update(status="succeeded", latest_charge=charge_id, amount_received=pi["amount"])
        return charge

    def settle_async_payment(self, session_id: str, succeeded: bool = True
                             ) -> list[dict[str, Any]]:
        """A delayed payment (konbini) completed with ``complete_checkout(delayed=True)``
        is paid (async_payment_succeeded) or never paid (async_payment_failed)."""
        with self.lock:  # type: ignore[attr-defined]
            session = self.objects[session_id]
            pi = self.objects[session["payment_intent"]]
            if session["payment_status"] != "unpaid" or pi["status"] != "requires_action":
                raise invalid(f"Checkout Session {session_id} has no pending payment.")
            self.tick()  # type: ignore[attr-defined]
            if succeeded:
                self._charge(pi)
                session["payment_status"] = "paid"
                kind = "checkout.session.async_payment_succeeded"
            else:
                pi.update(status="canceled", cancellation_reason="abandoned")
                kind = "checkout.session.async_payment_failed"
            return [self.event(kind, session)]  # type: ignore[attr-defined]

    # -- refunds ---------------------------------------------------------------------------
    def _create_refund(self, params: dict[str, Any], account: str | None) -> dict[str, Any]:
        if params.get("payment_intent"):
            pi = self._param_object(params["payment_intent"], account, "payment_intent",
                                    "payment_intent")
            if pi["status"] != "succeeded" or not pi["latest_charge"]:
                raise invalid(f"This PaymentIntent ({pi['id']}) does not have a successful "
                              "charge to refund.", "charge_not_refundable", "payment_intent")
            charge = self.objects[pi["latest_charge"]]
        elif params.get("charge"):
            charge = self._param_object(params["charge"], account, "charge", "charge")
        else:
            raise invalid("One of the following params should be provided for this request: "
                          "payment_intent or charge.", "parameter_missing")
        flag = params.get("refund_application_fee")
        if flag not in (None, "true", "false"):
            raise invalid(f"Invalid boolean: {flag}", param="refund_application_fee")
        refund, events = self._refund(
            charge, params.get("amount"), params.get("reason"), flag == "true",
            check_metadata(params.get("metadata")))
        self.outbox.extend(events)
        return refund

    def _refund(self, charge: dict[str, Any], amount: Any, reason: Any, refund_fee: bool,
                metadata: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise invalid(f"Charge {charge['id']} has already been refunded.",
                          "charge_already_refunded")
        amount = remaining if amount is None else integer(amount, "amount", 1)
        if amount > remaining:
            raise invalid(f"Refund amount ({amount} {charge['currency']}) is greater than "
                          f"unrefunded amount on charge ({remaining} {charge['currency']})",
                          "charge_already_refunded", "amount")
        if reason is not None and reason not in REFUND_REASONS:
            raise invalid(f"Invalid reason: {reason}", param="reason")
        account = self.owner.get(charge["id"])
        self.tick()  # type: ignore[attr-defined]
        refund = self._store({  # type: ignore[attr-defined]
            "id": self._new_id("re"), "object": "refund", "amount": amount,  # type: ignore
            "currency": charge["currency"], "status": self.refund_status,  # type: ignore
            "payment_intent": charge["payment_intent"], "charge": charge["id"],
            "reason": reason, "metadata": metadata, "failure_reason": None,
            "created": self.clock, "livemode": False,
        }, account)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        refunds = charge["refunds"]
        refunds["data"].insert(0, copy.deepcopy(refund))
        refunds["total_count"] = len(refunds["data"])
        if refund_fee and charge.get("application_fee"):
            self._refund_fee(charge, amount)
        return refund, [self.event("charge.refunded", charge),  # type: ignore[attr-defined]
                        self.event("refund.created", refund)]  # type: ignore[attr-defined]

    def _refund_fee(self, charge: dict[str, Any], amount: int) -> None:
        """The application fee goes back in proportion to the refund (the rest at the end)."""
        fee = self.objects[charge["application_fee"]]
        share = (fee["amount"] - fee["amount_refunded"] if charge["refunded"]
                 else fee["amount"] * amount // charge["amount"])
        share = min(share, fee["amount"] - fee["amount_refunded"])
        fee["amount_refunded"] += share
        fee["refunded"] = fee["amount_refunded"] == fee["amount"]
        self.application_fee_refunds[charge["payment_intent"]] += share  # type: ignore

    def refund_from_dashboard(self, payment_intent_id: str,
                              amount: int | None = None) -> list[dict[str, Any]]:
        """The organizer refunds in Stripe's dashboard: [charge.refunded, refund.created]."""
        with self.lock:  # type: ignore[attr-defined]
            pi = self.objects[payment_intent_id]
            if pi["status"] != "succeeded":
                raise invalid(f"This PaymentIntent ({pi['id']}) does not have a successful "
                              "charge to refund.", "charge_not_refundable")
            _, events = self._refund(self.objects[pi["latest_charge"]], amount,
                                     "requested_by_customer", False, {})
            return events

    def settle_refund(self, refund_id: str, status: str = "succeeded") -> dict[str, Any]:
        """A pending refund succeeds, or a refund fails (the money stays with the account):
        returns refund.updated."""
        with self.lock:  # type: ignore[attr-defined]
            refund = self.objects[refund_id]
            self.tick()  # type: ignore[attr-defined]
            previous = {"status": refund["status"]}
            refund["status"] = status
            if status == "failed":
                refund["failure_reason"] = "expired_or_canceled_card"
                charge = self.objects[refund["charge"]]
                charge["amount_refunded"] -= refund["amount"]
                charge["refunded"] = False
            return self.event("refund.updated", refund, previous)  # type: ignore[attr-defined]

    # -- expand[] --------------------------------------------------------------------------
    def _expand(self, obj: dict[str, Any], paths: Any, account: str | None) -> dict[str, Any]:
        for path in [paths] if isinstance(paths, str) else paths or []:
            self._expand_path(obj, path, path.split("."), account)
        return obj

    def _expand_path(self, node: Any, path: str, parts: list[str],
                     account: str | None) -> None:
        if not isinstance(node, dict):
            return
        head = parts[0]
        if head == "data" and node.get("object") == "list" and len(parts) > 1:
            for item in node["data"]:  # a list: expand[]=data.payment_intent
                self._expand_path(item, path, parts[1:], account)
            return
        if head == "line_items" and node.get("object") == "checkout.session":
            node[head] = self._session_line_items(node["id"])
        elif head not in node:
            raise invalid(f"This property cannot be expanded ({path}).")
        value = node[head]
        if isinstance(value, str):
            if not self._visible(value, account):
                raise invalid(f"This property cannot be expanded ({path}).")
            value = node[head] = copy.deepcopy(self.objects[value])
        if len(parts) > 1:
            self._expand_path(value, path, parts[1:], account)

    # -- lists -----------------------------------------------------------------------------
    def _list(self, kind: str, url: str, filters: tuple[str, ...]
              ) -> Any:
        def handler(params: dict[str, Any], account: str | None) -> dict[str, Any]:
            found = [copy.deepcopy(o) for o in self.objects.values()
                     if o["object"] == kind and self._visible(o["id"], account)
                     and all(o.get(f) == params[f] for f in filters if f in params)]
            found.sort(key=lambda o: o["created"], reverse=True)
            limit = integer(params.get("limit", 10), "limit", 1)
            listed = as_list(found[:limit], url)
            listed["has_more"] = len(found) > limit
            del listed["total_count"]
            return listed
        return handler
