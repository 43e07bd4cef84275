"""Engagement pages: the settings page (organizers), my attendance (members), a member's
engagement (staff); another community's member is a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.models import EngagementSettings, MemberEngagement
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.levels import Level
from tests import factories
from tests.tenants.engagement.helpers import past_meetups, record
from tests.tenants.helpers import days_ago

pytestmark = pytest.mark.usefixtures("clock")

SETTINGS = "/c/osaka-mixer/admin/engagement/settings"
MINE = "/c/osaka-mixer/engagement"

@pytest.fixture(autouse=True)
def _english_pages(session, tenant):  # type: ignore[no-untyped-def]
    """These tests read the English wording: the community speaks English."""
    tenant.default_language = "en"
    session.flush()



def recent_meetups(session, community, count):  # type: ignore[no-untyped-def]
    return past_meetups(session, community, count, now=days_ago(0))


def test_settings_page_explains_each_threshold(organizer_client, session):
    session.commit()
    page = organizer_client.get(SETTINGS, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Members who came to at least 3 of the last 6 meetups are regulars." in text
    assert "missed the next 2 meetups is counted as one-time" in text
    assert "missed the last 3 meetups in a row is a lapsed regular" in text


def test_saving_settings_recomputes_and_bad_input_changes_nothing(
        organizer_client, session, tenant, people, run_jobs):
    meetups = recent_meetups(session, tenant, 6)
    record(session, meetups, people.member_member, "....xx")
    session.commit()
    bad = organizer_client.post(SETTINGS, data={"regular_min": "9", "regular_window": "6",
                                                "one_time_misses": "2", "lapsed_misses": "x"},
                                headers={"Accept-Language": "en"})
    assert bad.status_code == 200
    assert "Cannot be more than the number of meetups looked at." in bad.get_data(as_text=True)
    with unscoped(session):
        assert session.scalar(select(EngagementSettings)) is None
    ok = organizer_client.post(SETTINGS, data={"regular_min": "2", "regular_window": "4",
                                               "one_time_misses": "2", "lapsed_misses": "3"})
    assert ok.status_code == 302
    assert run_jobs() == 1
    with unscoped(session):
        saved = session.scalar(select(EngagementSettings))
        assert (saved.tenant_id, saved.regular_min, saved.regular_window) == (tenant.id, 2, 4)
        level = session.scalar(select(MemberEngagement.level).where(
            MemberEngagement.member_id == people.member_member.id))
    assert level == Level.REGULAR
    page = organizer_client.get(SETTINGS, headers={"Accept-Language": "en"})
    assert "at least 2 of the last 4 meetups are regulars" in page.get_data(as_text=True)


def test_settings_are_for_organizers_only(staff_client, member_client, outsider_client,
                                          session):
    session.commit()
    for c in (staff_client, member_client, outsider_client):
        assert c.get(SETTINGS).status_code in (403, 404)
        assert c.post(SETTINGS, data={"regular_min": "1", "regular_window": "1",
                                      "one_time_misses": "1",
                                      "lapsed_misses": "1"}).status_code in (403, 404)
    with unscoped(session):
        assert session.scalar(select(EngagementSettings)) is None


def test_my_attendance_encourages_a_regular(member_client, session, tenant, people):
    meetups = recent_meetups(session, tenant, 6)
    record(session, meetups, people.member_member, "x.xxxx")
    session.commit()
    page = member_client.get(MINE, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Thank you as always. You came to 5 of the last 6 meetups." in text
    assert "第1回" in text and "第6回" in text


def test_a_lapsed_regular_is_welcomed_back(member_client, session, tenant, people):
    meetups = recent_meetups(session, tenant, 7)
    record(session, meetups, people.member_member, "xxxx...")
    session.commit()
    text = member_client.get(MINE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We have missed you!" in text
    assert 'data-level="lapsed_regular"' in text


def test_my_attendance_needs_membership(client, outsider_client, session, tenant):
    session.commit()
    assert client.get(MINE).status_code == 302
    assert outsider_client.get(MINE).status_code in (403, 404)


def test_member_engagement_page_and_another_communitys_member_is_404(
        staff_client, member_client, session, tenant, other_tenant, people):
    meetups = recent_meetups(session, tenant, 3)
    record(session, meetups, people.member_member, "xXA")
    stranger = factories.member(session, other_tenant, company="神戸の秘密商事")
    session.commit()
    page = staff_client.get(f"/c/osaka-mixer/admin/engagement/members/{people.member_member.id}",
                            headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "1 of 2 registrations" in page.get_data(as_text=True)
    assert staff_client.get(
        f"/c/osaka-mixer/admin/engagement/members/{stranger.id}").status_code == 404
    own = f"/c/osaka-mixer/admin/engagement/members/{people.member_member.id}"
    assert member_client.get(own).status_code in (403, 404)
    with unscoped(session):
        assert session.scalar(select(MemberEngagement).where(
            MemberEngagement.member_id == stranger.id)) is None
