"""Receipts (領収書): the page and the PDF, plain or as a qualified invoice, settings with the
registration number validated, and who may see which receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from joren.tenants.payments import receipts
from joren.tenants.payments.models import PaymentSettings, PaymentStatus
from tests import factories
from tests.tenants.helpers import in_english, meetup
from tests.tenants.meetups.helpers_checkin import register
from tests.tenants.payments.helpers import payments_of

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "年末交流会", price=5500,
                  starts_at=datetime(2030, 12, 10, 10, 0, tzinfo=UTC))


@pytest.fixture()
def paid(session, tenant, people, evening, organizer_client):  # type: ignore[no-untyped-def]
    """The plain member's fee, paid by bank transfer, and another member's at the door."""
    other = factories.member(session, tenant, family_name="加藤", given_name="愛")
    register(session, evening, people.member_member)
    register(session, evening, other)
    session.commit()
    for member, method in ((people.member_member, "bank_transfer"), (other, "door")):
        organizer_client.post(f"/c/{tenant.slug}/admin/meetups/{evening.id}/payments/mark",
                              data={"member_id": member.id, "method": method})
    mine, theirs = payments_of(session, meetup_id=evening.id)
    return {"mine": mine, "theirs": theirs}


def _set_number(client, tenant, number: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/c/{tenant.slug}/admin/payments/settings", data={
        "issuer_name": "大阪交流会事務局 山本", "issuer_address": "大阪市北区梅田1-1-1",
        "registration_number": number})
    assert response.status_code == 303


def test_tax_is_the_rounded_down_tenth_of_a_ten_percent_inclusive_amount() -> None:
    assert receipts.tax_included(5500) == 500
    assert receipts.tax_included(3000) == 272  # 272.7… rounded down
    assert receipts.tax_included(1000) == 90
    assert receipts.tax_included(109) == 9
    assert receipts.tax_included(0) == 0


def test_plain_receipt_without_a_registration_number(member_client, tenant, paid):
    in_english(member_client)
    payment = paid["mine"]
    response = member_client.get(f"/c/{tenant.slug}/payments/{payment.id}/receipt")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Receipt" in html
    assert f"Receipt number: {payment.receipt_number}" in html
    assert "To: 田中 三郎" in html
    assert "¥5,500" in html
    assert "For: 年末交流会 on December 10, 2030" in html
    assert "大阪異業種交流会" in html  # the community issues it when no issuer name is set
    assert "Registration number" not in html
    assert "consumption tax" not in html


def test_qualified_receipt_shows_number_rate_and_tax(organizer_client, member_client, tenant,
                                                     paid):
    _set_number(organizer_client, tenant, "T1234567890123")
    in_english(member_client)
    html = member_client.get(
        f"/c/{tenant.slug}/payments/{paid['mine'].id}/receipt").get_data(as_text=True)
    assert "Registration number: T1234567890123" in html
    assert "Subject to the 10% rate: ¥5,500 (consumption tax ¥500)" in html
    assert "大阪交流会事務局 山本" in html and "大阪市北区梅田1-1-1" in html


def test_receipt_in_japanese_keeps_the_name_amount_and_number(member_client, tenant, paid):
    member_client.post("/language", data={"language": "ja"})
    payment = paid["mine"]
    html = member_client.get(
        f"/c/{tenant.slug}/payments/{payment.id}/receipt").get_data(as_text=True)
    assert 'lang="ja"' in html
    assert "田中 三郎" in html and payment.receipt_number in html
    assert "￥5,500" in html  # Japanese yen sign with thousands separators
    assert "2030年12月10日" in html  # the meetup's date, written the Japanese way


def test_pdf_is_a_pdf_with_the_receipt_number(member_client, tenant, paid):
    payment = paid["mine"]
    response = member_client.get(f"/c/{tenant.slug}/payments/{payment.id}/receipt.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    assert body.rstrip().endswith(b"%%EOF")
    assert len(body) > 1000
    assert f"({payment.receipt_number})".encode() in body  # the document's subject


def test_pdf_content_draws_every_line(app, paid, tenant) -> None:  # type: ignore[no-untyped-def]
    receipt = receipts.Receipt(
        number="R-2030-000042", paid_on=date(2030, 12, 1), community_name="大阪異業種交流会",
        issuer_name="山本", issuer_address="大阪市", registration_number="T1234567890123",
        recipient="田中 三郎", amount=5500, tax=500, description="年末交流会",
        is_void=False, voided_on=None)
    with app.test_request_context("/"):
        body = receipts.pdf(receipt, compress=False)
    assert body.startswith(b"%PDF-")
    assert b"HeiseiKakuGo-W5" in body  # the built-in Japanese CID font
    # Uncompressed, the page shows its text operators: title, number, amount, tax, issuer...
    assert body.count(b" Tj") >= 9


def test_undone_payment_receipt_is_marked_cancelled(organizer_client, member_client, tenant,
                                                    paid):
    payment = paid["mine"]
    organizer_client.post(f"/c/{tenant.slug}/admin/payments/{payment.id}/undo")
    in_english(member_client)
    html = member_client.get(
        f"/c/{tenant.slug}/payments/{payment.id}/receipt").get_data(as_text=True)
    assert "This receipt was cancelled on" in html


def test_member_sees_only_their_own_payments_and_receipts(member_client, staff_client, tenant,
                                                          paid):
    in_english(member_client)
    html = member_client.get(f"/c/{tenant.slug}/payments").get_data(as_text=True)
    assert f'data-payment-id="{paid["mine"].id}"' in html
    assert f'data-payment-id="{paid["theirs"].id}"' not in html
    assert "年末交流会" in html and "¥5,500" in html and "Bank transfer" in html
    theirs = paid["theirs"].id
    assert member_client.get(f"/c/{tenant.slug}/payments/{theirs}/receipt").status_code == 404
    assert member_client.get(f"/c/{tenant.slug}/payments/{theirs}/receipt.pdf").status_code \
        == 404
    # Staff may open anyone's receipt (to print it at the door).
    assert staff_client.get(f"/c/{tenant.slug}/payments/{theirs}/receipt").status_code == 200


def test_my_payments_is_for_members_only(client, outsider_client, tenant, people):
    assert client.get(f"/c/{tenant.slug}/payments").status_code == 302
    assert outsider_client.get(f"/c/{tenant.slug}/payments").status_code == 403


def test_another_communitys_payment_receipt_is_404(session, login, people, other_tenant,
                                                   tenant, paid):
    other = login(people.other_owner)
    assert other.get(f"/c/{other_tenant.slug}/payments/{paid['mine'].id}/receipt").status_code \
        == 404
    assert other.get(f"/c/{tenant.slug}/payments/{paid['mine'].id}/receipt").status_code == 403


# -- settings ----------------------------------------------------------------------------

def _settings(session, tenant):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from joren.platform.tenancy import unscoped

    with unscoped(session):
        session.expire_all()
        return session.scalar(select(PaymentSettings).where(
            PaymentSettings.tenant_id == tenant.id))


def test_settings_validate_the_registration_number(session, organizer_client, tenant, people):
    in_english(organizer_client)
    url = f"/c/{tenant.slug}/admin/payments/settings"
    assert organizer_client.get(url).status_code == 200
    assert _settings(session, tenant) is None  # a GET writes nothing
    bad = organizer_client.post(url, data={"issuer_name": "山本", "registration_number": "T123"})
    assert bad.status_code == 422
    assert "is &#34;T&#34; followed by 13 digits" in bad.get_data(as_text=True) or \
        'is "T" followed by 13 digits' in bad.get_data(as_text=True)
    assert _settings(session, tenant) is None
    letters = organizer_client.post(url, data={"registration_number": "X1234567890123"})
    assert letters.status_code == 422
    good = organizer_client.post(url, data={"issuer_name": "山本 事務局",
                                            "registration_number": "Ｔ1234-5678-90123"})
    assert good.status_code == 303
    row = _settings(session, tenant)
    assert row.registration_number == "T1234567890123" and row.issuer_name == "山本 事務局"
    cleared = organizer_client.post(url, data={"issuer_name": "", "registration_number": ""})
    assert cleared.status_code == 303
    assert _settings(session, tenant).registration_number == ""


def test_settings_are_for_organizers(staff_client, member_client, tenant):
    url = f"/c/{tenant.slug}/admin/payments/settings"
    assert staff_client.get(url).status_code == 403
    assert member_client.post(url, data={"registration_number": "T1234567890123"}).status_code \
        == 403


def test_receipt_dates_follow_the_community_timezone(app, session, tenant, people, evening):
    from joren.platform.tenancy import unscoped
    from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod

    # 2030-12-31 20:00 UTC is already 2031-01-01 in Tokyo.
    late = datetime(2030, 12, 31, 20, 0, tzinfo=UTC)
    with unscoped(session):
        payment = Payment(tenant_id=tenant.id, member_id=people.member_member.id,
                          meetup_id=evening.id, kind=PaymentKind.MEETUP_FEE, amount_jpy=5500,
                          method=PaymentMethod.DOOR, status=PaymentStatus.PAID, paid_at=late,
                          receipt_number="R-2031-000001")
        session.add(payment)
        session.flush()
        with app.test_request_context("/"):
            receipt = receipts.build(payment, tenant, PaymentSettings(registration_number=""))
    assert receipt.paid_on == date(2031, 1, 1)
    assert receipt.tax == 0 and not receipt.is_qualified
    assert receipt.issuer_name == "大阪異業種交流会"
