"""The member fee and the refund cutoff on the meetup forms: validation with clear messages
(English and Japanese), series copying them to their occurrences, and the portal's fee line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Meetup, MeetupSeries
from joren.tenants.meetups.series import services as service
from joren.tenants.meetups.series.checks import SeriesError
from tests.clock import today_in_tokyo
from tests.tenants.helpers import in_english, meetup, reload
from tests.tenants.payments.stripe.dues_helpers import enable_dues, paid_dues

pytestmark = pytest.mark.usefixtures("clock")

BASE = "/c/osaka-mixer/admin/meetups"


def _first_tuesday_next_month() -> date:
    first = (today_in_tokyo().replace(day=1) + timedelta(days=32)).replace(day=1)
    return first + timedelta(days=(1 - first.weekday()) % 7)


def _series_form(**overrides: str) -> dict[str, str]:
    form = {
        "title": "会員割引のある定例会", "pattern": "monthly_weekday",
        "first_date": _first_tuesday_next_month().isoformat(), "start_time": "19:00",
        "duration_minutes": "120", "capacity": "30", "price": "3000", "member_price": "2000",
        "refund_cutoff_hours": "48", "visibility": "public", "registration_closes_minutes": "0",
        "reminder_days": "2", "action": "save",
    }
    form.update(overrides)
    return form


def _one_off_form(**overrides: str) -> dict[str, str]:
    first_date = today_in_tokyo() + timedelta(days=20)
    form = {"title": "特別講演会", "first_date": first_date.isoformat(),
            "start_time": "18:30", "duration_minutes": "90", "price": "5000",
            "member_price": "4000", "refund_cutoff_hours": "24", "is_public": "y",
            "registration_closes_minutes": "0"}
    form.update(overrides)
    return form


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(func.count(model.id)))


def test_a_series_copies_the_member_fee_and_refund_cutoff_to_its_meetups(organizer_client,
                                                                         session):
    response = organizer_client.post(f"{BASE}/series/new", data=_series_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    with unscoped(session):
        row = session.scalars(select(MeetupSeries)).one()
        meetups = session.scalars(select(Meetup).where(Meetup.series_id == row.id)).all()
    assert (row.price, row.member_price, row.refund_cutoff_hours) == (3000, 2000, 48)
    assert meetups and {(m.price, m.member_price, m.refund_cutoff_hours) for m in meetups} == {
        (3000, 2000, 48)}
    # Editing the series: its meetups follow; emptying the fields clears them.
    page = organizer_client.get(f"{BASE}/series/{row.id}").get_data(as_text=True)
    assert 'name="member_price"' in page and 'value="2000"' in page and 'value="48"' in page
    response = organizer_client.post(f"{BASE}/series/{row.id}", data=_series_form(
        member_price="", refund_cutoff_hours="", price="3500"))
    assert response.status_code == 302
    with unscoped(session):
        session.expire_all()
        values = set(session.execute(select(Meetup.price, Meetup.member_price,
                                            Meetup.refund_cutoff_hours)
                                     .where(Meetup.series_id == row.id)))
    assert values == {(3500, None, None)}


def test_a_one_off_and_an_occurrence_edit_keep_the_fields(organizer_client, session):
    response = organizer_client.post(f"{BASE}/new", data=_one_off_form())
    assert response.status_code == 302
    with unscoped(session):
        created = session.scalars(select(Meetup)).one()
    assert (created.price, created.member_price, created.refund_cutoff_hours) == (5000, 4000, 24)
    response = organizer_client.post(f"{BASE}/{created.id}/edit", data={
        **_one_off_form(member_price="0", refund_cutoff_hours="720"), "scope": "this"})
    assert response.status_code == 302
    edited = reload(session, Meetup, created.id)
    assert (edited.member_price, edited.refund_cutoff_hours) == (0, 720)


ENGLISH_ERRORS = [
    ({"member_price": "3001"}, "The member fee cannot be higher than the fee."),
    ({"member_price": "-1"}, "The member fee must be a whole number of yen, 0 or more."),
    ({"refund_cutoff_hours": "721"}, "Enter 0 to 720 hours (30 days), or leave empty."),
    ({"refund_cutoff_hours": "-3"}, "Enter 0 to 720 hours (30 days), or leave empty."),
    ({"price": "0", "member_price": "500"}, "The member fee cannot be higher than the fee."),
]


@pytest.mark.parametrize(("overrides", "message"), ENGLISH_ERRORS)
def test_bad_values_get_a_clear_message_and_save_nothing(organizer_client, session, overrides,
                                                         message):
    response = in_english(organizer_client).post(f"{BASE}/series/new",
                                                 data=_series_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    response = organizer_client.post(f"{BASE}/new", data=_one_off_form(
        **{**overrides, "price": overrides.get("price", "3000")}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(session, MeetupSeries) == 0 and _count(session, Meetup) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"member_price": "3001"}, "会員料金は参加費より高くできません。"),
    ({"refund_cutoff_hours": "1000"}, "0〜720時間（30日）の範囲で入力するか、空欄にしてください。"),
])
def test_the_messages_are_japanese_for_japanese_organizers(organizer_client, session, overrides,
                                                           message):
    response = organizer_client.post(f"{BASE}/series/new", data=_series_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_service_refuses_a_member_fee_above_the_fee(session, scoped, tenant, people):
    s = scoped(tenant)
    with pytest.raises(SeriesError) as error:
        service.create_one_off(s, tenant, None, title="x", starts_at=utcnow() + timedelta(days=3),
                               price=1000, member_price=1500)
    assert (error.value.code, error.value.field) == ("member_price_above_price", "member_price")
    with pytest.raises(SeriesError):
        service.create_one_off(s, tenant, None, title="x", starts_at=utcnow() + timedelta(days=3),
                               price=1000, refund_cutoff_hours=721)


# -- the portal's fee line ------------------------------------------------------------------

def test_the_portal_shows_both_fees_and_which_applies_to_the_viewer(session, tenant, people,
                                                                    member_client):
    enable_dues(session, tenant)
    evening = meetup(session, tenant, "会員割引の会", starts_at=utcnow() + timedelta(days=10),
                     price=3000, member_price=2000)
    session.commit()
    url = f"/c/osaka-mixer/meetups/{evening.id}"
    html = in_english(member_client).get(url).get_data(as_text=True)
    assert "(members with paid-up dues: ¥2,000)" in html
    assert 'data-your-fee="3000"' in html and "Pay your dues to get the member fee." in html
    today = utcnow().date()
    paid_dues(session, people.member_member, today - timedelta(days=5),
              today + timedelta(days=200))
    session.commit()
    html = member_client.get(url).get_data(as_text=True)
    assert 'data-your-fee="2000"' in html
    assert "Your fee: ¥2,000 (your dues are paid up)." in html


def test_guests_see_both_fees_but_no_personal_line(session, tenant, client):
    evening = meetup(session, tenant, "公開の会", starts_at=utcnow() + timedelta(days=10),
                     price=3000, member_price=2000, is_public=True)
    session.commit()
    html = in_english(client).get(f"/c/osaka-mixer/meetups/{evening.id}").get_data(as_text=True)
    assert "(members with paid-up dues: ¥2,000)" in html and "data-your-fee" not in html
