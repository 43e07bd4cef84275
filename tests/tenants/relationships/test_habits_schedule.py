"""When the habit emails are due (community local time, DST included), and who "checked in
beside" whom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from joren.models import Community
from joren.tenants.meetups.models import Meetup
from joren.tenants.relationships.habits import schedule
from joren.tenants.relationships.habits import services as habits

pytestmark = pytest.mark.usefixtures("clock")

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def _local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def _meetup(starts_at: datetime) -> Meetup:
    return Meetup(id=1, title="定例会", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))


def test_people_to_meet_go_out_at_nine_two_days_before_in_local_time():
    tokyo = Community(timezone="Asia/Tokyo")
    meetup = _meetup(_local(TOKYO, 2026, 12, 8, 19, 0))
    assert schedule.prep_send_at(meetup, tokyo) == _local(TOKYO, 2026, 12, 6, 9, 0)
    # An early-morning meetup still counts calendar days in local time, not 48 hours.
    early = _meetup(_local(TOKYO, 2026, 12, 8, 7, 0))
    assert schedule.prep_send_at(early, tokyo) == _local(TOKYO, 2026, 12, 6, 9, 0)


def test_the_follow_up_goes_out_the_next_morning_across_a_dst_change():
    new_york = Community(timezone="America/New_York")
    # New York springs forward on 2026-03-08: 08:00 EDT on the 9th is 12:00 UTC, not 13:00.
    meetup = _meetup(_local(NEW_YORK, 2026, 3, 7, 19, 0))
    assert schedule.follow_up_send_at(meetup, new_york) == _local(NEW_YORK, 2026, 3, 8, 8, 0)
    assert schedule.follow_up_send_at(meetup, new_york) == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    winter = _meetup(_local(NEW_YORK, 2026, 1, 13, 19, 0))
    assert schedule.follow_up_send_at(winter, new_york) == datetime(2026, 1, 14, 13, 0, tzinfo=UTC)


def test_a_late_night_meetup_is_followed_up_the_next_local_morning():
    tokyo = Community(timezone="Asia/Tokyo")
    # 23:30 in Tokyo is 14:30 UTC the same day: the next morning is the 9th, local time.
    meetup = _meetup(_local(TOKYO, 2026, 12, 8, 23, 30))
    assert schedule.follow_up_send_at(meetup, tokyo) == _local(TOKYO, 2026, 12, 9, 8, 0)


def test_checked_in_beside_takes_the_nearest_three_within_the_window():
    t0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    minutes = {1: 0, 2: 1, 3: 2, 4: 4, 5: 5, 6: 40, 7: None}
    checkins = [(m, t0 + timedelta(minutes=v) if v is not None else None)
                for m, v in minutes.items()]
    beside = habits.checked_in_beside(checkins)  # type: ignore[arg-type]
    assert beside[1] == [2, 3, 4]
    assert beside[3] == [2, 1, 4]          # 1 minute either side: the earlier one first
    assert beside[5] == [4, 3, 2]
    assert beside[6] == []                 # 35 minutes after anyone else: nobody beside
    assert 7 not in beside                 # never checked in (a register entry by hand)


def test_checked_in_beside_ignores_anyone_outside_the_window_even_if_adjacent():
    t0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    beside = habits.checked_in_beside([(1, t0), (2, t0 + timedelta(minutes=11))])
    assert beside == {1: [], 2: []}
    assert habits.checked_in_beside([(1, t0), (2, t0)], nearest=1) == {1: [2], 2: [1]}
