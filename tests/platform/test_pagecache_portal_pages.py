"""The page cache on my introductions, a member's dues in the console, my registrations, the
privacy notice with my choices, a series' public page and a meetup's survey results
(issue 14): what
each page shows is the same kept or computed, a write shows at once, what follows the clock
moves with it, and another member (of this community or another) never gets a member's page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from joren.models import Role
from joren.platform.mail.models import EmailUnsubscribe
from joren.platform.tenancy import unscoped
from joren.tenants.introductions import services as intro_services
from joren.tenants.introductions import views as intro_views
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.meetups.models import Visibility
from joren.tenants.meetups.public import views as public_views
from joren.tenants.meetups.registrations import views as registration_views
from joren.tenants.meetups.survey import views as survey_views
from joren.tenants.meetups.survey.models import SurveyResponse
from joren.tenants.members.consent import views as consent_views
from joren.tenants.payments.dues import views as dues_views
from tests import factories
from tests.clock import today_in_tokyo
from tests.platform.pagecache_helpers import counting, same_cached_and_not
from tests.tenants.helpers import attend, days_ago, in_english, meetup
from tests.tenants.introductions.intro_support import introduction, pair
from tests.tenants.meetups.helpers_checkin import register
from tests.tenants.meetups.helpers_registrations import series_with_occurrences
from tests.tenants.payments.stripe.dues_helpers import enable_dues, paid_dues

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"



# -- my introductions (portal) -----------------------------------------------------------------

MY_INTRODUCTIONS = f"/c/{SLUG}/introductions"


@pytest.fixture()
def sent(app, session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    """An introduction of the member to 佐藤, sent (waiting for both answers)."""
    sato, _tanaka = pair(session, tenant)
    session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        intro = introduction(s, people.member_member, sato)
        intro_services.approve(s, intro, None)
        s.commit()
        intro_id, expires_at = intro.id, intro.expires_at
    s.close()
    return intro_id, expires_at


def test_my_introductions_are_the_same_kept_and_each_members_own(
        app, monkeypatch, login, people, other_tenant, member_client, owner_client, sent):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, MY_INTRODUCTIONS)
        assert "佐藤 健" in mine and "Waiting for your answer" in mine
        owners = same_cached_and_not(app, owner_client, MY_INTRODUCTIONS)
        assert "佐藤 健" not in owners and "No introductions yet" in owners
    computed = counting(monkeypatch, intro_views, "_mine_body")
    member_client.get(MY_INTRODUCTIONS)
    owner_client.get(MY_INTRODUCTIONS)
    assert computed == []
    # The other community's owner, on their own community's page: their own (none).
    theirs = in_english(login(people.other_owner))
    page = theirs.get(MY_INTRODUCTIONS.replace(SLUG, other_tenant.slug))
    assert page.status_code == 200 and "佐藤 健" not in page.get_data(as_text=True)
    assert theirs.get(MY_INTRODUCTIONS).status_code in (302, 403, 404)


def test_my_introductions_show_an_answer_at_once(app, member_client, sent):
    intro_id, _expires_at = sent
    member_client = in_english(member_client)
    assert "Waiting for your answer" in same_cached_and_not(app, member_client,
                                                           MY_INTRODUCTIONS)
    answered = member_client.post(f"{MY_INTRODUCTIONS}/{intro_id}/answer",
                                  data={"choice": "accept"})
    assert answered.status_code == 302
    assert "You accepted" in member_client.get(MY_INTRODUCTIONS).get_data(as_text=True)  # flash
    page = same_cached_and_not(app, member_client, MY_INTRODUCTIONS)
    assert "You accepted" in page and "Waiting for your answer" not in page


def test_my_introductions_close_at_the_deadline(app, session, clock, login, people,
                                                member_client, sent):
    intro_id, expires_at = sent
    member_client = in_english(member_client)
    assert "Waiting for your answer" in same_cached_and_not(app, member_client,
                                                           MY_INTRODUCTIONS)
    clock.move_to(expires_at)  # the hourly sweep has not run: nothing was written
    member_client = in_english(login(people.member))
    page = same_cached_and_not(app, member_client, MY_INTRODUCTIONS)
    assert f'id="introduction-{intro_id}" data-state="closed"' in page
    with unscoped(session):
        assert session.get(Introduction, intro_id).status == IntroductionStatus.SENT


# -- a member's dues (console) -----------------------------------------------------------------

def _dues_of(member) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/admin/payments/dues/members/{member.id}"


@pytest.fixture()
def dues_on(session, tenant, people):  # type: ignore[no-untyped-def]
    enable_dues(session, tenant)
    session.commit()


def test_a_members_dues_are_the_same_kept_and_each_members_own(app, monkeypatch, session,
                                                              organizer_client, owner_client,
                                                              people, dues_on):
    today = today_in_tokyo()
    paid_dues(session, people.member_member, today, today + timedelta(days=364), amount=34000)
    session.commit()
    organizer_client = in_english(organizer_client)
    for _ in range(2):
        members = same_cached_and_not(app, organizer_client, _dues_of(people.member_member))
        assert 'data-dues-state="paid"' in members and "34,000" in members
        owners = same_cached_and_not(app, organizer_client, _dues_of(people.owner_member))
        assert 'data-dues-state="not_paid"' in owners and "34,000" not in owners
        by_owner = same_cached_and_not(app, in_english(owner_client),
                                       _dues_of(people.member_member))
        assert 'data-dues-state="paid"' in by_owner and "34,000" in by_owner
    computed = counting(monkeypatch, dues_views, "_member_body")
    organizer_client.get(_dues_of(people.member_member))
    assert computed == []


def test_a_members_dues_show_a_mark_at_once_and_follow_the_day(app, session, clock, login,
                                                              organizer_client, people,
                                                              dues_on):
    me = people.member_member
    organizer_client = in_english(organizer_client)
    today = today_in_tokyo()
    page = same_cached_and_not(app, organizer_client, _dues_of(me))
    assert 'data-dues-state="not_paid"' in page and today.isoformat() in page
    marked = organizer_client.post(f"{_dues_of(me)}/mark", data={
        "method": "bank_transfer", "period_start": today.isoformat()})
    assert marked.status_code == 303
    organizer_client.get(_dues_of(me))  # (its flash)
    page = same_cached_and_not(app, organizer_client, _dues_of(me))
    assert 'data-dues-state="paid"' in page and "12,000" in page
    next_period = (today + timedelta(days=365)).isoformat()  # the day after a year paid
    assert f'value="{next_period}"' in page
    clock.shift(days=366)  # the year paid is over: lapsed today, nothing written
    organizer_client = in_english(login(people.organizer))
    page = same_cached_and_not(app, organizer_client, _dues_of(me))
    assert 'data-dues-state="lapsed"' in page


def test_a_members_dues_form_sent_back_shows_what_was_typed(organizer_client, people, dues_on):
    organizer_client = in_english(organizer_client)
    organizer_client.get(_dues_of(people.member_member))  # a kept page exists
    refused = organizer_client.post(f"{_dues_of(people.member_member)}/mark", data={
        "method": "stripe", "note": "窓口で受領した分"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "窓口で受領した分" in page and "Not a valid choice" in page


def test_a_members_dues_are_never_another_communitys(login, session, organizer_client,
                                                    other_tenant, people, dues_on):
    today = today_in_tokyo()
    paid_dues(session, people.member_member, today, today + timedelta(days=364), amount=34000)
    session.commit()
    assert "34,000" in organizer_client.get(_dues_of(people.member_member)).get_data(
        as_text=True)
    account = factories.account(session, email="kobe-organizer@example.jp")
    factories.member(session, other_tenant, account=account, role=Role.ORGANIZER)
    enable_dues(session, other_tenant)
    session.commit()
    intruder = login(account)
    assert intruder.get(_dues_of(people.member_member)).status_code in (403, 404)
    guessed = intruder.get(_dues_of(people.member_member).replace(SLUG, other_tenant.slug))
    assert guessed.status_code == 404 and "34,000" not in guessed.get_data(as_text=True)


# -- my registrations (portal) -----------------------------------------------------------------

MY_REGISTRATIONS = f"/c/{SLUG}/meetups/mine"


def _upcoming(page: str) -> str:
    return page.split("Upcoming", 1)[1].split("Past", 1)[0]


def test_my_registrations_are_the_same_kept_and_each_members_own(app, monkeypatch, session,
                                                                tenant, member_client,
                                                                owner_client, people):
    register(session, meetup(session, tenant, "田中の定例会"), people.member_member)
    register(session, meetup(session, tenant, "大家の勉強会"), people.owner_member)
    session.commit()
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, MY_REGISTRATIONS)
        assert "田中の定例会" in mine and "大家の勉強会" not in mine
        owners = same_cached_and_not(app, owner_client, MY_REGISTRATIONS)
        assert "大家の勉強会" in owners and "田中の定例会" not in owners
    computed = counting(monkeypatch, registration_views, "_mine_body")
    member_client.get(MY_REGISTRATIONS)
    owner_client.get(MY_REGISTRATIONS)
    assert computed == []


def test_my_registrations_show_a_write_at_once_and_a_meetup_moves_to_past_when_it_ends(
        app, session, clock, tenant, login, people, member_client):
    member_client = in_english(member_client)
    soon = meetup(session, tenant, "今夜の定例会", starts_at=clock.now() - timedelta(hours=1))
    soon.ends_at = clock.now() + timedelta(seconds=30)
    session.commit()
    assert "今夜の定例会" not in same_cached_and_not(app, member_client, MY_REGISTRATIONS)
    register(session, soon, people.member_member)
    attend(session, soon, people.member_member)
    session.commit()
    page = same_cached_and_not(app, member_client, MY_REGISTRATIONS)
    assert "今夜の定例会" in _upcoming(page)
    clock.shift(seconds=31)  # over: nothing written
    member_client = in_english(login(people.member))
    page = same_cached_and_not(app, member_client, MY_REGISTRATIONS)
    assert "今夜の定例会" not in _upcoming(page) and 'data-past="attended"' in page


def test_my_registrations_are_never_another_communitys(login, session, tenant, other_tenant,
                                                       people, member_client):
    register(session, meetup(session, tenant, "田中の定例会"), people.member_member)
    session.commit()
    assert "田中の定例会" in member_client.get(MY_REGISTRATIONS).get_data(as_text=True)
    theirs = login(people.other_owner)
    page = theirs.get(MY_REGISTRATIONS.replace(SLUG, other_tenant.slug))
    assert page.status_code == 200 and "田中の定例会" not in page.get_data(as_text=True)


# -- the privacy notice and my choices (portal) ------------------------------------------------

PRIVACY = f"/c/{SLUG}/privacy"
ALL_YES = {"introductions": "y", "directory": "y", "announcements": "y", "follow_ups": "y"}


def _agreed(page: str, purpose: str) -> bool:
    found = re.search(rf'<input[^>]*data-purpose="{purpose}"[^>]*>', page)
    assert found is not None
    return "checked" in found.group(0)


def test_my_choices_are_the_same_kept_and_each_members_own(app, monkeypatch, login, people,
                                                          other_tenant, member_client,
                                                          owner_client):
    assert member_client.post(PRIVACY, data={"introductions": "y"}).status_code == 302
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    member_client.get(PRIVACY)  # (its flash)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, PRIVACY)
        assert not _agreed(mine, "announcements") and 'data-section="history"' in mine
        owners = same_cached_and_not(app, owner_client, PRIVACY)
        assert _agreed(owners, "announcements") and 'data-section="history"' not in owners
    computed = counting(monkeypatch, consent_views, "_notice_body")
    member_client.get(PRIVACY)
    owner_client.get(PRIVACY)
    assert computed == []
    theirs = in_english(login(people.other_owner)).get(PRIVACY.replace(SLUG, other_tenant.slug))
    assert theirs.status_code == 200
    assert 'data-section="history"' not in theirs.get_data(as_text=True)


def test_my_choices_keep_the_links_arguments(app, member_client):
    asked = same_cached_and_not(app, member_client, f"{PRIVACY}?via=series")
    assert re.search(r'name="via"[^>]*value="series"', asked)
    back = f"/c/{SLUG}/meetups/mine"
    sent_back = same_cached_and_not(app, member_client, f"{PRIVACY}?next={back}")
    assert re.search(rf'name="next"[^>]*value="{back}"', sent_back)
    plain = same_cached_and_not(app, member_client, PRIVACY)
    assert not re.search(r'name="via"[^>]*value="series"', plain)
    assert not re.search(rf'name="next"[^>]*value="{back}"', plain)


def test_my_choices_show_an_unsubscribe_link_at_once(app, session, people, member_client):
    assert member_client.post(PRIVACY, data=ALL_YES).status_code == 302
    member_client.get(PRIVACY)  # (its flash)
    assert _agreed(same_cached_and_not(app, member_client, PRIVACY), "announcements")
    with unscoped(session):  # an unsubscribe link: no community's write
        session.add(EmailUnsubscribe(email=people.member_member.email, category="all",
                                     community_id=None))
        session.commit()
    assert not _agreed(same_cached_and_not(app, member_client, PRIVACY), "announcements")



def test_the_notice_is_the_same_kept_for_readers_not_signed_in(app, session, tenant, client,
                                                               member_client):
    tenant.is_public = True
    session.commit()
    member_client.get(PRIVACY)  # a member's page is kept
    page = same_cached_and_not(app, client, PRIVACY)
    assert "data-notice" in page and 'name="via"' not in page


# -- a series' public page ---------------------------------------------------------------------

def _series_url(series) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/series/{series.id}"


@pytest.fixture()
def public_series(session, tenant):  # type: ignore[no-untyped-def]
    tenant.is_public = True
    series, occurrences = series_with_occurrences(session, tenant, n=3)
    series.visibility = Visibility.PUBLIC
    for occurrence in occurrences:
        occurrence.is_public = True
    session.commit()
    return series, occurrences


def test_a_series_page_is_the_same_kept_for_every_reader(app, monkeypatch, session, tenant,
                                                         client, member_client, public_series):
    series, occurrences = public_series
    other, _ = series_with_occurrences(session, tenant, n=1)
    other.title, other.visibility = "夜の交流会", Visibility.PUBLIC
    session.commit()
    for _ in range(2):
        page = same_cached_and_not(app, client, _series_url(series))
        assert 'property="og:title"' in page and "朝活セミナー" in page
        assert f"/meetups/{occurrences[2].id}" in page
        assert f"/meetups/{occurrences[2].id}" in same_cached_and_not(app, member_client,
                                                                      _series_url(series))
        assert "夜の交流会" in same_cached_and_not(app, client, _series_url(other))
    computed = counting(monkeypatch, public_views, "_series_body")
    client.get(_series_url(series))
    member_client.get(_series_url(series))
    assert computed == []


def test_a_series_page_shows_a_change_at_once_and_its_next_meetups_follow_the_clock(
        app, session, clock, client, public_series):
    series, occurrences = public_series
    assert f"/meetups/{occurrences[0].id}" in same_cached_and_not(app, client,
                                                                  _series_url(series))
    occurrences[1].title = "朝活セミナー特別編"
    session.commit()
    assert "朝活セミナー特別編" in same_cached_and_not(app, client, _series_url(series))
    clock.move_to(occurrences[0].starts_at + timedelta(seconds=1))  # started: nothing written
    page = same_cached_and_not(app, client, _series_url(series))
    assert f"/meetups/{occurrences[0].id}" not in page
    assert f"/meetups/{occurrences[1].id}" in page


def test_a_series_page_is_never_another_communitys(session, client, other_tenant,
                                                   public_series):
    series, _occurrences = public_series
    assert "朝活セミナー" in client.get(_series_url(series)).get_data(as_text=True)
    other_tenant.is_public = True
    session.commit()
    guessed = client.get(_series_url(series).replace(SLUG, other_tenant.slug))
    assert guessed.status_code == 404 and "朝活セミナー" not in guessed.get_data(as_text=True)


# -- a meetup's survey results (console) -------------------------------------------------------

def _results_url(evening) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/admin/meetups/{evening.id}/survey"


def _answered(session, tenant, evening, satisfaction: int, comment: str):  # type: ignore[no-untyped-def]
    person = factories.member(session, tenant, email=f"{len(comment)}-{satisfaction}@example.jp")
    attend(session, evening, person)
    with unscoped(session):
        session.add(SurveyResponse(tenant_id=evening.tenant_id, meetup_id=evening.id,
                                   member_id=person.id, satisfaction=satisfaction,
                                   comment=comment))
    session.commit()


@pytest.fixture()
def surveyed(session, tenant):  # type: ignore[no-untyped-def]
    first = meetup(session, tenant, "三月の定例会", starts_at=days_ago(3))
    second = meetup(session, tenant, "四月の定例会", starts_at=days_ago(2))
    _answered(session, tenant, first, 5, "とても良かった")
    _answered(session, tenant, second, 1, "席が狭かった")
    return first, second


def test_survey_results_are_the_same_kept_and_follow_the_readers_role(
        app, monkeypatch, organizer_client, staff_client, surveyed):
    first, second = surveyed
    organizer_client, staff_client = in_english(organizer_client), in_english(staff_client)
    export = f'href="{_results_url(first)}.csv"'
    for _ in range(2):
        page = same_cached_and_not(app, organizer_client, _results_url(first))
        assert "とても良かった" in page and "席が狭かった" not in page and export in page
        staffs = same_cached_and_not(app, staff_client, _results_url(first))
        assert "とても良かった" in staffs and export not in staffs
        assert "席が狭かった" in same_cached_and_not(app, organizer_client,
                                                     _results_url(second))
    computed = counting(monkeypatch, survey_views, "_results_body")
    organizer_client.get(_results_url(first))
    staff_client.get(_results_url(first))
    assert computed == []


def test_survey_results_show_an_answer_at_once(app, session, tenant, organizer_client,
                                               surveyed):
    first, _second = surveyed
    organizer_client = in_english(organizer_client)
    assert "Average: 5.00" in same_cached_and_not(app, organizer_client, _results_url(first))
    _answered(session, tenant, first, 2, "普通だった")
    page = same_cached_and_not(app, organizer_client, _results_url(first))
    assert "Average: 3.50" in page and "普通だった" in page


def test_survey_results_are_never_another_communitys(login, session, other_tenant, people,
                                                    organizer_client, surveyed):
    first, _second = surveyed
    assert "とても良かった" in organizer_client.get(_results_url(first)).get_data(as_text=True)
    guessed = login(people.other_owner).get(_results_url(first).replace(SLUG,
                                                                          other_tenant.slug))
    assert guessed.status_code == 404 and "とても良かった" not in guessed.get_data(as_text=True)


# -- my profile form, refused (portal) ---------------------------------------------------------

def test_my_profile_form_refused_is_a_form_not_its_html_as_text(member_client):
    member_client.get(f"/c/{SLUG}/profile")  # a kept page exists
    refused = member_client.post(f"/c/{SLUG}/profile", data={
        "family_name": "", "given_name": "", "contact_visibility": "bogus"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "&lt;form" not in page and 'name="family_name"' in page
