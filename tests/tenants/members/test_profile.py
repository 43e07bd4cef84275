"""Editing profiles: members edit their own, organizers edit guests' and unclaimed rows,
bad input changes nothing, another community's rows are out of reach."""

from __future__ import annotations

import pytest

from joren.models import Member, MemberStatus
from joren.platform.membership.models import ProfileVisibility
from joren.tenants.members.profiles.services import (
    ProfileForbidden,
    ProfileInvalid,
    clean_profile,
    is_valid_website,
    search_directory,
    update_member_profile,
)
from tests import factories
from tests.tenants.helpers import reload

MINE = "/c/osaka-mixer/profile"


def console_edit(member_id: int, slug: str = "osaka-mixer") -> str:
    return f"/c/{slug}/admin/members/{member_id}/profile"


def full_profile(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "family_name": "田中", "given_name": "三郎",
        "family_name_kana": "たなか", "given_name_kana": "さぶろう",
        "company": "田中製作所", "department": "営業部", "title": "代表取締役",
        "industry_code": "E", "business_description": "精密部品の加工",
        "company_size": "20-49", "prefecture": "27", "website": "https://tanaka.example.jp",
        "offers": ["税理士の紹介", "補助金の情報", ""],
        "ask_industries": ["G", "L"], "ask_company_sizes": ["5-19"],
        "ask_description": "採用に課題を持つ従業員20〜50名規模の製造業の社長",
        "challenges": "採用", "goal_meetup": "名刺交換", "goal_midterm": "新規顧客3社",
        "goal_year": "売上二割増", "seeks_same_industry": "y", "accepts_introductions": "y",
        "contact_visibility": "members", "work_visibility": "members",
        "give_ask_visibility": "organizers", "goals_visibility": "organizers",
    }
    data.update(changes)
    return data


def test_member_sees_and_saves_their_own_profile(session, member_client, people):
    page = member_client.get(MINE)
    assert page.status_code == 200
    assert 'name="offers"' in page.get_data(as_text=True)
    response = member_client.post(MINE, data=full_profile())
    assert response.status_code == 302
    member = reload(session, Member, people.member_member.id)
    assert member.company == "田中製作所"
    assert member.family_name_kana == "タナカ"  # hiragana typed, katakana kept
    assert member.industry_code == "E"
    assert (member.offer_1, member.offer_2, member.offer_3) == ("税理士の紹介", "補助金の情報", "")
    assert member.ask_industries == "G,L"
    assert member.ask_company_sizes == "5-19"
    assert member.seeks_same_industry and member.accepts_introductions
    assert member.give_ask_visibility == ProfileVisibility.ORGANIZERS
    assert "田中製作所" in member_client.get(MINE).get_data(as_text=True)


def test_introductions_are_off_until_the_member_opts_in(session, tenant):
    member = factories.member(session, tenant)
    session.flush()
    assert member.accepts_introductions is False


def test_reading_change_updates_romaji_search(session, scoped, tenant, member_client, people):
    member_client.post(MINE, data=full_profile(family_name_kana="ヨシダ",
                                               given_name_kana="サブロウ"))
    member = reload(session, Member, people.member_member.id)
    assert "yoshida saburou" in member.name_romaji
    assert "tanaka" not in member.name_romaji
    s = scoped(tenant)
    viewer = s.get(Member, people.staff_member.id)
    found = search_directory(s, viewer, query="yoshida").items
    assert [p.member_id for p in found] == [member.id]


@pytest.mark.parametrize("changes, field, message", [
    ({"website": "not a url"}, "website", "https://"),
    ({"website": "javascript:alert(1)"}, "website", "https://"),
    ({"company": "株" * 121}, "company", "120"),
    ({"challenges": "x" * 1001}, "challenges", "1000"),
    ({"industry_code": "Z"}, "industry_code", "listed options"),
    ({"ask_industries": ["E", "ZZ"]}, "ask_industries", "listed options"),
    ({"company_size": "7"}, "company_size", "listed options"),
    ({"prefecture": "48"}, "prefecture", "listed options"),
    ({"offers": ["a", "b", "c", "d"]}, "offers", "at most 3"),
    ({"offers": ["x" * 201]}, "offers", "200"),
    ({"work_visibility": "everyone"}, "work_visibility", "listed options"),
])
def test_bad_input_is_explained_and_nothing_is_saved(session, member_client, people, changes,
                                                     field, message):
    before = reload(session, Member, people.member_member.id)
    company_before = before.company
    response = member_client.post(MINE, data=full_profile(**changes))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert "Nothing was saved" in body
    after = reload(session, Member, people.member_member.id)
    assert after.company == company_before
    assert after.industry_code == ""
    assert after.offer_1 == ""


def test_service_refuses_all_at_once(session, tenant, people):
    with pytest.raises(ProfileInvalid) as caught:
        clean_profile({"website": "ftp://x.example.jp", "industry_code": "Q1",
                       "offers": ["1", "2", "3", "4"]})
    assert set(caught.value.errors) == {"website", "industry_code", "offers"}


def test_website_validation():
    assert is_valid_website("https://example.co.jp/about?x=1")
    assert is_valid_website("http://例え.jp")
    for bad in ("example.jp", "https://", "https://localhost", "https://a b.jp", "mailto:a@b.jp",
                "https://[::1"):
        assert not is_valid_website(bad), bad


# -- organizers --------------------------------------------------------------------------------

def test_organizer_edits_a_guest_row(session, tenant, organizer_client):
    guest = factories.member(session, tenant, status=MemberStatus.GUEST, company="旧社名")
    session.commit()
    assert organizer_client.get(console_edit(guest.id)).status_code == 200
    response = organizer_client.post(console_edit(guest.id), data=full_profile(
        family_name="上田", family_name_kana="ウエダ", given_name_kana="ユミ"))
    assert response.status_code == 302
    guest = reload(session, Member, guest.id)
    assert guest.company == "田中製作所"
    assert "ueda yumi" in guest.name_romaji


def test_organizer_edits_an_unclaimed_row(session, tenant, organizer_client):
    row = factories.member(session, tenant)
    session.commit()
    response = organizer_client.post(console_edit(row.id), data=full_profile())
    assert response.status_code == 302
    assert reload(session, Member, row.id).industry_code == "E"


def test_console_detail_links_to_the_full_profile_for_guests(session, tenant, organizer_client):
    guest = factories.member(session, tenant, status=MemberStatus.GUEST)
    session.commit()
    body = organizer_client.get(f"/c/osaka-mixer/admin/members/{guest.id}").get_data(
        as_text=True)
    assert console_edit(guest.id) in body


def test_organizer_cannot_edit_a_claimed_members_profile(session, organizer_client, people):
    target = people.member_member
    assert organizer_client.get(console_edit(target.id)).status_code == 403
    assert organizer_client.post(console_edit(target.id), data=full_profile(
        company="乗っ取り")).status_code == 403
    assert reload(session, Member, target.id).company != "乗っ取り"


def test_staff_and_members_cannot_use_the_console_edit(session, tenant, staff_client,
                                                       member_client):
    guest = factories.member(session, tenant, status=MemberStatus.GUEST)
    session.commit()
    for c in (staff_client, member_client):
        assert c.post(console_edit(guest.id), data=full_profile()).status_code == 403
    assert reload(session, Member, guest.id).company == ""


def test_service_refuses_editing_someone_elses_claimed_profile(session, people):
    actor = reload(session, Member, people.member_member.id)
    other = reload(session, Member, people.staff_member.id)
    with pytest.raises(ProfileForbidden):
        update_member_profile(session, actor, other, {"company": "x"})


# -- tenant isolation --------------------------------------------------------------------------

def test_another_communitys_row_is_404_in_the_console(session, other_tenant, organizer_client):
    foreign = factories.member(session, other_tenant, status=MemberStatus.GUEST,
                               company="神戸の会社")
    session.commit()
    assert organizer_client.get(console_edit(foreign.id)).status_code == 404
    assert organizer_client.post(console_edit(foreign.id),
                                 data=full_profile()).status_code == 404
    assert reload(session, Member, foreign.id).company == "神戸の会社"


def test_a_member_of_another_community_cannot_edit_here(session, login, people):
    c = login(people.other_owner)
    assert c.post(MINE, data=full_profile()).status_code == 403
    assert c.get(MINE).status_code == 403
    assert reload(session, Member, people.other_owner_member.id).company == ""


def test_anonymous_is_sent_to_sign_in(client, people):
    response = client.get(MINE)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
