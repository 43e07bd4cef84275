"""The member directory and profile pages: only what each member shows to members, search
that cannot find hidden fields, organizers see everything, one community at a time."""

from __future__ import annotations

import re

import pytest

from joren.models import Member, MemberStatus
from joren.platform.membership.models import ProfileVisibility
from joren.platform.names import romaji_search_key
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.members.profiles.services import profile_view, search_directory
from tests import factories
from tests.tenants.helpers import count_statements

DIRECTORY = "/c/osaka-mixer/directory"
HIDDEN = ("極秘工業", "secret-ito@example.jp", "https://hidden.example.jp", "秘密の人脈",
          "隠れた課題", "内緒の目標", "裏の部署", "内密の事業内容", "非公開の希望像")
VISIBLE = ("公開商事", "https://open.example.jp", "銀行の紹介", "公開の課題")


def show(member_id: int, slug: str = "osaka-mixer") -> str:
    return f"/c/{slug}/members/{member_id}"


def _names(body: str) -> list[str]:
    return re.findall(r'<a class="fw-semibold" href="[^"]+">([^<]+)</a>', body)


def _person(session, tenant, family, given, family_kana, given_kana, **fields):  # type: ignore[no-untyped-def]
    return factories.member(session, tenant, family_name=family, given_name=given,
                            family_name_kana=family_kana, given_name_kana=given_kana,
                            name_romaji=romaji_search_key(family_kana, given_kana), **fields)


@pytest.fixture()
def crowd(session, tenant, people):  # type: ignore[no-untyped-def]
    hidden = ProfileVisibility.ORGANIZERS
    shown = ProfileVisibility.MEMBERS
    rows = {
        "ito": _person(session, tenant, "伊藤", "秘子", "イトウ", "ヒメコ",
                       email="secret-ito@example.jp", website="https://hidden.example.jp",
                       company="極秘工業", department="裏の部署", industry_code="E",
                       business_description="内密の事業内容", offer_1="秘密の人脈",
                       ask_description="非公開の希望像", challenges="隠れた課題",
                       goal_year="内緒の目標", contact_visibility=hidden,
                       work_visibility=hidden, give_ask_visibility=hidden,
                       goals_visibility=hidden),
        "abe": _person(session, tenant, "阿部", "公子", "アベ", "キミコ",
                       email="abe@example.jp", website="https://open.example.jp",
                       company="公開商事", industry_code="J", company_size="20-49",
                       prefecture="27", offer_1="銀行の紹介", challenges="公開の課題",
                       contact_visibility=shown, work_visibility=shown,
                       give_ask_visibility=shown, goals_visibility=shown),
        "guest": _person(session, tenant, "上田", "客人", "ウエダ", "キャクジン",
                         status=MemberStatus.GUEST),
        "gone": _person(session, tenant, "和田", "退会", "ワダ", "タイカイ",
                        status=MemberStatus.INACTIVE),
    }
    session.commit()
    return rows


def _search(c, **params):  # type: ignore[no-untyped-def]
    response = c.get(DIRECTORY, query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- privacy ---------------------------------------------------------------------------------

def test_hidden_groups_never_reach_another_members_profile_page(member_client, crowd):
    body = member_client.get(show(crowd["ito"].id)).get_data(as_text=True)
    assert "伊藤 秘子" in body
    for secret in HIDDEN:
        assert secret not in body, secret


def test_shown_groups_appear_on_the_profile_page(member_client, crowd):
    body = member_client.get(show(crowd["abe"].id)).get_data(as_text=True)
    for value in VISIBLE:
        assert value in body, value
    assert "大阪府" in body or "Osaka" in body


def test_hidden_groups_never_reach_the_directory(member_client, crowd):
    body = _search(member_client)
    assert "伊藤 秘子" in body
    for secret in HIDDEN:
        assert secret not in body, secret
    assert "公開商事" in body and "銀行の紹介" in body


@pytest.mark.parametrize("query", ["極秘工業", "秘密の人脈", "内密の事業", "secret-ito",
                                   "製造業", "Manufacturing"])
def test_search_cannot_find_a_member_by_a_hidden_field(member_client, organizer_client, crowd,
                                                       query):
    assert "伊藤 秘子" not in _names(_search(member_client, q=query))
    if query != "secret-ito":  # email is not a directory search key for anyone
        assert "伊藤 秘子" in _names(_search(organizer_client, q=query))


def test_industry_filter_respects_hidden_work(member_client, organizer_client, crowd):
    assert _names(_search(member_client, industry="E")) == []
    assert _names(_search(organizer_client, industry="E")) == ["伊藤 秘子"]
    assert _names(_search(member_client, industry="J")) == ["阿部 公子"]


def test_organizers_see_everything(organizer_client, crowd):
    body = organizer_client.get(show(crowd["ito"].id)).get_data(as_text=True)
    for secret in HIDDEN:
        assert secret in body, secret
    listing = _search(organizer_client)
    assert "極秘工業" in listing and "秘密の人脈" in listing


def test_a_member_sees_their_own_hidden_fields(session, login, crowd):
    account = factories.account(session, "ito@example.jp")
    with unscoped(session):
        ito = session.get(Member, crowd["ito"].id)
        ito.account_id = account.id
    session.commit()
    body = login(account).get(show(crowd["ito"].id)).get_data(as_text=True)
    assert "極秘工業" in body and "隠れた課題" in body


def test_profile_view_holds_no_hidden_values(scoped, tenant, people, crowd):
    s = scoped(tenant)
    viewer = s.get(Member, people.member_member.id)
    view = profile_view(viewer, s.get(Member, crowd["ito"].id))
    assert view.groups == frozenset()
    assert repr(view).count("極秘") == 0 and view.offers == () and view.email == ""


# -- search, filters, order, pages ---------------------------------------------------------------

@pytest.mark.parametrize("query", ["阿部", "あべ", "アベ", "abe kimiko", "公開商事", "銀行",
                                   "金融", "公子", "キミコ", "阿部公子", "阿部 公子", "あべきみこ",
                                   "アベ キミコ"])
def test_search_by_name_kana_romaji_company_offer_industry(member_client, crowd, query):
    assert _names(_search(member_client, q=query)) == ["阿部 公子"]


def test_only_active_members_are_listed_sorted_by_reading(member_client, crowd):
    assert _names(_search(member_client)) == ["阿部 公子", "伊藤 秘子", "大家 一郎", "佐藤 花子",
                                              "鈴木 次郎", "田中 三郎"]


def test_guests_and_inactive_rows_have_no_profile_page_for_members(member_client,
                                                                   organizer_client, crowd):
    for key in ("guest", "gone"):
        assert member_client.get(show(crowd[key].id)).status_code == 404
        assert organizer_client.get(show(crowd[key].id)).status_code == 200


def test_engagement_level_filter(session, member_client, crowd):
    with unscoped(session):
        session.add(MemberEngagement(tenant_id=crowd["abe"].tenant_id,
                                     member_id=crowd["abe"].id, level=Level.REGULAR))
        session.add(MemberEngagement(tenant_id=crowd["ito"].tenant_id,
                                     member_id=crowd["ito"].id, level=Level.ONE_TIME))
    session.commit()
    assert _names(_search(member_client, level="regular")) == ["阿部 公子"]
    assert _names(_search(member_client, level="one_time")) == ["伊藤 秘子"]


def test_bad_filters_are_ignored_not_an_error(member_client, crowd):
    body = _search(member_client, industry="ZZ", level="nope", page="-3")
    assert "阿部 公子" in _names(body)


def test_pagination_and_constant_statement_count(app, session, scoped, tenant, member_client,
                                                 people):
    with count_statements(app) as small:
        _search(member_client)
    for n in range(40):
        factories.member(session, tenant, family_name="森", given_name=f"{n:02d}",
                         family_name_kana="モリ", given_name_kana=f"{n:02d}",
                         offer_1="紹介", company="会社")
    session.commit()
    with count_statements(app) as large:
        first = _search(member_client)
    assert len(large) == len(small), large.statements
    assert len(large) <= 8, large.statements
    second = _search(member_client, page=2)
    assert len(_names(first)) == 30
    assert len(_names(second)) == 44 - 30
    assert not set(_names(first)) & set(_names(second))
    assert _names(_search(member_client, page=9)) == _names(second)  # past the end: the last
    s = scoped(tenant)
    page = search_directory(s, s.get(Member, people.member_member.id), page=2)
    assert page.total == 44 and page.page == 2 and page.pages == 2


# -- tenant isolation -----------------------------------------------------------------------------

def test_another_communitys_member_is_404(session, other_tenant, member_client, people):
    foreign = factories.member(session, other_tenant, company="神戸の会社")
    session.commit()
    assert member_client.get(show(foreign.id)).status_code == 404
    assert member_client.get(show(people.other_owner_member.id)).status_code == 404


def test_a_member_of_another_community_never_sees_this_directory(login, people, crowd):
    c = login(people.other_owner)
    assert c.get(DIRECTORY).status_code == 403
    assert c.get(show(crowd["abe"].id)).status_code == 403
    own = c.get("/c/kobe-study/directory").get_data(as_text=True)
    assert _names(own) == ["高橋 四郎"]
    assert "公開商事" not in own
    assert c.get(show(crowd["abe"].id, "kobe-study")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, crowd):
    response = client.get(DIRECTORY)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_nameless_row_never_shows_its_hidden_email(session, tenant, member_client, people):
    row = factories.member(session, tenant, family_name="", given_name="",
                           family_name_kana="", given_name_kana="",
                           email="nameless-secret@example.jp",
                           contact_visibility=ProfileVisibility.ORGANIZERS)
    session.commit()
    assert "nameless-secret" not in _search(member_client)
    body = member_client.get(show(row.id)).get_data(as_text=True)
    assert "nameless-secret" not in body
    assert "(no name yet)" in body
