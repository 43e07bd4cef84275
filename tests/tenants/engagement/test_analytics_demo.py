"""The demo community's dashboard has something to say in every figure."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from joren.demo import loader, meetups, people
from joren.demo.loader import load_demo
from joren.models import Member
from joren.tenants.engagement import services
from joren.tenants.engagement.analytics import analytics
from joren.tenants.engagement.levels import Level
from tests.tenants.engagement.helpers import NOW

pytestmark = pytest.mark.usefixtures("clock")


def test_the_demo_dashboard_shows_regulars_one_timers_and_lapsed_regulars(session):
    load_demo(session, now=NOW)
    services.recompute_community(session, now=NOW)
    a = analytics(session, ZoneInfo(meetups.TIMEZONE), NOW)
    assert a.occurrences == meetups.PAST_MEETUPS
    latest = a.mix[-1]
    assert latest.regulars >= 15 and latest.total <= meetups.CAPACITY
    assert sum(m.first_timers for m in a.mix[3:]) >= 20
    assert sum(m.returning for m in a.mix[3:]) > 0
    assert a.levels[Level.REGULAR] >= 15 and a.levels[Level.ONE_TIME] >= 25
    assert len(a.lapsed) >= 5
    assert all(row.last_attended_at < a.mix[-3].occurrence.starts_at for row in a.lapsed)
    returned = [r for r in a.returns if r.whole]
    assert any(r.part for r in returned) and any(r.part < r.whole for r in returned)
    assert 0 < a.guests_total.part < a.guests_total.whole
    assert len(a.cohorts) >= 6
    assert 0 < a.no_show_rate < 0.2
    assert len(a.industries) >= 5 and all(code for code, _n in a.industries)


def test_the_demo_organizer_opens_the_dashboard(session, login):
    load_demo(session)
    services.recompute_community(session)
    session.commit()
    owner = session.scalar(select(Member).where(Member.email == people.OWNER_EMAIL))
    page = login(owner.account).get(f"/c/{loader.SLUG}/admin/analytics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('data-member="') >= 5
    assert "製造業" in html or "情報通信業" in html
