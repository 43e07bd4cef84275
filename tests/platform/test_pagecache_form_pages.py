"""The page cache on the console's form pages and the referral form (issue 14): the series
editor (new and edit), a series' picture, a meetup's questions, a member's console page and
"record a referral" in the portal. Each is the same kept or computed, is computed once, shows a
write at once, reads the thing it is about only while it computes (a kept page proves it was
this community's), and never serves another community's (or another reader's) page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from joren.models import Role
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.membership.models import Invitation, MemberStatus
from joren.platform.tenancy import unscoped
from joren.tenants.meetups import views as meetup_views
from joren.tenants.meetups.public import views as public_views
from joren.tenants.meetups.questions import views as question_views
from joren.tenants.meetups.questions.models import Question, QuestionKind, QuestionPurpose
from joren.tenants.members import views as member_views
from joren.tenants.relationships import views as relationship_views
from joren.tenants.relationships.habits import views as habit_views
from joren.tenants.relationships.models import JournalEntry
from tests import factories
from tests.platform.pagecache_helpers import (
    counting,
    in_other_community,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import count_statements, in_english, meetup
from tests.tenants.meetups.helpers_checkin import register
from tests.tenants.meetups.helpers_registrations import series_with_occurrences

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"


def _reads_when_kept(app, client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements of a view served from the store (after one that computed and kept it)."""
    app.config["PAGE_CACHE_READS"] = True
    assert client.get(url).status_code == 200
    with count_statements(app) as counted:
        app.config["PAGE_CACHE_READS"] = True
        assert client.get(url).status_code == 200
    return counted.statements


def _computing(app, client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    with count_statements(app) as counted:
        assert client.get(url).status_code == 200
    return counted.statements


def _never_another_communitys(login, session, other_tenant, url: str,  # type: ignore[no-untyped-def]
                              secrets: tuple[str, ...], role=Role.ORGANIZER):
    intruder = signed_in_intruder(login, session, other_tenant, role=role)
    assert intruder.get(url).status_code in (302, 403, 404)
    guessed = intruder.get(in_other_community(url, other_tenant))
    assert guessed.status_code == 404
    assert not any(secret in guessed.get_data(as_text=True) for secret in secrets)


# -- the series editor ------------------------------------------------------------------------

@pytest.fixture()
def series_and_meetups(session, tenant, people):  # type: ignore[no-untyped-def]
    found = series_with_occurrences(session, tenant, n=2)
    session.commit()
    return found


@pytest.fixture()
def series(series_and_meetups):  # type: ignore[no-untyped-def]
    return series_and_meetups[0]


def _edit(series) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/meetups/series/{series.id}"


NEW_SERIES = f"{ADMIN}/meetups/series/new"


def test_the_series_editor_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                              owner_client, series):
    page = same_cached_and_not(app, organizer_client, _edit(series))
    assert 'value="朝活セミナー"' in page and "FREQ=WEEKLY" in page
    assert 'value="朝活セミナー"' in same_cached_and_not(app, owner_client, _edit(series))
    empty = same_cached_and_not(app, organizer_client, NEW_SERIES)
    assert "朝活セミナー" not in empty and "Asia/Tokyo" in empty
    edits = counting(monkeypatch, meetup_views, "_series_edit_body")
    new = counting(monkeypatch, meetup_views, "_series_form_body")
    for client in (organizer_client, owner_client):
        client.get(_edit(series))
        client.get(NEW_SERIES)
    assert edits == [] and new == []


def test_the_series_editor_shows_a_write_at_once(app, session, organizer_client, series):
    organizer_client.get(_edit(series))
    series.title = "夜活セミナー"
    session.commit()
    page = same_cached_and_not(app, organizer_client, _edit(series))
    assert 'value="夜活セミナー"' in page and 'value="朝活セミナー"' not in page
    # a saved form: the page shows what was saved
    saved = organizer_client.post(_edit(series), data={
        "csrf_token": "", "title": "昼活セミナー", "first_date": "2026-01-06",
        "start_time": "06:30", "duration_minutes": "120", "pattern": "weekly",
        "ends": "never", "visibility": "public", "reminder_days": "2", "action": "save"})
    assert saved.status_code == 302
    organizer_client.get(saved.headers["Location"])  # the list, with the "saved" message
    assert 'value="昼活セミナー"' in same_cached_and_not(app, organizer_client, _edit(series))


def test_the_kept_series_editor_reads_no_series(app, organizer_client, series):
    kept = _reads_when_kept(app, organizer_client, _edit(series))
    assert not any("meetup_series" in statement for statement in kept)
    computed = _computing(app, organizer_client, _edit(series))
    assert any("meetup_series" in statement for statement in computed)
    assert len(computed) <= 10 and len(_computing(app, organizer_client, NEW_SERIES)) <= 10


def test_the_series_editor_is_never_another_communitys(app, login, session, organizer_client,
                                                       other_tenant, series):
    organizer_client.get(_edit(series))  # kept in this community
    _never_another_communitys(login, session, other_tenant, _edit(series), ("朝活セミナー",))
    assert organizer_client.get(f"{ADMIN}/meetups/series/{series.id + 1000}").status_code == 404


# -- a series' picture ------------------------------------------------------------------------

def _picture(series) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/meetups/series/{series.id}/image"


def test_a_series_picture_page_is_the_same_kept_and_shows_a_write_at_once(
        app, monkeypatch, session, organizer_client, series):
    page = same_cached_and_not(app, organizer_client, _picture(series))
    assert "朝活セミナー" in page and "data-current-picture" not in page
    computed = counting(monkeypatch, public_views, "_image_body")
    organizer_client.get(_picture(series))
    assert computed == []
    series.title = "夜活セミナー"
    session.commit()
    assert "夜活セミナー" in same_cached_and_not(app, organizer_client, _picture(series))
    kept = _reads_when_kept(app, organizer_client, _picture(series))
    assert not any("meetup_series" in s or "event_images" in s for s in kept)
    assert len(_computing(app, organizer_client, _picture(series))) <= 10


def test_a_series_picture_page_is_never_another_communitys(login, session, organizer_client,
                                                           other_tenant, series):
    organizer_client.get(_picture(series))
    _never_another_communitys(login, session, other_tenant, _picture(series), ("朝活セミナー",))


# -- a meetup's questions ---------------------------------------------------------------------

def _questions(meetup) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/meetups/{meetup.id}/questions"


@pytest.fixture()
def asked(session, tenant, series_and_meetups):  # type: ignore[no-untyped-def]
    meetup = series_and_meetups[1][0]
    with unscoped(session):
        session.add(Question(tenant_id=tenant.id, meetup_id=meetup.id,
                             purpose=QuestionPurpose.REGISTRATION, kind=QuestionKind.TEXT,
                             prompt="今日のお題は?", position=1))
    session.commit()
    return meetup


def test_a_meetups_questions_are_the_same_kept_and_show_a_write_at_once(
        app, monkeypatch, session, tenant, organizer_client, asked):
    page = same_cached_and_not(app, organizer_client, _questions(asked))
    assert "今日のお題は?" in page and "朝活セミナー" in page
    computed = counting(monkeypatch, question_views, "_body")
    organizer_client.get(_questions(asked))
    assert computed == []
    with unscoped(session):
        session.add(Question(tenant_id=tenant.id, meetup_id=asked.id,
                             purpose=QuestionPurpose.REGISTRATION, kind=QuestionKind.TEXT,
                             prompt="紹介したい人は?", position=2))
    session.commit()
    assert "紹介したい人は?" in same_cached_and_not(app, organizer_client, _questions(asked))
    assert computed == [1, 1]  # computed with the cache off, then once and kept
    kept = _reads_when_kept(app, organizer_client, _questions(asked))
    assert not any("questions" in s or "meetups" in s for s in kept)
    assert len(_computing(app, organizer_client, _questions(asked))) <= 10


def test_a_meetups_questions_are_never_another_communitys(login, session, organizer_client,
                                                          other_tenant, asked):
    organizer_client.get(_questions(asked))
    _never_another_communitys(login, session, other_tenant, _questions(asked),
                              ("今日のお題は?", "朝活セミナー"))


# -- a member's console page ------------------------------------------------------------------

@pytest.fixture()
def unclaimed(session, tenant, people):  # type: ignore[no-untyped-def]
    """A member row without an account (organizers may edit it), invited an hour ago."""
    row = factories.member(session, tenant, family_name="森山", given_name="一郎",
                           email="moriyama@example.jp")
    session.commit()
    return row


def _detail(member) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/members/{member.id}"


ROLE_FORM = 'name="role-role"'


def test_a_members_page_is_the_same_kept_and_follows_what_the_reader_may_do(
        app, monkeypatch, organizer_client, staff_client, people, unclaimed):
    organizers = same_cached_and_not(app, organizer_client, _detail(unclaimed))
    assert "森山 一郎" in organizers and "moriyama@example.jp" in organizers
    assert ROLE_FORM in organizers and 'name="profile-family_name"' in organizers
    staffs = same_cached_and_not(app, staff_client, _detail(unclaimed))
    assert "森山 一郎" in staffs and ROLE_FORM not in staffs
    assert 'name="profile-family_name"' not in staffs
    # the organizer's own row: no role form for oneself
    own = same_cached_and_not(app, organizer_client, _detail(people.organizer_member))
    assert ROLE_FORM not in own
    computed = counting(monkeypatch, member_views, "_detail_body")
    for client in (organizer_client, staff_client):
        client.get(_detail(unclaimed))
    organizer_client.get(_detail(people.organizer_member))
    assert computed == []
    # another organizer reads the organizer's row: their page has the role form
    other_organizers = same_cached_and_not(app, organizer_client, _detail(people.owner_member))
    assert ROLE_FORM in other_organizers


def test_a_members_page_shows_a_write_and_an_expiry_at_once(app, clock, session, tenant, people,
                                                            organizer_client, unclaimed):
    client = in_english(organizer_client)
    client.get(_detail(unclaimed))
    unclaimed.given_name = "二郎"
    session.commit()
    assert "森山 二郎" in same_cached_and_not(app, client, _detail(unclaimed))
    with unscoped(session):
        session.add(Invitation(tenant_id=tenant.id, member_id=unclaimed.id,
                               invited_by_id=people.organizer_member.id,
                               email="moriyama@example.jp", nonce="n1",
                               expires_at=clock.now() + timedelta(hours=1)))
    session.commit()
    assert "Pending" in same_cached_and_not(app, client, _detail(unclaimed))
    clock.shift(hours=2)  # nothing written: the invitation has expired
    page = same_cached_and_not(app, client, _detail(unclaimed))
    assert "Expired" in page and "Pending" not in page


def test_a_kept_members_page_reads_no_member(app, organizer_client, unclaimed):
    kept = _reads_when_kept(app, organizer_client, _detail(unclaimed))
    assert not any("FROM members" in s or "invitations" in s for s in kept)
    assert len(_computing(app, organizer_client, _detail(unclaimed))) <= 10


def test_a_members_page_is_never_another_communitys(login, session, organizer_client,
                                                    other_tenant, unclaimed):
    organizer_client.get(_detail(unclaimed))
    _never_another_communitys(login, session, other_tenant, _detail(unclaimed),
                              ("森山", "moriyama@example.jp"))


# -- record a referral (portal) ---------------------------------------------------------------

def _referral(member) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/network/{member.id}/referral"


def test_the_referral_form_is_the_same_kept_and_each_readers_own(
        app, monkeypatch, session, tenant, people, member_client, owner_client):
    receiver = factories.member(session, tenant, family_name="受取", given_name="人")
    session.commit()
    mine = same_cached_and_not(app, member_client, _referral(receiver))
    owners = same_cached_and_not(app, owner_client, _referral(receiver))
    assert "受取 人" in mine and "受取 人" in owners
    computed = counting(monkeypatch, relationship_views, "_new_referral_body")
    member_client.get(_referral(receiver))
    owner_client.get(_referral(receiver))
    assert computed == []
    # oneself is never a referral's other member, kept or not
    assert member_client.get(_referral(people.member_member)).status_code == 404
    assert member_client.get(_referral(people.member_member)).status_code == 404
    # an inactive member: 404 as soon as it is written
    receiver.status = MemberStatus.INACTIVE
    session.commit()
    assert member_client.get(_referral(receiver)).status_code == 404


def test_the_referral_form_shows_a_write_at_once(app, session, tenant, member_client):
    receiver = factories.member(session, tenant, family_name="受取", given_name="人")
    session.commit()
    member_client.get(_referral(receiver))
    receiver.given_name = "人二"
    session.commit()
    page = same_cached_and_not(app, member_client, _referral(receiver))
    assert "受取 人二" in page
    kept = _reads_when_kept(app, member_client, _referral(receiver))
    assert not any("FROM members" in s for s in kept)
    assert len(_computing(app, member_client, _referral(receiver))) <= 10


def test_the_referral_form_is_never_another_communitys(login, session, tenant, member_client,
                                                       other_tenant):
    receiver = factories.member(session, tenant, family_name="受取", given_name="人")
    session.commit()
    member_client.get(_referral(receiver))
    _never_another_communitys(login, session, other_tenant, _referral(receiver), ("受取",),
                              role=Role.MEMBER)


# -- a meetup's three gives, my evenings, my journal (portal) ---------------------------------

@pytest.fixture()
def going(session, tenant, people):  # type: ignore[no-untyped-def]
    """A meetup next week the member registered for."""
    evening = meetup(session, tenant, "木曜交流会")
    register(session, evening, people.member_member)
    session.commit()
    return evening


def _gives(evening) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/meetups/{evening.id}/gives"


EVENINGS = f"/c/{SLUG}/evenings"
JOURNAL = f"/c/{SLUG}/journal"


def test_the_gives_are_the_same_kept_and_each_members_own(app, monkeypatch, session, people,
                                                          member_client, owner_client, going):
    mine = same_cached_and_not(app, member_client, _gives(going))
    owners = same_cached_and_not(app, owner_client, _gives(going))
    assert "木曜交流会" in mine and 'name="give_1"' in mine
    assert 'name="give_1"' not in owners  # the owner is not registered: no form
    computed = counting(monkeypatch, habit_views, "_gives_body")
    member_client.get(_gives(going))
    owner_client.get(_gives(going))
    assert computed == []
    saved = member_client.post(_gives(going), data={"give_1": "税理士の紹介", "give_2": "",
                                                    "give_3": ""})
    assert saved.status_code == 302
    member_client.get(EVENINGS)  # the "saved" message
    assert 'value="税理士の紹介"' in same_cached_and_not(app, member_client, _gives(going))
    assert "税理士の紹介" not in owner_client.get(_gives(going)).get_data(as_text=True)
    kept = _reads_when_kept(app, member_client, _gives(going))
    assert not any("meetup_gives" in s or "FROM meetups" in s for s in kept)
    assert len(_computing(app, member_client, _gives(going))) <= 10


def test_the_gives_are_never_another_communitys(login, session, member_client, other_tenant,
                                                going):
    member_client.get(_gives(going))
    _never_another_communitys(login, session, other_tenant, _gives(going), ("木曜交流会",),
                              role=Role.MEMBER)


def test_my_evenings_and_journal_are_the_same_kept_and_show_a_write_at_once(
        app, clock, monkeypatch, session, tenant, people, member_client, owner_client, going):
    for url in (EVENINGS, JOURNAL):
        assert "木曜交流会" not in same_cached_and_not(app, owner_client, url)
    assert "木曜交流会" in same_cached_and_not(app, member_client, EVENINGS)
    same_cached_and_not(app, member_client, JOURNAL)
    with unscoped(session):
        session.add(JournalEntry(tenant_id=tenant.id, member_id=people.member_member.id,
                                 meetup_id=going.id, body="名刺を三枚", written_at=clock.now()))
    session.commit()
    page = same_cached_and_not(app, member_client, JOURNAL)
    assert "名刺を三枚" in page and "木曜交流会" in page
    assert "名刺を三枚" not in owner_client.get(JOURNAL).get_data(as_text=True)
    computed = counting(monkeypatch, habit_views, "render_template")
    member_client.get(JOURNAL)
    assert len(computed) == 1  # the frame alone: the list came from the store
    for url in (EVENINGS, JOURNAL):
        assert len(_computing(app, member_client, url)) <= 10
        assert len(_reads_when_kept(app, member_client, url)) < len(
            _computing(app, member_client, url))


def test_my_evenings_follow_the_clock(app, clock, login, people, member_client, going):
    assert "木曜交流会" in same_cached_and_not(app, member_client, EVENINGS)
    clock.shift(days=60)  # long past, nothing written: no longer on the page
    member_client = login(people.member)  # (the first sign-in has been idle for weeks)
    assert "木曜交流会" not in same_cached_and_not(app, member_client, EVENINGS)


# -- a journal note's form, email preferences (portal) ----------------------------------------

@pytest.fixture()
def note(clock, session, tenant, people, going):  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = JournalEntry(tenant_id=tenant.id, member_id=people.member_member.id,
                           meetup_id=going.id, body="名刺を三枚", written_at=clock.now())
        session.add(row)
        session.flush()
    session.commit()
    return row


def _note(row) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/journal/{row.id}"


def test_a_notes_form_is_the_same_kept_shows_a_write_and_is_the_members_own(
        app, monkeypatch, session, member_client, owner_client, note):
    page = same_cached_and_not(app, member_client, _note(note))
    assert "名刺を三枚" in page and "木曜交流会" in page
    assert "<form" in page and "&lt;form" not in page  # the forms, not their HTML as text
    computed = counting(monkeypatch, habit_views, "_journal_body")
    member_client.get(_note(note))
    assert computed == []
    assert owner_client.get(_note(note)).status_code == 404  # someone else's note
    assert owner_client.get(_note(note)).status_code == 404
    note.body = "名刺を五枚"
    session.commit()
    assert "名刺を五枚" in same_cached_and_not(app, member_client, _note(note))
    kept = _reads_when_kept(app, member_client, _note(note))
    assert not any("journal_entries" in s or "FROM meetups" in s for s in kept)
    assert len(_computing(app, member_client, _note(note))) <= 10


def test_a_notes_form_is_never_another_communitys(login, session, member_client, other_tenant,
                                                  note):
    member_client.get(_note(note))
    _never_another_communitys(login, session, other_tenant, _note(note), ("名刺を三枚",),
                              role=Role.MEMBER)


def test_a_refused_note_is_shown_as_a_form(member_client, note):
    for url in (_note(note), f"/c/{SLUG}/journal/new"):
        refused = member_client.post(url, data={"body": "", "meetup_id": 0})
        page = refused.get_data(as_text=True)
        assert "<form" in page and "&lt;form" not in page


PREFERENCES = f"/c/{SLUG}/email-preferences"


def test_email_preferences_are_the_same_kept_and_show_an_unsubscribe_at_once(
        app, monkeypatch, session, tenant, member_client, owner_client):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    mine = same_cached_and_not(app, member_client, PREFERENCES)
    assert "member@example.jp" in mine and "You have stopped all emails" not in mine
    assert "member@example.jp" not in same_cached_and_not(app, owner_client, PREFERENCES)
    computed = counting(monkeypatch, habit_views, "_preferences_body")
    member_client.get(PREFERENCES)
    assert computed == []
    # an unsubscribe link's row marks no community: the page reads them on every view
    record_unsubscribe(session, "member@example.jp", "all", tenant.id)
    session.commit()
    page = same_cached_and_not(app, member_client, PREFERENCES)
    assert "You have stopped all emails from this community." in page
    assert "You have stopped all emails" not in owner_client.get(PREFERENCES).get_data(
        as_text=True)
    assert len(_computing(app, member_client, PREFERENCES)) <= 10


def test_email_preferences_are_never_another_communitys(login, session, member_client,
                                                        other_tenant):
    member_client.get(PREFERENCES)
    intruder = signed_in_intruder(login, session, other_tenant, role=Role.MEMBER)
    assert intruder.get(PREFERENCES).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(PREFERENCES, other_tenant))
    assert theirs.status_code == 200  # their own page there: not the member's
    body = theirs.get_data(as_text=True)
    assert "kobe-member@example.jp" in body
    assert re.search(r"(?<![\w-])member@example\.jp", body) is None


# -- a member's story (console) ----------------------------------------------------------------

def test_a_kept_story_reads_the_unsubscribes_and_no_member(app, organizer_client, unclaimed):
    url = f"{ADMIN}/members/{unclaimed.id}/story"
    kept = _reads_when_kept(app, organizer_client, url)
    assert any("email_unsubscribes" in s for s in kept)  # read again on every view
    assert not any("FROM members" in s for s in kept)
    computed = _computing(app, organizer_client, url)
    assert any("FROM members" in s for s in computed) and len(computed) <= 10
    assert len(kept) < len(computed)
