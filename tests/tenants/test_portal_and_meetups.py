"""The member portal, the public community page and the read-only meetup pages."""

from __future__ import annotations

import re

import pytest

from joren.models import AttendanceStatus, Member, MemberStatus
from joren.platform.tenancy import unscoped
from tests import factories
from tests.tenants.helpers import attend, count_statements, days_ago, in_english, login_url, meetup

pytestmark = pytest.mark.usefixtures("clock")

HOME = "/c/osaka-mixer/"
ABOUT = "/c/osaka-mixer/about"
PORTAL_MEETUPS = "/c/osaka-mixer/meetups"
CONSOLE_MEETUPS = "/c/osaka-mixer/admin/meetups"


@pytest.fixture()
def meetups(session, tenant, other_tenant, people):  # type: ignore[no-untyped-def]
    tenant.description = "毎月第2火曜日に梅田で開催しています。"
    tenant.city = "大阪市"
    rows = {
        "open": meetup(session, tenant, "7月定例会", venue_name="梅田スカイビル"),
        "closed": meetup(session, tenant, "幹事会（非公開）", is_public=False),
        "past": meetup(session, tenant, "6月定例会", days_ago(20)),
        "older": meetup(session, tenant, "5月定例会", days_ago(50)),
        "theirs": meetup(session, other_tenant, "神戸の定例会"),
    }
    attend(session, rows["past"], people.member_member)
    attend(session, rows["older"], people.member_member, AttendanceStatus.LATE)
    attend(session, rows["older"], people.owner_member)
    attend(session, rows["past"], people.owner_member, AttendanceStatus.ABSENT)
    session.commit()
    return rows


def _set(session, community, **fields):  # type: ignore[no-untyped-def]
    for key, value in fields.items():
        setattr(community, key, value)
    session.commit()


# -- portal home and the public page ------------------------------------------------------------

def test_member_home_welcomes_with_next_meetups_and_attendance(member_client, meetups):
    body = in_english(member_client).get(HOME).get_data(as_text=True)
    assert "Welcome, 田中 三郎." in body
    assert "7月定例会" in body and "幹事会（非公開）" in body
    assert "6月定例会" not in body
    assert re.search(r'data-figure="my-attendance">2<', body)
    assert "神戸の定例会" not in body


def test_member_home_reads_its_counts_in_one_statement(app, login, people, meetups):
    """The attended count and the privacy notice's question share one statement, built once
    for every member: each member sees their own figure."""
    owner = in_english(login(people.owner))
    member = in_english(login(people.member))
    assert re.search(r'data-figure="my-attendance">1<', owner.get(HOME).get_data(as_text=True))
    with count_statements(app) as sql:
        body = member.get(HOME).get_data(as_text=True)
    assert re.search(r'data-figure="my-attendance">2<', body)
    assert re.search(r'data-figure="my-attendance">1<', owner.get(HOME).get_data(as_text=True))
    # the session, the page cache's fingerprint, the counts, the next meetups, mine
    assert len(sql) <= 5, sql.statements
    assert sum("privacy_notices" in statement for statement in sql.statements) == 1


def test_anonymous_sees_the_public_page(client, meetups, app):
    body = in_english(client).get(HOME).get_data(as_text=True)
    assert "大阪異業種交流会" in body and "毎月第2火曜日" in body and "大阪市" in body
    assert "Cross-industry meetup" in body
    assert "7月定例会" in body
    assert "幹事会（非公開）" not in body
    assert "Ask the organizer for an invitation" in body
    assert login_url(app, "/c/osaka-mixer/").replace("%2F", "/") in body.replace("%2F", "/")


def test_about_page_is_the_same_public_content(client, member_client, meetups):
    for c in (client, member_client):
        body = c.get(ABOUT).get_data(as_text=True)
        assert "毎月第2火曜日" in body and "7月定例会" in body and "幹事会（非公開）" not in body


def test_non_member_signed_in_sees_the_public_page(login, people, meetups):
    body = in_english(login(people.other_owner)).get(HOME).get_data(
        as_text=True)
    assert "Want to join? Ask the organizer for an invitation." in body
    assert "data-figure=\"my-attendance\"" not in body


def test_inactive_member_sees_the_public_page(session, member_client, people, meetups):
    with unscoped(session):
        session.get(Member, people.member_member.id).status = MemberStatus.INACTIVE
    session.commit()
    body = member_client.get(HOME).get_data(as_text=True)
    assert "data-figure=\"my-attendance\"" not in body
    assert "幹事会（非公開）" not in body


def test_private_community_shows_outsiders_only_its_name(session, client, login, people, tenant,
                                                         meetups):
    _set(session, tenant, is_public=False)
    for c in (client, login(people.other_owner)):
        for url in (HOME, ABOUT):
            response = c.get(url)
            body = response.get_data(as_text=True)
            assert response.status_code == 200
            assert "大阪異業種交流会" in body
            assert "毎月第2火曜日" not in body and "7月定例会" not in body
    assert "/login" in client.get(HOME).get_data(as_text=True)


def test_private_community_members_still_see_the_portal(session, member_client, tenant, meetups):
    _set(session, tenant, is_public=False)
    assert "7月定例会" in member_client.get(HOME).get_data(as_text=True)


# -- portal meetups ---------------------------------------------------------------------------

def test_portal_meetup_list_for_members(member_client, meetups):
    body = member_client.get(PORTAL_MEETUPS).get_data(as_text=True)
    for title in ("7月定例会", "幹事会（非公開）", "6月定例会", "5月定例会"):
        assert title in body
    assert "神戸の定例会" not in body


def test_portal_meetup_list_for_visitors_shows_public_ones(client, meetups):
    body = client.get(PORTAL_MEETUPS).get_data(as_text=True)
    assert "7月定例会" in body and "幹事会（非公開）" not in body


def test_portal_meetups_of_a_private_community(session, client, login, people, tenant, meetups,
                                               app):
    _set(session, tenant, is_public=False)
    response = client.get(PORTAL_MEETUPS)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(login_url(app).split("?")[0])
    assert login(people.other_owner).get(PORTAL_MEETUPS).status_code == 403
    assert client.get(f"{PORTAL_MEETUPS}/{meetups['open'].id}").status_code == 302


def test_portal_meetup_detail(member_client, client, login, people, meetups):
    page = in_english(member_client).get(f"{PORTAL_MEETUPS}/{meetups['past'].id}")
    assert page.status_code == 200
    assert "6月定例会" in page.get_data(as_text=True)
    assert "Attended" in page.get_data(as_text=True)
    assert client.get(f"{PORTAL_MEETUPS}/{meetups['open'].id}").status_code == 200
    assert client.get(f"{PORTAL_MEETUPS}/{meetups['closed'].id}").status_code == 302
    assert login(people.other_owner).get(
        f"{PORTAL_MEETUPS}/{meetups['closed'].id}").status_code == 403


def test_portal_detail_of_another_communitys_meetup_is_404(member_client, client, meetups):
    theirs = meetups["theirs"].id
    assert member_client.get(f"{PORTAL_MEETUPS}/{theirs}").status_code == 404
    assert client.get(f"{PORTAL_MEETUPS}/{theirs}").status_code == 404


# -- console meetups --------------------------------------------------------------------------

def _attended_counts(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-attended="(\d+)">(\d+)<', body))


def test_console_meetup_list_with_attendance_counts(staff_client, meetups):
    body = staff_client.get(CONSOLE_MEETUPS).get_data(as_text=True)
    counts = _attended_counts(body)
    assert counts == {str(meetups["open"].id): "0", str(meetups["closed"].id): "0",
                      str(meetups["past"].id): "1", str(meetups["older"].id): "2"}


def test_console_meetup_list_is_one_query(app, session, tenant, people, staff_client, meetups):
    staff_client.get(CONSOLE_MEETUPS)
    with count_statements(app) as before:
        staff_client.get(CONSOLE_MEETUPS)
    for n in range(15):
        m = meetup(session, tenant, f"追加{n}", days_ago(200 + n))
        attend(session, m, people.staff_member)
    session.commit()
    with count_statements(app) as after:
        staff_client.get(CONSOLE_MEETUPS)
    assert len(after) == len(before)


def test_console_meetup_detail_lists_attendance_by_reading(session, tenant, staff_client,
                                                           people, meetups, app):
    older = meetups["older"]
    for kana in ("ワタナベ", "アオキ", "カトウ"):
        attend(session, older, factories.member(session, tenant, family_name=kana,
                                                family_name_kana=kana))
    session.commit()
    url = f"{CONSOLE_MEETUPS}/{older.id}"
    staff_client.get(url)
    with count_statements(app) as statements:
        body = staff_client.get(url).get_data(as_text=True)
    names = re.findall(r'admin/members/\d+">([^<]+)</a>', body)
    assert [n.split()[0] for n in names] == ["アオキ", "大家", "カトウ", "田中", "ワタナベ"]
    assert len(statements) <= 7, statements.statements


def test_console_meetups_need_staff(member_client, client, login, people, meetups):
    url = f"{CONSOLE_MEETUPS}/{meetups['past'].id}"
    assert member_client.get(CONSOLE_MEETUPS).status_code == 403
    assert member_client.get(url).status_code == 403
    assert client.get(url).status_code == 302
    other = login(people.other_owner)
    assert other.get(CONSOLE_MEETUPS).status_code == 403
    assert other.get(url).status_code == 403


def test_console_detail_of_another_communitys_meetup_is_404(owner_client, meetups):
    assert owner_client.get(f"{CONSOLE_MEETUPS}/{meetups['theirs'].id}").status_code == 404
