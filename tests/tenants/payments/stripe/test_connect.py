"""Stripe Connect: one connected account per community (also when retried), account.updated
through the signed webhook, out-of-order events, replays, unknown accounts, isolation between
communities, and Joren's application fee per plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.platform.billing.models import PlanCode, StripeEvent, Subscription
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.tenancy import unscoped
from joren.tenants.payments.connect import services as svc
from joren.tenants.payments.models import ConnectAccount
from tests.platform.billing.conftest import post_event
from tests.tenants.payments.stripe.connect_helpers import (
    OTHER_SLUG,
    connect,
    connected,
    events,
    last_event,
)

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def is_ready(app, scoped):  # type: ignore[no-untyped-def]
    def check(community) -> bool:  # type: ignore[no-untyped-def]
        with app.app_context():
            return svc.online_payments_ready(scoped(community))

    return check


def _retrievals(fake, acct: str) -> int:  # type: ignore[no-untyped-def]
    return len([r for r in fake.requests if r.method == "GET" and r.path == f"/v1/accounts/{acct}"])


# -- onboarding ----------------------------------------------------------------------------

def test_connect_creates_one_express_account_in_japan_and_an_onboarding_link(
        session, tenant, people, organizer_client, billing_on):
    response = organizer_client.post("/c/osaka-mixer/admin/payments/online/connect")
    assert response.status_code == 303
    [create] = billing_on.created("/v1/accounts")
    assert create.params["type"] == "express" and create.params["country"] == "JP"
    assert create.params["email"] == "organizer@example.jp"
    assert create.params["capabilities"] == {"card_payments": {"requested": "true"},
                                             "transfers": {"requested": "true"}}
    assert create.params["metadata"] == {"community_id": str(tenant.id),
                                         "community_slug": "osaka-mixer"}
    assert create.idempotency_key == f"joren-community-{tenant.id}-connect-account"
    row = connected(session, tenant)
    assert row is not None and row.stripe_account_id.startswith("acct_")
    assert not row.charges_enabled and row.synced_at is not None
    [link] = billing_on.created("/v1/account_links")
    assert link.params == {
        "account": row.stripe_account_id, "type": "account_onboarding",
        "refresh_url": "http://localhost/c/osaka-mixer/admin/payments/online/refresh",
        "return_url": "http://localhost/c/osaka-mixer/admin/payments/online/return"}
    assert link.idempotency_key and link.idempotency_key.startswith(
        f"joren-community-{tenant.id}-connect-link-")
    assert response.headers["Location"].startswith(billing_on.public_url)
    # Pressing the button again (an old tab, "Continue onboarding") makes a link, not an account.
    assert organizer_client.post("/c/osaka-mixer/admin/payments/online/connect").status_code == 303
    assert len(billing_on.created("/v1/accounts")) == 1
    assert len(billing_on.objects_of("account")) == 1


def test_a_retry_after_a_lost_commit_gets_the_same_account_back(app, scoped, tenant, people,
                                                                billing_on):
    """The request crashed after Stripe created the account: the retry (same key) is answered
    from Stripe's idempotency store and no second account exists."""
    s = scoped(tenant)
    with app.test_request_context("/"):
        community = s.get(Community, tenant.id)
        for _attempt in range(2):
            svc.start_onboarding(s, community, email="organizer@example.jp",
                                 refresh_url="http://localhost/r", return_url="http://localhost/b")
            s.rollback()  # the commit never happened
        assert svc.account_for(s) is None
        svc.start_onboarding(s, community, email="organizer@example.jp",
                             refresh_url="http://localhost/r", return_url="http://localhost/b")
        s.commit()
        row = svc.account_for(s)
    creates = billing_on.created("/v1/accounts")
    assert [r.replayed for r in creates] == [False, True, True]
    assert len({r.idempotency_key for r in creates}) == 1
    [account] = billing_on.objects_of("account")
    assert row is not None and row.stripe_account_id == account["id"]


def test_onboarding_with_billing_off_is_refused(app, scoped, tenant, people):
    s = scoped(tenant)
    with app.test_request_context("/"):
        with pytest.raises(svc.ConnectError) as error:
            svc.start_onboarding(s, s.get(Community, tenant.id), email="x@example.jp",
                                 refresh_url="http://localhost/r", return_url="http://localhost/b")
        assert error.value.code == "billing_off"
        assert not svc.online_payments_ready(s)
        assert svc.refresh(s) is None


# -- account.updated -----------------------------------------------------------------------

def test_account_updated_enables_then_restrict_disables_online_payments(
        session, tenant, people, organizer_client, billing_on, deliver, is_ready):
    acct = connect(organizer_client, session, tenant)
    assert not is_ready(tenant)
    deliver(*events(billing_on.complete_onboarding(acct)))
    row = connected(session, tenant)
    assert row.charges_enabled and row.payouts_enabled and row.details_submitted
    assert row.requirements_due == "" and row.disabled_reason == ""
    assert is_ready(tenant)
    stored = last_event(session)
    assert stored.account == acct and stored.community_id == tenant.id
    assert stored.outcome == f"community {tenant.id}: {acct} charges on, payouts on"

    deliver(*events(billing_on.restrict_account(acct)))
    row = connected(session, tenant)
    assert not row.charges_enabled
    assert row.requirements_due  # what Stripe needs now is listed
    assert not is_ready(tenant)


def test_out_of_order_account_updates_end_in_stripes_current_state(
        session, tenant, people, organizer_client, billing_on, deliver, is_ready):
    acct = connect(organizer_client, session, tenant)
    enabled = events(billing_on.complete_onboarding(acct))
    restricted = events(billing_on.restrict_account(acct))
    deliver(*restricted, *enabled)  # the older event arrives last
    assert not connected(session, tenant).charges_enabled
    assert not is_ready(tenant)
    # And the other way round: Stripe enables the account again, the events come shuffled.
    again = events(billing_on.complete_onboarding(acct))
    restricted_late = [dict(e, id=e["id"] + "_late") for e in restricted]
    deliver(*again, *restricted_late)
    assert connected(session, tenant).charges_enabled
    assert is_ready(tenant)


def test_a_replayed_connect_event_is_a_no_op(session, tenant, people, organizer_client,
                                             client, billing_on, deliver, run_jobs):
    acct = connect(organizer_client, session, tenant)
    [event, *_rest] = events(billing_on.complete_onboarding(acct))
    deliver(event)
    processed = last_event(session).processed_at
    fetched = _retrievals(billing_on, acct)
    for _ in range(2):
        response = post_event(client, event)
        assert response.status_code == 200
        assert response.get_json() == {"received": True, "duplicate": True}
    assert run_jobs() == 0
    session.expire_all()
    assert session.scalar(select(func.count(StripeEvent.id))
                          .where(StripeEvent.stripe_event_id == event["id"])) == 1
    assert last_event(session).processed_at == processed
    assert _retrievals(billing_on, acct) == fetched


def test_an_unknown_account_is_processed_as_ignored_and_changes_nothing(
        session, tenant, other_tenant, people, organizer_client, billing_on, deliver):
    mine = connect(organizer_client, session, tenant)
    stranger = billing_on.add_account(onboarded=False)  # some other platform's business
    deliver(*events(billing_on.complete_onboarding(stranger["id"])))
    stored = last_event(session)
    assert stored.processed_at is not None and stored.community_id is None
    assert stored.outcome.startswith("ignored:") and stranger["id"] in stored.outcome
    row = connected(session, tenant)
    assert row.stripe_account_id == mine and not row.charges_enabled
    assert connected(session, other_tenant) is None
    with unscoped(session):
        assert session.scalar(select(func.count(ConnectAccount.id))) == 1


def test_an_account_event_of_one_community_never_changes_another(
        session, tenant, other_tenant, people, organizer_client, login, billing_on, deliver,
        is_ready):
    other_client = login(people.other_owner)
    acct_a = connect(organizer_client, session, tenant)
    acct_b = connect(other_client, session, other_tenant, OTHER_SLUG)
    assert acct_a != acct_b
    before = connected(session, other_tenant).synced_at
    deliver(*events(billing_on.complete_onboarding(acct_a)))
    assert is_ready(tenant) and not is_ready(other_tenant)
    assert not connected(session, other_tenant).charges_enabled
    assert connected(session, other_tenant).synced_at == before
    assert last_event(session).community_id == tenant.id
    deliver(*events(billing_on.complete_onboarding(acct_b)))
    deliver(*events(billing_on.restrict_account(acct_a)))
    assert not is_ready(tenant) and is_ready(other_tenant)


# -- the webhook's two secrets ---------------------------------------------------------------

CONNECT_SECRET = "whsec_test_joren_connect"


@pytest.fixture()
def connect_secret(app, billing_on):  # type: ignore[no-untyped-def]
    previous = app.config.get("STRIPE_CONNECT_WEBHOOK_SECRET")
    app.config["STRIPE_CONNECT_WEBHOOK_SECRET"] = CONNECT_SECRET
    yield CONNECT_SECRET
    app.config["STRIPE_CONNECT_WEBHOOK_SECRET"] = previous


def _stored(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return int(session.scalar(select(func.count(StripeEvent.id))))


def test_connect_events_signed_with_the_connect_secret_are_applied(
        session, tenant, people, organizer_client, client, billing_on, connect_secret,
        run_jobs, is_ready):
    acct = connect(organizer_client, session, tenant)
    [event, *_rest] = events(billing_on.complete_onboarding(acct))
    assert post_event(client, event, secret=connect_secret).status_code == 200
    run_jobs()
    assert is_ready(tenant)
    # The platform endpoint's secret still works for the platform's own events.
    other = events(billing_on.restrict_account(acct))[0]
    assert post_event(client, other).status_code == 200


@pytest.mark.parametrize("case", ["wrong secret", "tampered with the connect secret",
                                  "tampered with the platform secret", "stale connect signature",
                                  "no header"])
def test_a_bad_signature_is_refused_against_both_secrets(
        session, tenant, people, organizer_client, client, billing_on, connect_secret,
        run_jobs, case):
    import json
    import time

    from tests.platform.billing.conftest import WEBHOOK_SECRET
    from tests.stripe_fake import signature_header

    acct = connect(organizer_client, session, tenant)
    [event, *_rest] = events(billing_on.complete_onboarding(acct))
    payload = json.dumps(event)
    tampered = payload.replace('"charges_enabled": true', '"charges_enabled": false')
    assert tampered != payload
    header = {
        "wrong secret": signature_header(payload, "whsec_somebody_else"),
        "tampered with the connect secret": signature_header(tampered, connect_secret),
        "tampered with the platform secret": signature_header(tampered, WEBHOOK_SECRET),
        "stale connect signature": signature_header(payload, connect_secret,
                                                    int(time.time()) - 301),
        "no header": "",
    }[case]
    response = client.post("/billing/webhook", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert _stored(session) == 0
    assert run_jobs() == 0
    assert not connected(session, tenant).charges_enabled


def test_the_connect_secret_is_never_shown(app, session, tenant, people, organizer_client,
                                           billing_on, connect_secret, caplog):
    page = organizer_client.get("/c/osaka-mixer/admin/payments/online").get_data(as_text=True)
    assert connect_secret not in page
    assert connect_secret not in caplog.text


# -- the application fee ---------------------------------------------------------------------

def _plan(session, community, plan: PlanCode, status: str,  # type: ignore[no-untyped-def]
          grace_until=None) -> None:
    with unscoped(session):
        sub = session.scalar(select(Subscription).where(Subscription.tenant_id == community.id))
        if sub is None:
            sub = Subscription(tenant_id=community.id)
            session.add(sub)
        sub.plan, sub.status, sub.grace_until = plan, status, grace_until
        session.commit()


@pytest.mark.parametrize(("amount", "free", "pro"), [
    (3000, 150, 75), (999, 49, 24), (1000, 50, 25), (1, 0, 0), (0, 0, 0), (39, 1, 0),
    (123457, 6172, 3086),
])
def test_application_fee_is_the_plans_rate_rounded_down(app, session, tenant, billing_on,
                                                        amount, free, pro):
    with app.app_context():
        fee = svc.application_fee(session, tenant, amount)
        assert fee == free and isinstance(fee, int)
        _plan(session, tenant, PlanCode.PRO, "active")
        assert svc.application_fee(session, tenant, amount) == pro
        assert svc.application_fee(session, tenant.id, amount) == pro


def test_application_fee_follows_the_effective_plan(app, session, tenant, billing_on):
    with app.app_context():
        _plan(session, tenant, PlanCode.PRO, "past_due", utcnow() + timedelta(days=3))
        assert svc.application_fee(session, tenant, 3000) == 75  # Pro during the grace period
        _plan(session, tenant, PlanCode.PRO, "past_due", utcnow() - timedelta(days=1))
        assert svc.application_fee(session, tenant, 3000) == 150  # held to Free after it
        _plan(session, tenant, PlanCode.FREE, "canceled")
        assert svc.application_fee(session, tenant, 3000) == 150
        with pytest.raises(ValueError):
            svc.application_fee(session, tenant, -1)


def test_fee_percentages_read_naturally():
    from joren.platform.billing.plans import FREE, PRO

    assert (FREE.application_fee_bps, PRO.application_fee_bps) == (500, 250)
    assert svc.fee_percent(FREE) == "5%" and svc.fee_percent(PRO) == "2.5%"
