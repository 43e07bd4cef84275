"""The owner's billing page: plan, status, limits used, Upgrade → Checkout, Manage → portal,
the "billing is off" notice, and isolation between communities."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.platform.billing.models import PlanCode, Subscription
from joren.platform.tenancy import unscoped
from tests.platform.billing.helpers import row, subscribe
from tests.tenants.helpers import in_english

SLUG = "osaka-mixer"
PAGE = f"/c/{SLUG}/admin/billing"


def test_billing_is_off_says_so_and_offers_nothing(session, tenant, people, owner_client):
    in_english(owner_client)
    page = owner_client.get(PAGE).get_data(as_text=True)
    assert "Billing is off." in page and 'data-billing="off"' in page
    assert 'data-action="upgrade"' not in page
    response = owner_client.post(f"{PAGE}/upgrade", follow_redirects=True)
    assert "Billing is off on this Joren" in response.get_data(as_text=True)
    assert row(session, tenant) is None


def test_the_free_page_shows_members_used_and_the_upgrade_button(session, tenant, people,
                                                                 owner_client, billing_on):
    in_english(owner_client)
    response = owner_client.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-plan="free"' in page
    assert 'data-usage="members">4 / 50<' in page
    assert 'data-action="upgrade"' in page and "¥4,980" in page
    assert 'data-action="manage"' not in page
    assert "Billing is off." not in page


def test_upgrade_redirects_to_checkout_then_pro_shows_manage(session, tenant, people,
                                                             owner_client, billing_on, deliver):
    in_english(owner_client)
    response = owner_client.post(f"{PAGE}/upgrade")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://fake-stripe.invalid/checkout/cs_")
    [create] = billing_on.created("/v1/checkout/sessions")
    assert create.params["success_url"] == f"http://localhost{PAGE}?checkout=success"
    assert create.params["locale"] == "en"
    billing_on.requests.clear()
    subscribe(owner_client, SLUG, billing_on, deliver)
    page = owner_client.get(f"{PAGE}?checkout=success").get_data(as_text=True)
    assert 'data-plan="pro"' in page and 'data-status="active"' in page
    assert "4 / 1000" in page and "Thank you!" in page
    assert 'data-action="upgrade"' not in page and 'data-action="manage"' in page
    # Pressing Upgrade again (an old tab) does not open a second Checkout.
    response = owner_client.post(f"{PAGE}/upgrade", follow_redirects=True)
    assert "already on Pro" in response.get_data(as_text=True)
    assert len(billing_on.created("/v1/checkout/sessions")) == 1
    response = owner_client.post(f"{PAGE}/manage")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://fake-stripe.invalid/portal/bps_")


def test_grace_and_after_grace_notices(session, tenant, people, owner_client, billing_on,
                                       deliver):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    deliver(*billing_on.fail_payment(sub_id))
    in_english(owner_client)
    page = owner_client.get(PAGE).get_data(as_text=True)
    assert 'data-billing="grace"' in page and 'data-plan="pro"' in page
    with unscoped(session):
        sub = session.scalar(select(Subscription).where(Subscription.tenant_id == tenant.id))
        sub.grace_until = sub.grace_until.replace(year=2020)
        session.commit()
    page = owner_client.get(PAGE).get_data(as_text=True)
    assert 'data-billing="grace-ended"' in page and 'data-plan="free"' in page


def test_stripe_unreachable_is_a_message_not_an_error(session, tenant, people, owner_client,
                                                      billing_on, monkeypatch):
    monkeypatch.setattr(billing_on, "handle", lambda *a: (
        500, {"error": {"type": "api_error", "message": "boom"}}, {"stripe-should-retry":
                                                                   "false"}))
    in_english(owner_client)
    response = owner_client.post(f"{PAGE}/upgrade", follow_redirects=True)
    assert response.status_code == 200
    assert "Stripe could not be reached" in response.get_data(as_text=True)
    assert row(session, tenant) is None


@pytest.mark.parametrize("who", ["organizer_client", "staff_client", "member_client",
                                 "outsider_client"])
def test_only_the_owner_sees_and_changes_billing(request, session, tenant, people, billing_on,
                                                 who):
    client = request.getfixturevalue(who)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/upgrade").status_code == 403
    assert client.post(f"{PAGE}/manage").status_code == 403
    assert billing_on.requests == []
    assert 'admin/billing"' not in client.get(f"/c/{SLUG}/admin/").get_data(as_text=True)


def test_the_owner_has_the_billing_link(session, tenant, people, owner_client):
    assert f'href="{PAGE}"' in owner_client.get(f"/c/{SLUG}/admin/").get_data(as_text=True)


def test_another_communitys_owner_can_neither_see_nor_change_it(
        session, tenant, other_tenant, people, login, owner_client, billing_on, deliver):
    subscribe(owner_client, SLUG, billing_on, deliver)
    billing_on.requests.clear()
    intruder = login(people.other_owner)
    assert intruder.get(PAGE).status_code == 403
    assert intruder.post(f"{PAGE}/manage").status_code == 403
    assert intruder.post(f"{PAGE}/upgrade").status_code == 403
    assert billing_on.requests == []
    # Their own page shows their own (Free) plan, nothing of community A's.
    page = intruder.get(f"/c/{other_tenant.slug}/admin/billing").get_data(as_text=True)
    assert 'data-plan="free"' in page and 'data-action="manage"' not in page
    assert row(session, other_tenant) is None
    assert row(session, tenant).plan == PlanCode.PRO
