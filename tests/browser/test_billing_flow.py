"""An organizer goes from Free to Pro in a real browser, paying on a Checkout page served by
the fake Stripe.

The live Joren talks to the fake over HTTP with the library's own HTTP client
(``STRIPE_API_BASE``); the fake's "Pay" button completes the Checkout Session, sends Stripe's
events to Joren's webhook signed with the real scheme, and redirects back to Joren, whose
inline job has by then fetched the subscription and switched the community to Pro.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import Role
from joren.platform.billing.models import PlanCode, StripeEvent, Subscription
from joren.platform.db import Base
from joren.platform.tenancy import unscoped
from tests import factories
from tests.live import live_app_with_stripe

pytestmark = pytest.mark.browser

SLUG = "tenma-asakai"
OWNER = "owner@billing-flow.example.jp"
WEBHOOK_SECRET = "whsec_browser_billing"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('billing') / 'billing.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="天満朝活交流会")
        factories.member(s, community, factories.account(s, OWNER), Role.OWNER,
                         family_name="天満", given_name="一", family_name_kana="テンマ",
                         given_name_kana="ハジメ")
        s.commit()
    try:
        with live_app_with_stripe(database_url, app_config, "billing-flow-secret",
                                  WEBHOOK_SECRET) as (base_url, fake, stripe_url):
            yield {"base": base_url, "engine": engine, "fake": fake, "stripe": stripe_url}
    finally:
        engine.dispose()


def _click(page: Any, selector: str) -> Any:
    with page.expect_navigation() as navigation:
        page.locator(selector).first.click()
    response = navigation.value
    assert response is not None and response.status < 400, page.url
    return response


def test_an_organizer_goes_from_free_to_pro_through_checkout(server, browser):
    base, engine, fake = server["base"], server["engine"], server["fake"]
    page = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", OWNER)
    page.fill("input[name=password]", factories.PASSWORD)
    _click(page, "form[action$='/login'] button[type=submit]")

    # 1. The console's billing page: Free, members used, the upgrade button, in Japanese.
    page.goto(f"{base}/c/{SLUG}/admin/billing")
    assert page.locator("[data-plan]").get_attribute("data-plan") == "free"
    assert page.locator("[data-usage=members]").inner_text() == "1 / 50"
    assert "￥4,980" in page.locator("[data-action=upgrade]").inner_text()

    # 2. Upgrade: off to the fake Stripe's Checkout page, for ¥4,980 a month in JPY.
    _click(page, "[data-action=upgrade]")
    assert page.url.startswith(f"{server['stripe']}/checkout/cs_")
    assert page.locator("#total").inner_text() == "4980"
    assert page.locator("li[data-amount]").get_attribute("data-amount") == "4980"
    [create] = fake.created("/v1/checkout/sessions")
    assert create.params["line_items"][0]["price_data"]["currency"] == "jpy"
    assert create.params["line_items"][0]["price_data"]["unit_amount"] == "4980"
    assert create.params["locale"] == "ja" and create.idempotency_key.startswith("joren-")

    # 3. Pay: Stripe's events reach Joren's webhook, signed; back on Joren, the plan is Pro.
    _click(page, "#pay")
    assert page.url == f"{base}/c/{SLUG}/admin/billing?checkout=success"
    assert sorted(fake.delivered) == [("checkout.session.completed", 200),
                                      ("customer.subscription.created", 200),
                                      ("invoice.paid", 200)]
    assert page.locator("[data-plan]").get_attribute("data-plan") == "pro"
    assert page.locator("[data-status]").get_attribute("data-status") == "active"
    assert page.locator("[data-usage=members]").inner_text() == "1 / 1000"
    assert page.locator("[data-action=upgrade]").count() == 0
    with Session(engine) as s, unscoped(s):
        sub = s.scalar(select(Subscription))
        assert (sub.plan, sub.status) == (PlanCode.PRO, "active")
        assert s.scalar(select(StripeEvent).where(StripeEvent.processed_at.is_(None))) is None

    # 4. Manage opens the customer portal, whose link leads back to the billing page.
    _click(page, "[data-action=manage]")
    assert page.url.startswith(f"{server['stripe']}/portal/bps_")
    _click(page, "a")
    assert page.url == f"{base}/c/{SLUG}/admin/billing"
