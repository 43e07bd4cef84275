"""The payment jobs that send email run with no request and no SERVER_NAME, as in production, and
every link they send is on BASE_URL (issue 12, finding 2): a seat confirmed by the Stripe webhook
job with its receipt, and the refund notice sent after Stripe has refunded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.platform.db import utcnow
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import RegistrationStatus
from joren.tenants.payments import refunds
from joren.tenants.payments.models import Payment, PaymentStatus
from tests.links import assert_in_language, assert_links_on, stored, watch_rendering
from tests.tenants.helpers import meetup
from tests.tenants.meetups.helpers_registrations import seated_meetup
from tests.tenants.payments.helpers import payments_of
from tests.tenants.payments.stripe import online_helpers as h
from tests.tenants.payments.stripe.refund_helpers import connect, paid_online, refunds_made

pytestmark = pytest.mark.usefixtures("clock", "billing_on")


@pytest.fixture()
def acct(session, billing_on, tenant, people):  # type: ignore[no-untyped-def]
    return connect(session, billing_on, tenant)


def test_the_webhook_job_confirms_the_seat_and_sends_the_receipt_on_base_url(
        session, tenant, people, member_client, billing_on, acct, deliver,
        production_base_url, monkeypatch):
    evening = seated_meetup(session, tenant, capacity=2, price=3000, title="十二月定例会")
    session.commit()
    sid = h.session_id_of(h.register(member_client, evening.id))
    [checkout] = h.creates(billing_on)
    assert checkout.params["success_url"].startswith(
        f"{production_base_url}/c/{tenant.slug}/meetups/{evening.id}/paid?session_id=")
    assert checkout.params["cancel_url"] == \
        f"{production_base_url}/c/{tenant.slug}/meetups/{evening.id}"
    rendered = watch_rendering(monkeypatch)
    deliver(*billing_on.complete_checkout(sid))
    assert h.registration(session, evening.id, people.member_member.id).status == \
        RegistrationStatus.GOING
    assert {(r.template, r.in_request) for r in rendered} == {
        ("meetups/registrations/confirmed", False), ("payments/online_receipt", False)}
    [confirmed] = stored(session, "meetups/registrations/confirmed")
    [receipt] = stored(session, "payments/online_receipt")
    links = assert_links_on(production_base_url, [confirmed, receipt])
    [payment] = payments_of(session, member_id=people.member_member.id)
    assert f"{production_base_url}/c/{tenant.slug}/payments/{payment.id}/receipt" in links
    assert_in_language(confirmed, "en")  # the member's account speaks English
    assert_in_language(receipt, "en")


def test_the_refund_job_notifies_on_base_url_after_stripe_refunded(
        app, session, scoped, tenant, people, billing_on, acct, run_jobs, production_base_url,
        monkeypatch):
    people.member.language = "ja"
    evening = meetup(session, tenant, "十一月定例会", starts_at=utcnow() + timedelta(days=3),
                     price=3000, refund_cutoff_hours=48)
    paid = paid_online(session, app, billing_on, acct, evening, people.member_member)
    session.commit()
    ts = scoped(tenant)
    with app.app_context():  # what the organizer's request does; the job does the rest
        assert refunds.request_refund(ts, ts.get(Payment, paid.id),
                                      actor=ts.get(Member, people.organizer_member.id),
                                      reason="organizer")
        ts.commit()
    rendered = watch_rendering(monkeypatch)
    run_jobs()
    assert len(refunds_made(billing_on)) == 1
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED
    assert [(r.template, r.in_request) for r in rendered] == [("payments/refunded", False)]
    [notice] = stored(session, "payments/refunded")
    links = assert_links_on(production_base_url, [notice])
    assert f"{production_base_url}/c/{tenant.slug}/payments" in links
    assert_in_language(notice, "ja")
