"""The door of a big meetup: search first, then the people checked in last and one page of the
list in reading order, with the counts over everyone; the script's refresh keeps the page on
screen; nothing of another community."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from joren.models import Role
from joren.platform.db import utcnow
from joren.tenants.meetups.checkin import lists
from tests import factories
from tests.tenants.helpers import count_statements, in_english, meetup
from tests.tenants.meetups.helpers_checkin import person, register

pytestmark = pytest.mark.usefixtures("clock")

KANA = ["ア", "イ", "ウ", "エ", "オ", "カ", "キ"]


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=10))


@pytest.fixture()
def line(session, tenant, evening, monkeypatch):  # type: ignore[no-untyped-def]
    """Seven going, created out of reading order; the door shows three a page."""
    monkeypatch.setattr(lists, "DOOR_PER_PAGE", 3)
    made = {}
    for kana in reversed(KANA):
        made[kana] = person(session, tenant, f"苗字{kana}", "太郎", f"{kana}ノ", "タロウ",
                            company=f"{kana}商事")
        register(session, evening, made[kana])
    session.commit()
    return [made[k].id for k in KANA]  # in reading order


def _url(tenant, evening, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{evening.id}/checkin{suffix}"


def _listed(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="list-group-item [^"]*" data-member-id="(\d+)"',
                                       html)]


def _recent(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-recent-member-id="(\d+)"', html)]


def test_the_door_shows_a_page_of_the_list_with_the_counts_over_everyone(
        staff_client, tenant, evening, line):
    first = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert _listed(first) == line[:3]
    assert re.search(r"data-checked-in-count>0<.*data-going-count>7<", first, re.S)
    assert 'data-pages="3"' in first and "page=2" in first
    with in_english(staff_client):
        english = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert "7 people on the list. Search to find someone quickly." in english
    assert _listed(staff_client.get(_url(tenant, evening), query_string={"page": 3})
                   .get_data(as_text=True)) == line[6:]
    # past the end: the last page; not a number: the first
    assert _listed(staff_client.get(_url(tenant, evening), query_string={"page": 99})
                   .get_data(as_text=True)) == line[6:]
    assert _listed(staff_client.get(_url(tenant, evening), query_string={"page": "x"})
                   .get_data(as_text=True)) == line[:3]


def test_search_finds_people_beyond_the_first_page_and_has_no_pager(
        staff_client, tenant, evening, line):
    for query in ("キノ", "きの", "kino", "苗字キ", "キ商事"):
        html = staff_client.get(_url(tenant, evening), query_string={"q": query}
                                ).get_data(as_text=True)
        assert _listed(html) == [line[6]], query
        assert "data-pages" not in html
        html = staff_client.get(_url(tenant, evening, "/search"), query_string={"q": query}
                                ).get_data(as_text=True)
        assert _listed(html) == [line[6]], query


def test_people_checked_in_last_come_first_and_the_refresh_keeps_the_page(
        staff_client, clock, tenant, evening, line):
    for member_id in (line[5], line[0], line[6]):
        reply = staff_client.post(_url(tenant, evening, "/check-in"),
                                  data={"member_id": member_id},
                                  headers={"Accept": "application/json"})
        assert reply.get_json()["checked_in"] >= 1
        clock.shift(minutes=1)
    html = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert _recent(html) == [line[6], line[0], line[5]]
    assert re.search(r"data-checked-in-count>3<.*data-going-count>7<", html, re.S)
    # the script's refresh after a tap: the page on screen, with the same people checked in last
    refresh = staff_client.get(_url(tenant, evening, "/search"),
                               query_string={"q": "", "page": 2}).get_data(as_text=True)
    assert _listed(refresh) == line[3:6]
    assert _recent(refresh) == [line[6], line[0], line[5]]
    assert 'data-page="2"' in refresh
    # a search shows its matches only
    searched = staff_client.get(_url(tenant, evening), query_string={"q": "アノ"}
                                ).get_data(as_text=True)
    assert _recent(searched) == [] and _listed(searched) == [line[0]]


def test_the_door_costs_the_same_statements_with_a_longer_line(
        app, session, staff_client, tenant, evening, line):
    staff_client.get(_url(tenant, evening))  # warm up (session, language)
    with count_statements(app) as few:
        assert staff_client.get(_url(tenant, evening)).status_code == 200
    for n in range(30):
        register(session, evening, person(session, tenant, "大勢", f"{n}", "ン", f"ヒト{n}"))
    session.commit()
    for member_id in line:
        staff_client.post(_url(tenant, evening, "/check-in"), data={"member_id": member_id})
    with count_statements(app) as many:
        html = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert len(_listed(html)) == 3 and len(_recent(html)) == lists.RECENT_CHECK_INS
    assert len(many) == len(few), many.statements


def test_another_communitys_door_is_404(login, session, other_tenant, tenant, evening, line):
    stranger = factories.account(session, "stranger-door@example.jp")
    factories.member(session, other_tenant, stranger, Role.OWNER)
    session.commit()
    client = login(stranger)
    for suffix in ("", "/search"):
        assert client.get(f"/c/{other_tenant.slug}/admin/meetups/{evening.id}/checkin{suffix}",
                          query_string={"page": 2}).status_code == 404
