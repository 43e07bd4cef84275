"""The demo community shows regulars, one-timers and lapsed regulars."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from joren.demo.loader import load_demo
from joren.models import MemberEngagement
from joren.tenants.engagement import services
from joren.tenants.engagement.levels import Level

pytestmark = pytest.mark.usefixtures("clock")

NOW = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)


def test_demo_community_has_meaningful_levels(session):
    load_demo(session, now=NOW)
    assert services.recompute_community(session, now=NOW) > 100
    levels = Counter(session.scalars(select(MemberEngagement.level)))
    assert levels[Level.REGULAR] >= 15
    # 40 demo guests came once; those whose visit was one of the last two meetups are still
    # first-timers under the default grace of two meetings.
    assert levels[Level.ONE_TIME] >= 25
    assert levels[Level.ONE_TIME] + levels[Level.FIRST_TIMER] >= 30
    assert levels[Level.LAPSED_REGULAR] >= 5
    assert levels[Level.RETURNING] > 0 and levels[Level.NONE] > 0
