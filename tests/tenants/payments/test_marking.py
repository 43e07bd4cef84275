"""Marking meetup fees paid by hand (door: staff; bank transfer: organizers), undoing with who
and when, totals in SQL, the CSV export, and that nothing crosses communities."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from joren.platform.db import utcnow
from joren.tenants.payments.models import PaymentMethod, PaymentStatus
from tests import factories
from tests.clock import TOKYO
from tests.tenants.helpers import attend, count_statements, in_english, meetup
from tests.tenants.meetups.helpers_checkin import register
from tests.tenants.payments.helpers import payments_of

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "十一月定例会", starts_at=utcnow() + timedelta(days=3),
                  price=3000)


@pytest.fixture()
def crowd(session, tenant, people, evening):  # type: ignore[no-untyped-def]
    """Going: the plain member and two more; a walk-in attended without registering."""
    rows = {"member": people.member_member,
            "kato": factories.member(session, tenant, family_name="加藤", given_name="愛",
                                     family_name_kana="カトウ", given_name_kana="アイ"),
            "ito": factories.member(session, tenant, family_name="伊藤", given_name="誠",
                                    family_name_kana="イトウ", given_name_kana="マコト"),
            "walkin": factories.member(session, tenant, family_name="木村", given_name="光",
                                       family_name_kana="キムラ", given_name_kana="ヒカル")}
    for key in ("member", "kato", "ito"):
        register(session, evening, rows[key])
    attend(session, evening, rows["walkin"])
    session.commit()
    return rows


def _url(tenant, evening, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{evening.id}/payments{suffix}"


def _mark(client, tenant, evening, member, method: str):  # type: ignore[no-untyped-def]
    return client.post(_url(tenant, evening, "/mark"),
                       data={"member_id": member.id, "method": method})


def test_staff_marks_a_door_payment_with_who_and_when(session, staff_client, tenant, people,
                                                      evening, crowd):
    before = utcnow()
    response = _mark(staff_client, tenant, evening, crowd["kato"], "door")
    assert response.status_code == 303
    [payment] = payments_of(session, meetup_id=evening.id)
    assert payment.member_id == crowd["kato"].id
    assert payment.status == PaymentStatus.PAID
    assert payment.method == PaymentMethod.DOOR
    assert payment.amount_jpy == 3000
    assert payment.marked_by_id == people.staff_member.id
    assert before - timedelta(seconds=1) <= payment.marked_at <= utcnow()
    assert payment.paid_at == payment.marked_at
    year = payment.paid_at.astimezone(TOKYO).year  # receipts are numbered by the community's year
    assert re.fullmatch(rf"R-{year}-000001", payment.receipt_number)
    html = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert "鈴木 次郎" in html  # who marked it
    assert payment.receipt_number in html


def test_staff_cannot_mark_or_undo_a_bank_transfer(session, staff_client, organizer_client,
                                                  tenant, evening, crowd):
    assert _mark(staff_client, tenant, evening, crowd["kato"], "bank_transfer").status_code == 403
    assert payments_of(session, meetup_id=evening.id) == []
    _mark(organizer_client, tenant, evening, crowd["kato"], "bank_transfer")
    [payment] = payments_of(session, meetup_id=evening.id)
    response = staff_client.post(f"/c/{tenant.slug}/admin/payments/{payment.id}/undo")
    assert response.status_code == 403
    assert payments_of(session, meetup_id=evening.id)[0].status == PaymentStatus.PAID


def test_undo_records_a_reversal_and_marking_again_gets_a_new_receipt_number(
        session, organizer_client, tenant, people, evening, crowd):
    _mark(organizer_client, tenant, evening, crowd["ito"], "bank_transfer")
    [first] = payments_of(session, meetup_id=evening.id)
    response = organizer_client.post(f"/c/{tenant.slug}/admin/payments/{first.id}/undo")
    assert response.status_code == 303
    [undone] = payments_of(session, meetup_id=evening.id)
    assert undone.status == PaymentStatus.REFUNDED
    assert undone.refunded_by_id == people.organizer_member.id
    assert undone.refunded_at is not None
    assert undone.receipt_number == first.receipt_number  # kept, never reused
    # Undoing twice changes nothing.
    organizer_client.post(f"/c/{tenant.slug}/admin/payments/{first.id}/undo")
    assert payments_of(session, meetup_id=evening.id)[0].refunded_at == undone.refunded_at
    _mark(organizer_client, tenant, evening, crowd["ito"], "door")
    old, new = payments_of(session, meetup_id=evening.id)
    assert old.status == PaymentStatus.REFUNDED and new.status == PaymentStatus.PAID
    assert new.receipt_number.endswith("-000002")
    html = in_english(organizer_client).get(_url(tenant, evening)).get_data(as_text=True)
    assert "Undone by 佐藤 花子" not in html  # the row shows the latest (paid) payment
    assert new.receipt_number in html


def test_refused_marks_change_nothing(session, organizer_client, tenant, people, evening, crowd):
    in_english(organizer_client)
    _mark(organizer_client, tenant, evening, crowd["kato"], "door")
    again = _mark(organizer_client, tenant, evening, crowd["kato"], "bank_transfer")
    assert again.status_code == 303
    html = organizer_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert "This fee is already marked as paid." in html
    stranger = factories.member(session, tenant, family_name="未登録")
    session.commit()
    _mark(organizer_client, tenant, evening, stranger, "door")
    html = organizer_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert "This person is not registered for or attending this meetup." in html
    _mark(organizer_client, tenant, evening, crowd["ito"], "stripe")
    html = organizer_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert "Only payments marked by hand" not in html
    assert "Choose how the fee was paid." in html
    assert len(payments_of(session, meetup_id=evening.id)) == 1
    free = meetup(session, tenant, "無料の会", price=0)
    register(session, free, crowd["kato"])
    session.commit()
    _mark(organizer_client, tenant, free, crowd["kato"], "door")
    assert payments_of(session, meetup_id=free.id) == []
    html = organizer_client.get(_url(tenant, free)).get_data(as_text=True)
    assert "This meetup is free: there is nothing to collect." in html


def test_nonsense_member_ids_are_404(session, organizer_client, tenant, evening, crowd):
    for raw in ("", "abc", "²", "9" * 30):
        response = organizer_client.post(_url(tenant, evening, "/mark"),
                                         data={"member_id": raw, "method": "door"})
        assert response.status_code == 404
    assert payments_of(session, meetup_id=evening.id) == []


def test_members_cannot_see_or_mark(session, member_client, tenant, evening, crowd):
    assert member_client.get(_url(tenant, evening)).status_code == 403
    assert _mark(member_client, tenant, evening, crowd["member"], "door").status_code == 403
    assert member_client.get(_url(tenant, evening, ".csv")).status_code == 403
    assert payments_of(session, meetup_id=evening.id) == []


def test_totals_expected_collected_by_method_and_outstanding(session, organizer_client, tenant,
                                                             evening, crowd):
    _mark(organizer_client, tenant, evening, crowd["member"], "door")
    _mark(organizer_client, tenant, evening, crowd["walkin"], "door")
    _mark(organizer_client, tenant, evening, crowd["kato"], "bank_transfer")
    undone = payments_of(session, member_id=crowd["kato"].id)[0]
    organizer_client.post(f"/c/{tenant.slug}/admin/payments/{undone.id}/undo")
    _mark(organizer_client, tenant, evening, crowd["kato"], "bank_transfer")
    html = organizer_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert 'data-expected="12000"' in html  # four people owe ¥3,000
    assert 'data-collected="9000"' in html  # the undone transfer is not counted
    assert 'data-by-method="door:6000"' in html
    assert 'data-by-method="bank_transfer:3000"' in html
    assert 'data-outstanding="3000"' in html  # 伊藤 has not paid


def test_the_page_does_not_query_per_row(app, session, staff_client, tenant, evening, crowd):
    staff_client.get(_url(tenant, evening))
    with count_statements(app) as few:
        staff_client.get(_url(tenant, evening))
    for n in range(8):
        person = factories.member(session, tenant, family_name=f"追加{n}")
        register(session, evening, person)
        session.commit()
        _mark(staff_client, tenant, evening, person, "door")
    with count_statements(app) as many:
        html = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert html.count("data-paid") == 8
    assert len(many) == len(few)


def test_csv_has_exact_jpy_amounts_and_who_marked(session, organizer_client, tenant, evening,
                                                  crowd):
    in_english(organizer_client)
    _mark(organizer_client, tenant, evening, crowd["kato"], "bank_transfer")
    response = organizer_client.get(_url(tenant, evening, ".csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Reading", "Company", "Amount due (JPY)"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"田中 三郎", "加藤 愛", "伊藤 誠", "木村 光"}
    kato = by_name["加藤 愛"]
    assert kato[3] == "3000" and kato[6] == "3000"  # never 300000
    assert kato[4] == "Paid" and kato[5] == "Bank transfer"
    assert kato[8] == "佐藤 花子"
    assert kato[9].startswith("R-")
    assert by_name["伊藤 誠"][4] == "Not paid" and by_name["伊藤 誠"][6] == "0"
    assert b"300000" not in body


def test_another_communitys_member_or_payment_is_404_and_unchanged(
        session, owner_client, tenant, other_tenant, people, evening, crowd, login):
    outsider = people.other_owner_member
    response = _mark(owner_client, tenant, evening, outsider, "door")
    assert response.status_code == 404
    assert payments_of(session, member_id=outsider.id) == []
    other_evening = meetup(session, other_tenant, "神戸の会", price=2000)
    register(session, other_evening, outsider)
    session.commit()
    other_client = login(people.other_owner)
    _mark(other_client, other_tenant, other_evening, outsider, "door")
    [theirs] = payments_of(session, meetup_id=other_evening.id)
    assert owner_client.post(f"/c/{tenant.slug}/admin/payments/{theirs.id}/undo").status_code \
        == 404
    assert _mark(owner_client, tenant, other_evening, outsider, "door").status_code == 404
    assert payments_of(session, meetup_id=other_evening.id)[0].status == PaymentStatus.PAID
    # Receipt numbers are per community: both start at 1.
    _mark(owner_client, tenant, evening, crowd["kato"], "door")
    mine = payments_of(session, meetup_id=evening.id)[0]
    assert mine.receipt_number.endswith("-000001") and theirs.receipt_number.endswith("-000001")


def test_meetup_detail_and_portal_menu_link_to_payments(staff_client, member_client, tenant,
                                                        evening):
    detail = staff_client.get(f"/c/{tenant.slug}/admin/meetups/{evening.id}")
    assert _url(tenant, evening) in detail.get_data(as_text=True)
    portal = member_client.get(f"/c/{tenant.slug}/")
    assert f"/c/{tenant.slug}/payments" in portal.get_data(as_text=True)
