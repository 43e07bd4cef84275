"""Refunds of fees paid online: the cancellation policy, the organizer cancelling a meetup,
exactly one refund at Stripe from a job (killed and retried, swept up when lost), and refunds
made in Stripe's dashboard arriving as Connect webhooks (full, partial, out of order)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage
from joren.platform.tenancy import set_tenant, unscoped
from joren.tenants.payments import refunds
from joren.tenants.payments.models import PaymentStatus
from joren.tenants.payments.services import PaymentError
from joren.workers import payment_jobs
from tests.tenants.helpers import meetup, reload
from tests.tenants.payments.helpers import payments_of
from tests.tenants.payments.stripe.refund_helpers import (
    APPLICATION_FEE,
    FEE,
    connect,
    paid_online,
    refunds_made,
)

pytestmark = pytest.mark.usefixtures("clock", "billing_on")



@pytest.fixture()
def acct(session, billing_on, tenant, people):  # type: ignore[no-untyped-def]
    return connect(session, billing_on, tenant)


def _evening(session, tenant, hours: float = 72, cutoff: int | None = 48):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "十一月定例会", starts_at=utcnow() + timedelta(hours=hours),
                  price=FEE, refund_cutoff_hours=cutoff)


@pytest.fixture()
def paid(session, app, billing_on, acct, tenant, people):  # type: ignore[no-untyped-def]
    """The plain member paid ¥3,000 online for a meetup in three days (refunds until 48 h
    before the start)."""
    evening = _evening(session, tenant)
    payment = paid_online(session, app, billing_on, acct, evening, people.member_member)
    session.commit()
    return payment


def _ask(app, ts, payment_id: int, actor_id: int | None, reason: str = "organizer",
         **options) -> bool:  # type: ignore[no-untyped-def]
    """Ask for a refund through the service and commit (the job is enqueued on commit)."""
    from joren.platform.membership.models import Member
    from joren.tenants.payments.models import Payment

    with app.app_context():
        actor = ts.get(Member, actor_id) if actor_id is not None else None
        asked = refunds.request_refund(ts, ts.get(Payment, payment_id), actor=actor,
                                       reason=reason, **options)
        ts.commit()
    return asked


def _cancel_url(tenant, meetup_id: int) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/meetups/{meetup_id}/cancel"


def _refund_emails(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "payments/refunded").order_by(OutboxMessage.id)))


def test_cancelling_before_the_cutoff_refunds_the_fee_in_full(
        session, member_client, tenant, people, paid, billing_on, acct, run_jobs):
    response = member_client.post(_cancel_url(tenant, paid.meetup_id))
    assert response.status_code in (302, 303)
    [row] = payments_of(session, id=paid.id)
    assert row.refund_requested_at is not None and row.refund_reason == "policy"
    assert row.refund_amount_jpy == FEE and row.status == PaymentStatus.PAID
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED
    assert row.refunded_by_id == people.member_member.id
    assert row.refunded_at is not None and row.stripe_refund_id.startswith("re_")
    [call] = refunds_made(billing_on)
    assert call.stripe_account == acct
    assert call.idempotency_key == f"joren-community-{tenant.id}-payment-{paid.id}-refund-3000"
    assert call.params["amount"] == "3000"  # JPY has no minor unit: ¥3,000 is 3000
    assert call.params["payment_intent"] == paid.stripe_payment_intent_id
    assert call.params["reason"] == "requested_by_customer"
    assert call.params["refund_application_fee"] == "false"
    assert call.params["metadata"] == {"community_id": str(tenant.id),
                                       "payment_id": str(paid.id), "purpose": "meetup_fee"}
    charge = billing_on.objects[billing_on.objects[paid.stripe_payment_intent_id]
                                ["latest_charge"]]
    assert charge["amount_refunded"] == 3000 and charge["refunded"] is True
    assert billing_on.application_fee_refunds[paid.stripe_payment_intent_id] == 0
    [email] = _refund_emails(session)
    assert email.to_email == people.member_member.email
    assert "¥3,000" in email.text_body and paid.receipt_number in email.text_body
    assert "十一月定例会" in email.text_body


def test_cancelling_after_the_cutoff_refunds_nothing(session, app, member_client, tenant,
                                                     people, acct, billing_on, run_jobs):
    late = _evening(session, tenant, hours=24, cutoff=48)
    payment = paid_online(session, app, billing_on, acct, late, people.member_member)
    session.commit()
    member_client.post(_cancel_url(tenant, late.id))
    run_jobs()
    [row] = payments_of(session, id=payment.id)
    assert row.status == PaymentStatus.PAID and row.refund_requested_at is None
    assert refunds_made(billing_on) == []


def test_without_a_policy_cancelling_refunds_nothing(session, app, member_client, tenant,
                                                      people, acct, billing_on, run_jobs):
    no_policy = _evening(session, tenant, hours=24 * 10, cutoff=None)
    payment = paid_online(session, app, billing_on, acct, no_policy, people.member_member)
    session.commit()
    member_client.post(_cancel_url(tenant, no_policy.id))
    run_jobs()
    assert payments_of(session, id=payment.id)[0].status == PaymentStatus.PAID
    assert refunds_made(billing_on) == []


def test_the_cutoff_is_inclusive(session, tenant):
    evening = _evening(session, tenant)
    deadline = evening.starts_at - timedelta(hours=48)
    assert refunds.policy_allows(evening, deadline)
    assert not refunds.policy_allows(evening, deadline + timedelta(seconds=1))


def test_organizer_cancelling_the_meetup_refunds_every_online_fee_with_the_fee(
        session, app, organizer_client, tenant, people, acct, billing_on, run_jobs):
    # No refund policy at all: a meetup that does not happen is refunded anyway.
    evening = _evening(session, tenant, hours=12, cutoff=None)
    first = paid_online(session, app, billing_on, acct, evening, people.member_member)
    second = paid_online(session, app, billing_on, acct, evening, people.staff_member,
                         amount=2500, application_fee=125)
    session.commit()
    response = organizer_client.post(f"/c/{tenant.slug}/admin/meetups/{evening.id}/cancel",
                                     data={"confirm": "yes"})
    assert response.status_code in (302, 303)
    run_jobs()
    rows = payments_of(session, meetup_id=evening.id)
    assert [r.status for r in rows] == [PaymentStatus.REFUNDED] * 2
    assert {r.refund_reason for r in rows} == {"meetup_cancelled"}
    assert {r.refunded_by_id for r in rows} == {people.organizer_member.id}
    calls = refunds_made(billing_on)
    assert sorted(c.params["amount"] for c in calls) == ["2500", "3000"]
    assert {c.params["refund_application_fee"] for c in calls} == {"true"}
    assert billing_on.application_fee_refunds[first.stripe_payment_intent_id] == APPLICATION_FEE
    assert billing_on.application_fee_refunds[second.stripe_payment_intent_id] == 125
    assert len(_refund_emails(session)) == 2


def test_a_job_killed_after_stripe_answered_makes_no_second_refund(
        session, scoped, app, tenant, people, paid, billing_on, monkeypatch):
    assert _ask(app, scoped(tenant), paid.id, people.organizer_member.id)
    real = refunds._mark_refunded

    def killed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("worker killed")  # after Stripe answered, before the commit

    monkeypatch.setattr(refunds, "_mark_refunded", killed)
    with app.app_context(), pytest.raises(SystemExit):
        payment_jobs.refund_payment(tenant.id, paid.id)
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.PAID and row.stripe_refund_id is None  # rolled back
    assert len(refunds_made(billing_on)) == 1
    monkeypatch.setattr(refunds, "_mark_refunded", real)
    with app.app_context():
        outcome = payment_jobs.refund_payment(tenant.id, paid.id)
    assert outcome == f"payment {paid.id}: refunded 3000"
    calls = billing_on.created("/v1/refunds")
    assert len(calls) == 2 and calls[1].replayed  # Stripe's stored answer, no second refund
    assert len(refunds_made(billing_on)) == 1
    assert len(billing_on.objects_of("refund")) == 1
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED
    assert row.stripe_refund_id == billing_on.objects_of("refund")[0]["id"]
    assert len(_refund_emails(session)) == 1
    with app.app_context():  # and a third run finds nothing to do
        assert payment_jobs.refund_payment(tenant.id, paid.id).endswith("no refund pending")
    assert len(billing_on.created("/v1/refunds")) == 2


def test_asking_twice_is_a_no_op(session, scoped, app, tenant, people, paid, billing_on,
                                 run_jobs):
    ts = scoped(tenant)
    organizer = people.organizer_member.id
    assert _ask(app, ts, paid.id, organizer) is True
    first = payments_of(session, id=paid.id)[0].refund_requested_at
    assert _ask(app, ts, paid.id, organizer, reason="duplicate") is False
    [row] = payments_of(session, id=paid.id)
    assert row.refund_reason == "organizer" and row.refund_requested_at == first
    run_jobs()
    assert _ask(app, ts, paid.id, organizer) is False  # refunded: nothing more to give back
    run_jobs()
    assert len(refunds_made(billing_on)) == 1
    assert len(_refund_emails(session)) == 1


def test_what_cannot_be_refunded_is_refused(session, scoped, tenant, people, paid, app_ctx):
    ts = scoped(tenant)
    payment = ts.get(type(paid), paid.id)
    staff = ts.get(type(people.staff_member), people.staff_member.id)
    with pytest.raises(PaymentError) as error:
        refunds.request_refund(ts, payment, actor=staff, reason="organizer")
    assert error.value.code == "refund_forbidden"
    for amount in (0, -1, FEE + 1):
        with pytest.raises(PaymentError) as error:
            refunds.request_refund(ts, payment, actor=None, reason="policy", amount_jpy=amount)
        assert error.value.code == "bad_refund_amount"
    with pytest.raises(ValueError):
        refunds.request_refund(ts, payment, actor=None, reason="because")
    assert payment.refund_requested_at is None


def test_a_partial_refund_keeps_the_payment_paid(session, scoped, app, tenant, people, paid,
                                                 billing_on, run_jobs):
    _ask(app, scoped(tenant), paid.id, people.organizer_member.id, amount_jpy=1000)
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.PAID and not row.refund_pending
    assert row.refund_amount_jpy == 1000
    [call] = refunds_made(billing_on)
    assert call.params["amount"] == "1000"


def test_stripe_saying_already_refunded_is_reconciled(session, scoped, app, tenant, people,
                                                      paid, billing_on, run_jobs):
    billing_on.refund_from_dashboard(paid.stripe_payment_intent_id)  # webhook not arrived yet
    _ask(app, scoped(tenant), paid.id, people.organizer_member.id)
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED
    assert row.refunded_by_id == people.organizer_member.id
    assert len(billing_on.objects_of("refund")) == 1


def test_the_sweep_re_enqueues_a_lost_refund_job(session, scoped, app, tenant, people, paid,
                                                 billing_on, run_jobs):
    _ask(app, scoped(tenant), paid.id, people.organizer_member.id)
    with app.app_context():
        app.extensions["rq"].get_queue().connection.flushdb()  # the job was lost
        assert payment_jobs.sweep_refunds() == 0  # too fresh: its job may still be running
    with unscoped(session):
        row = reload(session, type(paid), paid.id)
        row.refund_requested_at = utcnow() - timedelta(minutes=11)
        session.commit()
    with app.app_context():
        assert payment_jobs.sweep_refunds() == 1
        assert payment_jobs.sweep_refunds() == 1  # the same slot: enqueued only once
        queue = app.extensions["rq"].get_queue()
        assert queue.count == 1
        assert queue.get_job_ids()[0].startswith(f"payment-refund-{tenant.id}-{paid.id}-")
    run_jobs()
    assert payments_of(session, id=paid.id)[0].status == PaymentStatus.REFUNDED
    assert len(refunds_made(billing_on)) == 1
    with app.app_context():
        assert payment_jobs.sweep_refunds() == 0


def test_the_sweep_runs_every_ten_minutes() -> None:
    from joren.workers import cron

    assert [e.interval for e in cron.SCHEDULE
            if e.func is payment_jobs.sweep_refunds] == ["*/10 * * * *"]


# -- refunds made in Stripe's dashboard ------------------------------------------------------

def test_a_full_refund_in_stripes_dashboard_marks_the_payment_refunded(
        session, tenant, people, paid, billing_on, deliver):
    events = billing_on.refund_from_dashboard(paid.stripe_payment_intent_id)
    assert all(e.get("account") == paid.stripe_account_id for e in events)
    deliver(*events)
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED
    assert row.refunded_by_id is None and row.refund_reason == "stripe_dashboard"
    assert row.refund_amount_jpy == FEE
    deliver(*[{**e, "id": e["id"] + "x"} for e in events])  # sent again (new ids): same state
    assert payments_of(session, id=paid.id)[0].refunded_at == row.refunded_at
    assert len(_refund_emails(session)) == 1
    assert refunds_made(billing_on) == []


def test_a_partial_refund_in_the_dashboard_is_recorded_and_the_rest_can_follow(
        session, organizer_client, tenant, people, paid, billing_on, deliver, run_jobs):
    deliver(*billing_on.refund_from_dashboard(paid.stripe_payment_intent_id, 1000))
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.PAID and row.refund_amount_jpy == 1000
    assert not row.refund_pending
    organizer_client.post("/language", data={"language": "en"})
    html = organizer_client.get(
        f"/c/{tenant.slug}/admin/meetups/{paid.meetup_id}/payments").get_data(as_text=True)
    assert "Partially refunded ¥1,000" in html
    assert 'data-collected="2000"' in html and 'data-refunded="1000"' in html
    organizer_client.post(f"/c/{tenant.slug}/admin/payments/{paid.id}/refund",
                          data={"confirm": "yes"})
    run_jobs()
    [call] = refunds_made(billing_on)
    assert call.params["amount"] == "2000"
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED
    assert row.refunded_by_id == people.organizer_member.id


def test_dashboard_events_out_of_order_or_replayed_end_in_the_same_state(
        session, tenant, people, paid, billing_on, deliver):
    partial = billing_on.refund_from_dashboard(paid.stripe_payment_intent_id, 1000)
    rest = billing_on.refund_from_dashboard(paid.stripe_payment_intent_id)
    deliver(*rest)  # the later events first: Stripe's charge is fully refunded by now
    deliver(*partial)
    deliver(partial[0] | {"id": partial[0]["id"] + "-again"})
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED and row.refund_amount_jpy == FEE
    assert len(_refund_emails(session)) == 1


def test_a_refund_event_for_an_unknown_account_changes_nothing(
        session, tenant, people, paid, billing_on, deliver):
    events = billing_on.refund_from_dashboard(paid.stripe_payment_intent_id)
    deliver(*[e | {"account": "acct_nobody", "id": e["id"] + "-n"} for e in events])
    assert payments_of(session, id=paid.id)[0].status == PaymentStatus.PAID


def test_other_communities_payments_are_out_of_reach(session, scoped, app, other_tenant,
                                                     tenant, people, paid, billing_on):
    other = scoped(other_tenant)
    with unscoped(other):
        assert refunds.stale_requests(other) == []
    set_tenant(other, other_tenant.id)
    assert other.get(type(paid), paid.id) is None


def test_skipping_a_series_date_refunds_by_the_policy(session, member_client, tenant, people,
                                                      paid, billing_on, run_jobs):
    response = member_client.post(f"/c/{tenant.slug}/meetups/{paid.meetup_id}/opt-out")
    assert response.status_code in (302, 303)
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED and row.refund_reason == "policy"
    assert len(refunds_made(billing_on)) == 1


def test_the_organizer_cancelling_a_registration_refunds_by_the_policy(
        session, organizer_client, tenant, people, paid, billing_on, run_jobs):
    response = organizer_client.post(
        f"/c/{tenant.slug}/admin/meetups/{paid.meetup_id}/registrations/{paid.registration_id}",
        data={"action": "cancel"})
    assert response.status_code in (302, 303)
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED and row.refund_reason == "policy"
    assert row.refunded_by_id == people.organizer_member.id


def test_cancelling_again_or_a_cancelled_meetup_asks_nothing_more(
        session, member_client, organizer_client, tenant, people, paid, billing_on, run_jobs):
    organizer_client.post(f"/c/{tenant.slug}/admin/meetups/{paid.meetup_id}/cancel",
                          data={"confirm": "yes"})
    member_client.post(_cancel_url(tenant, paid.meetup_id))
    member_client.post(_cancel_url(tenant, paid.meetup_id))
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED and row.refund_reason == "meetup_cancelled"
    assert len(refunds_made(billing_on)) == 1


def test_a_refund_that_fails_at_stripe_makes_the_fee_paid_again(
        session, scoped, app, tenant, people, paid, billing_on, deliver, run_jobs):
    _ask(app, scoped(tenant), paid.id, people.organizer_member.id)
    run_jobs()
    [refund] = billing_on.objects_of("refund")
    billing_on.take_events()
    deliver(billing_on.settle_refund(refund["id"], "failed"))
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.PAID and not row.refund_pending
    assert row.refunded_at is None and row.refunded_by_id is None
    # Asked again: a new refund at Stripe, not the replay of the failed one.
    assert _ask(app, scoped(tenant), paid.id, people.organizer_member.id)
    run_jobs()
    assert len(refunds_made(billing_on)) == 2
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED and row.stripe_refund_id != refund["id"]


def test_a_request_larger_than_what_is_left_asks_for_the_rest(
        session, scoped, app, tenant, people, paid, billing_on, run_jobs):
    # Refunded in part from the dashboard; its event has not arrived when the organizer asks.
    billing_on.refund_from_dashboard(paid.stripe_payment_intent_id, 1000)
    _ask(app, scoped(tenant), paid.id, people.organizer_member.id)
    run_jobs()
    assert [c.params["amount"] for c in refunds_made(billing_on)] == ["2000"]
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED
    assert row.refunded_by_id == people.organizer_member.id
