"""The online-payments page of the console: each state (billing off, not connected, onboarding,
ready) in Japanese and English, Connect → Stripe's onboarding link, the return and refresh
URLs, roles, and isolation between communities."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from joren.platform.billing.models import PlanCode, Subscription
from joren.platform.tenancy import unscoped
from joren.tenants.payments.connect import services as svc
from joren.tenants.payments.models import ConnectAccount
from tests.tenants.helpers import in_english
from tests.tenants.payments.stripe.connect_helpers import (
    OTHER_SLUG,
    connect,
    connected,
    events,
    onboard,
    page_url,
)

PAGE = page_url()



def _text(client, url: str = PAGE) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _accounts(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return int(session.scalar(select(func.count(ConnectAccount.id))))


# -- billing off -----------------------------------------------------------------------------

def test_billing_off_says_members_pay_at_the_door_in_english(session, tenant, people,
                                                              organizer_client):
    in_english(organizer_client)
    page = _text(organizer_client)
    assert 'data-connect="off"' in page
    assert "Online payments are off on this Joren." in page
    assert "members pay at the door or by bank transfer" in page
    assert 'data-action="connect"' not in page
    response = organizer_client.post(f"{PAGE}/connect")
    assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)
    page = _text(organizer_client)
    assert "there is no Stripe account to connect" in page
    assert _accounts(session) == 0
    # Stripe's return and refresh URLs just lead back to the page.
    for rest in ("/return", "/refresh"):
        response = organizer_client.get(f"{PAGE}{rest}")
        assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)


def test_billing_off_in_japanese(session, tenant, people, organizer_client):
    page = _text(organizer_client)
    assert '<html lang="ja"' in page and 'data-connect="off"' in page
    assert "このJorenではオンライン決済をご利用いただけません。" in page
    assert "当日現金または銀行振込" in page


# -- not connected ---------------------------------------------------------------------------

def test_not_connected_explains_and_shows_the_free_fee(session, tenant, people,
                                                       organizer_client, billing_on):
    in_english(organizer_client)
    page = _text(organizer_client)
    assert 'data-connect="not_connected"' in page and 'data-action="connect"' in page
    assert "Connect your own Stripe account" in page
    assert 'data-fee="500"' in page and "5% of the amount" in page and "Free plan" in page
    assert "On the Pro plan, Joren's fee is 2.5%." in page
    assert "Online payments are off" not in page


def test_not_connected_on_pro_shows_the_pro_fee_in_japanese(session, tenant, people,
                                                            organizer_client, billing_on):
    with unscoped(session):
        session.add(Subscription(tenant_id=tenant.id, plan=PlanCode.PRO, status="active"))
        session.commit()
    page = _text(organizer_client)
    assert 'data-connect="not_connected"' in page and 'data-fee="250"' in page
    assert "Stripeアカウントを連携" in page and "2.5%" in page
    assert "Proプラン" in page


# -- onboarding ------------------------------------------------------------------------------

def test_onboarding_lists_what_stripe_still_needs_in_english(session, tenant, people,
                                                            organizer_client, billing_on):
    acct = connect(organizer_client, session, tenant)
    in_english(organizer_client)
    page = _text(organizer_client)
    assert 'data-connect="onboarding"' in page and acct in page
    due = svc.requirements(connected(session, tenant))
    assert due  # a new account always needs something
    for code in due:
        assert f'data-requirement="{code}"' in page
    assert "What Stripe still needs" in page and "Continue onboarding" in page
    if "external_account" in due:
        assert "Bank account for payouts" in page
    assert 'data-badge="charges-off"' in page
    assert "members cannot pay online until Stripe enables card payments" in page


def test_onboarding_in_japanese(session, tenant, people, organizer_client, billing_on):
    connect(organizer_client, session, tenant)
    page = _text(organizer_client)
    assert 'data-connect="onboarding"' in page
    assert "Stripeへの登録を続ける" in page and "Stripeがまだ必要としている情報" in page
    assert "まだ確認していません" not in page  # synced when the account was created


def test_restricted_account_lists_its_new_requirements(session, tenant, people,
                                                        organizer_client, billing_on, deliver):
    acct = onboard(organizer_client, session, tenant, billing_on, deliver)
    deliver(*events(billing_on.restrict_account(acct)))
    in_english(organizer_client)
    page = _text(organizer_client)
    assert 'data-connect="onboarding"' in page
    for code in svc.requirements(connected(session, tenant)):
        assert f'data-requirement="{code}"' in page
    assert 'data-action="continue"' in page


# -- ready -----------------------------------------------------------------------------------

def test_ready_shows_the_badges_and_when_it_was_checked(session, tenant, people,
                                                        organizer_client, billing_on, deliver):
    onboard(organizer_client, session, tenant, billing_on, deliver)
    in_english(organizer_client)
    page = _text(organizer_client)
    assert 'data-connect="ready"' in page
    assert "Members can pay you online." in page
    assert 'data-badge="charges"' in page and "Card payments enabled" in page
    assert 'data-badge="payouts"' in page and "Payouts enabled" in page
    assert "Last checked with Stripe" in page and "Not yet" not in page
    assert 'data-action="connect"' not in page and 'data-requirements' not in page


def test_ready_in_japanese(session, tenant, people, organizer_client, billing_on, deliver):
    onboard(organizer_client, session, tenant, billing_on, deliver)
    page = _text(organizer_client)
    assert 'data-connect="ready"' in page
    assert "カード決済 有効" in page and "入金 有効" in page
    assert "オンラインでお支払いいただけます" in page


# -- returning from Stripe ---------------------------------------------------------------------

def test_return_refreshes_the_status_from_stripe(session, tenant, people, organizer_client,
                                                 billing_on):
    acct = connect(organizer_client, session, tenant)
    billing_on.complete_onboarding(acct)  # done at Stripe; the webhook has not come yet
    in_english(organizer_client)
    response = organizer_client.get(f"{PAGE}/return")
    assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)
    assert connected(session, tenant).charges_enabled
    page = _text(organizer_client)
    assert "members can now pay online" in page and 'data-connect="ready"' in page


def test_return_before_onboarding_is_finished_says_what_is_left(session, tenant, people,
                                                                organizer_client, billing_on):
    connect(organizer_client, session, tenant)
    in_english(organizer_client)
    organizer_client.get(f"{PAGE}/return")
    page = _text(organizer_client)
    assert "Stripe still needs a few details" in page
    assert not connected(session, tenant).charges_enabled


def test_return_without_an_account_just_shows_the_page(session, tenant, people,
                                                       organizer_client, billing_on):
    response = organizer_client.get(f"{PAGE}/return")
    assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)
    assert _accounts(session) == 0 and billing_on.requests == []


def test_refresh_makes_a_new_link_each_time(session, tenant, people, organizer_client,
                                            billing_on):
    acct = connect(organizer_client, session, tenant)
    first = billing_on.created("/v1/account_links")
    response = organizer_client.get(f"{PAGE}/refresh")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(billing_on.public_url)
    links = billing_on.created("/v1/account_links")
    assert len(links) == len(first) + 1 and links[-1].params["account"] == acct
    assert not links[-1].replayed
    assert len(billing_on.created("/v1/accounts")) == 1


def test_refresh_without_an_account_goes_back_to_the_page(session, tenant, people,
                                                          organizer_client, billing_on):
    response = organizer_client.get(f"{PAGE}/refresh")
    assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)
    assert billing_on.requests == []


def _stripe_down(monkeypatch, fake) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fake, "handle", lambda *a: (
        500, {"error": {"type": "api_error", "message": "down"}}, {"stripe-should-retry": "false"}))


def test_stripe_unreachable_is_a_message_not_an_error(session, tenant, people,
                                                      organizer_client, billing_on,
                                                      monkeypatch):
    _stripe_down(monkeypatch, billing_on)
    in_english(organizer_client)
    response = organizer_client.post(f"{PAGE}/connect", follow_redirects=True)
    assert response.status_code == 200
    assert "Stripe could not be reached" in response.get_data(as_text=True)
    assert _accounts(session) == 0


def test_an_account_created_before_the_link_failed_is_kept(session, tenant, people,
                                                           organizer_client, billing_on,
                                                           monkeypatch):
    handle = billing_on.handle

    def links_down(method, path, *args):  # type: ignore[no-untyped-def]
        if path == "/v1/account_links":
            return 500, {"error": {"type": "api_error", "message": "down"}}, {
                "stripe-should-retry": "false"}
        return handle(method, path, *args)

    monkeypatch.setattr(billing_on, "handle", links_down)
    in_english(organizer_client)
    page = organizer_client.post(f"{PAGE}/connect", follow_redirects=True).get_data(as_text=True)
    assert "Stripe could not be reached" in page and 'data-connect="onboarding"' in page
    acct = connected(session, tenant).stripe_account_id
    monkeypatch.setattr(billing_on, "handle", handle)
    assert organizer_client.post(f"{PAGE}/connect").status_code == 303
    assert len(billing_on.created("/v1/accounts")) == 1
    assert connected(session, tenant).stripe_account_id == acct


@pytest.mark.parametrize("rest", ["/return", "/refresh", "/connect"])
def test_stripe_unreachable_after_connecting_is_a_message_too(session, tenant, people,
                                                              organizer_client, billing_on,
                                                              monkeypatch, rest):
    acct = connect(organizer_client, session, tenant)
    _stripe_down(monkeypatch, billing_on)
    in_english(organizer_client)
    send = organizer_client.post if rest == "/connect" else organizer_client.get
    response = send(f"{PAGE}{rest}", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Stripe could not be reached" in page and 'data-connect="onboarding"' in page
    assert connected(session, tenant).stripe_account_id == acct


# -- who may see it --------------------------------------------------------------------------

def test_owner_and_organizer_only(session, tenant, people, owner_client, organizer_client,
                                  staff_client, member_client, outsider_client, client,
                                  billing_on):
    assert owner_client.get(PAGE).status_code == 200
    assert organizer_client.get(PAGE).status_code == 200
    for someone in (staff_client, member_client, outsider_client):
        assert someone.get(PAGE).status_code == 403
        assert someone.post(f"{PAGE}/connect").status_code == 403
        assert someone.get(f"{PAGE}/return").status_code == 403
        assert someone.get(f"{PAGE}/refresh").status_code == 403
    assert client.get(PAGE).status_code == 302  # signed out: to the sign-in page
    assert _accounts(session) == 0 and billing_on.requests == []


def test_another_communitys_organizer_can_neither_see_nor_change_it(
        session, tenant, other_tenant, people, organizer_client, login, billing_on, deliver):
    acct = onboard(organizer_client, session, tenant, billing_on, deliver)
    other = login(people.other_owner)
    for method, rest in (("get", ""), ("post", "/connect"), ("get", "/return"),
                         ("get", "/refresh")):
        response = getattr(other, method)(f"{PAGE}{rest}")
        assert response.status_code in (403, 404)
        assert acct not in response.get_data(as_text=True)
    # Their own page knows nothing of this community's account.
    page = _text(other, page_url(OTHER_SLUG))
    assert acct not in page and 'data-connect="not_connected"' in page
    assert connected(session, other_tenant) is None
    assert connected(session, tenant).charges_enabled


def test_the_console_and_the_receipt_settings_link_to_the_page(session, tenant, people,
                                                               organizer_client, staff_client):
    in_english(organizer_client)
    settings = _text(organizer_client, "/c/osaka-mixer/admin/payments/settings")
    assert f'href="{PAGE}"' in settings and 'data-link="online-payments"' in settings
    dashboard = _text(organizer_client, "/c/osaka-mixer/admin/")
    assert f'href="{PAGE}"' in dashboard
    assert f'href="{PAGE}"' not in _text(staff_client, "/c/osaka-mixer/admin/")
