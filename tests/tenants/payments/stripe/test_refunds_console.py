"""Refunds in the console (the payments list, the organizer's "Refund" button, the CSV), what
a member is told before cancelling, the member's own list, the email, and other communities."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.calendar import links as calendar_links
from joren.tenants.meetups.models import Registration
from joren.tenants.payments.models import PaymentMethod, PaymentStatus
from tests.tenants.helpers import count_statements, in_english, meetup
from tests.tenants.payments.helpers import payments_of
from tests.tenants.payments.stripe.refund_helpers import (
    FEE,
    connect,
    paid_online,
    refunds_made,
)

pytestmark = pytest.mark.usefixtures("clock", "billing_on")



@pytest.fixture()
def acct(session, billing_on, tenant, people):  # type: ignore[no-untyped-def]
    return connect(session, billing_on, tenant)


@pytest.fixture()
def evening(session, tenant):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "十一月定例会", starts_at=utcnow() + timedelta(days=3),
                  price=FEE, refund_cutoff_hours=48)


@pytest.fixture()
def paid(session, app, billing_on, acct, evening, people):  # type: ignore[no-untyped-def]
    payment = paid_online(session, app, billing_on, acct, evening, people.member_member)
    session.commit()
    return payment


def _list(client, tenant, meetup_id: int) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/c/{tenant.slug}/admin/meetups/{meetup_id}/payments")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _refund(client, tenant, payment_id: int, confirm: bool = True):  # type: ignore[no-untyped-def]
    return client.post(f"/c/{tenant.slug}/admin/payments/{payment_id}/refund",
                       data={"confirm": "yes"} if confirm else {})


def test_the_organizer_refunds_from_the_list(session, organizer_client, tenant, people, paid,
                                            billing_on, run_jobs):
    html = _list(in_english(organizer_client), tenant, paid.meetup_id)
    assert f'data-refund="{paid.id}"' in html and "Card (online)" in html
    assert "Joren fee ¥150" in html
    assert "Yes, refund ¥3,000 to" in html
    response = _refund(organizer_client, tenant, paid.id)
    assert response.status_code == 303
    html = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A refund of ¥3,000 to" in html
    assert "Refund pending: ¥3,000" in html and f'data-refund="{paid.id}"' not in html
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED and row.refund_reason == "organizer"
    assert row.refunded_by_id == people.organizer_member.id
    [call] = refunds_made(billing_on)
    assert call.params["refund_application_fee"] == "false"  # the meetup still happens
    html = _list(organizer_client, tenant, paid.meetup_id)
    assert "Refunded by" in html and 'data-refunded="3000"' in html
    assert 'data-collected="0"' in html
    again = _refund(organizer_client, tenant, paid.id)
    assert "already under way or done" in organizer_client.get(
        again.headers["Location"]).get_data(as_text=True)
    run_jobs()
    assert len(refunds_made(billing_on)) == 1


def test_the_refund_needs_the_confirmation_box(session, organizer_client, tenant, paid,
                                               billing_on, run_jobs):
    response = _refund(in_english(organizer_client), tenant, paid.id, confirm=False)
    assert response.status_code == 303
    assert "Tick the box to confirm the refund." in organizer_client.get(
        response.headers["Location"]).get_data(as_text=True)
    run_jobs()
    assert payments_of(session, id=paid.id)[0].refund_requested_at is None


def test_staff_can_neither_refund_nor_see_the_button(session, staff_client, owner_client,
                                                     tenant, paid, billing_on, run_jobs):
    assert f'data-refund="{paid.id}"' not in _list(staff_client, tenant, paid.meetup_id)
    assert _refund(staff_client, tenant, paid.id).status_code == 403
    run_jobs()
    assert payments_of(session, id=paid.id)[0].refund_requested_at is None
    assert f'data-refund="{paid.id}"' in _list(owner_client, tenant, paid.meetup_id)
    assert _refund(owner_client, tenant, paid.id).status_code == 303


def test_another_community_cannot_refund_or_see(session, login, outsider_client, tenant,
                                                other_tenant, people, paid, billing_on,
                                                run_jobs):
    other = login(people.other_owner)
    # Its own URL with our payment's id: not found; ours: not a member.
    assert _refund(other, other_tenant, paid.id).status_code == 404
    assert _refund(other, tenant, paid.id).status_code in (403, 404)
    assert _refund(outsider_client, tenant, paid.id).status_code in (403, 404)
    assert other.get(f"/c/{other_tenant.slug}/admin/meetups/{paid.meetup_id}/payments"
                     ).status_code == 404
    mine = other.get(f"/c/{other_tenant.slug}/payments").get_data(as_text=True)
    assert paid.receipt_number not in mine and "data-refund" not in mine
    run_jobs()
    assert payments_of(session, id=paid.id)[0].refund_requested_at is None
    assert refunds_made(billing_on) == []


def test_undo_points_online_payments_to_refund(session, organizer_client, tenant, paid):
    response = in_english(organizer_client).post(f"/c/{tenant.slug}/admin/payments/{paid.id}/undo")
    assert response.status_code == 303
    html = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "use “Refund”" in html
    assert payments_of(session, id=paid.id)[0].status == PaymentStatus.PAID


def test_the_csv_has_the_refund_columns(session, organizer_client, tenant, paid, billing_on,
                                        deliver):
    deliver(*billing_on.refund_from_dashboard(paid.stripe_payment_intent_id, 500))
    body = in_english(organizer_client).get(
        f"/c/{tenant.slug}/admin/meetups/{paid.meetup_id}/payments.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header, row = rows[0], next(r for r in rows[1:] if paid.receipt_number in r)
    record = dict(zip(header, row, strict=True))
    assert record["Application fee (JPY)"] == "150"
    assert record["Refund"] == "Partially refunded"
    assert record["Refunded (JPY)"] == "500"


def test_the_list_does_not_query_per_row(app, session, organizer_client, tenant, people,
                                         acct, billing_on, evening):
    from tests import factories

    paid_online(session, app, billing_on, acct, evening, people.member_member)
    session.commit()
    with count_statements(app) as few:
        _list(organizer_client, tenant, evening.id)
    for n in range(4):
        extra = factories.member(session, tenant, family_name="佐藤", given_name=f"{n}",
                                 family_name_kana="サトウ", given_name_kana="イチ")
        paid_online(session, app, billing_on, acct, evening, extra)
    session.commit()
    with count_statements(app) as many:
        _list(organizer_client, tenant, evening.id)
    assert len(many) == len(few)


# -- the member's side -----------------------------------------------------------------------

def test_the_cancel_button_tells_the_member_what_they_get_back(
        session, app, member_client, tenant, people, paid, acct, billing_on):
    in_english(member_client)
    html = member_client.get(f"/c/{tenant.slug}/meetups/{paid.meetup_id}").get_data(as_text=True)
    assert 'data-refund-notice="refund"' in html
    assert "You will be refunded ¥3,000." in html
    late = meetup(session, tenant, "直前の会", starts_at=utcnow() + timedelta(hours=20),
                  price=FEE, refund_cutoff_hours=24)
    paid_online(session, app, billing_on, acct, late, people.member_member)
    session.commit()
    html = member_client.get(f"/c/{tenant.slug}/meetups/{late.id}").get_data(as_text=True)
    assert 'data-refund-notice="none"' in html
    assert "This is after the refund deadline" in html and ": no refund." in html


def test_nobody_is_told_about_a_refund_they_have_not_paid_for(session, staff_client, tenant,
                                                              people, paid, evening):
    from tests.tenants.payments.stripe.refund_helpers import going

    going(session, evening, people.staff_member)
    session.commit()
    html = staff_client.get(f"/c/{tenant.slug}/meetups/{evening.id}").get_data(as_text=True)
    assert "data-refund-notice" not in html


def test_the_cant_make_it_link_refunds_by_the_policy(session, app, client, tenant, people,
                                                     paid, billing_on, run_jobs):
    with unscoped(session):
        registration = session.get(Registration, paid.registration_id)
    with app.app_context():
        token = calendar_links.cant_make_it_token(registration)
    url = f"/c/{tenant.slug}/meetups/cant-make-it/{token}"
    assert 'data-refund-notice="refund"' in client.get(url).get_data(as_text=True)
    client.post(url)
    run_jobs()
    [row] = payments_of(session, id=paid.id)
    assert row.status == PaymentStatus.REFUNDED and row.refund_reason == "policy"
    assert row.refunded_by_id == people.member_member.id


def test_the_member_sees_the_refund_and_gets_one_email(session, member_client, tenant, people,
                                                      paid, billing_on, run_jobs, smtp_server,
                                                      deliver):
    in_english(member_client).post(f"/c/{tenant.slug}/meetups/{paid.meetup_id}/cancel")
    html = member_client.get(f"/c/{tenant.slug}/payments").get_data(as_text=True)
    assert "Refund of ¥3,000 under way" in html
    run_jobs()
    html = member_client.get(f"/c/{tenant.slug}/payments").get_data(as_text=True)
    assert 'data-refunded="3000"' in html and "Refunded" in html
    [mail] = smtp_server.to(people.member_member.email)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "has been refunded: ¥3,000" in text  # the member reads English
    assert paid.receipt_number in text and "十一月定例会" in text
    assert mail["Subject"].startswith("Your fee was refunded: ¥3,000")
    # Stripe's own events about that refund (charge.refunded, refund.created) change nothing.
    events = billing_on.take_events()
    assert {e["type"] for e in events} >= {"charge.refunded"}
    deliver(*events)
    assert len(smtp_server.to(people.member_member.email)) == 1


def test_a_door_payment_shows_no_refund_button(session, organizer_client, tenant, people,
                                               evening):
    from tests.tenants.meetups.helpers_checkin import register

    register(session, evening, people.member_member)
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/meetups/{evening.id}/payments/mark",
                          data={"member_id": people.member_member.id, "method": "door"})
    [row] = payments_of(session, meetup_id=evening.id)
    assert row.method == PaymentMethod.DOOR
    assert "data-refund=" not in _list(organizer_client, tenant, evening.id)
