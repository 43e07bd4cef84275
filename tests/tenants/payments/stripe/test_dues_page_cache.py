"""The page cache on the member's dues page (issue 14): the same kept or computed, each
member's own, a payment shown at once, lapsing with the community's day, the thanks after a
payment only when coming back from one, and online payments following the deployment's
setting (not a row: nothing in the community changes when it does)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.tenants.payments.dues import views as dues_views
from tests.clock import today_in_tokyo
from tests.platform.pagecache_helpers import counting, same_cached_and_not
from tests.tenants.helpers import in_english
from tests.tenants.payments.stripe.connect_helpers import onboard
from tests.tenants.payments.stripe.dues_helpers import enable_dues, paid_dues

pytestmark = pytest.mark.usefixtures("clock")

PORTAL = "/c/osaka-mixer/dues"



@pytest.fixture()
def dues_on(session, tenant):  # type: ignore[no-untyped-def]
    enable_dues(session, tenant, amount=12000)
    session.commit()


def test_my_dues_are_the_same_kept_and_each_members_own(app, monkeypatch, session, people,
                                                        member_client, owner_client, dues_on):
    today = today_in_tokyo()
    paid_dues(session, people.member_member, today, today + timedelta(days=364), amount=34000)
    session.commit()
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, PORTAL)
        assert 'data-dues-state="paid"' in mine and "34,000" in mine
        owners = same_cached_and_not(app, owner_client, PORTAL)
        assert 'data-dues-state="not_paid"' in owners and "34,000" not in owners
    computed = counting(monkeypatch, dues_views, "_mine_body")
    member_client.get(PORTAL)
    owner_client.get(PORTAL)
    assert computed == []


def test_my_dues_show_a_payment_at_once_and_lapse_with_the_day(app, session, clock, login,
                                                               people, member_client, dues_on):
    member_client = in_english(member_client)
    assert 'data-dues-state="not_paid"' in same_cached_and_not(app, member_client, PORTAL)
    today = today_in_tokyo()
    paid_dues(session, people.member_member, today - timedelta(days=364), today)
    session.commit()
    assert 'data-dues-state="paid"' in same_cached_and_not(app, member_client, PORTAL)
    clock.shift(days=1)  # paid through yesterday: lapsed today, nothing written
    member_client = in_english(login(people.member))
    assert 'data-dues-state="lapsed"' in same_cached_and_not(app, member_client, PORTAL)


def test_the_thanks_after_a_payment_only_when_coming_back_from_one(app, member_client,
                                                                   dues_on):
    member_client = in_english(member_client)
    thanks = "Your payment is being confirmed by Stripe"
    assert thanks not in same_cached_and_not(app, member_client, PORTAL)
    assert thanks in same_cached_and_not(app, member_client, f"{PORTAL}?checkout=success")
    assert thanks not in same_cached_and_not(app, member_client, f"{PORTAL}?checkout=cancel")


def test_online_dues_follow_the_deployments_setting(app, session, tenant, people,
                                                    organizer_client, member_client,
                                                    billing_on, deliver):
    onboard(organizer_client, session, tenant, billing_on, deliver)
    enable_dues(session, tenant, amount=12000)
    session.commit()
    assert "data-dues-checkout" in same_cached_and_not(app, member_client, PORTAL)
    app.config["BILLING_ENABLED"] = False  # a deploy without billing: no row changes
    page = same_cached_and_not(app, member_client, PORTAL)
    assert "data-dues-offline" in page and "data-dues-checkout" not in page
