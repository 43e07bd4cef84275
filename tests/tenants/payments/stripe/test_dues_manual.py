"""Membership dues marked paid by hand (bank transfer or cash): the settings page, the members
list and its states, periods and receipt numbers, undo as a reversal, no query per member,
roles, and that nothing crosses communities."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.payments.dues import services as dues
from joren.tenants.payments.models import (
    DuesInterval,
    DuesSettings,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from tests import factories
from tests.tenants.helpers import count_statements, in_english
from tests.tenants.payments.helpers import payments_of
from tests.tenants.payments.stripe.dues_helpers import (
    DUES_URL,
    enable_dues,
    paid_dues,
    subscribed,
)

pytestmark = pytest.mark.usefixtures("clock")


def _mark(client, member, **data):  # type: ignore[no-untyped-def]
    return client.post(f"{DUES_URL}/members/{member.id}/mark",
                       data={"method": "bank_transfer", **data})


def _settings(session, tenant) -> DuesSettings | None:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return session.scalar(select(DuesSettings).where(DuesSettings.tenant_id == tenant.id))


def _today() -> date:
    # The tests' community is in Asia/Tokyo.
    from zoneinfo import ZoneInfo

    return utcnow().astimezone(ZoneInfo("Asia/Tokyo")).date()


@pytest.fixture()
def yearly(session, tenant, people):  # type: ignore[no-untyped-def]
    row = enable_dues(session, tenant, amount=12000, interval=DuesInterval.YEAR)
    session.commit()
    return row


# -- settings ---------------------------------------------------------------------------

def test_the_organizer_turns_dues_on(session, organizer_client, tenant, people):
    page = in_english(organizer_client).get(DUES_URL)
    assert page.status_code == 200 and "Membership dues" in page.get_data(as_text=True)
    response = organizer_client.post(DUES_URL, data={
        "enabled": "y", "name": "年会費", "amount_jpy": "12000", "interval": "year"})
    assert response.status_code == 303
    row = _settings(session, tenant)
    assert row is not None
    assert (row.enabled, row.name, row.amount_jpy, row.interval) == (
        True, "年会費", 12000, DuesInterval.YEAR)
    organizer_client.post(DUES_URL, data={
        "enabled": "y", "name": "月会費", "amount_jpy": "1000", "interval": "month"})
    row = _settings(session, tenant)
    assert (row.name, row.amount_jpy, row.interval) == ("月会費", 1000, DuesInterval.MONTH)


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "amount_jpy": "12000"}, "Enter a name for the dues"),
    ({"name": "年会費", "amount_jpy": "0"}, "Enter the dues as a whole number of yen, 1 or more."),
    ({"name": "年会費", "amount_jpy": "-5"}, "Enter the dues as a whole number of yen, 1 or more."),
    ({"name": "年" * 101, "amount_jpy": "100"}, "The name can be at most 100 characters."),
    ({"name": "年会費", "amount_jpy": "100", "interval": "week"}, "Not a valid choice"),
])
def test_bad_settings_get_a_clear_message(session, scoped, organizer_client, tenant, people,
                                          data, message):
    response = in_english(organizer_client).post(DUES_URL, data={
        "enabled": "y", "interval": "year", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert dues.settings_for(scoped(tenant)).id is None  # nothing saved


def test_staff_and_members_cannot_see_the_dues_console(session, staff_client, member_client,
                                                       tenant, people, yearly):
    for client in (staff_client, member_client):
        assert client.get(DUES_URL).status_code == 403
        assert client.get(f"{DUES_URL}/members").status_code == 403
        assert _mark(client, people.member_member).status_code == 403
    assert payments_of(session, kind=PaymentKind.DUES) == []


# -- marking by hand ----------------------------------------------------------------------

def test_marking_dues_records_a_year_a_receipt_and_who_marked_it(session, organizer_client,
                                                                 tenant, people, yearly):
    before = utcnow()
    response = _mark(organizer_client, people.member_member, note="4月分振込")
    assert response.status_code == 303
    [payment] = payments_of(session, kind=PaymentKind.DUES)
    today = _today()
    assert payment.member_id == people.member_member.id and payment.meetup_id is None
    assert (payment.amount_jpy, payment.method, payment.status) == (
        12000, PaymentMethod.BANK_TRANSFER, PaymentStatus.PAID)
    assert payment.period_start == today
    # A year on, the day before (dateutil: 29 February + 1 year is 28 February).
    assert payment.period_end == today + relativedelta(years=1) - timedelta(days=1)
    assert payment.marked_by_id == people.organizer_member.id
    assert before - timedelta(seconds=1) <= payment.marked_at <= utcnow()
    assert re.fullmatch(rf"R-{today.year}-000001", payment.receipt_number)
    assert payment.note == "4月分振込"
    html = in_english(organizer_client).get(f"{DUES_URL}/members").get_data(as_text=True)
    row = html[html.index(f'data-member-id="{people.member_member.id}"'):]
    assert 'data-dues-state="paid"' in row[:200]
    assert f"paid through {payment.period_end.strftime('%Y/%m/%d')}" in row


def test_the_next_period_starts_the_day_after_the_last_one(session, organizer_client, people,
                                                          yearly):
    today = _today()
    paid_dues(session, people.member_member, today - timedelta(days=100),
              today + timedelta(days=20))
    session.commit()
    page = organizer_client.get(f"{DUES_URL}/members/{people.member_member.id}")
    assert (today + timedelta(days=21)).isoformat() in page.get_data(as_text=True)
    _mark(organizer_client, people.member_member, method="door")
    [_old, new] = payments_of(session, kind=PaymentKind.DUES)
    assert new.period_start == today + timedelta(days=21)
    assert new.method == PaymentMethod.DOOR


def test_a_lapsed_member_starts_again_today_or_on_a_chosen_date(session, organizer_client,
                                                                tenant, people, yearly):
    today = _today()
    paid_dues(session, people.member_member, date(2020, 4, 1), date(2021, 3, 31))
    session.commit()
    _mark(organizer_client, people.member_member)
    assert payments_of(session, kind=PaymentKind.DUES)[-1].period_start == today
    someone = factories.member(session, tenant, family_name="新入")
    session.commit()
    _mark(organizer_client, someone, period_start="2026-04-01")
    chosen = payments_of(session, member_id=someone.id)[0]
    assert (chosen.period_start, chosen.period_end) == (date(2026, 4, 1), date(2027, 3, 31))


def test_monthly_dues_cover_one_month(session, organizer_client, tenant, people):
    enable_dues(session, tenant, amount=1000, interval=DuesInterval.MONTH, name="月会費")
    session.commit()
    _mark(organizer_client, people.member_member, period_start="2027-01-31")
    [payment] = payments_of(session, kind=PaymentKind.DUES)
    assert (payment.period_start, payment.period_end, payment.amount_jpy) == (
        date(2027, 1, 31), date(2027, 2, 27), 1000)


@pytest.mark.parametrize(("data", "message"), [
    ({"method": "stripe"}, "Not a valid choice"),
    ({"method": ""}, "Choose how the dues were paid."),
    ({"period_start": "2026-02-30"}, "Enter a valid date, e.g. 2026-04-01."),
    ({"note": "x" * 501}, "The note can be at most 500 characters."),
])
def test_bad_marks_get_a_clear_message_and_record_nothing(session, organizer_client, people,
                                                          yearly, data, message):
    response = _mark(in_english(organizer_client), people.member_member, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert payments_of(session, kind=PaymentKind.DUES) == []


def test_overlapping_periods_are_refused(session, organizer_client, people, yearly):
    paid_dues(session, people.member_member, date(2026, 4, 1), date(2027, 3, 31))
    session.commit()
    response = _mark(in_english(organizer_client), people.member_member,
                     period_start="2026-10-01")
    assert response.status_code == 422
    assert ("Dues for 2026/04/01 – 2027/03/31 are already recorded"
            in response.get_data(as_text=True))
    assert len(payments_of(session, kind=PaymentKind.DUES)) == 1


def test_dues_that_are_off_cannot_be_marked(session, organizer_client, tenant, people):
    response = _mark(in_english(organizer_client), people.member_member)
    assert response.status_code == 422
    assert "Membership dues are not turned on" in response.get_data(as_text=True)
    assert payments_of(session, kind=PaymentKind.DUES) == []


def test_undo_records_a_reversal_and_keeps_the_receipt_number(session, organizer_client,
                                                              people, yearly):
    _mark(organizer_client, people.member_member)
    [payment] = payments_of(session, kind=PaymentKind.DUES)
    response = organizer_client.post(f"{DUES_URL}/payments/{payment.id}/undo")
    assert response.status_code == 303
    [undone] = payments_of(session, kind=PaymentKind.DUES)
    assert undone.status == PaymentStatus.REFUNDED
    assert undone.refunded_by_id == people.organizer_member.id and undone.refunded_at
    assert undone.receipt_number == payment.receipt_number
    html = in_english(organizer_client).get(f"{DUES_URL}/members").get_data(as_text=True)
    row = html[html.index(f'data-member-id="{people.member_member.id}"'):][:200]
    assert 'data-dues-state="not_paid"' in row
    # Marked again: the same period is free again, and a new receipt number is used.
    _mark(organizer_client, people.member_member)
    old, new = payments_of(session, kind=PaymentKind.DUES)
    assert new.status == PaymentStatus.PAID and new.receipt_number.endswith("-000002")
    assert new.period_start == old.period_start


def test_staff_cannot_undo_dues_through_either_route(session, organizer_client, staff_client,
                                                    people, yearly):
    _mark(organizer_client, people.member_member, method="door")
    [payment] = payments_of(session, kind=PaymentKind.DUES)
    assert staff_client.post(f"{DUES_URL}/payments/{payment.id}/undo").status_code == 403
    staff_client.post(f"/c/osaka-mixer/admin/payments/{payment.id}/undo")
    assert payments_of(session, kind=PaymentKind.DUES)[0].status == PaymentStatus.PAID


def test_the_members_list_shows_states_without_a_query_per_member(app, session,
                                                                  organizer_client, tenant,
                                                                  people, yearly):
    today = _today()
    paid_dues(session, people.member_member, today - timedelta(days=10),
              today + timedelta(days=300))
    session.commit()
    in_english(organizer_client).get(f"{DUES_URL}/members")
    with count_statements(app) as few:
        organizer_client.get(f"{DUES_URL}/members")
    for n in range(6):
        person = factories.member(session, tenant, family_name=f"会員{n}")
        if n % 2:
            paid_dues(session, person, date(2020, 1, 1), date(2020, 12, 31))
        if n == 4:
            subscribed(session, person, "active", utcnow() + timedelta(days=20), f"sub_{n}")
    session.commit()
    in_english(organizer_client)
    with count_statements(app) as many:
        html = organizer_client.get(f"{DUES_URL}/members").get_data(as_text=True)
    assert len(many) == len(few)
    assert html.count('data-dues-state="paid"') == 2
    assert html.count('data-dues-state="lapsed"') == 3
    assert "Lapsed" in html and "Not paid" in html


def test_the_member_sees_dues_in_my_payments_with_the_period(session, organizer_client,
                                                             member_client, people, yearly):
    _mark(organizer_client, people.member_member, period_start="2026-04-01")
    html = in_english(member_client).get("/c/osaka-mixer/payments").get_data(as_text=True)
    assert "2026/04/01 – 2027/03/31" in html
    assert "Membership dues" in html and "¥12,000" in html
    page = member_client.get("/c/osaka-mixer/dues").get_data(as_text=True)
    assert "2026/04/01 – 2027/03/31" in page
    assert "data-dues-offline" in page  # no online payment: by transfer or cash
    assert "data-dues-checkout" not in page


# -- isolation --------------------------------------------------------------------------

def test_another_communitys_members_and_payments_are_404(session, login, organizer_client,
                                                         tenant, other_tenant, people, yearly):
    stranger = people.other_owner_member
    theirs = paid_dues(session, stranger, date(2026, 4, 1), date(2027, 3, 31))
    enable_dues(session, other_tenant, amount=5000)
    ours = paid_dues(session, people.member_member, date(2026, 4, 1), date(2027, 3, 31))
    session.commit()
    assert organizer_client.get(f"{DUES_URL}/members/{stranger.id}").status_code == 404
    assert _mark(organizer_client, stranger).status_code == 404
    assert organizer_client.post(f"{DUES_URL}/payments/{theirs.id}/undo").status_code == 404
    listing = organizer_client.get(f"{DUES_URL}/members").get_data(as_text=True)
    assert "高橋" not in listing
    # The other community's owner sees none of ours, through their own community or ours.
    other = login(people.other_owner)
    assert other.get(DUES_URL).status_code == 403
    assert other.get(f"{DUES_URL}/members").status_code == 403
    assert other.get("/c/osaka-mixer/dues").status_code == 403
    kobe = "/c/kobe-study/admin/payments/dues"
    assert other.get(f"{kobe}/members/{people.member_member.id}").status_code == 404
    assert other.post(f"{kobe}/payments/{ours.id}/undo").status_code == 404
    assert other.post(f"{kobe}/members/{people.member_member.id}/mark",
                      data={"method": "door"}).status_code == 404
    their_list = other.get(f"{kobe}/members").get_data(as_text=True)
    assert "田中" not in their_list and "高橋" in their_list
    assert {p.status for p in payments_of(session, kind=PaymentKind.DUES)} == {
        PaymentStatus.PAID}
    assert len(payments_of(session, kind=PaymentKind.DUES)) == 2


def test_bank_transfer_instructions_are_shown_to_members_of_this_community_only(
        session, organizer_client, member_client, outsider_client, tenant, people):
    response = organizer_client.post(DUES_URL, data={
        "enabled": "y", "name": "年会費", "amount_jpy": "12000", "interval": "year",
        "instructions": "振込先：大阪銀行 本町支店 普通 1234567 ジョウレンコウリュウカイ"})
    assert response.status_code == 303
    assert _settings(session, tenant).instructions.startswith("振込先：大阪銀行")
    page = member_client.get(f"/c/{tenant.slug}/dues").get_data(as_text=True)
    assert "本町支店 普通 1234567" in page
    assert outsider_client.get(f"/c/{tenant.slug}/dues").status_code in (403, 404)
    too_long = in_english(organizer_client).post(DUES_URL, data={
        "enabled": "y", "name": "年会費", "amount_jpy": "12000", "interval": "year",
        "instructions": "x" * 2001})
    assert too_long.status_code == 422
    assert "at most 2,000 characters" in too_long.get_data(as_text=True)
    assert _settings(session, tenant).instructions.startswith("振込先：大阪銀行")


def test_the_dues_receipt_names_the_period_it_covers(session, organizer_client, member_client,
                                                    tenant, people, yearly):
    _mark(organizer_client, people.member_member, period_start="2026-04-01")
    [payment] = payments_of(session, kind=PaymentKind.DUES)
    assert (payment.period_start, payment.period_end) == (date(2026, 4, 1), date(2027, 3, 31))
    member_client.post("/language", data={"language": "ja"})
    page = member_client.get(f"/c/{tenant.slug}/payments/{payment.id}/receipt")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and payment.receipt_number in text
    assert "会費（2026年4月1日～2027年3月31日）" in text
    english = in_english(member_client).get(f"/c/{tenant.slug}/payments/{payment.id}/receipt")
    assert "Membership dues for April 1, 2026 – March 31, 2027" in english.get_data(as_text=True)
