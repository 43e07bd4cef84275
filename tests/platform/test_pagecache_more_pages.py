"""The page cache on door search, the member list, dues members, a member's payments, the
portal home, the member directory and "My network" (issue 14): what each page shows is the same
kept or computed, a write shows at once, what follows the clock moves with it, another
community's organizer never gets a kept result (the same ids guessed), and on a member's own
pages another member never gets theirs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from joren.models import Attendance, AttendanceStatus, Role
from joren.platform.membership.models import ProfileVisibility
from joren.platform.tenancy import unscoped
from joren.tenants.meetups import views as meetup_views
from joren.tenants.meetups.checkin import views as checkin_views
from joren.tenants.members import views as member_views
from joren.tenants.members.profiles import views as profile_views
from joren.tenants.payments.dues import views as dues_views
from joren.tenants.relationships import services as ledger_services
from joren.tenants.relationships.models import ContactKind
from tests import factories
from tests.clock import today_in_tokyo
from tests.platform.pagecache_helpers import (
    TOKEN,
    counting,
    in_other_community,
    masked,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import days_ago, in_english, meetup
from tests.tenants.meetups.helpers_checkin import person, register
from tests.tenants.payments.stripe.dues_helpers import enable_dues, paid_dues
from tests.tenants.relationships.ledger_helpers import attended, past_meetup

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"





def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page))


# -- door search ------------------------------------------------------------------------------

@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    evening = meetup(session, tenant, "定例会")
    for given, kana in (("一郎", "イチロウ"), ("二郎", "ジロウ"), ("三郎", "サブロウ")):
        register(session, evening, person(session, tenant, "森山", given, "モリヤマ", kana,
                                          company=f"森山{given}商事"))
    session.commit()
    return evening


def _search(evening, query: str = "?q=森山") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/admin/meetups/{evening.id}/checkin/search{query}"


def test_door_search_is_the_same_kept_and_computed_once(app, monkeypatch, session, tenant,
                                                        organizer_client, staff_client, evening):
    other_evening = meetup(session, tenant, "別の会")
    session.commit()
    found = same_cached_and_not(app, organizer_client, _search(evening))
    assert found.count("data-member-id=") == 3 and "森山二郎商事" in found
    assert found.count('data-door-status="registered"') == 3
    # the forms carry each reader's own token, never the kept page's
    assert _tokens(found) == {"TOKEN"}
    mine = organizer_client.get(_search(evening)).get_data(as_text=True)
    staffs = staff_client.get(_search(evening)).get_data(as_text=True)
    assert TOKEN.sub("", mine) == TOKEN.sub("", staffs)
    assert _tokens(mine).isdisjoint(_tokens(staffs))
    # the list the script reloads after a check-in (no search) is kept too
    same_cached_and_not(app, organizer_client, _search(evening, ""))
    # the same search at another meetup: nobody is registered for that one
    other = same_cached_and_not(app, organizer_client, _search(other_evening))
    assert other.count('data-door-status="not_registered"') == 3
    computed = counting(monkeypatch, checkin_views, "_search_html")
    organizer_client.get(_search(evening))
    staff_client.get(_search(evening))
    organizer_client.get(_search(evening, ""))
    assert computed == []
    organizer_client.get(_search(evening, "?q=森山一"))
    assert computed == [1]  # a search never made before


def test_door_search_json_is_the_same_kept(app, organizer_client, evening):
    url = _search(evening, "?q=森山&format=json")
    app.config["PAGE_CACHE"] = False
    try:
        plain = organizer_client.get(url).get_json()
    finally:
        app.config["PAGE_CACHE"] = True
    assert plain == organizer_client.get(url).get_json() == organizer_client.get(url).get_json()
    assert sorted(r["name"] for r in plain["results"]) == ["森山 一郎", "森山 三郎", "森山 二郎"]
    assert not any(r["checked_in"] for r in plain["results"])


def test_door_search_shows_a_registration_and_a_check_in_at_once(app, session, tenant,
                                                                organizer_client, evening):
    json_url = _search(evening, "?q=森山&format=json")
    assert "森山 四郎" not in organizer_client.get(_search(evening)).get_data(as_text=True)
    organizer_client.get(json_url)
    newcomer = person(session, tenant, "森山", "四郎", "モリヤマ", "シロウ")
    register(session, evening, newcomer)
    session.commit()
    assert "森山 四郎" in same_cached_and_not(app, organizer_client, _search(evening))
    with unscoped(session):
        session.add(Attendance(tenant_id=tenant.id, meetup_id=evening.id,
                               member_id=newcomer.id, status=AttendanceStatus.PRESENT))
    session.commit()
    results = {r["name"]: r for r in organizer_client.get(json_url).get_json()["results"]}
    assert results["森山 四郎"]["checked_in"] and not results["森山 一郎"]["checked_in"]
    page = same_cached_and_not(app, organizer_client, _search(evening))
    assert 'data-door-status="checked_in"' in page


def test_door_search_is_never_another_communitys(login, session, organizer_client,
                                                 other_tenant, evening):
    assert "森山" in organizer_client.get(_search(evening)).get_data(as_text=True)
    organizer_client.get(_search(evening, "?q=森山&format=json"))
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(_search(evening)).status_code in (403, 404)
    for url in (_search(evening), _search(evening, "?q=森山&format=json")):
        guessed = intruder.get(in_other_community(url, other_tenant))
        assert guessed.status_code == 404
        assert "森山 一郎" not in guessed.get_data(as_text=True)
        assert "森山一郎商事" not in guessed.get_data(as_text=True)


# -- the member list --------------------------------------------------------------------------

@pytest.fixture()
def moriyamas(session, tenant, people):  # type: ignore[no-untyped-def]
    rows = [person(session, tenant, "森山", given, "モリヤマ", kana)
            for given, kana in (("一郎", "イチロウ"), ("二郎", "ジロウ"))]
    session.commit()
    return rows


INVITE = f'btn btn-primary btn-sm" href="/c/{SLUG}/admin/invitations"'  # "Invite people"


def _members(query: str = "?q=森山") -> str:
    return f"/c/{SLUG}/admin/members{query}"


def test_the_member_list_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                            staff_client, moriyamas):
    page = same_cached_and_not(app, organizer_client, _members())
    assert "森山 一郎" in page and "森山 二郎" in page and "大家" not in page
    assert INVITE in page
    staff = same_cached_and_not(app, staff_client, _members())
    assert "森山 一郎" in staff and INVITE not in staff  # staff may not invite
    everyone = same_cached_and_not(app, organizer_client, _members(""))
    assert "大家" in everyone and "森山 一郎" in everyone
    computed = counting(monkeypatch, member_views, "_list_body")
    organizer_client.get(_members())
    staff_client.get(_members())
    organizer_client.get(_members(""))
    assert computed == []
    organizer_client.get(_members("?q=森山&role=member"))
    assert computed == [1]  # filters never shown before


def test_the_member_list_shows_a_write_at_once(app, session, organizer_client, moriyamas):
    assert "森山 三郎" not in organizer_client.get(_members()).get_data(as_text=True)
    organizer_client.get(_members(""))
    moriyamas[0].given_name = "三郎"
    session.commit()
    page = same_cached_and_not(app, organizer_client, _members())
    assert "森山 三郎" in page and "森山 一郎" not in page
    assert "森山 三郎" in same_cached_and_not(app, organizer_client, _members(""))


def test_the_member_list_is_never_another_communitys(login, session, organizer_client,
                                                     other_tenant, moriyamas):
    assert "森山 一郎" in organizer_client.get(_members()).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(_members()).status_code in (403, 404)
    theirs = intruder.get(in_other_community(_members(), other_tenant))
    assert theirs.status_code == 200
    assert "森山 一郎" not in theirs.get_data(as_text=True)
    everyone = intruder.get(in_other_community(_members(""), other_tenant)).get_data(as_text=True)
    assert "神戸 侵入" in everyone and "森山 一郎" not in everyone and "大家" not in everyone


# -- dues members -----------------------------------------------------------------------------

DUES_MEMBERS = f"/c/{SLUG}/admin/payments/dues/members"


@pytest.fixture()
def dues_on(session, tenant, people):  # type: ignore[no-untyped-def]
    enable_dues(session, tenant)
    session.commit()


def _dues_state(page: str, member) -> str:  # type: ignore[no-untyped-def]
    found = re.search(rf'data-member-id="{member.id}" data-dues-state="([a-z_]+)"', page)
    assert found is not None
    return found.group(1)


def test_dues_members_are_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                          owner_client, people, dues_on):
    page = same_cached_and_not(app, organizer_client, DUES_MEMBERS)
    assert _dues_state(page, people.member_member) == "not_paid"
    same_cached_and_not(app, owner_client, DUES_MEMBERS)
    computed = counting(monkeypatch, dues_views, "render_template")
    organizer_client.get(DUES_MEMBERS)
    assert len(computed) == 1  # the page around the kept list only


def test_dues_members_show_a_payment_at_once_and_lapse_with_the_day(app, session, clock, login,
                                                                    organizer_client, people,
                                                                    dues_on):
    me = people.member_member
    assert _dues_state(organizer_client.get(DUES_MEMBERS).get_data(as_text=True), me) \
        == "not_paid"
    today = today_in_tokyo()
    paid_dues(session, me, today - timedelta(days=364), today)
    session.commit()
    page = same_cached_and_not(app, organizer_client, DUES_MEMBERS)
    assert _dues_state(page, me) == "paid" and today.strftime("%Y/%m/%d") in page
    clock.shift(days=1)  # paid through yesterday: lapsed today, nothing written
    organizer_client = login(people.organizer)  # (the first sign-in has been idle a day)
    assert _dues_state(same_cached_and_not(app, organizer_client, DUES_MEMBERS), me) == "lapsed"


def test_dues_members_are_never_another_communitys(login, session, organizer_client,
                                                   other_tenant, people, dues_on):
    assert "田中" in organizer_client.get(DUES_MEMBERS).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(DUES_MEMBERS).status_code in (403, 404)
    theirs = intruder.get(in_other_community(DUES_MEMBERS, other_tenant))
    assert theirs.status_code == 200
    body = theirs.get_data(as_text=True)
    assert "田中" not in body and f'data-member-id="{people.member_member.id}"' not in body


# -- a member's payments ----------------------------------------------------------------------

MY_PAYMENTS = f"/c/{SLUG}/payments"


def test_my_payments_are_the_same_kept_and_each_members_own(app, session, member_client,
                                                            owner_client, people):
    today = today_in_tokyo()
    paid_dues(session, people.member_member, today, today + timedelta(days=364), amount=12000)
    paid_dues(session, people.owner_member, today, today + timedelta(days=364), amount=34000)
    session.commit()
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):  # each reads the other's kept page's address: never gets it
        mine = same_cached_and_not(app, member_client, MY_PAYMENTS)
        assert "12,000" in mine and "34,000" not in mine
        owners = same_cached_and_not(app, owner_client, MY_PAYMENTS)
        assert "34,000" in owners and "12,000" not in owners


def test_my_payments_show_a_payment_at_once(app, session, member_client, people):
    assert "56,000" not in member_client.get(MY_PAYMENTS).get_data(as_text=True)
    today = today_in_tokyo()
    paid_dues(session, people.member_member, today, today + timedelta(days=364), amount=56000)
    session.commit()
    assert "56,000" in same_cached_and_not(app, member_client, MY_PAYMENTS)


def test_my_payments_are_never_another_communitys(login, session, member_client, other_tenant,
                                                  people):
    today = today_in_tokyo()
    paid_dues(session, people.member_member, today, today + timedelta(days=364), amount=12000)
    session.commit()
    assert "12,000" in member_client.get(MY_PAYMENTS).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert "12,000" not in intruder.get(MY_PAYMENTS).get_data(as_text=True)
    theirs = intruder.get(in_other_community(MY_PAYMENTS, other_tenant))
    assert theirs.status_code == 200 and "12,000" not in theirs.get_data(as_text=True)


# -- the portal home --------------------------------------------------------------------------

HOME = f"/c/{SLUG}/"


def test_the_home_page_is_the_same_kept_and_each_members_own(app, session, tenant, people,
                                                             member_client, owner_client):
    evening = meetup(session, tenant, "七月の定例会")
    register(session, evening, people.member_member)
    session.commit()
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, HOME)
        assert "Welcome, 田中 三郎." in mine and 'data-mine="going"' in mine
        owners = same_cached_and_not(app, owner_client, HOME)
        assert "Welcome, 大家 一郎." in owners and 'data-mine="going"' not in owners


def test_the_home_page_shows_a_registration_at_once(app, session, tenant, people,
                                                    member_client):
    evening = meetup(session, tenant, "七月の定例会")
    session.commit()
    assert 'data-mine="going"' not in member_client.get(HOME).get_data(as_text=True)
    register(session, evening, people.member_member)
    session.commit()
    assert 'data-mine="going"' in same_cached_and_not(app, member_client, HOME)


def test_the_home_page_follows_the_clock(app, session, clock, tenant, people, member_client):
    soon = meetup(session, tenant, "まもなく始まる会",
                  starts_at=clock.now() + timedelta(seconds=90))
    session.commit()
    assert "まもなく始まる会" in same_cached_and_not(app, member_client, HOME)
    clock.shift(minutes=2)  # it has started: no longer among the next meetups
    assert soon.title not in same_cached_and_not(app, member_client, HOME)


def test_the_home_page_is_never_another_communitys(login, session, tenant, other_tenant,
                                                   people, member_client):
    evening = meetup(session, tenant, "七月の定例会")
    register(session, evening, people.member_member)
    session.commit()
    assert "七月の定例会" in member_client.get(HOME).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    theirs = intruder.get(in_other_community(HOME, other_tenant)).get_data(as_text=True)
    assert "神戸 侵入" in theirs and "七月の定例会" not in theirs and "田中" not in theirs
    # our address shows them our public page at most, never the member's kept home page
    ours = intruder.get(HOME).get_data(as_text=True)
    assert "田中" not in ours and 'data-section="mine"' not in ours


# -- the member directory ---------------------------------------------------------------------

def _directory(query: str = "") -> str:
    return f"/c/{SLUG}/directory{query}"


@pytest.fixture()
def reserved(session, tenant, people):  # type: ignore[no-untyped-def]
    """The member (田中) keeps their company to the organizers; another member reads the
    directory too."""
    me = people.member_member
    me.company = "極秘工業"
    me.work_visibility = ProfileVisibility.ORGANIZERS
    account = factories.account(session, email="neighbour@example.jp")
    factories.member(session, tenant, account=account, family_name="近藤", given_name="隣",
                     family_name_kana="コンドウ", given_name_kana="トナリ")
    session.commit()
    return account


def test_the_directory_shows_its_reader_their_own_row_and_nobody_else(app, login, people,
                                                                      member_client,
                                                                      organizer_client,
                                                                      reserved):
    neighbour = login(reserved)
    for _ in range(2):  # kept pages read in turn: each reader still gets their own
        theirs = same_cached_and_not(app, neighbour, _directory())
        assert "田中 三郎" in theirs and "極秘工業" not in theirs
        mine = same_cached_and_not(app, member_client, _directory())
        assert "田中 三郎" in mine and "極秘工業" in mine
        searched = same_cached_and_not(app, neighbour, _directory("?q=田中"))
        assert "田中 三郎" in searched and "極秘工業" not in searched
        assert "極秘工業" in same_cached_and_not(app, member_client, _directory("?q=田中"))
        assert "極秘工業" in same_cached_and_not(app, organizer_client, _directory("?q=田中"))


def test_the_directory_is_shared_by_members_it_does_not_list(app, monkeypatch, login, session,
                                                             tenant, reserved):
    neighbour = login(reserved)
    third = factories.account(session, email="third@example.jp")
    factories.member(session, tenant, account=third, family_name="三好", given_name="三")
    abe = factories.member(session, tenant, family_name="阿部", given_name="公子",
                           family_name_kana="アベ", given_name_kana="キミコ", company="公開商事",
                           work_visibility=ProfileVisibility.MEMBERS)
    session.commit()
    page = same_cached_and_not(app, neighbour, _directory("?q=阿部"))
    assert "阿部 公子" in page and "公開商事" in page
    computed = counting(monkeypatch, profile_views, "_directory_body")
    assert masked(login(third).get(_directory("?q=阿部"))) == page
    assert computed == []  # another member of the same role: the same kept page
    abe.company = "公開物産"
    session.commit()
    assert "公開物産" in same_cached_and_not(app, login(third), _directory("?q=阿部"))


def test_the_directory_is_never_another_communitys(login, session, other_tenant, member_client,
                                                   reserved):
    assert "田中 三郎" in member_client.get(_directory()).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert intruder.get(_directory()).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(_directory(), other_tenant))
    assert theirs.status_code == 200
    body = theirs.get_data(as_text=True)
    assert "神戸 侵入" in body and "田中" not in body and "極秘工業" not in body


# -- my network -------------------------------------------------------------------------------

NETWORK = f"/c/{SLUG}/network"


@pytest.fixture()
def networks(session, scoped, tenant, people):  # type: ignore[no-untyped-def]
    """The member met 阿部 at a recent meetup; the owner met 上田."""
    abe = factories.member(session, tenant, family_name="阿部", given_name="公子")
    ueda = factories.member(session, tenant, family_name="上田", given_name="客人")
    evening = past_meetup(session, tenant, 5)
    attended(session, evening, people.member_member, abe)
    other_evening = past_meetup(session, tenant, 6)
    attended(session, other_evening, people.owner_member, ueda)
    session.commit()
    s = scoped(tenant)
    ledger_services.rebuild(s)
    s.commit()
    return abe, ueda


def test_my_network_is_the_same_kept_and_each_members_own(app, member_client, owner_client,
                                                          networks):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, NETWORK)
        assert "阿部 公子" in mine and "上田 客人" not in mine
        owners = same_cached_and_not(app, owner_client, NETWORK)
        assert "上田 客人" in owners and "阿部 公子" not in owners
        # each "log a contact" form comes back to the address it was on
        asked = same_cached_and_not(app, member_client, NETWORK + "?from=mail")
        assert 'name="next" value="/c/osaka-mixer/network?from=mail"' in asked
        assert 'name="next" value="/c/osaka-mixer/network"' not in asked


def test_my_network_shows_a_contact_at_once(app, scoped, tenant, people, member_client,
                                            networks):
    abe, _ueda = networks
    assert "1 of 5–7" not in in_english(member_client).get(NETWORK).get_data(as_text=True)
    s = scoped(tenant)
    ledger_services.log_contact(s, people.member_member.id, abe.id, ContactKind.TALKED)
    s.commit()
    assert "1 of 5–7" in same_cached_and_not(app, member_client, NETWORK)


def test_my_network_is_never_another_communitys(login, session, other_tenant, member_client,
                                                networks):
    assert "阿部 公子" in member_client.get(NETWORK).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert intruder.get(NETWORK).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(NETWORK, other_tenant))
    assert theirs.status_code == 200 and "阿部" not in theirs.get_data(as_text=True)


# -- the console's meetups ------------------------------------------------------------------

MEETUPS = f"/c/{SLUG}/admin/meetups"
NEW_SERIES = f'href="/c/{SLUG}/admin/meetups/series/new"'


def _upcoming_part(page: str) -> str:
    """The page up to the past meetups' heading (the upcoming ones)."""
    return page.split('<h2 class="h5">', 2)[1]


def test_the_meetups_list_is_the_same_kept_and_computed_once(app, monkeypatch, session, tenant,
                                                             organizer_client, staff_client,
                                                             people):
    meetup(session, tenant, "七月の定例会")
    meetup(session, tenant, "六月の定例会", starts_at=days_ago(30))
    session.commit()
    page = same_cached_and_not(app, organizer_client, MEETUPS)
    assert "七月の定例会" in _upcoming_part(page) and "六月の定例会" in page
    assert NEW_SERIES in page
    staff = same_cached_and_not(app, staff_client, MEETUPS)
    assert "七月の定例会" in staff and NEW_SERIES not in staff  # staff may not create
    computed = counting(monkeypatch, meetup_views, "meetups_with_counts")
    organizer_client.get(MEETUPS)
    staff_client.get(MEETUPS)
    assert computed == []
    organizer_client.get(MEETUPS + "?page=2")
    assert len(computed) == 2  # a page never shown before: upcoming and past


def test_the_meetups_list_shows_a_write_at_once_and_follows_the_clock(app, session, clock,
                                                                      tenant, organizer_client,
                                                                      people):
    assert "八月の定例会" not in organizer_client.get(MEETUPS).get_data(as_text=True)
    meetup(session, tenant, "八月の定例会", starts_at=clock.now() + timedelta(seconds=90))
    session.commit()
    page = same_cached_and_not(app, organizer_client, MEETUPS)
    assert "八月の定例会" in _upcoming_part(page)
    clock.shift(minutes=2)  # it has started: among the past meetups now
    page = same_cached_and_not(app, organizer_client, MEETUPS)
    assert "八月の定例会" in page and "八月の定例会" not in _upcoming_part(page)


def test_the_meetups_list_is_never_another_communitys(login, session, tenant, other_tenant,
                                                      organizer_client, people):
    meetup(session, tenant, "七月の定例会")
    session.commit()
    assert "七月の定例会" in organizer_client.get(MEETUPS).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(MEETUPS).status_code in (403, 404)
    theirs = intruder.get(in_other_community(MEETUPS, other_tenant))
    assert theirs.status_code == 200 and "七月の定例会" not in theirs.get_data(as_text=True)
