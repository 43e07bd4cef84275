"""The webhook endpoint: Stripe's signature scheme, stale timestamps, replays and duplicates,
and the job that processes each event exactly once (also after a crash)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from joren.platform.billing.models import PlanCode, StripeEvent
from tests.platform.billing.conftest import post_event
from tests.platform.billing.helpers import row, upgrade
from tests.stripe_fake import signature_header

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"


def _stored(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return int(session.scalar(select(func.count(StripeEvent.id))))


@pytest.fixture()
def paid_checkout(owner_client, billing_on, people):  # type: ignore[no-untyped-def]
    """Stripe's three events after a paid Checkout (not yet delivered)."""
    return billing_on.complete_checkout(upgrade(owner_client, SLUG))


def test_a_valid_event_is_stored_processed_and_applied(app, session, tenant, client, run_jobs,
                                                       paid_checkout):
    response = post_event(client, paid_checkout[0])
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "duplicate": False}
    stored = session.scalar(select(StripeEvent))
    assert stored.processed_at is None  # the endpoint only stores and enqueues
    assert run_jobs() == 1
    session.expire_all()
    stored = session.scalar(select(StripeEvent))
    assert stored.processed_at is not None and stored.community_id == tenant.id
    assert stored.outcome == f"community {tenant.id}: pro active"
    assert row(session, tenant).plan == PlanCode.PRO


@pytest.mark.parametrize("case", ["wrong secret", "tampered body", "no header", "garbage header",
                                  "other scheme"])
def test_a_bad_signature_is_400_and_changes_nothing(app, session, tenant, client, run_jobs,
                                                    paid_checkout, case):
    event = paid_checkout[0]
    payload = json.dumps(event)
    header = {
        "wrong secret": signature_header(payload, "whsec_somebody_else"),
        "tampered body": signature_header(payload.replace("active", "trialing"),
                                          "whsec_test_joren_billing"),
        "no header": "",
        "garbage header": "not a signature",
        "other scheme": signature_header(payload, "whsec_test_joren_billing").replace("v1=",
                                                                                      "v0="),
    }[case]
    response = client.post("/billing/webhook", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert _stored(session) == 0
    assert run_jobs() == 0
    assert row(session, tenant).plan == PlanCode.FREE


def test_a_stale_timestamp_is_400_even_when_correctly_signed(app, session, tenant, client,
                                                            run_jobs, paid_checkout):
    stale = int(time.time()) - 301
    response = post_event(client, paid_checkout[0], timestamp=stale)
    assert response.status_code == 400
    assert _stored(session) == 0 and run_jobs() == 0
    # Within Stripe's five minutes it is accepted.
    assert post_event(client, paid_checkout[0], timestamp=int(time.time()) - 240).status_code == 200


def test_a_replay_or_duplicate_delivery_is_a_no_op(app, session, tenant, client, run_jobs,
                                                   paid_checkout, billing_on):
    event = paid_checkout[0]
    assert post_event(client, event).status_code == 200
    run_jobs()
    processed = session.scalar(select(StripeEvent)).processed_at
    retrievals = len([r for r in billing_on.requests if r.path.startswith("/v1/subscriptions/")])
    for _ in range(2):  # Stripe retries, or someone replays a captured request
        response = post_event(client, event)
        assert response.status_code == 200
        assert response.get_json() == {"received": True, "duplicate": True}
    assert run_jobs() == 0
    assert _stored(session) == 1
    assert session.scalar(select(StripeEvent)).processed_at == processed
    assert len([r for r in billing_on.requests
                if r.path.startswith("/v1/subscriptions/")]) == retrievals


def test_a_job_enqueued_twice_processes_the_event_once(app, session, tenant, client, run_jobs,
                                                       paid_checkout, billing_on):
    from joren.platform.jobs import enqueue_now

    post_event(client, paid_checkout[0])
    event_id = session.scalar(select(StripeEvent.id))
    with app.app_context():
        enqueue_now("joren.workers.billing_jobs.process_event", event_id)
    assert run_jobs() == 2
    session.expire_all()
    assert session.scalar(select(StripeEvent)).attempts == 1


def test_a_job_that_fails_is_recorded_and_a_retry_applies_the_event(
        app, session, tenant, client, run_jobs, paid_checkout, billing_on, monkeypatch, clock):
    post_event(client, paid_checkout[0])
    handle = billing_on.handle
    down = {"on": True}

    def unavailable(method, path, *args):  # type: ignore[no-untyped-def]
        if down["on"] and path.startswith("/v1/subscriptions/"):
            return 400, {"error": {"type": "invalid_request_error", "message": "down"}}, {}
        return handle(method, path, *args)

    monkeypatch.setattr(billing_on, "handle", unavailable)
    run_jobs(allow_failures=True)
    session.expire_all()
    stored = session.scalar(select(StripeEvent))
    assert stored.processed_at is None and stored.attempts == 1
    assert "InvalidRequestError" in stored.last_error
    assert row(session, tenant) is not None and row(session, tenant).plan == PlanCode.FREE
    # The sweep finds it (its job was lost or failed) and enqueues it again.
    from datetime import timedelta

    from joren.platform.billing.events import unprocessed

    clock.shift(seconds=1)
    assert unprocessed(session, older_than=timedelta(0)) == [stored.id]
    down["on"] = False
    from joren.platform.jobs import enqueue_now

    with app.app_context():
        enqueue_now("joren.workers.billing_jobs.process_event", stored.id)
    run_jobs(allow_failures=True)
    session.expire_all()
    stored = session.scalar(select(StripeEvent))
    assert stored.processed_at is not None and stored.attempts == 2
    assert row(session, tenant).plan == PlanCode.PRO


def test_the_sweep_enqueues_events_left_unprocessed(app, session, tenant, run_jobs,
                                                    paid_checkout):
    from datetime import timedelta

    from joren.platform.billing import events
    from joren.platform.db import utcnow
    from joren.workers import billing_jobs

    event = paid_checkout[0]
    # Stored by the webhook, but its job was lost (a worker killed before it ran).
    session.add(StripeEvent(stripe_event_id=event["id"], type=event["type"],
                            event_created_at=utcnow(), payload=json.dumps(event),
                            received_at=utcnow() - timedelta(minutes=3)))
    session.commit()
    assert run_jobs() == 0
    assert events.unprocessed(session, older_than=timedelta(minutes=5)) == []
    with app.app_context():
        assert billing_jobs.sweep_events() == 1
        assert billing_jobs.sweep_events() == 1  # found again, but enqueued once per slot
    assert run_jobs() == 1
    assert row(session, tenant).plan == PlanCode.PRO
    with app.app_context():
        assert billing_jobs.sweep_events() == 0


def test_not_an_event_is_400(app, session, client, billing_on):
    for payload in ("not json", json.dumps({"object": "list"}), json.dumps({
            "object": "event", "id": "evt_1", "type": "x", "created": 1, "data": {}})):
        response = client.post("/billing/webhook", data=payload, headers={
            "Stripe-Signature": signature_header(payload, "whsec_test_joren_billing")})
        assert response.status_code == 400
    assert _stored(session) == 0


def test_the_webhook_does_not_exist_with_billing_off(app, session, client, fake_stripe):
    event = fake_stripe.event("invoice.paid", {"id": "in_1", "object": "invoice"})
    assert post_event(client, event).status_code == 404
    assert _stored(session) == 0
