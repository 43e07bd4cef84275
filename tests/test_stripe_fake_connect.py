"""The fake Stripe's Connect half, driven through the real ``stripe`` library.

Every API call goes through ``stripe.StripeClient(..., http_client=fake)``, so these tests also
prove the library's request options (``stripe_account``, ``idempotency_key``, ``expand``) reach
the fake as Stripe would receive them (the ``Stripe-Account`` header, the ``Idempotency-Key``
header, ``expand[0]=...`` in the query string or body).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.live import free_port
from tests.stripe_fake import DAY, MONTH, YEAR, FakeStripe, StripeAPIError

JPY_ITEM = {"price_data": {"currency": "jpy", "unit_amount": 3000,
                           "product_data": {"name": "朝活交流会 第12回"}}, "quantity": 1}
META = {"purpose": "meetup_fee", "community_id": "7", "payment_id": "41"}
PLATFORM_SECRET, CONNECT_SECRET = "whsec_platform", "whsec_connect"


@pytest.fixture()
def fake() -> FakeStripe:
    return FakeStripe()


@pytest.fixture()
def client(fake: FakeStripe) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_x", http_client=fake)


@pytest.fixture()
def acct(fake: FakeStripe) -> str:
    return fake.add_account(email="organizer@example.jp")["id"]


@pytest.fixture()
def other(fake: FakeStripe) -> str:
    return fake.add_account(email="other@example.jp")["id"]


def on(account: str, key: str | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {"stripe_account": account}
    if key:
        options["idempotency_key"] = key
    return options


def payment_params(**extra: Any) -> dict[str, Any]:
    return {"mode": "payment", "line_items": [JPY_ITEM], "success_url": "https://j.example/ok",
            "cancel_url": "https://j.example/back", "metadata": META,
            "customer_email": "member@example.jp", "client_reference_id": "41", "locale": "ja",
            "payment_intent_data": {"application_fee_amount": 150, "metadata": META,
                                    "description": "朝活交流会 第12回"}, **extra}


def dues_params(interval: str = "year", **extra: Any) -> dict[str, Any]:
    return {"mode": "subscription", "success_url": "https://j.example/ok",
            "customer_email": "member@example.jp", "metadata": {"purpose": "dues"},
            "line_items": [{"price_data": {"currency": "jpy", "unit_amount": 12000,
                                           "recurring": {"interval": interval},
                                           "product_data": {"name": "年会費"}}, "quantity": 1}],
            "subscription_data": {"application_fee_percent": "2.5",
                                  "metadata": {"purpose": "dues", "member_id": "3"}}, **extra}


def paid_session(fake: FakeStripe, client: stripe.StripeClient, acct: str,
                 **extra: Any) -> dict[str, Any]:
    session = client.v1.checkout.sessions.create(payment_params(**extra), on(acct))
    fake.complete_checkout(session.id)
    return fake.objects[session.id]


def plain(obj: Any) -> Any:
    return json.loads(str(obj))


def bad_request(call: Any, *args: Any) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as error:
        call(*args)
    assert error.value.http_status == 400
    return error.value


# -- connected accounts and onboarding ------------------------------------------------------
def test_an_account_is_created_restricted_and_onboarding_enables_it(fake, client):
    created = client.v1.accounts.create({
        "type": "standard", "country": "JP", "email": "organizer@example.jp",
        "business_type": "individual", "metadata": {"community_id": "7"},
        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
    }, {"idempotency_key": "joren-community-7-account"})
    assert created.id.startswith("acct_") and created.object == "account"
    assert (created.type, created.country, created.email) == (
        "standard", "JP", "organizer@example.jp")
    assert (created.charges_enabled, created.payouts_enabled, created.details_submitted) == (
        False, False, False)
    assert created.default_currency == "jpy" and plain(created.metadata) == {"community_id": "7"}
    assert "external_account" in created.requirements.currently_due
    assert created.requirements.disabled_reason == "requirements.past_due"
    assert fake.requests[-1].stripe_account is None

    event = fake.complete_onboarding(created.id)
    assert (event["type"], event["account"]) == ("account.updated", created.id)
    obj = event["data"]["object"]
    assert (obj["charges_enabled"], obj["payouts_enabled"], obj["details_submitted"]) == (
        True, True, True)
    assert obj["requirements"]["currently_due"] == []
    assert obj["requirements"]["disabled_reason"] is None
    assert event["data"]["previous_attributes"]["charges_enabled"] is False
    assert client.v1.accounts.retrieve(created.id).charges_enabled is True

    restricted = fake.restrict_account(created.id)
    assert (restricted["type"], restricted["account"]) == ("account.updated", created.id)
    obj = restricted["data"]["object"]
    assert obj["charges_enabled"] is False and obj["requirements"]["currently_due"]
    assert obj["requirements"]["disabled_reason"] == "requirements.past_due"


def test_an_account_needs_a_type(client):
    assert bad_request(client.v1.accounts.create, {"country": "JP"}).param == "type"


def test_account_links_point_at_the_onboarding_page_and_expire_in_five_minutes(fake, client):
    account = client.v1.accounts.create({"type": "standard"})
    link = client.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "https://j.example/refresh", "return_url": "https://j.example/return"})
    assert link.object == "account_link" and link.expires_at == link.created + 300
    assert link.url.startswith(f"{fake.public_url}/connect/{account.id}/onboard/")
    bad_request(client.v1.account_links.create,
                {"account": "acct_nobody", "type": "account_onboarding"})
    missing_type = bad_request(client.v1.account_links.create, {"account": account.id})
    assert missing_type.error.type == "invalid_request_error"


def test_an_unknown_stripe_account_is_refused(client):
    with pytest.raises(stripe.PermissionError) as error:
        client.v1.checkout.sessions.create(payment_params(), on("acct_nobody"))
    assert error.value.json_body["error"]["code"] == "account_invalid"


# -- Checkout in payment mode on a connected account -----------------------------------------
def test_a_payment_mode_session_on_the_account_keeps_yen_as_yen(fake, client, acct):
    session = client.v1.checkout.sessions.create(payment_params(), on(acct, "joren-pay-41"))
    request = fake.requests[-1]
    assert (request.stripe_account, request.idempotency_key) == (acct, "joren-pay-41")
    assert request.params["payment_intent_data"]["application_fee_amount"] == "150"
    assert (session.mode, session.status, session.payment_status) == (
        "payment", "open", "unpaid")
    assert (session.amount_total, session.currency) == (3000, "jpy")
    assert session.payment_intent is None and session.expires_at == fake.clock + DAY
    assert session.customer_email == "member@example.jp" and plain(session.metadata) == META
    assert session.client_reference_id == "41" and session.url.endswith(session.id)
    assert fake.owner[session.id] == acct


def test_a_session_may_expire_between_thirty_minutes_and_a_day(fake, client, acct):
    soon = client.v1.checkout.sessions.create(
        payment_params(expires_at=fake.clock + 30 * 60), on(acct))
    assert soon.expires_at == fake.clock + 30 * 60
    late = client.v1.checkout.sessions.create(payment_params(expires_at=fake.clock + DAY),
                                              on(acct))
    assert late.expires_at == fake.clock + DAY
    for expires_at in (fake.clock + 30 * 60 - 1, fake.clock + DAY + 1):
        error = bad_request(client.v1.checkout.sessions.create,
                            payment_params(expires_at=expires_at), on(acct))
        assert error.param == "expires_at"


@pytest.mark.parametrize(("change", "param"), [
    ({"payment_intent_data": {"application_fee_amount": 3001}},
     "payment_intent_data[application_fee_amount]"),
    ({"payment_intent_data": {"application_fee_amount": "1.5"}},
     "payment_intent_data[application_fee_amount]"),
    ({"line_items": [{**JPY_ITEM, "price_data": {**JPY_ITEM["price_data"],
                                                 "unit_amount": "3000.5"}}]},
     "line_items[0][price_data][unit_amount]"),
    ({"line_items": [{**JPY_ITEM, "price_data": {**JPY_ITEM["price_data"],
                                                 "unit_amount": -1}}]},
     "line_items[0][price_data][unit_amount]"),
    ({"subscription_data": {"metadata": {"a": "b"}}}, "subscription_data"),
    ({"locale": "xx"}, "locale"),
])
def test_payment_mode_parameters_are_checked_like_stripe(client, acct, change, param):
    assert bad_request(client.v1.checkout.sessions.create, payment_params(**change),
                       on(acct)).param == param


def test_no_application_fee_without_a_connected_account(fake, client, acct):
    error = bad_request(client.v1.checkout.sessions.create, payment_params())
    assert error.param == "payment_intent_data[application_fee_amount]"
    recurring = {**JPY_ITEM, "price_data": {**JPY_ITEM["price_data"],
                                            "recurring": {"interval": "month"}}}
    bad_request(client.v1.checkout.sessions.create,
                payment_params(line_items=[recurring]), on(acct))
    cheap = {**JPY_ITEM, "price_data": {**JPY_ITEM["price_data"], "unit_amount": 49}}
    error = bad_request(client.v1.checkout.sessions.create,
                        payment_params(line_items=[cheap], payment_intent_data={}), on(acct))
    assert error.code == "amount_too_small"
    assert not fake.objects_of("checkout.session")


def test_paying_makes_a_payment_intent_and_a_charge_on_the_account(fake, client, acct):
    session = client.v1.checkout.sessions.create(payment_params(), on(acct))
    [completed] = fake.complete_checkout(session.id)
    assert (completed["type"], completed["account"]) == ("checkout.session.completed", acct)
    obj = completed["data"]["object"]
    assert (obj["status"], obj["payment_status"]) == ("complete", "paid")
    assert obj["customer_details"]["email"] == "member@example.jp"
    pi = fake.objects[obj["payment_intent"]]
    assert pi["id"].startswith("pi_") and pi["object"] == "payment_intent"
    assert (pi["status"], pi["amount"], pi["currency"]) == ("succeeded", 3000, "jpy")
    assert pi["application_fee_amount"] == 150 and pi["metadata"] == META
    charge = fake.objects[pi["latest_charge"]]
    assert charge["id"].startswith("ch_") and charge["object"] == "charge"
    assert (charge["amount"], charge["amount_refunded"], charge["refunded"]) == (3000, 0, False)
    assert (charge["paid"], charge["status"], charge["payment_intent"]) == (
        True, "succeeded", pi["id"])
    assert {fake.owner[pi["id"]], fake.owner[charge["id"]]} == {acct}
    assert fake.outbox == []  # a helper's events are returned, not queued
    with pytest.raises(StripeAPIError):
        fake.complete_checkout(session.id)


def test_expansions_nest_the_payment_intent_and_its_charge(fake, client, acct):
    session = paid_session(fake, client, acct)
    got = client.v1.checkout.sessions.retrieve(
        session["id"], {"expand": ["payment_intent", "payment_intent.latest_charge",
                                   "line_items"]}, on(acct))
    assert fake.requests[-1].method == "GET"
    assert fake.requests[-1].params["expand"] == [
        "payment_intent", "payment_intent.latest_charge", "line_items"]
    assert got.payment_intent.object == "payment_intent"
    assert got.payment_intent.latest_charge.object == "charge"
    assert got.payment_intent.latest_charge.amount == 3000
    assert got.line_items.data[0].description == "朝活交流会 第12回"
    assert got.line_items.data[0].amount_total == 3000
    plain = client.v1.checkout.sessions.retrieve(session["id"], options=on(acct))
    assert plain.payment_intent == session["payment_intent"]
    pi = client.v1.payment_intents.retrieve(session["payment_intent"],
                                            {"expand": ["latest_charge"]}, on(acct))
    assert pi.latest_charge.id == fake.objects[session["payment_intent"]]["latest_charge"]
    assert client.v1.charges.retrieve(pi.latest_charge.id, options=on(acct)).paid is True
    bad_request(client.v1.payment_intents.retrieve, pi.id, {"expand": ["nothing"]}, on(acct))


def test_another_accounts_objects_answer_404(fake, client, acct, other):
    session = paid_session(fake, client, acct)
    pi_id = session["payment_intent"]
    for call, object_id in ((client.v1.checkout.sessions.retrieve, session["id"]),
                            (client.v1.payment_intents.retrieve, pi_id),
                            (client.v1.charges.retrieve, fake.objects[pi_id]["latest_charge"])):
        for options in (on(other), {}):
            with pytest.raises(stripe.InvalidRequestError) as error:
                call(object_id, options=options)
            assert (error.value.http_status, error.value.code) == (404, "resource_missing")
    platform_customer = client.v1.customers.create({"email": "owner@example.jp"})
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.customers.retrieve(platform_customer.id, options=on(acct))
    assert error.value.http_status == 404
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.retrieve(other, options=on(acct))
    assert client.v1.accounts.retrieve(acct, options=on(acct)).id == acct
    assert client.v1.accounts.retrieve(acct).id == acct


def test_idempotency_keys_are_kept_per_account(fake, client, acct, other):
    first = client.v1.checkout.sessions.create(payment_params(), on(acct, "joren-k"))
    again = client.v1.checkout.sessions.create(payment_params(), on(acct, "joren-k"))
    assert again.id == first.id and fake.requests[-1].replayed
    assert again.last_response.headers.get("idempotent-replayed") == "true"
    elsewhere = client.v1.checkout.sessions.create(payment_params(client_reference_id="9"),
                                                   on(other, "joren-k"))
    assert elsewhere.id != first.id and fake.owner[elsewhere.id] == other
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(payment_params(client_reference_id="9"),
                                           on(acct, "joren-k"))
    assert len(fake.objects_of("checkout.session")) == 2
    refund_params = {"payment_intent": paid_session(fake, client, acct)["payment_intent"],
                     "amount": 1000}
    refund = client.v1.refunds.create(refund_params, on(acct, "joren-refund-41"))
    assert client.v1.refunds.create(refund_params, on(acct, "joren-refund-41")).id == refund.id
    assert len(fake.objects_of("refund")) == 1 and len(fake.take_events()) == 2


# -- refunds ------------------------------------------------------------------------------
def test_refunds_up_to_the_charge_with_the_fee_in_proportion(fake, client, acct):
    pi_id = paid_session(fake, client, acct)["payment_intent"]
    refund = client.v1.refunds.create({
        "payment_intent": pi_id, "amount": 1000, "reason": "requested_by_customer",
        "refund_application_fee": True, "metadata": {"payment_id": "41"}},
        on(acct, "joren-refund-41-1"))
    assert refund.object == "refund" and refund.id.startswith("re_")
    assert (refund.amount, refund.currency, refund.status) == (1000, "jpy", "succeeded")
    assert (refund.payment_intent, refund.reason, plain(refund.metadata)) == (
        pi_id, "requested_by_customer", {"payment_id": "41"})
    charge = fake.objects[fake.objects[pi_id]["latest_charge"]]
    assert refund.charge == charge["id"] and fake.owner[refund.id] == acct
    assert (charge["amount_refunded"], charge["refunded"]) == (1000, False)
    assert fake.application_fee_refunds[pi_id] == 50  # 150 × 1000 / 3000
    refunded, created = fake.take_events()
    assert (refunded["type"], refunded["account"]) == ("charge.refunded", acct)
    assert refunded["data"]["object"]["amount_refunded"] == 1000
    assert (created["type"], created["account"]) == ("refund.created", acct)
    assert created["data"]["object"]["id"] == refund.id and fake.take_events() == []

    too_much = bad_request(client.v1.refunds.create, {"payment_intent": pi_id, "amount": 2001},
                           on(acct))
    assert too_much.code == "charge_already_refunded"
    rest = client.v1.refunds.create({"payment_intent": pi_id, "refund_application_fee": True},
                                    on(acct))
    assert rest.amount == 2000
    assert (charge["amount_refunded"], charge["refunded"]) == (3000, True)
    assert [r["id"] for r in charge["refunds"]["data"]] == [rest.id, refund.id]
    assert fake.application_fee_refunds[pi_id] == 150
    done = bad_request(client.v1.refunds.create, {"charge": charge["id"], "amount": 1}, on(acct))
    assert done.code == "charge_already_refunded"
    assert done.error.type == "invalid_request_error"


def test_a_refund_keeps_the_fee_unless_asked_and_needs_a_succeeded_payment(fake, client, acct,
                                                                           other):
    pi_id = paid_session(fake, client, acct)["payment_intent"]
    client.v1.refunds.create({"payment_intent": pi_id, "amount": 500,
                              "refund_application_fee": False}, on(acct))
    assert fake.application_fee_refunds[pi_id] == 0
    missing = bad_request(client.v1.refunds.create, {"payment_intent": pi_id}, on(other))
    assert missing.code == "resource_missing"
    session = client.v1.checkout.sessions.create(payment_params(), on(acct))
    fake.complete_checkout(session.id, delayed=True)  # konbini: not paid yet
    pending = fake.objects[session.id]["payment_intent"]
    assert bad_request(client.v1.refunds.create, {"payment_intent": pending},
                       on(acct)).param == "payment_intent"
    [succeeded] = fake.settle_async_payment(session.id)
    assert succeeded["type"] == "checkout.session.async_payment_succeeded"
    assert succeeded["data"]["object"]["payment_status"] == "paid"
    assert client.v1.refunds.create({"payment_intent": pending}, on(acct)).amount == 3000


def test_a_refund_made_in_the_dashboard_returns_its_events(fake, client, acct):
    pi_id = paid_session(fake, client, acct)["payment_intent"]
    refunded, created = fake.refund_from_dashboard(pi_id, 1200)
    assert (refunded["type"], refunded["account"]) == ("charge.refunded", acct)
    assert refunded["data"]["object"]["object"] == "charge"
    assert refunded["data"]["object"]["amount_refunded"] == 1200
    assert (created["type"], created["data"]["object"]["amount"]) == ("refund.created", 1200)
    assert fake.outbox == []
    [*_, rest] = fake.refund_from_dashboard(pi_id)
    assert rest["data"]["object"]["amount"] == 1800
    with pytest.raises(StripeAPIError):
        fake.refund_from_dashboard(pi_id)


def test_a_pending_refund_can_fail_later(fake, client, acct, other):
    pi_id = paid_session(fake, client, acct)["payment_intent"]
    fake.refund_status = "pending"
    refund = client.v1.refunds.create({"payment_intent": pi_id}, on(acct))
    assert refund.status == "pending"
    updated = fake.settle_refund(refund.id, "failed")
    assert (updated["type"], updated["account"]) == ("refund.updated", acct)
    assert updated["data"]["object"]["status"] == "failed"
    assert updated["data"]["previous_attributes"] == {"status": "pending"}
    assert fake.objects[refund.charge]["amount_refunded"] == 0
    listed = client.v1.refunds.list({"payment_intent": pi_id}, on(acct))
    assert [r.id for r in listed.data] == [refund.id] and listed.data[0].amount == 3000
    expanded = client.v1.refunds.list({"payment_intent": pi_id, "expand": ["data.charge"]},
                                      on(acct))
    assert expanded.data[0].charge.object == "charge"
    assert client.v1.refunds.list({"payment_intent": pi_id}, on(other)).data == []


# -- expiry ----------------------------------------------------------------------------------
def test_sessions_expire_by_helper_or_through_the_api(fake, client, acct):
    first = client.v1.checkout.sessions.create(payment_params(), on(acct))
    expired = fake.expire_checkout(first.id)
    assert (expired["type"], expired["account"]) == ("checkout.session.expired", acct)
    assert expired["data"]["object"]["status"] == "expired" and fake.outbox == []
    with pytest.raises(StripeAPIError):
        fake.complete_checkout(first.id)
    late = client.v1.checkout.sessions.create(payment_params(expires_at=fake.clock + 1800),
                                              on(acct))
    fake.tick(1800)
    with pytest.raises(StripeAPIError):  # past expires_at: nobody can pay any more
        fake.complete_checkout(late.id)
    second = client.v1.checkout.sessions.create(payment_params(), on(acct))
    assert client.v1.checkout.sessions.expire(second.id, options=on(acct)).status == "expired"
    [queued] = fake.take_events()
    assert (queued["type"], queued["data"]["object"]["id"]) == (
        "checkout.session.expired", second.id)
    bad_request(client.v1.checkout.sessions.expire, second.id, None, on(acct))
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.expire(second.id)  # not the platform's
    assert error.value.http_status == 404


# -- dues: subscriptions on the connected account ---------------------------------------------
def test_yearly_dues_on_the_account(fake, client, acct):
    session = client.v1.checkout.sessions.create(dues_params(), on(acct, "joren-dues-3"))
    created, paid, completed = fake.complete_checkout(session.id)
    assert {e["account"] for e in (created, paid, completed)} == {acct}
    sub = created["data"]["object"]
    assert sub["application_fee_percent"] == 2.5 and fake.owner[sub["id"]] == acct
    assert sub["metadata"] == {"purpose": "dues", "member_id": "3"}
    item = sub["items"]["data"][0]
    assert item["current_period_end"] - item["current_period_start"] == YEAR
    customer = client.v1.customers.retrieve(sub["customer"], options=on(acct))
    assert customer.email == "member@example.jp"
    invoice = paid["data"]["object"]
    assert (invoice["amount_paid"], invoice["status"]) == (12000, "paid")
    assert invoice["status_transitions"]["paid_at"] == fake.clock
    assert invoice["application_fee_amount"] == 300
    [line] = invoice["lines"]["data"]
    assert (line["amount"], line["currency"]) == (12000, "jpy")
    assert line["period"] == {"start": item["current_period_start"],
                              "end": item["current_period_end"]}
    assert completed["data"]["object"]["subscription"] == sub["id"]
    got = client.v1.subscriptions.retrieve(sub["id"], options=on(acct))
    assert got.latest_invoice == invoice["id"]
    assert client.v1.invoices.retrieve(invoice["id"], options=on(acct)).amount_paid == 12000
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.retrieve(sub["id"])


def test_monthly_dues_renew_fail_and_cancel_with_the_account_on_every_event(fake, client, acct):
    session = client.v1.checkout.sessions.create(dues_params("month"), on(acct))
    created, _, _ = fake.complete_checkout(session.id)
    sub_id = created["data"]["object"]["id"]
    first_end = created["data"]["object"]["items"]["data"][0]["current_period_end"]
    assert first_end - created["data"]["object"]["items"]["data"][0]["current_period_start"] \
        == MONTH
    renewed, active = fake.pay_invoice(sub_id)
    period = renewed["data"]["object"]["lines"]["data"][0]["period"]
    assert period == {"start": first_end, "end": first_end + MONTH}
    assert renewed["data"]["object"]["billing_reason"] == "subscription_cycle"
    failed, past_due = fake.fail_payment(sub_id)
    assert failed["data"]["object"]["status"] == "open"
    assert past_due["data"]["object"]["status"] == "past_due"
    retried, again = fake.pay_invoice(sub_id)
    assert retried["data"]["object"]["id"] == failed["data"]["object"]["id"]
    assert retried["data"]["object"]["amount_paid"] == 12000
    deleted = fake.cancel(sub_id)
    assert {e["account"] for e in (renewed, active, failed, past_due, retried, again,
                                   deleted)} == {acct}


def test_dues_subscriptions_change_through_the_api_and_queue_their_events(fake, client, acct):
    session = client.v1.checkout.sessions.create(dues_params(), on(acct))
    sub_id = fake.complete_checkout(session.id)[0]["data"]["object"]["id"]
    client.v1.subscriptions.update(sub_id, {"cancel_at_period_end": True}, on(acct))
    client.v1.subscriptions.cancel(sub_id, options=on(acct))
    updated, deleted = fake.take_events()
    assert updated["type"] == "customer.subscription.updated"
    assert updated["data"]["object"]["cancel_at_period_end"] is True
    assert (deleted["type"], deleted["account"]) == ("customer.subscription.deleted", acct)


def test_dues_fees_need_an_account_and_the_platform_checkout_still_works(fake, client):
    assert bad_request(client.v1.checkout.sessions.create,
                       dues_params()).param == "subscription_data[application_fee_percent]"
    bad_request(client.v1.checkout.sessions.create, dues_params(interval="fortnight"))
    customer = client.v1.customers.create({"email": "owner@example.jp"})
    params = dues_params(customer=customer.id, subscription_data={"metadata": {"a": "1"}})
    del params["customer_email"]
    session = client.v1.checkout.sessions.create(params)
    created, paid, completed = fake.complete_checkout(session.id)
    assert all("account" not in e for e in (created, paid, completed))
    assert "application_fee_percent" not in created["data"]["object"]


def test_events_carry_the_account_when_asked_or_owned(fake, acct):
    assert fake.event("account.updated", fake.objects[acct], account=acct)["account"] == acct
    # An account is not "owned": its events carry "account" only when given (the helpers do).
    assert "account" not in fake.event("account.updated", fake.objects[acct])
    assert "account" not in fake.event("customer.created", {"id": "cus_x"})


# -- over HTTP: Checkout and onboarding pages, webhooks signed per endpoint ---------------------
@pytest.fixture()
def webhooks() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    received: list[tuple[str, str]] = []

    @Request.application
    def receive(request: Request) -> Response:
        received.append((request.headers["Stripe-Signature"], request.get_data(as_text=True)))
        return Response("ok")

    port = free_port()
    server = make_server("127.0.0.1", port, receive, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/billing/webhook", received
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _verified(received: list[tuple[str, str]], secret: str) -> list[dict[str, Any]]:
    return [json.loads(str(stripe.Webhook.construct_event(body, signature, secret)))
            for signature, body in received]


def test_the_checkout_page_sells_a_meetup_and_paying_signs_with_the_connect_secret(
        fake, client, acct, webhooks):
    fake.webhook_url, received = webhooks
    fake.webhook_secret, fake.connect_webhook_secret = PLATFORM_SECRET, CONNECT_SECRET
    session = client.v1.checkout.sessions.create(payment_params(), on(acct))
    browser = fake.wsgi_app().test_client()
    page = browser.get(f"/checkout/{session.id}").get_data(as_text=True)
    assert "朝活交流会 第12回: 3000 JPY</li>" in page and " / " not in page
    assert "<span id='total'>3000</span>" in page and "id='pay'" in page
    paid = browser.post(f"/checkout/{session.id}/pay")
    assert paid.status_code == 302 and paid.headers["Location"] == "https://j.example/ok"
    [completed] = _verified(received, CONNECT_SECRET)
    assert (completed["type"], completed["account"]) == ("checkout.session.completed", acct)
    assert browser.post(f"/checkout/{session.id}/pay").status_code == 400
    assert browser.get("/checkout/cs_nothing").status_code == 404


def test_the_checkout_page_still_shows_the_interval_for_subscriptions(fake, client, acct):
    session = client.v1.checkout.sessions.create(dues_params("month"), on(acct))
    page = fake.wsgi_app().test_client().get(f"/checkout/{session.id}").get_data(as_text=True)
    assert "年会費: 12000 JPY / month</li>" in page


def test_the_onboarding_page_finishes_onboarding_once(fake, client, webhooks):
    fake.webhook_url, received = webhooks
    fake.webhook_secret = PLATFORM_SECRET  # no Connect secret: the platform's signs
    account = client.v1.accounts.create({"type": "standard", "country": "JP"})
    link = client.v1.account_links.create({
        "account": account.id, "type": "account_onboarding",
        "refresh_url": "https://j.example/refresh", "return_url": "https://j.example/return"})
    path = link.url.removeprefix(fake.public_url)
    browser = fake.wsgi_app().test_client()
    assert "id='finish-onboarding'" in browser.get(path).get_data(as_text=True)
    done = browser.post(path)
    assert done.status_code == 302 and done.headers["Location"] == "https://j.example/return"
    [updated] = _verified(received, PLATFORM_SECRET)
    assert (updated["type"], updated["account"]) == ("account.updated", account.id)
    assert fake.objects[account.id]["charges_enabled"] is True
    assert browser.get(path).status_code == 404  # a link is used once
    assert browser.get(f"/connect/{account.id}/onboard/al_nothing").status_code == 404
    late = client.v1.account_links.create({"account": account.id, "type": "account_onboarding"})
    late_path = late.url.removeprefix(fake.public_url)
    assert browser.get(late_path.replace(account.id, "acct_other")).status_code == 404
    fake.tick(301)
    assert browser.get(late_path).status_code == 404


def test_the_api_over_http_honours_the_stripe_account_header(fake, webhooks):
    fake.webhook_url, received = webhooks
    fake.webhook_secret, fake.connect_webhook_secret = PLATFORM_SECRET, CONNECT_SECRET
    acct = fake.add_account()["id"]
    with fake.serve(free_port()) as url:
        remote = stripe.StripeClient("sk_test_x", base_addresses={"api": url},
                                     max_network_retries=0)
        session = remote.v1.checkout.sessions.create(payment_params(), on(acct, "joren-http"))
        assert session.url == f"{url}/checkout/{session.id}"
        fake.complete_checkout(session.id)
        got = remote.v1.checkout.sessions.retrieve(
            session.id, {"expand": ["payment_intent.latest_charge"]}, on(acct))
        assert got.payment_intent.latest_charge.amount == 3000
        remote.v1.refunds.create({"payment_intent": got.payment_intent.id}, on(acct))
        assert fake.deliver_outbox() == [200, 200]
    assert [e["type"] for e in _verified(received, CONNECT_SECRET)] == [
        "charge.refunded", "refund.created"]
