"""The console dashboard and community settings."""

from __future__ import annotations

import re

import pytest

from joren.models import AttendanceStatus, Community, CommunityKind, MemberStatus, Role
from joren.tenants.console.services import dashboard
from tests import factories
from tests.tenants.helpers import (
    attend,
    count_statements,
    days_ago,
    in_english,
    login_url,
    meetup,
    reload,
)

pytestmark = pytest.mark.usefixtures("clock")

DASHBOARD = "/c/osaka-mixer/admin/"
SETTINGS = "/c/osaka-mixer/admin/settings"


def _figures(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([\w-]+)">(\d+)<', body))


@pytest.fixture()
def history(session, tenant, other_tenant, people):  # type: ignore[no-untyped-def]
    factories.member(session, tenant, status=MemberStatus.GUEST)
    factories.member(session, tenant, status=MemberStatus.INACTIVE)
    old = meetup(session, tenant, "第1回", days_ago(60))
    last = meetup(session, tenant, "第2回", days_ago(30))
    meetup(session, tenant, "第3回")
    for m in (people.owner_member, people.organizer_member, people.staff_member):
        attend(session, last, m)
    attend(session, last, people.member_member, AttendanceStatus.ABSENT)
    attend(session, old, people.member_member)
    # The other community is busier; none of it may show here.
    for days in (1, 2):
        theirs = meetup(session, other_tenant, "神戸の会", days_ago(days))
        attend(session, theirs, people.other_owner_member)
    meetup(session, other_tenant, "神戸の次回")
    session.commit()
    return last


def test_dashboard_figures(staff_client, history):
    body = staff_client.get(DASHBOARD).get_data(as_text=True)
    assert _figures(body) == {"members": "4", "guests": "1", "inactive": "1", "upcoming": "1",
                              "last-attendance": "3"}
    assert "第2回" in body
    assert "神戸" not in body


def test_dashboard_queries_do_not_grow_with_the_data(app, session, tenant, people, history,
                                                     staff_client):
    staff_client.get(DASHBOARD)
    with count_statements(app) as before:
        staff_client.get(DASHBOARD)
    for n in range(10):
        m = meetup(session, tenant, f"追加{n}", days_ago(100 + n))
        attend(session, m, people.member_member)
    session.commit()
    with count_statements(app) as after:
        staff_client.get(DASHBOARD)
    assert len(after) == len(before)


def test_checklist_of_a_brand_new_community(session, scoped, app_ctx):
    from joren.platform.communities.invitations import invite_member
    from joren.platform.communities.services import create_community

    founder = factories.account(session, "solo@example.jp")
    community, owner = create_community(session, founder, name="ひとり会", slug="solo-kai",
                                        kind=CommunityKind.STUDY_GROUP)
    session.commit()
    s = scoped(community)
    checklist = dashboard(s).checklist
    assert not (checklist.invited_organizers or checklist.invited_members
                or checklist.scheduled_meetup or checklist.done)
    invite_member(s, community, s.get(type(owner), owner.id), "co@example.jp",
                  Role.ORGANIZER, "")
    checklist = dashboard(s).checklist
    assert checklist.invited_organizers and not checklist.invited_members


def test_checklist_for_a_new_community(scoped, tenant, people):
    s = scoped(tenant)
    figures = dashboard(s)
    # The people fixture already has staff and members, but no meetup.
    assert figures.checklist.invited_organizers and figures.checklist.invited_members
    assert not figures.checklist.scheduled_meetup


def test_welcome_checklist_links(owner_client, people):
    body = in_english(owner_client).get(DASHBOARD + "?welcome=1").get_data(as_text=True)
    assert "Welcome! Three steps to get started" in body
    assert 'href="/c/osaka-mixer/admin/meetups"' in body
    assert 'href="/c/osaka-mixer/admin/invitations"' in body


def test_dashboard_needs_staff(member_client, client, app, login, people):
    assert member_client.get(DASHBOARD).status_code == 403
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(login_url(app).split("?")[0])
    assert login(people.other_owner).get(DASHBOARD).status_code == 403
    assert login(people.outsider).get(DASHBOARD).status_code == 403


def test_inactive_staff_lose_the_console(session, staff_client, people):
    from joren.models import Member
    from joren.platform.tenancy import unscoped

    with unscoped(session):
        session.get(Member, people.staff_member.id).status = MemberStatus.INACTIVE
    session.commit()
    assert staff_client.get(DASHBOARD).status_code == 403


# -- settings ---------------------------------------------------------------------------------

def _settings(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "大阪異業種交流会 北", "description": "毎月第2火曜日に梅田で開催しています。",
        "kind": "regional_mixer", "city": "大阪市", "timezone": "Asia/Tokyo",
        "default_language": "en", "is_public": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_page_shows_the_slug_read_only(organizer_client):
    body = organizer_client.get(SETTINGS).get_data(as_text=True)
    assert "http://localhost/c/osaka-mixer/" in body
    assert 'name="slug"' not in body


def test_organizer_saves_settings(session, organizer_client, tenant):
    response = organizer_client.post(SETTINGS, data=_settings(is_public=None))
    assert response.status_code == 302
    row = reload(session, Community, tenant.id)
    assert row.name == "大阪異業種交流会 北"
    assert row.kind == CommunityKind.REGIONAL_MIXER
    assert row.default_language == "en"
    assert row.is_public is False
    assert row.slug == "osaka-mixer"


def test_slug_cannot_be_changed_through_settings(session, owner_client, tenant):
    owner_client.post(SETTINGS, data=_settings(slug="stolen"))
    assert reload(session, Community, tenant.id).slug == "osaka-mixer"


@pytest.mark.parametrize("overrides", [
    {"timezone": "Nowhere/Land"}, {"name": ""}, {"name": "x" * 121}, {"kind": "cult"},
    {"default_language": "de"}, {"description": "x" * 2001},
])
def test_bad_settings_change_nothing(session, owner_client, tenant, overrides):
    response = owner_client.post(SETTINGS, data=_settings(**overrides))
    assert response.status_code == 200
    row = reload(session, Community, tenant.id)
    assert row.name == "大阪異業種交流会" and row.timezone == "Asia/Tokyo"


def test_settings_keep_an_uncommon_timezone(session, owner_client, tenant):
    assert owner_client.post(SETTINGS, data=_settings(timezone="Europe/Madrid")).status_code == 302
    body = owner_client.get(SETTINGS).get_data(as_text=True)
    assert '<option selected value="Europe/Madrid">' in body


def test_settings_need_an_organizer(session, staff_client, login, people, tenant):
    assert staff_client.get(SETTINGS).status_code == 403
    assert staff_client.post(SETTINGS, data=_settings()).status_code == 403
    other = login(people.other_owner)
    assert other.get(SETTINGS).status_code == 403
    assert other.post(SETTINGS, data=_settings()).status_code == 403
    assert reload(session, Community, tenant.id).name == "大阪異業種交流会"


def test_settings_change_only_this_community(session, owner_client, other_tenant):
    owner_client.post(SETTINGS, data=_settings())
    assert reload(session, Community, other_tenant.id).name == "神戸経営者勉強会"


def test_console_names_the_current_community(owner_client):
    body = owner_client.get(DASHBOARD).get_data(as_text=True)
    assert 'class="h4 fw-bold mb-0 community-name">大阪異業種交流会<' in body


def test_owner_badge_shows_the_role(owner_client):
    body = in_english(owner_client).get(DASHBOARD).get_data(as_text=True)
    assert ">Owner<" in body
