"""A guest (no account) pays a meetup fee online: register on the public page, confirm by the
emailed link, and that link's page sends them to Stripe Checkout; the webhook confirms the seat
and the receipt (領収書) arrives as a PDF attached to the email, since a guest cannot sign in."""

from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy import select

from joren.platform.mail.models import OutboxMessage
from joren.tenants.meetups.models import RegistrationStatus
from joren.tenants.payments.models import PaymentMethod, PaymentStatus
from tests.tenants.helpers import in_english
from tests.tenants.meetups.helpers_registrations import registrations_of, seated_meetup
from tests.tenants.payments.stripe import online_helpers as h
from tests.tenants.payments.stripe.refund_helpers import connect

pytestmark = pytest.mark.usefixtures("clock", "billing_on")

GUEST = "guest-payer@example.com"



def _confirm_link(session) -> str:  # type: ignore[no-untyped-def]
    [mail] = h.emails(session, "meetups/registrations/guest_confirm", GUEST)
    found = re.search(r"http://localhost(/c/\S+/registrations/confirm/\S+)", mail.text_body)
    assert found is not None
    return found.group(1)


def test_a_guest_confirms_then_pays_online_and_gets_the_receipt_as_a_pdf(
        session, tenant, client, billing_on, deliver):
    acct = connect(session, billing_on, tenant)
    meetup = seated_meetup(session, tenant, capacity=2, price=4000, title="異業種交流会",
                           is_public=True)
    session.commit()
    in_english(client)
    response = client.post(f"/c/{tenant.slug}/meetups/{meetup.id}/guest", data={
        "family_name": "木村", "given_name": "花子", "family_name_kana": "キムラ",
        "given_name_kana": "ハナコ", "email": GUEST, "company": "木村保険",
        "notice_read": "y"})
    assert response.status_code == 200
    link = _confirm_link(session)

    # Confirming holds the seat and goes straight on to Stripe, for exactly ¥4,000.
    sid = h.session_id_of(client.post(link))
    [registration] = registrations_of(session, meetup.id)
    assert registration.status == RegistrationStatus.AWAITING_PAYMENT
    [create] = h.creates(billing_on)
    assert create.stripe_account == acct and create.params["customer_email"] == GUEST
    assert create.params["line_items"][0]["price_data"]["unit_amount"] == "4000"
    assert create.params["payment_intent_data"]["application_fee_amount"] == "200"

    # Back on the link before paying: the page says the seat is held and offers to pay;
    # paying again reuses the same Checkout.
    page = client.get(link).get_data(as_text=True)
    assert "Pay ¥4,000 to confirm your seat" in page and 'data-action="pay"' in page
    assert h.session_id_of(client.post(link)) == sid
    assert len(h.creates(billing_on)) == 1

    # Stripe confirms: going, paid online, the receipt emailed with the PDF attached.
    deliver(*billing_on.complete_checkout(sid))
    [registration] = registrations_of(session, meetup.id)
    assert registration.status == RegistrationStatus.GOING
    [payment] = h.payment_for(session, registration.id)
    assert (payment.status, payment.method, payment.amount_jpy) == (
        PaymentStatus.PAID, PaymentMethod.STRIPE, 4000)
    [receipt] = h.emails(session, "payments/online_receipt", GUEST)
    [attached] = receipt.attachments
    assert attached["filename"] == f"receipt-{payment.receipt_number}.pdf"
    assert attached["content_type"] == "application/pdf"
    assert base64.b64decode(attached["content_b64"]).startswith(b"%PDF")
    assert "/payments/" not in receipt.text_body  # no sign-in page for a guest
    assert "領収書をPDFでこのメールに添付しています" in receipt.text_body  # the community's ja
    assert "You are registered" in client.get(link).get_data(as_text=True)


def test_a_guest_approved_by_the_organizer_is_sent_a_link_that_pays(
        session, tenant, client, organizer_client, billing_on):
    connect(session, billing_on, tenant)
    meetup = seated_meetup(session, tenant, capacity=2, price=3000, requires_approval=True,
                           is_public=True)
    session.commit()
    client.post(f"/c/{tenant.slug}/meetups/{meetup.id}/guest", data={
        "family_name": "木村", "given_name": "花子", "family_name_kana": "キムラ",
        "given_name_kana": "ハナコ", "email": GUEST, "notice_read": "y"})
    link = _confirm_link(session)
    client.post(link)
    [pending] = registrations_of(session, meetup.id)
    assert pending.status == RegistrationStatus.PENDING and h.creates(billing_on) == []
    response = organizer_client.post(
        f"/c/{tenant.slug}/admin/meetups/{meetup.id}/registrations/{pending.id}",
        data={"action": "approve"})
    assert response.status_code in (302, 303)
    [held] = registrations_of(session, meetup.id)
    assert held.status == RegistrationStatus.AWAITING_PAYMENT
    [mail] = h.emails(session, "meetups/registrations/pay_to_confirm", GUEST)
    pay_link = re.search(r"http://localhost(/c/\S+/registrations/confirm/\S+)", mail.text_body)
    assert pay_link is not None  # the guest's own signed link, not a sign-in page
    h.session_id_of(client.post(pay_link.group(1)))
    assert len(h.creates(billing_on)) == 1


def test_without_online_payment_a_guest_is_going_and_pays_at_the_door(session, tenant, client):
    meetup = seated_meetup(session, tenant, capacity=2, price=3000, is_public=True)
    session.commit()
    client.post(f"/c/{tenant.slug}/meetups/{meetup.id}/guest", data={
        "family_name": "木村", "given_name": "花子", "family_name_kana": "キムラ",
        "given_name_kana": "ハナコ", "email": GUEST, "notice_read": "y"})
    done = in_english(client).post(_confirm_link(session))
    assert done.status_code == 200 and "You are registered" in done.get_data(as_text=True)
    [registration] = registrations_of(session, meetup.id)
    assert registration.status == RegistrationStatus.GOING
    session.expire_all()
    assert session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "payments/online_receipt")).all() == []
