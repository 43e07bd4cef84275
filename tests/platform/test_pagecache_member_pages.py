"""The page cache on a member's engagement, the invitations, a guest's profile form, the public
community page, a meetup in the portal, my profile, a new journal note and my attendance
(issue 14): what each page shows is the same kept or
computed, a write shows at once, what follows the clock moves with it, another community's
organizer never gets a kept result (the same ids guessed), and another member never gets a
member's own page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import Invitation, MemberStatus, Role
from joren.platform.tenancy import unscoped
from joren.tenants.engagement import views as engagement_views
from joren.tenants.meetups import views as meetup_views
from joren.tenants.members import views as member_views
from joren.tenants.members.profiles import views as profile_views
from joren.tenants.portal import views as portal_views
from joren.tenants.relationships.habits import views as habits_views
from joren.tenants.relationships.journal import EVENINGS_AHEAD
from joren.tenants.relationships.models import MeetupGives
from tests import factories
from tests.platform.pagecache_helpers import (
    counting,
    in_other_community,
    masked,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.engagement.helpers import past_meetups, record
from tests.tenants.helpers import days_ago, in_english, meetup
from tests.tenants.meetups.helpers_checkin import register

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"





# -- a member's engagement (console) ---------------------------------------------------------

def _engagement(member) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/admin/engagement/members/{member.id}"


@pytest.fixture()
def histories(session, tenant, people):  # type: ignore[no-untyped-def]
    """The member came to 第1回 and 第3回; the owner to 第2回 only."""
    rows = past_meetups(session, tenant, 3, now=days_ago(0))
    record(session, rows, people.member_member, "x.x")
    record(session, rows, people.owner_member, ".x.")
    session.commit()
    return rows


def _history(page: str) -> str:
    return page.split('id="attendance-history"', 1)[1]


def test_a_members_engagement_is_the_same_kept_and_each_members_own(app, monkeypatch,
                                                                    organizer_client, people,
                                                                    histories):
    for _ in range(2):  # kept pages read in turn: each member's page is still their own
        mine = same_cached_and_not(app, organizer_client, _engagement(people.member_member))
        assert "田中 三郎" in mine and "第1回" in _history(mine) and "第2回" not in _history(mine)
        owners = same_cached_and_not(app, organizer_client, _engagement(people.owner_member))
        assert "大家 一郎" in owners and "第2回" in _history(owners)
        assert "第1回" not in _history(owners)
    computed = counting(monkeypatch, engagement_views, "render_template")
    organizer_client.get(_engagement(people.member_member))
    assert len(computed) == 1  # the page around the kept body only


def test_a_members_engagement_shows_attendance_at_once_and_follows_the_clock(
        app, session, clock, tenant, organizer_client, people, histories):
    url = _engagement(people.member_member)
    assert "第4回" not in organizer_client.get(url).get_data(as_text=True)
    soon = meetup(session, tenant, "第4回", starts_at=clock.now() + timedelta(seconds=90))
    register(session, soon, people.member_member)
    session.commit()
    assert "第4回" not in same_cached_and_not(app, organizer_client, url)
    clock.shift(minutes=2)  # it has begun: in the history now, nothing written
    assert "第4回" in _history(same_cached_and_not(app, organizer_client, url))
    record(session, histories, people.member_member, ".x.")
    session.commit()
    page = same_cached_and_not(app, organizer_client, url)
    assert page.count('text-bg-success') == 3  # 第1回, 第2回 and 第3回 attended


def test_a_members_engagement_is_never_another_communitys(login, session, organizer_client,
                                                          other_tenant, people, histories):
    url = _engagement(people.member_member)
    assert "第1回" in organizer_client.get(url).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(url).status_code in (403, 404)
    guessed = intruder.get(in_other_community(url, other_tenant))
    assert guessed.status_code == 404 and "田中" not in guessed.get_data(as_text=True)


# -- the invitations ---------------------------------------------------------------------------

INVITATIONS = f"/c/{SLUG}/admin/invitations"
RESEND = "/invitations/{}/resend"


@pytest.fixture()
def invited(session, owner_client):  # type: ignore[no-untyped-def]
    assert owner_client.post(INVITATIONS + "/new", data={
        "emails": "mori@example.jp", "role": "member"}).status_code == 302
    with unscoped(session):
        return session.scalar(select(Invitation).where(Invitation.email == "mori@example.jp"))


def test_the_invitations_are_the_same_kept_and_shown_by_role(app, monkeypatch, organizer_client,
                                                             staff_client, invited):
    page = same_cached_and_not(app, organizer_client, INVITATIONS)
    assert "mori@example.jp" in page and RESEND.format(invited.id) in page
    staff = same_cached_and_not(app, staff_client, INVITATIONS)
    assert "mori@example.jp" in staff and RESEND.format(invited.id) not in staff
    computed = counting(monkeypatch, member_views, "_invitations_list")
    organizer_client.get(INVITATIONS)
    staff_client.get(INVITATIONS)
    assert computed == []


def test_the_invitations_show_a_revocation_at_once_and_expire_with_the_clock(
        app, session, clock, login, people, organizer_client, invited):
    organizer_client = in_english(organizer_client)
    assert "Pending" in same_cached_and_not(app, organizer_client, INVITATIONS)
    clock.shift(invited.expires_at - clock.now() + timedelta(seconds=1))
    # (the first sign-ins have been idle since)
    organizer_client, owner_client = in_english(login(people.organizer)), login(people.owner)
    page = same_cached_and_not(app, organizer_client, INVITATIONS)  # nothing written
    assert "Expired" in page and "Pending" not in page
    assert RESEND.format(invited.id) in page
    assert owner_client.post(f"{INVITATIONS}/{invited.id}/revoke").status_code == 302
    page = same_cached_and_not(app, organizer_client, INVITATIONS)
    assert "Revoked" in page and RESEND.format(invited.id) not in page


def test_the_invitations_are_never_another_communitys(login, session, organizer_client,
                                                      other_tenant, invited):
    assert "mori@example.jp" in organizer_client.get(INVITATIONS).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    theirs = intruder.get(in_other_community(INVITATIONS, other_tenant))
    assert theirs.status_code == 200 and "mori@example.jp" not in theirs.get_data(as_text=True)


# -- a guest's profile form (console) ----------------------------------------------------------

def _profile_form(member) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/admin/members/{member.id}/profile"


@pytest.fixture()
def guests(session, tenant, people):  # type: ignore[no-untyped-def]
    rows = [factories.member(session, tenant, status=MemberStatus.GUEST, family_name=family,
                             given_name="客", company=company)
            for family, company in (("森", "森林業"), ("林", "林商店"))]
    session.commit()
    return rows


def test_a_guests_profile_form_is_the_same_kept_and_each_guests_own(app, monkeypatch,
                                                                    organizer_client, guests):
    for _ in range(2):
        first = same_cached_and_not(app, organizer_client, _profile_form(guests[0]))
        assert 'value="森林業"' in first and "林商店" not in first
        second = same_cached_and_not(app, organizer_client, _profile_form(guests[1]))
        assert 'value="林商店"' in second and "森林業" not in second
    computed = counting(monkeypatch, profile_views, "_console_edit_body")
    organizer_client.get(_profile_form(guests[0]))
    assert computed == []


def test_a_guests_profile_form_shows_a_save_at_once(app, session, organizer_client, guests):
    url = _profile_form(guests[0])
    assert 'value="森林業"' in organizer_client.get(url).get_data(as_text=True)
    guests[0].company = "森物産"
    session.commit()
    page = same_cached_and_not(app, organizer_client, url)
    assert 'value="森物産"' in page and "森林業" not in page


def test_a_refused_profile_shows_what_was_typed_not_the_kept_form(app, organizer_client, guests):
    url = _profile_form(guests[0])
    organizer_client.get(url)
    refused = organizer_client.post(url, data={"company": "森" * 500, "family_name": "森"})
    assert refused.status_code == 422 and "森" * 500 in refused.get_data(as_text=True)
    assert 'value="森林業"' in masked(organizer_client.get(url))


def test_a_guests_profile_form_is_never_another_communitys(login, session, organizer_client,
                                                           other_tenant, guests):
    url = _profile_form(guests[0])
    assert "森林業" in organizer_client.get(url).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(url).status_code in (403, 404)
    guessed = intruder.get(in_other_community(url, other_tenant))
    assert guessed.status_code == 404 and "森林業" not in guessed.get_data(as_text=True)


# -- the community's public page (about) -----------------------------------------------------

ABOUT = f"/c/{SLUG}/about"


@pytest.fixture()
def public(session, tenant):  # type: ignore[no-untyped-def]
    tenant.is_public = True
    session.commit()


def test_the_public_page_is_the_same_kept_for_everyone(app, monkeypatch, client, member_client,
                                                       session, tenant, public):
    meetup(session, tenant, "公開の定例会", is_public=True)
    meetup(session, tenant, "内輪の定例会", is_public=False)
    session.commit()
    for reader in (member_client, client):
        page = same_cached_and_not(app, reader, ABOUT)
        assert "公開の定例会" in page and "内輪の定例会" not in page
    computed = counting(monkeypatch, portal_views, "_public_upcoming")
    member_client.get(ABOUT)
    client.get(ABOUT)
    assert computed == []


def test_the_public_page_shows_a_meetup_at_once_and_follows_the_clock(app, session, clock,
                                                                      tenant, client, public):
    soon = meetup(session, tenant, "まもなく始まる会", is_public=True,
                  starts_at=clock.now() + timedelta(seconds=90))
    session.commit()
    assert "まもなく始まる会" in same_cached_and_not(app, client, ABOUT)
    later = meetup(session, tenant, "来週の会", is_public=True)
    session.commit()
    assert "来週の会" in same_cached_and_not(app, client, ABOUT)
    clock.shift(minutes=2)  # it has started: no longer to come, nothing written
    page = same_cached_and_not(app, client, ABOUT)
    assert soon.title not in page and later.title in page


def test_the_public_page_is_never_another_communitys(login, session, tenant, other_tenant,
                                                     public):
    meetup(session, tenant, "公開の定例会", is_public=True)
    other_tenant.is_public = True
    session.commit()
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert "公開の定例会" in intruder.get(ABOUT).get_data(as_text=True)
    theirs = intruder.get(in_other_community(ABOUT, other_tenant)).get_data(as_text=True)
    assert "公開の定例会" not in theirs


# -- a meetup in the portal ------------------------------------------------------------------

def _portal_meetup(evening) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/meetups/{evening.id}"


TICKET = "Show my ticket (QR)"


@pytest.fixture()
def evenings(session, tenant, people):  # type: ignore[no-untyped-def]
    """Two meetups; the member is going to the first."""
    first = meetup(session, tenant, "七月の定例会", venue_name="梅田会館")
    second = meetup(session, tenant, "八月の定例会", venue_name="難波ホール")
    register(session, first, people.member_member)
    session.commit()
    return first, second


def test_a_portal_meetup_is_the_same_kept_and_each_members_own(app, monkeypatch, member_client,
                                                               owner_client, evenings):
    first, second = evenings
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):  # kept pages read in turn: each reader still gets their own
        mine = same_cached_and_not(app, member_client, _portal_meetup(first))
        assert "梅田会館" in mine and TICKET in mine
        owners = same_cached_and_not(app, owner_client, _portal_meetup(first))
        assert "梅田会館" in owners and TICKET not in owners
        other = same_cached_and_not(app, member_client, _portal_meetup(second))
        assert "難波ホール" in other and "梅田会館" not in other and TICKET not in other
        assert 'property="og:title" content="八月の定例会"' in other
    computed = counting(monkeypatch, meetup_views, "_portal_detail_body")
    member_client.get(_portal_meetup(first))
    owner_client.get(_portal_meetup(first))
    assert computed == []


def test_a_portal_meetup_shows_a_registration_at_once_and_follows_the_clock(
        app, session, clock, tenant, people, member_client, evenings):
    _first, second = evenings
    member_client = in_english(member_client)
    url = _portal_meetup(second)
    assert TICKET not in member_client.get(url).get_data(as_text=True)
    register(session, second, people.member_member)
    session.commit()
    assert TICKET in same_cached_and_not(app, member_client, url)
    ending = meetup(session, tenant, "終わりかけの会", starts_at=clock.now() - timedelta(hours=1))
    ending.ends_at = clock.now() + timedelta(seconds=90)
    session.commit()
    assert "data-ended" not in same_cached_and_not(app, member_client, _portal_meetup(ending))
    clock.shift(minutes=2)  # it has ended: nothing written
    assert "data-ended" in same_cached_and_not(app, member_client, _portal_meetup(ending))


def test_a_portal_meetup_is_never_another_communitys(login, session, other_tenant,
                                                     member_client, evenings):
    first, _second = evenings
    url = _portal_meetup(first)
    assert "梅田会館" in member_client.get(url).get_data(as_text=True)
    intruder = in_english(signed_in_intruder(login, session, other_tenant, Role.MEMBER))
    # a public meetup of a public community: they see it as any visitor, never as the member
    assert TICKET not in intruder.get(url).get_data(as_text=True)
    guessed = intruder.get(in_other_community(url, other_tenant))
    assert guessed.status_code == 404 and "梅田会館" not in guessed.get_data(as_text=True)


# -- my profile form (portal) ------------------------------------------------------------------

MY_PROFILE = f"/c/{SLUG}/profile"


def _tonight_with_gives(session, tenant, member, ends_in):  # type: ignore[no-untyped-def]
    """A meetup under way, ending in ``ends_in``, the member going with a give written."""
    evening = meetup(session, tenant, "今夜の定例会", starts_at=days_ago(0) - timedelta(hours=1))
    evening.ends_at = days_ago(0) + ends_in
    register(session, evening, member)
    with unscoped(session):
        session.add(MeetupGives(tenant_id=tenant.id, member_id=member.id, meetup_id=evening.id,
                                give_1="税理士の紹介", give_2="", give_3=""))
    session.commit()
    return evening


def test_my_profile_form_is_the_same_kept_and_each_members_own(app, monkeypatch, session,
                                                               member_client, owner_client,
                                                               people):
    people.member_member.company = "田中工務店"
    people.owner_member.company = "大家不動産"
    session.commit()
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, MY_PROFILE)
        assert 'value="田中工務店"' in mine and "大家不動産" not in mine
        owners = same_cached_and_not(app, owner_client, MY_PROFILE)
        assert 'value="大家不動産"' in owners and "田中工務店" not in owners
    computed = counting(monkeypatch, profile_views, "_mine_body")
    member_client.get(MY_PROFILE)
    assert computed == []


def test_my_profile_form_shows_a_save_at_once_and_the_gives_follow_the_clock(
        app, session, clock, tenant, login, people, member_client):
    _tonight_with_gives(session, tenant, people.member_member, timedelta(seconds=90))
    assert "税理士の紹介" in same_cached_and_not(app, member_client, MY_PROFILE)
    saved = member_client.post(MY_PROFILE, data={
        "family_name": "田中", "given_name": "三郎", "company": "田中建設",
        "contact_visibility": "members", "work_visibility": "members",
        "give_ask_visibility": "members", "goals_visibility": "members"})
    assert saved.status_code == 302
    assert "田中建設" in member_client.get(MY_PROFILE).get_data(as_text=True)  # (and its flash)
    assert 'value="田中建設"' in same_cached_and_not(app, member_client, MY_PROFILE)
    clock.shift(minutes=2)  # the meetup is over: its gives leave the page, nothing written
    member_client = login(people.member)
    assert "税理士の紹介" not in same_cached_and_not(app, member_client, MY_PROFILE)


# -- a new journal note (portal) ---------------------------------------------------------------

NEW_NOTE = f"/c/{SLUG}/journal/new"


def test_a_new_note_is_the_same_kept_and_each_members_own(app, monkeypatch, session, tenant,
                                                          member_client, owner_client, people,
                                                          histories):
    first, _second, _third = histories
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, NEW_NOTE)
        assert "第1回" in mine and "第3回" in mine and "第2回" not in mine
        owners = same_cached_and_not(app, owner_client, NEW_NOTE)
        assert "第2回" in owners and "第1回" not in owners
        about = same_cached_and_not(app, member_client, f"{NEW_NOTE}?meetup_id={first.id}")
        assert f'<option selected value="{first.id}">' in about
        assert f'<option selected value="{first.id}">' not in mine
    computed = counting(monkeypatch, habits_views, "_journal_body")
    member_client.get(NEW_NOTE)
    owner_client.get(NEW_NOTE)
    assert computed == []


def test_a_new_note_follows_the_clock(app, session, clock, tenant, login, people,
                                      member_client, histories):
    later = meetup(session, tenant, "再来月の会",
                   starts_at=clock.now() + EVENINGS_AHEAD + timedelta(seconds=90))
    register(session, later, people.member_member)
    session.commit()
    assert "再来月の会" not in same_cached_and_not(app, member_client, NEW_NOTE)
    clock.shift(minutes=2)  # within the months ahead now: a note may be about it
    member_client = login(people.member)
    assert "再来月の会" in same_cached_and_not(app, member_client, NEW_NOTE)


# -- my attendance (portal) --------------------------------------------------------------------

MY_ATTENDANCE = f"/c/{SLUG}/engagement"


def test_my_attendance_is_the_same_kept_and_each_members_own(app, monkeypatch, member_client,
                                                             owner_client, histories):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, MY_ATTENDANCE)
        assert "第1回" in _history(mine) and "第2回" not in _history(mine)
        owners = same_cached_and_not(app, owner_client, MY_ATTENDANCE)
        assert "第2回" in _history(owners) and "第1回" not in _history(owners)
    computed = counting(monkeypatch, engagement_views, "render_template")
    member_client.get(MY_ATTENDANCE)
    assert len(computed) == 1  # the page around the kept body only


def test_my_attendance_follows_the_clock(app, session, clock, tenant, login, people,
                                        member_client, histories):
    soon = meetup(session, tenant, "第4回", starts_at=clock.now() + timedelta(seconds=90))
    register(session, soon, people.member_member)
    session.commit()
    assert "第4回" not in same_cached_and_not(app, member_client, MY_ATTENDANCE)
    clock.shift(minutes=2)
    member_client = login(people.member)
    assert "第4回" in _history(same_cached_and_not(app, member_client, MY_ATTENDANCE))
