"""An organizer connects their Stripe account and a member pays a meetup fee, in a real browser.

Joren talks to the fake Stripe over HTTP (``STRIPE_API_BASE``). The organizer presses
"Connect with Stripe", finishes onboarding on the fake's page (which sends ``account.updated``
to Joren's webhook, signed) and comes back to a console that says online payments are on.
A member then registers for a ¥3,000 meetup: the seat is held, they land on the fake's Checkout
page for exactly 3000 JPY, pay, and are back on Joren, going, with a receipt under "My
payments"; Joren's application fee (5% on Free) went with the Checkout request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import Meetup, Registration, RegistrationStatus, Role
from joren.platform.db import Base, utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.payments.models import ConnectAccount, Payment, PaymentMethod, PaymentStatus
from tests import factories
from tests.live import live_app_with_stripe
from tests.stripe_fake import FakeStripe

pytestmark = pytest.mark.browser

SLUG = "kitahama-keiei"
ORGANIZER = "organizer@payment-flow.example.jp"
MEMBER = "member@payment-flow.example.jp"
WEBHOOK_SECRET = "whsec_browser_payments"
CONNECT_SECRET = "whsec_browser_connect"
TITLE = "北浜経営者朝会"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('payments') / 'payments.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="北浜経営者交流会")
        factories.member(s, community, factories.account(s, ORGANIZER), Role.OWNER,
                         family_name="北浜", given_name="一郎", family_name_kana="キタハマ",
                         given_name_kana="イチロウ")
        factories.member(s, community, factories.account(s, MEMBER), Role.MEMBER,
                         family_name="淀屋", given_name="花子", family_name_kana="ヨドヤ",
                         given_name_kana="ハナコ")
        starts = utcnow().replace(microsecond=0) + timedelta(days=10)
        with unscoped(s):
            meetup = Meetup(tenant_id=community.id, title=TITLE, starts_at=starts,
                            ends_at=starts + timedelta(hours=2), price=3000, capacity=20,
                            venue_name="北浜会議室", refund_cutoff_hours=24)
            s.add(meetup)
            s.commit()
        meetup_id = meetup.id
    try:
        with live_app_with_stripe(database_url, app_config, "payment-flow-secret",
                                  WEBHOOK_SECRET, CONNECT_SECRET) as (base_url, fake, stripe_url):
            yield {"base": base_url, "engine": engine, "fake": fake, "stripe": stripe_url,
                   "meetup_id": meetup_id}
    finally:
        engine.dispose()


def _click(page: Any, selector: str) -> Any:
    with page.expect_navigation() as navigation:
        page.locator(selector).first.click()
    response = navigation.value
    assert response is not None and response.status < 400, page.url
    return response


def _sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    _click(page, "form[action$='/login'] button[type=submit]")
    return page


def test_an_organizer_connects_stripe_and_a_member_pays_a_meetup_fee(server, browser):
    base, engine, fake = server["base"], server["engine"], server["fake"]
    meetup_id = server["meetup_id"]

    # 1. Before connecting, the member is told to pay at the door.
    member = _sign_in(browser, base, MEMBER)
    member.goto(f"{base}/c/{SLUG}/meetups/{meetup_id}")
    assert "当日会場でお支払い" in member.locator(".registration-box [data-fee]").inner_text()

    # 2. The organizer connects their Stripe account and finishes onboarding on Stripe's side.
    organizer = _sign_in(browser, base, ORGANIZER)
    organizer.goto(f"{base}/c/{SLUG}/admin/payments/online")
    assert organizer.locator("[data-connect=not_connected]").count() == 1
    assert organizer.locator("[data-fee]").first.get_attribute("data-fee") == "500"
    _click(organizer, "[data-action=connect]")
    assert organizer.url.startswith(f"{server['stripe']}/connect/acct_")
    [account] = fake.created("/v1/accounts")
    assert account.params["country"] == "JP" and account.idempotency_key.startswith("joren-")
    _click(organizer, "#finish-onboarding")
    assert organizer.url.startswith(f"{base}/c/{SLUG}/admin/payments/online")
    assert ("account.updated", 200) in fake.delivered
    assert organizer.locator("[data-badge=charges]").count() == 1
    with Session(engine) as s, unscoped(s):
        assert s.scalar(select(ConnectAccount.charges_enabled)) is True

    # 3. The member registers: the seat is held and they are sent to Stripe's Checkout page.
    member.goto(f"{base}/c/{SLUG}/meetups/{meetup_id}")
    assert "オンライン" in member.locator(".registration-box [data-fee]").inner_text()
    _click(member, f"form[action$='/meetups/{meetup_id}/register'] button[type=submit]")
    assert member.url.startswith(f"{server['stripe']}/checkout/cs_")
    assert member.locator("#total").inner_text() == "3000"
    [checkout] = fake.created("/v1/checkout/sessions")
    assert checkout.stripe_account == fake.objects[account_id(fake)]["id"]
    item = checkout.params["line_items"][0]["price_data"]
    assert (item["currency"], item["unit_amount"]) == ("jpy", "3000")
    assert checkout.params["payment_intent_data"]["application_fee_amount"] == "150"
    assert checkout.params["metadata"]["purpose"] == "meetup_fee"
    with Session(engine) as s, unscoped(s):
        registration = s.scalar(select(Registration))
        assert registration.status == RegistrationStatus.AWAITING_PAYMENT

    # 4. Pay: the webhook confirms the payment; back on Joren the member is going.
    _click(member, "#pay")
    assert ("checkout.session.completed", 200) in fake.delivered
    assert member.url.startswith(f"{base}/c/{SLUG}/meetups/{meetup_id}/paid")
    assert member.locator("[data-payment-state]").get_attribute("data-payment-state") == "going"
    with Session(engine) as s, unscoped(s):
        payment = s.scalar(select(Payment))
        assert (payment.status, payment.method) == (PaymentStatus.PAID, PaymentMethod.STRIPE)
        assert (payment.amount_jpy, payment.application_fee_jpy) == (3000, 150)
        assert payment.receipt_number and payment.stripe_payment_intent_id
        assert s.get(Registration, registration.id).status == RegistrationStatus.GOING

    # 5. "My payments" lists it, with the receipt (領収書) for ¥3,000.
    member.goto(f"{base}/c/{SLUG}/payments")
    row = member.locator(f"[data-payment-id='{payment.id}']")
    assert TITLE in row.inner_text() and "3,000" in row.inner_text()
    _click(member, f"[data-payment-id='{payment.id}'] a[href$='/receipt']")
    assert payment.receipt_number in member.content() and "領収書" in member.content()

    # 6. The organizer's payments list for the meetup shows it was paid online, with the fee.
    organizer.goto(f"{base}/c/{SLUG}/admin/meetups/{meetup_id}/payments")
    content = organizer.content()
    assert "淀屋" in content and "3,000" in content


def account_id(fake: FakeStripe) -> str:
    [account] = [o for o in fake.objects.values() if o["object"] == "account"]
    return str(account["id"])
