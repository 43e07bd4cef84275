"""Fixtures for the meetup tests: a session bound to ``tenant`` and a materialised series.

Other areas add their own fixtures in ``helpers_<area>.py`` next to this file.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from joren.tenants.meetups.models import MeetupSeries
from joren.tenants.meetups.series import services as series_service
from tests.clock import today_in_tokyo


def second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


@pytest.fixture()
def tenant_session(scoped, tenant, session):  # type: ignore[no-untyped-def]
    """A session bound to ``tenant`` (created after the fixtures are committed)."""
    session.commit()
    return scoped(tenant)


@pytest.fixture()
def series(tenant_session, tenant, people) -> MeetupSeries:  # type: ignore[no-untyped-def]
    """「定例会」: monthly on the 2nd Tuesday at 19:00 Asia/Tokyo, 120 minutes, capacity 30,
    ¥3,000, public; materialised for the next 120 days."""
    today = today_in_tokyo()
    month = today.replace(day=1) - timedelta(days=40)
    start = second_tuesday(month.year, month.month)
    row = series_service.create_series(
        tenant_session, tenant, people.organizer_member,
        title="定例会", rrule="FREQ=MONTHLY;BYDAY=2TU", dtstart_local=f"{start}T19:00:00",
        duration_minutes=120, venue_name="梅田スカイビル 会議室A", capacity=30, price=3000,
    )
    tenant_session.commit()
    return row
