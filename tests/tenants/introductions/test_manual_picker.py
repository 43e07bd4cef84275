"""The review queue's "introduce two members yourself" form: the search-as-you-type JSON
list, the typed text resolved without JavaScript (one match, an email, several to pick from,
none), another community's members never found or used, and the queue in pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select

from joren.models import Member, MemberStatus, Role
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.introductions.queue import PER_PAGE as QUEUE_PER_PAGE
from tests.tenants.helpers import count_statements, in_english
from tests.tenants.introductions.intro_support import person
from tests.tenants.meetups.helpers_checkin import person as named

pytestmark = pytest.mark.usefixtures("clock")

QUEUE = "/c/{slug}/admin/introductions"


def _url(tenant, path: str = "") -> str:  # type: ignore[no-untyped-def]
    return QUEUE.format(slug=tenant.slug) + path


@pytest.fixture()
def folks(session, tenant, other_tenant, people):  # type: ignore[no-untyped-def]
    rows = {
        "sato": named(session, tenant, "佐藤", "太郎", "サトウ", "タロウ", company="大阪テック",
                      email="taro@example.jp"),
        "sato2": named(session, tenant, "佐藤", "花子", "サトウ", "ハナコ",
                       email="hana@example.jp"),
        "kimura": named(session, tenant, "木村", "誠", "キムラ", "マコト",
                        email="kimura@example.jp"),
        "noemail": named(session, tenant, "木村", "無", "キムラ", "ナシ", email=None),
        "gone": named(session, tenant, "木村", "退会", "キムラ", "タイカイ",
                      email="gone@example.jp", status=MemberStatus.INACTIVE),
        "kobe": named(session, other_tenant, "木村", "神戸", "キムラ", "コウベ",
                      email="kobe@example.jp", company="神戸の秘密商事"),
    }
    session.commit()
    return rows


def _search(client, tenant, q: str) -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get(_url(tenant, "/members"), query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()["results"]


def _made(session, tenant) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return [(i.member_low_id, i.member_high_id) for i in session.scalars(
            select(Introduction).where(Introduction.tenant_id == tenant.id,
                                       Introduction.source == IntroductionSource.ORGANIZER))]


def test_search_as_you_type_lists_who_can_be_introduced(organizer_client, tenant, folks):
    results = _search(organizer_client, tenant, "きむら")
    assert [r["id"] for r in results] == [folks["kimura"].id]  # not inactive, not without email
    assert results[0]["label"] == "木村 誠" and results[0]["reading"] == "キムラ マコト"
    found = [r["id"] for r in _search(organizer_client, tenant, "satou")]
    assert found.index(folks["sato"].id) < found.index(folks["sato2"].id)  # タロウ, ハナコ
    assert _search(organizer_client, tenant, "taro@example.jp")[0]["id"] == folks["sato"].id
    assert _search(organizer_client, tenant, "") == []
    assert _search(organizer_client, tenant, "%") == []
    assert _search(organizer_client, tenant, "x" * 5000) == []


def test_search_never_returns_another_communitys_members(organizer_client, tenant, folks):
    for q in ("神戸", "kobe@example.jp", "コウベ", "秘密"):
        assert _search(organizer_client, tenant, q) == []
    assert folks["kobe"].id not in [r["id"] for r in _search(organizer_client, tenant, "木村")]


def test_only_introduction_managers_search(member_client, staff_client, outsider_client,
                                           tenant, folks):
    for client in (member_client, staff_client):
        assert client.get(_url(tenant, "/members"), query_string={"q": "木村"}).status_code == 403
    assert outsider_client.get(_url(tenant, "/members"),
                               query_string={"q": "木村"}).status_code in (403, 404)


def test_typed_names_and_emails_are_resolved_without_javascript(organizer_client, session,
                                                                 tenant, folks):
    c = in_english(organizer_client)
    done = c.post(_url(tenant, "/new"), data={"manual-member_a_query": "木村 誠",
                                              "manual-member_b_query": "hana@example.jp",
                                              "manual-message": "ぜひ"}, follow_redirects=True)
    assert "added to the queue" in done.get_data(as_text=True)
    pair = tuple(sorted((folks["kimura"].id, folks["sato2"].id)))
    assert _made(session, tenant) == [pair]


def test_several_matches_ask_to_pick_then_the_pick_is_used(organizer_client, session, tenant,
                                                           folks):
    c = in_english(organizer_client)
    page = c.post(_url(tenant, "/new"), data={"manual-member_a_query": "佐藤",
                                              "manual-member_b_query": "kimura",
                                              "manual-message": "近所です"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Several members match “佐藤”" in html
    radios = re.findall(r'type="radio" name="manual-member_a" id="[^"]+" value="(\d+)"', html)
    assert {folks["sato"].id, folks["sato2"].id} <= set(map(int, radios))
    assert f'name="manual-member_b" value="{folks["kimura"].id}"' in html  # already resolved
    assert "近所です" in html and _made(session, tenant) == []
    done = c.post(_url(tenant, "/new"), data={
        "manual-member_a": str(folks["sato"].id), "manual-member_a_query": "佐藤",
        "manual-member_b": str(folks["kimura"].id), "manual-message": "近所です"},
        follow_redirects=True)
    assert "added to the queue" in done.get_data(as_text=True)
    assert _made(session, tenant) == [tuple(sorted((folks["sato"].id, folks["kimura"].id)))]


def test_no_match_empty_and_the_same_member_twice_are_refused(organizer_client, session, tenant,
                                                              folks):
    c = in_english(organizer_client)
    none = c.post(_url(tenant, "/new"), data={"manual-member_a_query": "存在しない",
                                              "manual-member_b_query": "kimura"},
                  follow_redirects=True).get_data(as_text=True)
    assert "No member matches “存在しない”." in none
    empty = c.post(_url(tenant, "/new"), data={}, follow_redirects=True).get_data(as_text=True)
    assert "Type a name or an email address for both members." in empty
    twice = c.post(_url(tenant, "/new"), data={"manual-member_a_query": "kimura",
                                               "manual-member_b_query": "木村 誠"},
                   follow_redirects=True).get_data(as_text=True)
    assert "Choose two different members." in twice
    assert _made(session, tenant) == []


def test_another_communitys_member_cannot_be_introduced(organizer_client, session, tenant,
                                                        folks):
    c = in_english(organizer_client)
    response = c.post(_url(tenant, "/new"), data={
        "manual-member_a": str(folks["kobe"].id), "manual-member_a_query": "",
        "manual-member_b": str(folks["kimura"].id)}, follow_redirects=True)
    assert "Type a name or an email address for both members." in response.get_data(as_text=True)
    assert _made(session, tenant) == []
    # the foreign id is ignored: the typed 木村 means this community's only 木村 who can be
    # introduced
    c.post(_url(tenant, "/new"), data={
        "manual-member_a": str(folks["kobe"].id), "manual-member_a_query": "木村",
        "manual-member_b": str(folks["sato"].id)})
    assert _made(session, tenant) == [tuple(sorted((folks["sato"].id, folks["kimura"].id)))]


def _suggestions(session, tenant, count: int) -> None:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.execute(insert(Member), [
            {"tenant_id": tenant.id, "email": f"bulk{n}@example.jp", "family_name": "会員",
             "given_name": str(n), "role": Role.MEMBER.value,
             "status": MemberStatus.MEMBER.value} for n in range(2 * count)])
        ids = session.scalars(select(Member.id).where(Member.email.like("bulk%"))
                              .order_by(Member.id)).all()
        session.execute(insert(Introduction), [
            {"tenant_id": tenant.id, "member_low_id": a, "member_high_id": b,
             "source": IntroductionSource.ENGINE.value, "score": 1 - n / 1000,
             "status": IntroductionStatus.SUGGESTED.value, "reasons": [], "message": "",
             "request_note": ""} for n, (a, b) in enumerate(zip(ids[::2], ids[1::2],
                                                                 strict=True))])
    session.commit()


def test_the_queue_comes_in_pages_and_never_lists_every_member(app, organizer_client, session,
                                                               tenant, people):
    person(session, tenant, email="x@example.jp", family_name="ひとり")
    session.commit()
    _suggestions(session, tenant, QUEUE_PER_PAGE + 1)
    c = in_english(organizer_client)
    first = c.get(_url(tenant)).get_data(as_text=True)
    assert first.count('<article class="card mb-3 queue-card" id="introduction-') == QUEUE_PER_PAGE
    assert f"{QUEUE_PER_PAGE + 1} suggestions are waiting" in first
    manual = first.split('id="manual-title"')[1]
    assert "1 / 2" in first and "<option" not in manual  # no member list in the page
    assert "ひとり" not in first
    second = c.get(_url(tenant), query_string={"page": "2"}).get_data(as_text=True)
    assert second.count('<article class="card mb-3 queue-card" id="introduction-') == 1
    for page in ("99", "-1", "x"):
        assert c.get(_url(tenant), query_string={"page": page}).status_code == 200
    with count_statements(app) as counter:
        assert c.get(_url(tenant)).status_code == 200
    assert len(counter) <= 10
