"""The secret that signed an event decides where it may go: the Connect endpoint's secret only
signs connected accounts' events (with ``account``), the platform's only Joren's own."""

from __future__ import annotations

from sqlalchemy import func, select

from joren.platform.billing.models import PlanCode, StripeEvent
from tests.platform.billing.conftest import CONNECT_WEBHOOK_SECRET, WEBHOOK_SECRET, post_event
from tests.platform.billing.helpers import row, subscribe

SLUG = "osaka-mixer"


def _stored(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return int(session.scalar(select(func.count(StripeEvent.id))))


def test_a_connect_signed_event_without_an_account_never_reaches_the_subscription_handlers(
        session, tenant, people, owner_client, client, billing_on, deliver, run_jobs):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    assert row(session, tenant).plan == PlanCode.PRO
    before = _stored(session)
    # Whoever holds the Connect secret (or a connected account's endpoint) sends a platform-
    # shaped event: were it applied, Joren would fetch the (now cancelled) subscription.
    cancelled = billing_on.cancel(sub_id)
    assert "account" not in cancelled
    response = post_event(client, cancelled, secret=CONNECT_WEBHOOK_SECRET)
    assert response.status_code == 400
    assert _stored(session) == before
    assert run_jobs() == 0
    assert row(session, tenant).plan == PlanCode.PRO and row(session, tenant).status == "active"
    # The same event from the platform endpoint is Joren's own, and applies.
    assert post_event(client, cancelled, secret=WEBHOOK_SECRET).status_code == 200
    run_jobs()
    assert row(session, tenant).plan == PlanCode.FREE


def test_a_platform_signed_event_naming_an_account_is_refused(
        session, tenant, people, client, billing_on, run_jobs):
    event = billing_on.event("account.updated", {"id": "acct_fake_x", "object": "account"})
    event["account"] = "acct_fake_x"
    assert post_event(client, event, secret=WEBHOOK_SECRET).status_code == 400
    assert _stored(session) == 0
    assert post_event(client, event, secret=CONNECT_WEBHOOK_SECRET).status_code == 200
    assert _stored(session) == 1


def test_an_account_that_is_not_an_id_is_refused(session, client, billing_on):
    event = billing_on.event("account.updated", {"id": "acct_fake_x", "object": "account"})
    for account in ("", 42, {"id": "acct_fake_x"}):
        event["account"] = account
        assert post_event(client, event, secret=CONNECT_WEBHOOK_SECRET).status_code == 400
    assert _stored(session) == 0
