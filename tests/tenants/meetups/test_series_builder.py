"""The series builder (issue 16, item 13): a date that is both the 4th and the last Friday
asks which is meant (the last, by default, said so); 「毎月31日」 is refused with 月末 offered;
end date, count, "1st and 3rd" and "every N months" without the raw field; a wrong rule says
which part is wrong; every rule reads in words in both languages."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import MeetupSeries
from joren.tenants.meetups.series import recurrence, words
from joren.tenants.meetups.series.forms import build_rule, is_last_weekday
from tests.tenants.helpers import in_english

pytestmark = pytest.mark.usefixtures("clock")

FOURTH_AND_LAST_FRIDAY = date(2031, 2, 28)   # February 2031 has four Fridays
LAST_BUT_FIFTH_FRIDAY = date(2031, 1, 31)    # the 5th Friday
THIRTY_FIRST = date(2031, 1, 31)


def _base(tenant):  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/series/new"


def _form(first: date, **overrides):  # type: ignore[no-untyped-def]
    form = {"title": "金曜朝会", "pattern": "monthly_weekday", "first_date": first.isoformat(),
            "start_time": "07:30", "duration_minutes": "90", "visibility": "public",
            "reminder_days": "2", "action": "save", "ends": "never", "every_months": "1"}
    form.update(overrides)
    return form


def _series(session):  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalars(select(MeetupSeries)).all()


@pytest.mark.parametrize(("rule", "start", "ja", "en"), [
    ("FREQ=MONTHLY;BYDAY=2TU", "2031-01-14T19:00", "毎月第2火曜日", "2nd Tuesday of every month"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "2031-02-28T07:30", "毎月最終金曜日",
     "last Friday of every month"),
    ("FREQ=MONTHLY;BYDAY=1TU,3TU", "2031-01-07T19:00", "毎月第1火曜日、第3火曜日",
     "1st Tuesday and 3rd Tuesday of every month"),
    ("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1,3", "2031-01-07T19:00", "毎月第1火曜日、第3火曜日",
     "1st Tuesday and 3rd Tuesday of every month"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "2031-01-31T19:00", "毎月月末",
     "the last day of every month"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "2031-01-15T19:00", "毎月15日", "day 15 of every month"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE", "2031-01-08T19:00", "3か月ごとの第2水曜日",
     "2nd Wednesday of every 3 months"),
    ("FREQ=WEEKLY;BYDAY=TH", "2031-01-09T19:00", "毎週木曜日", "Every Thursday"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2031-01-09T19:00", "隔週木曜日", "Every other Thursday"),
    ("FREQ=MONTHLY;BYDAY=2TU;COUNT=6", "2031-01-14T19:00", "毎月第2火曜日（全6回）",
     "2nd Tuesday of every month, 6 times"),
    ("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20311231T235959", "2031-01-14T19:00",
     "毎月第2火曜日（2031/12/31まで）", "2nd Tuesday of every month, until 2031/12/31"),
    ("FREQ=YEARLY;BYWEEKNO=20", "2031-01-14T19:00", "独自の繰り返し", "A custom schedule"),
])
def test_rules_read_in_words_in_both_languages(app_ctx, rule, start, ja, en):
    with force_locale("ja"):
        assert words.describe(rule, start) == ja
    with force_locale("en"):
        assert words.describe(rule, start) == en
        assert "FREQ" not in words.describe("FREQ=MONTHLY;BYDAY=9ZZ", start)


def test_the_builder_makes_end_dates_counts_weeks_and_intervals():
    first = date(2031, 1, 7)  # the 1st Tuesday
    assert build_rule("monthly_weekdays", first, "", weeks=[3, 1]) == (
        "FREQ=MONTHLY;BYDAY=1TU,3TU")
    assert build_rule("monthly_weekday", first, "", every_months=2) == (
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU")
    assert build_rule("monthly_last_day", THIRTY_FIRST, "") == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert build_rule("weekly", first, "", until=date(2031, 6, 30)) == (
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20310630T235959")
    assert build_rule("monthly_weekday", first, "", count=10) == (
        "FREQ=MONTHLY;BYDAY=1TU;COUNT=10")
    assert is_last_weekday(FOURTH_AND_LAST_FRIDAY) and not is_last_weekday(date(2031, 2, 21))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_fourth_and_last_friday_asks_and_defaults_to_the_last(
        organizer_client, session, tenant, language):
    if language == "en":
        in_english(organizer_client)
    first = organizer_client.post(_base(tenant), data=_form(FOURTH_AND_LAST_FRIDAY))
    page = first.get_data(as_text=True)
    assert first.status_code == 422 and _series(session) == []
    assert ("both the 4th and the last" in page) if language == "en" else ("第4" in page)
    assert '<option selected value="monthly_last_weekday">' in page
    assert 'name="asked" type="hidden" value="1"' in page
    # Saved as offered: the last Friday.
    organizer_client.post(_base(tenant), data=_form(FOURTH_AND_LAST_FRIDAY, asked="1",
                                                    pattern="monthly_last_weekday"))
    [row] = _series(session)
    assert row.rrule == "FREQ=MONTHLY;BYDAY=-1FR"


def test_the_organizer_can_still_choose_the_fourth(organizer_client, session, tenant):
    organizer_client.post(_base(tenant), data=_form(FOURTH_AND_LAST_FRIDAY, asked="1"))
    [row] = _series(session)
    assert row.rrule == "FREQ=MONTHLY;BYDAY=4FR"


def test_a_fifth_friday_is_the_last_without_asking(organizer_client, session, tenant):
    response = organizer_client.post(_base(tenant), data=_form(LAST_BUT_FIFTH_FRIDAY))
    assert response.status_code == 302
    assert _series(session)[0].rrule == "FREQ=MONTHLY;BYDAY=-1FR"


@pytest.mark.parametrize(("language", "said"), [("en", "Not every month has a day 31"),
                                                ("ja", "月末")])
def test_the_31st_of_every_month_is_refused_and_month_end_offered(
        organizer_client, session, tenant, language, said):
    if language == "en":
        in_english(organizer_client)
    response = organizer_client.post(_base(tenant), data=_form(THIRTY_FIRST,
                                                               pattern="monthly_day"))
    assert response.status_code == 422 and said in response.get_data(as_text=True)
    assert _series(session) == []
    saved = organizer_client.post(_base(tenant), data=_form(THIRTY_FIRST,
                                                            pattern="monthly_last_day"))
    assert saved.status_code == 302
    [row] = _series(session)
    assert row.rrule == "FREQ=MONTHLY;BYMONTHDAY=-1"
    dates = [d.astimezone(ZoneInfo("Asia/Tokyo")).date()
             for d in recurrence.preview(row.rrule, row.dtstart_local, row.timezone, count=4)]
    # One every month, February's on its last day too.
    assert dates == [date(2031, 1, 31), date(2031, 2, 28), date(2031, 3, 31), date(2031, 4, 30)]


def test_first_and_third_tuesday_every_other_month_with_a_count(organizer_client, session,
                                                                tenant):
    response = organizer_client.post(_base(tenant), data=_form(
        date(2031, 1, 7), pattern="monthly_weekdays", weeks=["1", "3"], every_months="2",
        ends="count", occurrences="6"))
    assert response.status_code == 302
    [row] = _series(session)
    assert row.rrule == "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU,3TU;COUNT=6"


def test_an_end_date_needs_a_date_after_the_first(organizer_client, session, tenant):
    in_english(organizer_client)
    missing = organizer_client.post(_base(tenant), data=_form(date(2031, 1, 14), ends="until"))
    assert missing.status_code == 422 and "Enter the last date." in missing.get_data(
        as_text=True)
    before = organizer_client.post(_base(tenant), data=_form(
        date(2031, 1, 14), ends="until", until_date="2030-12-31"))
    assert "on or after the first date" in before.get_data(as_text=True)
    saved = organizer_client.post(_base(tenant), data=_form(
        date(2031, 1, 14), ends="until", until_date="2031-06-30"))
    assert saved.status_code == 302
    assert _series(session)[0].rrule == "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20310630T235959"


@pytest.mark.parametrize(("rule", "said"), [
    ("FREQ=MONTHLY;BYDAY=2XX", "BYDAY must list weekdays"),
    ("FREQ=MONTHLY;BYMONTHDAY=40", "BYMONTHDAY must list days from 1 to 31"),
    ("FREQ=MONTLY;BYDAY=2TU", "FREQ must be WEEKLY, MONTHLY"),
    ("FREQ=MONTHLY;BYDAI=2TU", "“BYDAI” is not a part of a recurrence rule"),
    ("FREQ=MONTHLY;INTERVAL=0", "INTERVAL must be a whole number"),
    ("FREQ=MONTHLY;BYDAY=2TU;COUNT=3;UNTIL=20311231", "not both"),
])
def test_a_wrong_rule_says_which_part_is_wrong(organizer_client, session, tenant, rule, said):
    in_english(organizer_client)
    response = organizer_client.post(_base(tenant), data=_form(
        date(2031, 1, 14), pattern="advanced", rrule_text=rule))
    assert response.status_code == 422 and said in response.get_data(as_text=True)
    with unscoped(session):
        assert session.scalar(select(func.count(MeetupSeries.id))) == 0


def test_the_preview_shows_the_rule_in_words(organizer_client, tenant):
    page = organizer_client.post(_base(tenant), data=_form(
        date(2031, 1, 7), pattern="monthly_weekdays", weeks=["1", "3"], action="preview"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "毎月第1火曜日、第3火曜日" in html
