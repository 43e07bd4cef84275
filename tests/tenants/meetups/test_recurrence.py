"""Recurrence expansion: RFC 5545's own examples (section 3.8.5.3), DST and refused rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from joren.tenants.meetups.series import recurrence
from joren.tenants.meetups.series.recurrence import RuleError

NY = "America/New_York"
WIDE = (datetime(1997, 1, 1, tzinfo=UTC), datetime(1999, 1, 1, tzinfo=UTC))


def _local_dates(rule: str, start: str, tz: str = NY, window=WIDE) -> list[date]:  # type: ignore[no-untyped-def]
    instants = recurrence.expand(rule, start, tz, *window)
    local = [i.astimezone(ZoneInfo(tz)) for i in instants]
    assert all((t.hour, t.minute) == (9, 0) for t in local), local
    return [t.date() for t in local]


def _d(year: int, pairs: str) -> list[date]:
    """``_d(1997, "9/1 9/3")`` → dates."""
    return [date(year, *map(int, p.split("/"))) for p in pairs.split()]


def test_rfc_every_other_week_on_monday_wednesday_friday_until():
    got = _local_dates("FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
                       "1997-09-01T09:00:00")
    assert got == _d(1997, "9/1 9/3 9/5 9/15 9/17 9/19 9/29 10/1 10/3 10/13 10/15 10/17 "
                           "10/27 10/29 10/31 11/10 11/12 11/14 11/24 11/26 11/28 "
                           "12/8 12/10 12/12 12/22")


def test_rfc_weekly_on_tuesday_and_thursday_for_five_weeks():
    got = _local_dates("FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
                       "1997-09-02T09:00:00")
    assert got == _d(1997, "9/2 9/4 9/9 9/11 9/16 9/18 9/23 9/25 9/30 10/2")


def test_rfc_monthly_on_the_first_and_last_day():
    got = _local_dates("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", "1997-09-30T09:00:00")
    assert got == (_d(1997, "9/30 10/1 10/31 11/1 11/30 12/1 12/31")
                   + _d(1998, "1/1 1/31 2/1"))


def test_rfc_every_tuesday_every_other_month():
    window = (datetime(1997, 1, 1, tzinfo=UTC), datetime(1998, 4, 1, tzinfo=UTC))
    got = _local_dates("FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "1997-09-02T09:00:00", window=window)
    assert got == (_d(1997, "9/2 9/9 9/16 9/23 9/30 11/4 11/11 11/18 11/25")
                   + _d(1998, "1/6 1/13 1/20 1/27 3/3 3/10 3/17 3/24 3/31"))


def test_rfc_first_and_last_sunday_every_other_month():
    got = _local_dates("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", "1997-09-07T09:00:00")
    assert got == _d(1997, "9/7 9/28 11/2 11/30") + _d(1998, "1/4 1/25 3/1 3/29 5/3 5/31")


def test_rfc_second_to_last_monday_for_six_months():
    got = _local_dates("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "1997-09-22T09:00:00")
    assert got == _d(1997, "9/22 10/20 11/17 12/22") + _d(1998, "1/19 2/16")


def test_rfc_first_friday_for_ten_occurrences():
    got = _local_dates("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "1997-09-05T09:00:00")
    assert got == _d(1997, "9/5 10/3 11/7 12/5") + _d(1998, "1/2 2/6 3/6 4/3 5/1 6/5")


def test_rfc_third_to_last_day_of_the_month():
    window = (datetime(1997, 1, 1, tzinfo=UTC), datetime(1998, 3, 1, tzinfo=UTC))
    got = _local_dates("FREQ=MONTHLY;BYMONTHDAY=-3", "1997-09-28T09:00:00", window=window)
    assert got == _d(1997, "9/28 10/29 11/28 12/29") + _d(1998, "1/29 2/26")


def test_rfc_examples_keep_9am_local_across_dst_so_utc_shifts():
    instants = recurrence.expand("FREQ=WEEKLY;UNTIL=19971224T000000Z;BYDAY=MO",
                                 "1997-10-20T09:00:00", NY, *WIDE)
    by_day = {i.astimezone(ZoneInfo(NY)).date(): i.hour for i in instants}
    assert by_day[date(1997, 10, 20)] == 13  # EDT, UTC-4
    assert by_day[date(1997, 11, 3)] == 14  # EST, UTC-5


def test_count_is_honoured_from_the_start_not_the_window():
    window = (datetime(1997, 12, 1, tzinfo=UTC), datetime(1999, 1, 1, tzinfo=UTC))
    got = _local_dates("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "1997-09-22T09:00:00", window=window)
    assert got == _d(1997, "12/22") + _d(1998, "1/19 2/16")


# -- DST ------------------------------------------------------------------------------------

def test_london_evening_meetup_stays_at_19_local_across_both_switches():
    london = ZoneInfo("Europe/London")
    instants = recurrence.expand("FREQ=WEEKLY;BYDAY=TU", "2025-03-18T19:00:00",
                                 "Europe/London", datetime(2025, 3, 1, tzinfo=UTC),
                                 datetime(2025, 11, 10, tzinfo=UTC))
    assert all(i.astimezone(london).hour == 19 for i in instants)
    utc_hours = {i.date(): i.hour for i in instants}
    assert utc_hours[date(2025, 3, 25)] == 19  # GMT before 30 March
    assert utc_hours[date(2025, 4, 1)] == 18  # BST after
    assert utc_hours[date(2025, 10, 21)] == 18
    assert utc_hours[date(2025, 10, 28)] == 19  # GMT again after 26 October


def test_new_york_nonexistent_time_moves_forward_and_ambiguous_takes_the_first():
    ny = ZoneInfo(NY)
    gap = recurrence.expand("FREQ=DAILY;COUNT=3", "2025-03-08T02:30:00", NY,
                            datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
    local = [i.astimezone(ny) for i in gap]
    # 9 March 02:30 does not exist in New York: it becomes 03:30 EDT.
    assert [(t.day, t.hour, t.minute) for t in local] == [(8, 2, 30), (9, 3, 30), (10, 2, 30)]
    fall = recurrence.expand("FREQ=DAILY;COUNT=1", "2025-11-02T01:30:00", NY,
                             datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC))
    assert fall == [datetime(2025, 11, 2, 5, 30, tzinfo=UTC)]  # EDT (first), not EST


def test_tokyo_has_no_dst_and_the_second_tuesday():
    instants = recurrence.expand("FREQ=MONTHLY;BYDAY=2TU", "2025-01-14T19:00:00", "Asia/Tokyo",
                                 datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert len(instants) == 12
    assert all(i.hour == 10 and i.minute == 0 for i in instants)  # 19:00 JST = 10:00 UTC
    tokyo = [i.astimezone(ZoneInfo("Asia/Tokyo")) for i in instants]
    assert all(t.weekday() == 1 and 8 <= t.day <= 14 for t in tokyo)


def test_window_bounds_are_half_open():
    first = datetime(2025, 1, 14, 10, 0, tzinfo=UTC)
    rule, start = "FREQ=MONTHLY;BYDAY=2TU", "2025-01-14T19:00:00"
    assert recurrence.expand(rule, start, "Asia/Tokyo", first,
                             datetime(2025, 2, 1, tzinfo=UTC)) == [first]
    assert recurrence.expand(rule, start, "Asia/Tokyo", datetime(2025, 1, 1, tzinfo=UTC),
                             first) == []


def test_preview_gives_local_times():
    dates = recurrence.preview("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "2025-06-04T06:30", "Asia/Tokyo")
    assert [d.strftime("%m/%d %H:%M") for d in dates] == [
        "06/04 06:30", "06/18 06:30", "07/02 06:30", "07/16 06:30", "07/30 06:30"]


# -- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "code", "part"), [
    ("", "empty", None),
    ("FREQ=HOURLY", "too_frequent", None),
    ("FREQ=MINUTELY;INTERVAL=30", "too_frequent", None),
    ("FREQ=DAILY;BYHOUR=9,18", "too_frequent", None),
    ("FREQ=SOMETIMES", "bad_part", "FREQ"),
    ("BYDAY=MO", "bad_part", "FREQ"),
    ("FREQ=WEEKLY;BYDAY=XX", "bad_part", "BYDAY"),
    ("FREQ=MONTHLY;BYDAY=9TU", "bad_part", "BYDAY"),
    ("FREQ=MONTHLY;BYMONTHDAY=32", "bad_part", "BYMONTHDAY"),
    ("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1,x", "bad_part", "BYSETPOS"),
    ("FREQ=YEARLY;BYMONTH=13", "bad_part", "BYMONTH"),
    ("FREQ=WEEKLY;COUNT=0", "bad_part", "COUNT"),
    ("FREQ=WEEKLY;INTERVAL=two", "bad_part", "INTERVAL"),
    ("FREQ=WEEKLY;COUNT=5;UNTIL=20300101T000000Z", "count_and_until", None),
    ("FREQ=WEEKLY;COUNT=100000", "absurd", "COUNT"),
    ("FREQ=WEEKLY;INTERVAL=1000", "absurd", "INTERVAL"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no_dates", None),
    ("FREQ=WEEKLY;FOO=BAR", "unknown_part", "FOO"),
    ("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "repeated_part", "BYDAY"),
    ("FREQ=WEEKLY;BYDAY", "syntax", "BYDAY"),
    ("DTSTART:20250101T000000\nRRULE:FREQ=DAILY", "invalid", None),
    ("FREQ=WEEKLY;UNTIL=tomorrow", "bad_part", "UNTIL"),
])
def test_bad_rules_are_refused_saying_which_part(rule, code, part):
    with pytest.raises(RuleError) as caught:
        recurrence.validate(rule, "2025-01-14T19:00:00", "Asia/Tokyo")
    assert (caught.value.code, caught.value.part) == (code, part)


def test_validate_normalises():
    assert recurrence.validate("rrule:freq=monthly;byday=2tu", "2025-01-14T19:00",
                               "Asia/Tokyo") == "FREQ=MONTHLY;BYDAY=2TU"


def test_bad_start_and_zone_are_refused():
    with pytest.raises(RuleError, match="bad_start"):
        recurrence.validate("FREQ=WEEKLY", "14/01/2025", "Asia/Tokyo")
    with pytest.raises(RuleError, match="bad_timezone"):
        recurrence.validate("FREQ=WEEKLY", "2025-01-14T19:00", "Mars/Olympus")
