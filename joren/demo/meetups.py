"""The demo community's calendar: a monthly meetup on the second Tuesday, 19:00 in Osaka, the
last twelve of them past and the next two ahead of the moment the demo is loaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from joren.demo import data

TIMEZONE = "Asia/Tokyo"
PAST_MEETUPS = 12
UPCOMING_MEETUPS = 2
FIRST_MEETUP_NUMBER = 61
PRICE_YEN = 3000
CAPACITY = 40
SERIES_TITLE = "定例交流会"
SERIES_RULE = "FREQ=MONTHLY;BYDAY=2TU"
SERIES_HORIZON_DAYS = 60


def meetup_times(now: datetime) -> tuple[list[datetime], list[datetime]]:
    """The last twelve and the next two second-Tuesday evenings (19:00 in Osaka), in UTC."""
    zone = ZoneInfo(TIMEZONE)
    local_now = now.astimezone(zone)
    starts = []
    for offset in range(-14, 4):
        year, month = divmod(local_now.year * 12 + local_now.month - 1 + offset, 12)
        day = _second_tuesday(year, month + 1)
        starts.append(datetime(year, month + 1, day.day, 19, 0, tzinfo=zone).astimezone(UTC))
    past = [s for s in starts if s <= now][-PAST_MEETUPS:]
    upcoming = [s for s in starts if s > now][:UPCOMING_MEETUPS]
    return past, upcoming


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def series_values(first: datetime) -> dict[str, Any]:
    """The series every demo meetup belongs to: the second Tuesday of each month at 19:00.
    Its horizon keeps the two upcoming meetups the only ones ahead."""
    venue_name, venue_address = data.VENUES[0]
    return {
        "title": SERIES_TITLE, "description": data.MEETUP_DESCRIPTION, "rrule": SERIES_RULE,
        "dtstart_local": first.astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m-%dT%H:%M:%S"),
        "timezone": TIMEZONE, "duration_minutes": 120, "venue_name": venue_name,
        "venue_address": venue_address, "capacity": CAPACITY, "price": PRICE_YEN,
        "horizon_days": SERIES_HORIZON_DAYS,
    }


def meetup_row(tenant_id: int, number: int, starts_at: datetime, series_id: int | None = None,
               now: datetime | None = None) -> dict[str, Any]:
    """One occurrence of the series. Each carries its number and that month's venue, as an
    organizer would have edited it, so the upcoming ones are detached from the series (the
    daily materialising leaves their title and venue alone)."""
    venue_name, venue_address = data.VENUES[starts_at.month % 2]
    return {
        "tenant_id": tenant_id, "title": f"第{number}回 {SERIES_TITLE}",
        "description": data.MEETUP_DESCRIPTION, "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2), "venue_name": venue_name,
        "venue_address": venue_address, "capacity": CAPACITY, "price": PRICE_YEN,
        "is_public": True, "series_id": series_id, "recurrence_id": starts_at,
        "is_detached": now is not None and starts_at > now,
    }
