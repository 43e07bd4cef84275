"""Events of connected accounts (Stripe Connect) go to the handler their feature registered,
never to the handlers of Joren's own subscription; unregistered ones are recorded as ignored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.platform.billing import events
from joren.platform.billing.models import PlanCode, StripeEvent
from tests.platform.billing.helpers import row, subscribe

SLUG = "osaka-mixer"


@pytest.fixture()
def handlers(monkeypatch):  # type: ignore[no-untyped-def]
    """An empty registry of connect handlers for this test."""
    registry: dict = {}
    monkeypatch.setattr(events, "CONNECT_HANDLERS", registry)
    return registry


def _on_account(event: dict, account: str = "acct_fake_someone") -> dict:
    return dict(event, id=event["id"] + "_connect", account=account)


def _outcome(session, stripe_event_id: str) -> StripeEvent:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(StripeEvent).where(StripeEvent.stripe_event_id == stripe_event_id))


def test_a_connected_account_event_never_reaches_the_subscription_handlers(
        session, tenant, people, owner_client, billing_on, deliver, handlers):
    sub_id = subscribe(owner_client, SLUG, billing_on, deliver)
    assert row(session, tenant).plan == PlanCode.PRO
    # The same kind of event, but about a subscription on an organizer's connected account
    # (a member's dues), even one naming this community in its metadata.
    # Were it applied as a platform event, Joren would fetch the (now cancelled) subscription.
    cancelled = _on_account(billing_on.cancel(sub_id))
    deliver(cancelled)
    stored = _outcome(session, cancelled["id"])
    assert stored.processed_at is not None and stored.account == "acct_fake_someone"
    assert stored.outcome == ("ignored: customer.subscription.deleted of a connected account "
                              "is not handled")
    assert row(session, tenant).plan == PlanCode.PRO and row(session, tenant).status == "active"


def test_a_registered_connect_handler_gets_the_event_and_its_outcome_is_kept(
        session, tenant, people, billing_on, deliver, handlers):
    seen = []

    def on_updated(s, stored, obj):  # type: ignore[no-untyped-def]
        seen.append((stored.account, obj["id"]))
        return "handled by the test"

    events.register_connect_handler("account.updated", on_updated)
    event = billing_on.event("account.updated", {"id": "acct_fake_x", "object": "account"})
    event["account"] = "acct_fake_x"
    deliver(event)
    assert seen == [("acct_fake_x", "acct_fake_x")]
    assert _outcome(session, event["id"]).outcome == "handled by the test"
    # Platform events of that type (no account) are not sent to it.
    platform = billing_on.event("account.updated", {"id": "acct_platform", "object": "account"})
    deliver(platform)
    assert len(seen) == 1
    assert _outcome(session, platform["id"]).outcome == "ignored: not a billing event"


def test_registering_is_idempotent_but_two_handlers_for_one_type_is_an_error(handlers):
    def first(s, stored, obj):  # type: ignore[no-untyped-def]
        return "first"

    def second(s, stored, obj):  # type: ignore[no-untyped-def]
        return "second"

    events.register_connect_handler("charge.refunded", first)
    events.register_connect_handler("charge.refunded", first)
    with pytest.raises(ValueError, match="already handled"):
        events.register_connect_handler("charge.refunded", second)
    assert handlers == {"charge.refunded": first}
