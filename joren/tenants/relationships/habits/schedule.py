"""When the habit emails go out: local times in the community's time zone (DST included).

The "people to meet" email goes at 09:00 two calendar days before the meetup's local date;
the next-day follow-up at 08:00 on the day after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from joren.platform.identity.community import Community
from joren.tenants.meetups.models import Meetup

PREP_DAYS_BEFORE = 2
PREP_HOUR = 9
FOLLOW_UP_HOUR = 8


def _utc(day: date, hour: int, community: Community) -> datetime:
    zone = community.zone
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def local_date(value: datetime, community: Community) -> date:
    return value.astimezone(community.zone).date()


def prep_send_at(meetup: Meetup, community: Community) -> datetime:
    """09:00 local time, two calendar days before the meetup's local date."""
    day = local_date(meetup.starts_at, community) - timedelta(days=PREP_DAYS_BEFORE)
    return _utc(day, PREP_HOUR, community)


def follow_up_send_at(meetup: Meetup, community: Community) -> datetime:
    """08:00 local time on the day after the meetup's local date."""
    day = local_date(meetup.starts_at, community) + timedelta(days=1)
    return _utc(day, FOLLOW_UP_HOUR, community)
