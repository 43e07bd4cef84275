"""Door search for the people going: mid-word matches (among those going or in the register,
see lists.py), romaji with or without spaces, hiragana and katakana alike, full-width letters,
LIKE wildcards taken literally, inactive members left out, and another community's members
never returned. Walk-ins (found by prefix, through indexes): test_door_prefix_search.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from joren.models import MemberStatus
from joren.platform.db import utcnow
from joren.tenants.meetups.checkin import lists
from tests.tenants.helpers import attend, meetup
from tests.tenants.meetups.helpers_checkin import person, register

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=10))


@pytest.fixture()
def folks(session, tenant, other_tenant, evening):  # type: ignore[no-untyped-def]
    rows = {
        "sato": person(session, tenant, "佐藤", "太郎", "サトウ", "タロウ", company="大阪テック"),
        "sakura": person(session, tenant, "木村", "さくら", "キムラ", "サクラ"),
        "smith": person(session, tenant, "Smith", "Anna", "スミス", "アンナ",
                        company="Smith & Sons"),
        "percent": person(session, tenant, "百", "パーセント", "ヒャク", "パーセント",
                          company="100%商事"),
        "gone": person(session, tenant, "佐藤", "退会", "サトウ", "タイカイ",
                       status=MemberStatus.INACTIVE),
        "gone_but_came": person(session, tenant, "佐藤", "来場", "サトウ", "ライジョウ",
                                status=MemberStatus.INACTIVE),
        # the same name in another community: never found from this one
        "kobe_sato": person(session, other_tenant, "佐藤", "太郎", "サトウ", "タロウ",
                            company="神戸テック"),
    }
    for going in ("sato", "sakura", "smith", "percent"):
        register(session, evening, rows[going])
    attend(session, evening, rows["gone_but_came"])
    session.commit()
    return rows


def _found(client, tenant, evening, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    html = client.get(f"/c/{tenant.slug}/admin/meetups/{evening.id}/checkin/search",
                      query_string={"q": query}).get_data(as_text=True)
    return [int(x) for x in re.findall(r'data-member-id="(\d+)"', html)]


@pytest.mark.parametrize(("query", "who"), [
    ("藤太", "sato"),             # mid-word, across family and given name
    ("佐藤 太郎", "sato"),        # with the space people type
    ("satotarou", "sato"),        # romaji without the space
    ("tarou sato", "sato"),       # given name first
    ("ＳＡＴＯ　ＴＡＲＯ", "sato"),  # full-width letters and space
    ("さとうたろう", "sato"),     # hiragana finds the katakana reading
    ("ｻﾄｳ", "sato"),              # half-width katakana
    ("テック", "sato"),           # the company, mid-word
    ("サクラ", "sakura"),         # katakana finds a given name written in hiragana
    ("smith & s", "smith"),
    ("smith anna", "smith"),
    ("sumisu", "smith"),          # romaji of the reading
    ("100%", "percent"),
])
def test_search_forms(staff_client, tenant, evening, folks, query, who):
    assert folks[who].id in _found(staff_client, tenant, evening, query)


def test_wildcards_are_literal(staff_client, tenant, evening, folks):
    assert _found(staff_client, tenant, evening, "%") == [folks["percent"].id]
    assert _found(staff_client, tenant, evening, "_") == []


def test_inactive_members_only_when_recorded_and_never_another_community(
        staff_client, session, tenant, evening, folks):
    found = _found(staff_client, tenant, evening, "佐藤")
    assert folks["sato"].id in found and folks["gone_but_came"].id in found
    assert folks["gone"].id not in found
    assert folks["kobe_sato"].id not in found
    assert folks["kobe_sato"].id not in _found(staff_client, tenant, evening, "神戸")
    data = staff_client.get(f"/c/{tenant.slug}/admin/meetups/{evening.id}/checkin/search",
                            query_string={"q": "satou tarou", "format": "json"}).get_json()
    assert [r["member_id"] for r in data["results"]] == [folks["sato"].id]


def test_the_service_is_scoped_to_the_session_community(scoped, tenant, other_tenant, session,
                                                        evening, folks):
    s = scoped(tenant)
    ids = {row.member.id for row in lists.door_list(s, s.merge(evening), "佐藤太郎")}
    assert ids == {folks["sato"].id}
    theirs = meetup(session, other_tenant, "神戸の会")
    session.commit()
    o = scoped(other_tenant)
    ids = {row.member.id for row in lists.door_list(o, o.merge(theirs), "佐藤太郎")}
    assert ids == {folks["kobe_sato"].id}
