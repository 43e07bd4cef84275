"""Console series/occurrence pages and the portal meetup pages: forms, bad input, roles and
tenant isolation."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import (
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)
from joren.tenants.meetups.series import services as service
from tests.clock import today_in_tokyo
from tests.tenants.helpers import count_statements, in_english, reload
from tests.tenants.meetups.conftest import second_tuesday

pytestmark = pytest.mark.usefixtures("clock")

BASE = "/c/osaka-mixer/admin/meetups"
PORTAL = "/c/osaka-mixer/meetups"
TOKYO = ZoneInfo("Asia/Tokyo")


def _next_month_second_tuesday() -> date:
    first = (today_in_tokyo().replace(day=1) + timedelta(days=32)).replace(day=1)
    return second_tuesday(first.year, first.month)


def _series_form(**overrides) -> dict[str, str]:  # type: ignore[no-untyped-def]
    form = {
        "title": "大阪経営者交流会", "pattern": "monthly_weekday",
        "first_date": _next_month_second_tuesday().isoformat(), "start_time": "19:00",
        "duration_minutes": "120", "venue_name": "梅田スカイビル",
        "map_url": "https://maps.example.jp/umeda", "capacity": "30", "price": "3000",
        "visibility": "public", "registration_opens_days": "30",
        "registration_closes_minutes": "60", "reminder_days": "7, 2",
        "reminder_morning_of": "y", "action": "save",
    }
    form.update(overrides)
    return form


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(func.count(model.id)))


# -- creating a series -----------------------------------------------------------------------

def test_organizer_creates_a_monthly_series_and_sees_its_meetups(organizer_client, session,
                                                                 tenant):
    response = organizer_client.post(f"{BASE}/series/new", data=_series_form())
    assert response.status_code == 302
    with unscoped(session):
        row = session.scalars(select(MeetupSeries)).one()
        meetups = session.scalars(select(Meetup).where(Meetup.series_id == row.id)).all()
    assert row.tenant_id == tenant.id and row.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert row.reminder_days == [7, 2] and row.price == 3000
    assert len(meetups) >= 3
    for m in meetups:
        local = m.starts_at.astimezone(TOKYO)
        assert (local.weekday(), local.hour, 8 <= local.day <= 14) == (1, 19, True)
        assert m.registration_closes_at == m.starts_at - timedelta(minutes=60)
    listing = organizer_client.get(BASE).get_data(as_text=True)
    assert listing.count("大阪経営者交流会") >= 3


def test_preview_shows_the_next_five_dates_and_saves_nothing(organizer_client, session):
    first = _next_month_second_tuesday()
    response = in_english(organizer_client).post(
        f"{BASE}/series/new", data=_series_form(pattern="biweekly", action="preview"))
    body = response.get_data(as_text=True)
    preview = body[body.index("data-preview"):]
    dates = re.findall(r"<li>(\d{4}/\d{2}/\d{2}) \(\w+\) 19:00</li>", preview)
    assert dates == [(first + timedelta(days=14 * i)).strftime("%Y/%m/%d") for i in range(5)]
    assert _count(session, MeetupSeries) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"pattern": "advanced", "rrule_text": "FREQ=SOMETIMES"}, "FREQ must be WEEKLY, MONTHLY"),
    ({"pattern": "advanced", "rrule_text": "FREQ=HOURLY"}, "at most once a day"),
    ({"pattern": "advanced", "rrule_text": ""}, "Enter a recurrence rule."),
    ({"capacity": "-5"}, "The capacity must be at least 1"),
    ({"price": "-100"}, "The fee must be a whole number of yen"),
    ({"title": "長" * 201}, "The title can be at most 200 characters."),
    ({"title": ""}, "Enter a title."),
    ({"first_date": "2025-13-45"}, "Enter a valid date."),
    ({"map_url": "javascript:alert(1)"}, "http:// or https://"),
    ({"reminder_days": "2, banana"}, "Enter whole numbers of days"),
])
def test_bad_series_input_gets_a_clear_message_and_saves_nothing(organizer_client, session,
                                                                 overrides, message):
    response = in_english(organizer_client).post(f"{BASE}/series/new",
                                                 data=_series_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(session, MeetupSeries) == 0 and _count(session, Meetup) == 0


def test_editing_a_series_moves_its_meetups(organizer_client, session, series):
    url = f"{BASE}/series/{series.id}"
    page = organizer_client.get(url).get_data(as_text=True)
    assert 'value="定例会"' in page and '<option selected value="monthly_weekday">' in page
    first = datetime.fromisoformat(series.dtstart_local).date()
    response = organizer_client.post(url, data=_series_form(
        title="定例会（新）", first_date=first.isoformat(), start_time="18:30", capacity="40"))
    assert response.status_code == 302
    with unscoped(session):
        session.expire_all()
        meetups = session.scalars(select(Meetup).where(Meetup.series_id == series.id)).all()
    assert meetups and all(m.title == "定例会（新）" and m.capacity == 40 for m in meetups)
    assert {m.starts_at.astimezone(TOKYO).strftime("%H:%M") for m in meetups} == {"18:30"}


# -- one-off, occurrence edit and cancel -----------------------------------------------------

def test_one_off_meetup_form(organizer_client, session, tenant):
    day = today_in_tokyo() + timedelta(days=20)
    response = organizer_client.post(f"{BASE}/new", data={
        "title": "忘年会", "first_date": day.isoformat(), "start_time": "18:00",
        "duration_minutes": "180", "price": "5000", "is_public": "y"})
    assert response.status_code == 302
    with unscoped(session):
        m = session.scalars(select(Meetup).where(Meetup.title == "忘年会")).one()
    assert m.series_id is None and m.tenant_id == tenant.id
    assert m.starts_at == datetime(day.year, day.month, day.day, 18, tzinfo=TOKYO).astimezone(UTC)
    bad = in_english(organizer_client).post(f"{BASE}/new", data={
        "title": "x", "first_date": day.isoformat(), "start_time": "25:99",
        "duration_minutes": "180"})
    assert bad.status_code == 422 and "Enter a valid time" in bad.get_data(as_text=True)


def _first(session, series) -> Meetup:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalars(select(Meetup).where(Meetup.series_id == series.id)
                               .order_by(Meetup.starts_at)).first()


def _occurrence_form(meetup: Meetup, **overrides) -> dict[str, str]:  # type: ignore[no-untyped-def]
    local = meetup.starts_at.astimezone(TOKYO)
    form = {"scope": "this", "title": meetup.title, "first_date": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"), "duration_minutes": "120", "capacity": "30",
            "price": "3000", "is_public": "y"}
    form.update(overrides)
    return form


def test_edit_this_occurrence_only(organizer_client, session, series):
    first = _first(session, series)
    page = organizer_client.get(f"{BASE}/{first.id}/edit")
    assert page.status_code == 200 and 'value="following"' in page.get_data(as_text=True)
    response = organizer_client.post(f"{BASE}/{first.id}/edit", data=_occurrence_form(
        first, title="特別講演会", start_time="18:00"))
    assert response.status_code == 302
    edited = reload(session, Meetup, first.id)
    assert edited.title == "特別講演会" and edited.is_detached
    assert edited.starts_at.astimezone(TOKYO).hour == 18
    with unscoped(session):
        others = session.scalars(select(Meetup.title).where(
            Meetup.series_id == series.id, Meetup.id != first.id)).all()
    assert others and set(others) == {"定例会"}


def test_edit_this_and_following(organizer_client, session, series):
    with unscoped(session):
        ids = session.scalars(select(Meetup.id).where(Meetup.series_id == series.id)
                              .order_by(Meetup.starts_at)).all()
    second = reload(session, Meetup, ids[1])
    response = organizer_client.post(f"{BASE}/{second.id}/edit", data=_occurrence_form(
        second, scope="following", title="定例会（第2期）", price="4000"))
    assert response.status_code == 302
    assert reload(session, Meetup, ids[0]).title == "定例会"
    moved = [reload(session, Meetup, i) for i in ids[1:]]
    assert {m.title for m in moved} == {"定例会（第2期）"} and {m.price for m in moved} == {4000}
    assert {m.series_id for m in moved} != {series.id}
    assert reload(session, MeetupSeries, series.id).ends_at == second.recurrence_id


def test_capacity_below_going_is_refused_on_the_form(organizer_client, session, series, people):
    first = _first(session, series)
    with unscoped(session):
        for m in (people.member_member, people.staff_member):
            session.add(Registration(tenant_id=first.tenant_id, meetup_id=first.id,
                                     member_id=m.id, status=RegistrationStatus.GOING))
    session.commit()
    response = in_english(organizer_client).post(f"{BASE}/{first.id}/edit",
                                                 data=_occurrence_form(first, capacity="1"))
    assert response.status_code == 422
    assert "cannot be lower than the number of people already going" in response.get_data(
        as_text=True)
    assert reload(session, Meetup, first.id).capacity == 30


def test_cancel_needs_confirmation(organizer_client, session, series):
    first = _first(session, series)
    organizer_client.post(f"{BASE}/{first.id}/cancel", data={})
    assert reload(session, Meetup, first.id).status == MeetupStatus.SCHEDULED
    organizer_client.post(f"{BASE}/{first.id}/cancel", data={"confirm": "yes"})
    assert reload(session, Meetup, first.id).status == MeetupStatus.CANCELLED
    edit = organizer_client.get(f"{BASE}/{first.id}/edit")
    assert edit.status_code == 302  # a cancelled meetup cannot be edited


# -- pages and counts --------------------------------------------------------------------------

def test_occurrence_page_has_overview_and_tabs(staff_client, session, series):
    first = _first(session, series)
    body = in_english(staff_client).get(f"{BASE}/{first.id}").get_data(as_text=True)
    assert "data-meetup-tabs" in body and "Overview" in body
    assert "19:00 – 21:00" in body and "¥3,000" in body
    assert "Cancel this meetup" not in body  # staff view, organizers act


def test_console_list_counts_in_one_query(app, staff_client, session, tenant, series, people):
    staff_client.get(BASE)
    with count_statements(app) as before:
        body = staff_client.get(BASE).get_data(as_text=True)
    first = _first(session, series)
    with unscoped(session):
        session.add(Registration(tenant_id=tenant.id, meetup_id=first.id,
                                 member_id=people.member_member.id,
                                 status=RegistrationStatus.GOING))
        session.add(Registration(tenant_id=tenant.id, meetup_id=first.id,
                                 member_id=people.staff_member.id,
                                 status=RegistrationStatus.WAITLISTED))
    session.commit()
    with count_statements(app) as after:
        body = staff_client.get(BASE).get_data(as_text=True)
    assert len(after) == len(before)
    assert f'data-going="{first.id}">1 / 30<' in body


def test_seats_held_for_offers_and_payments_are_shown_beside_going(staff_client, session,
                                                                   tenant, series, people):
    first = _first(session, series)
    with unscoped(session):
        session.add(Registration(tenant_id=tenant.id, meetup_id=first.id,
                                 member_id=people.member_member.id,
                                 status=RegistrationStatus.GOING))
        session.add(Registration(tenant_id=tenant.id, meetup_id=first.id,
                                 member_id=people.staff_member.id,
                                 status=RegistrationStatus.AWAITING_PAYMENT))
        session.add(Registration(tenant_id=tenant.id, meetup_id=first.id,
                                 member_id=people.organizer_member.id,
                                 status=RegistrationStatus.OFFERED))
    session.commit()
    body = in_english(staff_client).get(BASE).get_data(as_text=True)
    assert f'data-going="{first.id}">1 / 30' in body
    assert 'data-held="2">+2 held<' in body
    detail = staff_client.get(f"{BASE}/{first.id}").get_data(as_text=True)
    assert 'data-held="2">(2 more seats held: offered, or being paid for)<' in detail


def test_series_list_describes_the_rule_in_words_never_raw(staff_client, series):
    japanese = staff_client.get(f"{BASE}/series").get_data(as_text=True)
    assert "定例会" in japanese and "毎月第2火曜日 19:00" in japanese
    body = in_english(staff_client).get(f"{BASE}/series").get_data(as_text=True)
    assert "2nd Tuesday of every month 19:00" in body
    assert "FREQ=" not in body and "FREQ=" not in japanese


# -- roles and isolation -----------------------------------------------------------------------

def test_staff_view_but_only_organizers_change(staff_client, member_client, session, series):
    first = _first(session, series)
    assert staff_client.get(f"{BASE}/series/new").status_code == 403
    assert staff_client.post(f"{BASE}/series/new", data=_series_form()).status_code == 403
    assert staff_client.get(f"{BASE}/series/{series.id}").status_code == 403
    assert staff_client.post(f"{BASE}/{first.id}/cancel",
                             data={"confirm": "yes"}).status_code == 403
    assert staff_client.post(f"{BASE}/{first.id}/edit",
                             data=_occurrence_form(first, title="x")).status_code == 403
    assert staff_client.get(f"{BASE}/new").status_code == 403
    for url in (BASE, f"{BASE}/series", f"{BASE}/{first.id}"):
        assert staff_client.get(url).status_code == 200
        assert member_client.get(url).status_code == 403
    assert reload(session, Meetup, first.id).title == "定例会"
    assert _count(session, MeetupSeries) == 1


def test_another_communitys_series_and_meetups_are_404(owner_client, session, scoped,
                                                       other_tenant, series):
    theirs = scoped(other_tenant)
    their_series = service.create_series(theirs, other_tenant, None, title="神戸の会",
                                         rrule="FREQ=WEEKLY", dtstart_local=datetime.now(
                                             TOKYO).strftime("%Y-%m-%dT19:00:00"))
    theirs.commit()
    their_meetup = theirs.scalars(select(Meetup)).first()
    for method, url, data in (
        ("GET", f"{BASE}/series/{their_series.id}", None),
        ("POST", f"{BASE}/series/{their_series.id}", _series_form()),
        ("GET", f"{BASE}/{their_meetup.id}", None),
        ("GET", f"{BASE}/{their_meetup.id}/edit", None),
        ("POST", f"{BASE}/{their_meetup.id}/edit", _occurrence_form(their_meetup, title="x")),
        ("POST", f"{BASE}/{their_meetup.id}/cancel", {"confirm": "yes"}),
        ("GET", f"{PORTAL}/{their_meetup.id}", None),
    ):
        assert owner_client.open(url, method=method, data=data).status_code == 404, url
    assert reload(session, MeetupSeries, their_series.id).title == "神戸の会"
    assert reload(session, Meetup, their_meetup.id).status == MeetupStatus.SCHEDULED
    assert "神戸の会" not in owner_client.get(BASE).get_data(as_text=True)
    assert "神戸の会" not in owner_client.get(f"{BASE}/series").get_data(as_text=True)


# -- portal ------------------------------------------------------------------------------------

def test_portal_detail_shows_local_time_price_and_spots(member_client, session, series, people):
    first = _first(session, series)
    with unscoped(session):
        session.add(Registration(tenant_id=first.tenant_id, meetup_id=first.id,
                                 member_id=people.staff_member.id,
                                 status=RegistrationStatus.GOING))
    session.commit()
    body = in_english(member_client).get(f"{PORTAL}/{first.id}").get_data(as_text=True)
    local = first.starts_at.astimezone(TOKYO)
    assert local.strftime("%Y/%m/%d") in body and "19:00 – 21:00" in body
    assert "¥3,000" in body and "梅田スカイビル" in body
    assert "29 spots left" in body  # from the registration box


def test_members_only_meetups_are_hidden_from_visitors(organizer_client, client, member_client,
                                                       session, series):
    first = _first(session, series)
    organizer_client.post(f"{BASE}/{first.id}/edit", data=_occurrence_form(
        first, title="会員限定回", is_public=""))
    assert "会員限定回" not in client.get(PORTAL).get_data(as_text=True)
    assert client.get(f"{PORTAL}/{first.id}").status_code == 302
    assert "会員限定回" in member_client.get(PORTAL).get_data(as_text=True)
    assert member_client.get(f"{PORTAL}/{first.id}").status_code == 200


def test_the_new_series_page_offers_the_rule_builder(organizer_client):
    body = in_english(organizer_client).get(f"{BASE}/series/new").get_data(as_text=True)
    assert 'value="monthly_weekday"' in body and 'value="advanced"' in body
    assert 'value="preview"' in body and "Asia/Tokyo" in body


def test_the_series_list_speaks_japanese(staff_client, series):
    staff_client.post("/language", data={"language": "ja"})
    body = staff_client.get(f"{BASE}/series").get_data(as_text=True)
    assert "火曜日" in body  # the weekday name comes from the locale
