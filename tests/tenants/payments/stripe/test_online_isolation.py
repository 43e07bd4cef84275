"""Online fees and tenant isolation: another community's people, ids and Stripe events never
reach this community's Checkouts or payments."""

from __future__ import annotations

import pytest

from joren.platform.billing.models import StripeEvent
from joren.tenants.meetups.models import RegistrationStatus
from joren.tenants.payments.models import PaymentStatus
from tests.tenants.meetups.helpers_registrations import seated_meetup
from tests.tenants.payments.stripe import online_helpers as h
from tests.tenants.payments.stripe.connect_helpers import last_event
from tests.tenants.payments.stripe.refund_helpers import connect

pytestmark = pytest.mark.usefixtures("clock", "billing_on")
OTHER = "kobe-study"



@pytest.fixture()
def two(session, billing_on, tenant, other_tenant, people, login, member_client):  # type: ignore[no-untyped-def]
    """Both communities take payments online; a member of each holds a seat and has a
    Checkout open."""
    acct_a = connect(session, billing_on, tenant)
    acct_b = connect(session, billing_on, other_tenant)
    meetup_a = seated_meetup(session, tenant, capacity=3, price=3000, title="A会")
    meetup_b = seated_meetup(session, other_tenant, capacity=3, price=2000, title="B会")
    session.commit()
    b_client = login(people.other_owner)
    sid_a = h.session_id_of(h.register(member_client, meetup_a.id))
    sid_b = h.session_id_of(h.register(b_client, meetup_b.id, OTHER))
    return {"acct_a": acct_a, "acct_b": acct_b, "a": meetup_a, "b": meetup_b, "sid_a": sid_a,
            "sid_b": sid_b, "b_client": b_client}


def test_routes_with_another_communitys_ids_are_not_found(session, people, billing_on, two):
    b_client, a = two["b_client"], two["a"]
    before = len(billing_on.requests)
    assert h.pay(b_client, a.id, OTHER).status_code == 404
    assert b_client.get(f"/c/{OTHER}/meetups/{a.id}/paid?session_id={two['sid_a']}"
                        ).status_code == 404
    # In A's own URLs, B's member is no member: refused, and Stripe hears nothing.
    assert h.pay(b_client, a.id).status_code == 403
    assert len(billing_on.requests) == before
    reg = h.registration(session, a.id, people.member_member.id)
    assert reg.status == RegistrationStatus.AWAITING_PAYMENT


def test_the_paid_page_shows_only_ones_own_registration(
        session, tenant, people, staff_client, client, two):
    a, sid_a = two["a"], two["sid_a"]
    # Another member of A with A's member's Session id sees their own (none), not theirs.
    assert staff_client.get(f"/c/{tenant.slug}/meetups/{a.id}/paid?session_id={sid_a}"
                            ).status_code == 404
    # B's Session id in A's URLs names nothing here.
    assert client.get(f"/c/{tenant.slug}/meetups/{a.id}/paid?session_id={two['sid_b']}"
                      ).status_code in (302, 303)
    body = client.get(f"/c/{tenant.slug}/meetups/{a.id}/paid?session_id={sid_a}"
                      ).get_data(as_text=True)
    assert "waiting" in body and people.member_member.family_name not in body
    assert "/receipt" not in body


def test_an_event_of_one_account_never_touches_the_other_community(
        session, people, billing_on, two, deliver):
    # A Session of B's account that names A's payment (forged metadata) is B's business only.
    [a_payment] = h.payment_for(session, h.registration(
        session, two["a"].id, people.member_member.id).id)
    forged = dict(billing_on.objects[two["sid_b"]])
    forged["metadata"] = dict(forged["metadata"], payment_id=str(a_payment.id))
    deliver(billing_on.event("checkout.session.completed", forged, account=two["acct_b"]))
    assert last_event(session).outcome.startswith("ignored")
    [a_payment] = h.payment_for(session, a_payment.registration_id)
    assert a_payment.status == PaymentStatus.PENDING
    # An unknown account: ignored.
    deliver(billing_on.event("checkout.session.completed", billing_on.objects[two["sid_a"]],
                             account="acct_unknown"))
    assert last_event(session).outcome.startswith("ignored")
    # A's own payment completes in A only.
    deliver(*billing_on.complete_checkout(two["sid_a"]))
    row = last_event(session)
    assert isinstance(row, StripeEvent) and row.community_id == a_payment.tenant_id
    b_reg = h.registration(session, two["b"].id, people.other_owner_member.id)
    assert b_reg.status == RegistrationStatus.AWAITING_PAYMENT
    [b_payment] = h.payment_for(session, b_reg.id)
    assert b_payment.status == PaymentStatus.PENDING and b_payment.amount_jpy == 2000
