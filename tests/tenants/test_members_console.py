"""The console's member list and member detail: who may see, who may change what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from joren.models import Member, MemberStatus, Role
from joren.platform.names import romaji_search_key
from joren.tenants.members.services import (
    MemberError,
    change_role_and_status,
    reading_order,
    search_members,
    update_profile,
)
from tests import factories
from tests.tenants.helpers import count_statements, in_english, login_url, reload

LIST = "/c/osaka-mixer/admin/members"


def detail(member_id: int) -> str:
    return f"/c/osaka-mixer/admin/members/{member_id}"


def _names(body: str) -> list[str]:
    return re.findall(r'<a class="fw-semibold" href="[^"]+">([^<]+)</a>', body)


@pytest.fixture()
def crowd(session, tenant, people):  # type: ignore[no-untyped-def]
    rows = {
        "abe": factories.member(session, tenant, family_name="阿部", given_name="健",
                                family_name_kana="アベ", given_name_kana="ケン",
                                company="阿部工務店",
                                name_romaji=romaji_search_key("アベ", "ケン")),
        "ueda": factories.member(session, tenant, family_name="上田", given_name="由美",
                                 family_name_kana="ウエダ", given_name_kana="ユミ",
                                 company="ウエダ不動産", status=MemberStatus.GUEST,
                                 email="yumi@ueda.example.jp"),
        "wada": factories.member(session, tenant, family_name="和田", given_name="誠",
                                 family_name_kana="ワダ", given_name_kana="マコト",
                                 status=MemberStatus.INACTIVE),
    }
    session.commit()
    return rows


# -- the list -------------------------------------------------------------------------------

def test_list_is_sorted_by_reading(owner_client, crowd):
    body = owner_client.get(LIST).get_data(as_text=True)
    assert _names(body) == ["阿部 健", "上田 由美", "大家 一郎", "佐藤 花子", "鈴木 次郎",
                            "田中 三郎", "和田 誠"]


@pytest.mark.parametrize("query, expected", [
    ("阿部", ["阿部 健"]), ("あべ", ["阿部 健"]), ("アベ", ["阿部 健"]), ("abe ken", ["阿部 健"]),
    ("上田由美", ["上田 由美"]), ("不動産", ["上田 由美"]), ("ueda.example", ["上田 由美"]),
    ("100%", []), ("_", []),
    # the stored search key's forms: given name first, full-width letters, without the
    # space, half-width kana; the email whatever its case
    ("ken abe", ["阿部 健"]), ("ＡＢＥ", ["阿部 健"]), ("abeken", ["阿部 健"]),
    ("ｳｴﾀﾞ", ["上田 由美"]), ("YUMI@UEDA", ["上田 由美"]),
])
def test_search_matches_name_kana_romaji_company_email(owner_client, crowd, query, expected):
    body = owner_client.get(LIST, query_string={"q": query}).get_data(as_text=True)
    assert _names(body) == expected


def test_filters_by_role_and_status(owner_client, crowd):
    guests = owner_client.get(LIST, query_string={"status": "guest"}).get_data(as_text=True)
    assert _names(guests) == ["上田 由美"]
    staff = owner_client.get(LIST, query_string={"role": "staff"}).get_data(as_text=True)
    assert _names(staff) == ["鈴木 次郎"]


def test_counts_by_status(owner_client, crowd):
    body = owner_client.get(LIST).get_data(as_text=True)
    counts = dict(re.findall(r'data-status-count="(\w+)">(\d+)<', body))
    assert counts == {"guest": "1", "member": "5", "inactive": "1"}


def test_bad_filters_are_ignored_not_an_error(owner_client, crowd):
    response = owner_client.get(LIST, query_string={"role": "emperor", "page": "-4"})
    assert response.status_code == 200
    assert len(_names(response.get_data(as_text=True))) == 7


def test_pagination(scoped, tenant, people):
    s = scoped(tenant)
    page = search_members(s, per_page=2, page=2)
    assert page.total == 4 and page.pages == 2 and len(page.items) == 2
    assert [m.family_name for m in page.items] == ["鈴木", "田中"]
    assert search_members(s, per_page=2, page=99).page == 2


def test_the_list_pages_keep_the_search_and_filters(owner_client, session, tenant, people):
    for n in range(55):
        factories.member(session, tenant, family_name="山本", given_name=f"{n:02d}",
                         family_name_kana="ヤマモト", given_name_kana="イチ",
                         status=MemberStatus.MEMBER)
    session.commit()
    first = owner_client.get(LIST + "?q=山本&status=member").get_data(as_text=True)
    assert len(_names(first)) == 50
    nav = re.search(r'<nav aria-label="[^"]*" data-page="1" data-pages="2">(.*?)</nav>', first,
                    re.S)
    assert nav, "a pager under the first page"
    [after] = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', nav[1])
               if "page=2" in h]
    assert after.startswith(LIST + "?") and "status=member" in after and "q=" in after
    second = owner_client.get(after).get_data(as_text=True)
    assert len(_names(second)) == 5 and set(_names(second)).isdisjoint(_names(first))


def test_pages_follow_the_reading_order_with_unread_members_last(scoped, session, tenant,
                                                                 people):
    """The list reads members with a reading, then those without, as two slices; stitched
    page after page they give exactly the reading order (readings first, none last)."""
    for family, kana in [("青木", "アオキ"), ("未読", ""), ("渡辺", "ワタナベ"), ("空", ""),
                         ("伊藤", "イトウ")]:
        factories.member(session, tenant, family_name=family, family_name_kana=kana,
                         given_name_kana="")
    s = scoped(tenant)
    expected = list(s.scalars(select(Member).order_by(*reading_order())))
    assert expected[-1].family_name_kana == "" and expected[0].family_name_kana != ""
    for per_page in (1, 2, 3, 4, len(expected)):
        seen = []
        for number in range(1, search_members(s, per_page=per_page).pages + 1):
            page = search_members(s, per_page=per_page, page=number)
            assert len(page.items) == min(per_page, len(expected) - len(seen))
            seen += page.items
        assert [m.id for m in seen] == [m.id for m in expected], per_page
    unread = search_members(s, per_page=2, query="未読")
    assert [m.family_name for m in unread.items] == ["未読"] and unread.total == 1


@pytest.mark.parametrize("status", [None, *MemberStatus])
@pytest.mark.parametrize("role", [None, Role.STAFF])
@pytest.mark.parametrize("query", ["", "田"])
def test_totals_and_counts_are_the_same_with_or_without_filters(
        scoped, session, tenant, other_tenant, crowd, status, role, query):
    """Without a search or a role the totals come from the counts by status; they agree with
    counting the rows, and another community's members (some without a reading) count
    nowhere."""
    factories.member(session, tenant, family_name="未読", family_name_kana="")
    for n in range(3):
        factories.member(session, other_tenant, family_name=f"田中{n}", family_name_kana="",
                         status=status or MemberStatus.MEMBER, role=role or Role.MEMBER)
    session.commit()
    s = scoped(tenant)
    page = search_members(s, query=query, role=role, status=status, per_page=2)
    everyone = list(s.scalars(select(Member).order_by(*reading_order())))
    matching = [m for m in everyone
                if (status is None or m.status == status) and (role is None or m.role == role)
                and (not query or query in m.family_name)]
    assert page.total == len(matching)
    assert page.status_counts == {st: sum(m.status == st for m in everyone)
                                  for st in MemberStatus}
    seen = [m for n in range(1, page.pages + 1)
            for m in search_members(s, query=query, role=role, status=status, per_page=2,
                                    page=n).items]
    assert [m.id for m in seen] == [m.id for m in matching]
    assert all(m.tenant_id == tenant.id for m in seen)


def test_role_and_status_labels_follow_the_reader_language(owner_client, crowd):
    body = owner_client.get(LIST).get_data(as_text=True)
    assert "在籍メンバー" in body and "ゲスト" in body and "オーナー" in body
    english = in_english(owner_client).get(LIST).get_data(as_text=True)
    assert "Active member" in english and "Guest" in english and "Owner" in english


def test_list_runs_the_same_few_statements_whatever_the_size(app, session, tenant, people,
                                                             owner_client):
    owner_client.get(LIST)  # warm up the edge and the templates
    with count_statements(app) as small:
        assert owner_client.get(LIST).status_code == 200
    for n in range(40):
        factories.member(session, tenant, family_name=f"加藤{n}", family_name_kana="カトウ",
                         company="加藤商店")
    session.commit()
    with count_statements(app) as large:
        body = owner_client.get(LIST).get_data(as_text=True)
    assert body.count("加藤商店") >= 40
    assert len(large) == len(small)
    assert len(large) <= 8, large.statements


def test_staff_can_view_but_members_cannot(staff_client, member_client, crowd):
    assert staff_client.get(LIST).status_code == 200
    assert member_client.get(LIST).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, app, crowd):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(login_url(app).split("?")[0])


def test_another_communitys_owner_cannot_list(login, people, crowd):
    response = login(people.other_owner).get(LIST)
    assert response.status_code == 403
    assert "阿部" not in response.get_data(as_text=True)


def test_list_never_shows_another_communitys_members(owner_client, people, crowd):
    body = owner_client.get(LIST).get_data(as_text=True)
    assert "高橋" not in body


# -- the detail page ------------------------------------------------------------------------

def test_detail_shows_the_member(staff_client, crowd):
    body = staff_client.get(detail(crowd["ueda"].id)).get_data(as_text=True)
    assert "上田 由美" in body and "ウエダ ユミ" in body


def test_another_communitys_member_is_404(owner_client, people):
    other = people.other_owner_member
    assert owner_client.get(detail(other.id)).status_code == 404
    assert owner_client.post(detail(other.id), data={
        "action": "role", "role-role": "member", "role-status": "inactive"}).status_code == 404


def test_organizer_edits_a_guest_row(session, organizer_client, crowd):
    guest = crowd["ueda"]
    response = organizer_client.post(detail(guest.id), data={
        "action": "profile", "profile-family_name": "上田", "profile-given_name": "由美子",
        "profile-family_name_kana": "うえだ", "profile-given_name_kana": "ゆみこ",
        "profile-company": "上田不動産", "profile-title": "代表", "profile-industry": "不動産",
    })
    assert response.status_code == 302
    row = reload(session, Member, guest.id)
    assert (row.given_name, row.family_name_kana, row.given_name_kana) == ("由美子", "ウエダ",
                                                                            "ユミコ")
    assert row.company == "上田不動産"
    assert "ueda yumiko" in row.name_romaji


def test_claimed_members_keep_their_own_profile(session, organizer_client, owner_client, people):
    target = people.member_member
    for c in (organizer_client, owner_client):
        response = c.post(detail(target.id), data={
            "action": "profile", "profile-family_name": "改竄"})
        assert response.status_code == 403
    assert reload(session, Member, target.id).family_name == "田中"


def test_too_long_values_are_refused(session, organizer_client, crowd):
    response = organizer_client.post(detail(crowd["ueda"].id), data={
        "action": "profile", "profile-family_name": "長" * 61})
    assert response.status_code == 422
    assert reload(session, Member, crowd["ueda"].id).family_name == "上田"


def test_staff_cannot_change_anything(session, staff_client, crowd):
    response = staff_client.post(detail(crowd["ueda"].id), data={
        "action": "role", "role-role": "member", "role-status": "member"})
    assert response.status_code == 403
    assert reload(session, Member, crowd["ueda"].id).status == MemberStatus.GUEST


def test_organizer_changes_status_and_staff_role(session, organizer_client, crowd):
    response = organizer_client.post(detail(crowd["ueda"].id), data={
        "action": "role", "role-role": "staff", "role-status": "member"})
    assert response.status_code == 302
    row = reload(session, Member, crowd["ueda"].id)
    assert (row.role, row.status) == (Role.STAFF, MemberStatus.MEMBER)


def test_only_owners_make_organizers(session, organizer_client, owner_client, people):
    target = people.staff_member
    data = {"action": "role", "role-role": "organizer", "role-status": "member"}
    response = in_english(organizer_client).post(detail(target.id), data=data)
    assert response.status_code == 422
    assert "Only owners can" in response.get_data(as_text=True)
    assert reload(session, Member, target.id).role == Role.STAFF
    assert owner_client.post(detail(target.id), data=data).status_code == 302
    assert reload(session, Member, target.id).role == Role.ORGANIZER


def test_organizer_cannot_demote_or_deactivate_an_owner(session, organizer_client, people):
    owner = people.owner_member
    response = organizer_client.post(detail(owner.id), data={
        "action": "role", "role-role": "owner", "role-status": "inactive"})
    assert response.status_code == 422
    assert reload(session, Member, owner.id).status == MemberStatus.MEMBER


def test_nobody_changes_their_own_role(session, organizer_client, people):
    me = people.organizer_member
    response = organizer_client.post(detail(me.id), data={
        "action": "role", "role-role": "member", "role-status": "member"})
    assert response.status_code == 422
    assert reload(session, Member, me.id).role == Role.ORGANIZER


def test_owner_makes_another_owner(session, owner_client, people):
    target = people.organizer_member
    owner_client.post(detail(target.id), data={
        "action": "role", "role-role": "owner", "role-status": "member"})
    assert reload(session, Member, target.id).role == Role.OWNER


def test_last_owner_cannot_be_demoted_or_deactivated(scoped, tenant, people):
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    for role, status in ((Role.ORGANIZER, MemberStatus.MEMBER),
                         (Role.OWNER, MemberStatus.INACTIVE)):
        with pytest.raises(MemberError) as error:
            change_role_and_status(s, owner, owner, role, status)
        assert error.value.code == "last_owner"
    second = s.get(Member, people.organizer_member.id)
    change_role_and_status(s, owner, second, Role.OWNER, MemberStatus.MEMBER)
    change_role_and_status(s, second, owner, Role.ORGANIZER, MemberStatus.MEMBER)
    assert owner.role == Role.ORGANIZER
    with pytest.raises(MemberError) as error:
        change_role_and_status(s, second, second, Role.MEMBER, MemberStatus.MEMBER)
    assert error.value.code == "last_owner"


def test_inactive_organizer_can_change_nothing(scoped, tenant, people, crowd):
    s = scoped(tenant)
    organizer = s.get(Member, people.organizer_member.id)
    organizer.status = MemberStatus.INACTIVE
    guest = s.get(Member, crowd["ueda"].id)
    with pytest.raises(MemberError):
        change_role_and_status(s, organizer, guest, Role.MEMBER, MemberStatus.MEMBER)
    with pytest.raises(MemberError):
        update_profile(s, organizer, guest, company="x")


def test_unknown_action_is_a_bad_request(organizer_client, crowd):
    assert organizer_client.post(detail(crowd["ueda"].id),
                                 data={"action": "delete"}).status_code == 400


def test_invalid_role_value_changes_nothing(session, owner_client, crowd):
    response = owner_client.post(detail(crowd["abe"].id), data={
        "action": "role", "role-role": "emperor", "role-status": "member"})
    assert response.status_code == 422
    assert reload(session, Member, crowd["abe"].id).role == Role.MEMBER


def test_other_communitys_owner_cannot_see_or_change_a_member(session, login, people, crowd):
    c = login(people.other_owner)
    target = crowd["ueda"]
    assert c.get(detail(target.id)).status_code == 403
    response = c.post(detail(target.id), data={
        "action": "profile", "profile-family_name": "乗っ取り"})
    assert response.status_code == 403
    assert reload(session, Member, target.id).family_name == "上田"
