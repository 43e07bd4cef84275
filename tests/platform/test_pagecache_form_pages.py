"""The page cache on the console's form pages (issue 14): the series editor (new and edit), a
series' picture, a meetup's questions, a member's console page and their story. Each is the
same kept or computed, is computed once, shows a write at once, reads the thing it is about
only while it computes (a kept page proves it was this community's), and never serves
another community's page, nor one made for a reader who may do more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.platform.membership.models import Invitation
from joren.platform.tenancy import unscoped
from joren.tenants.meetups import views as meetup_views
from joren.tenants.meetups.public import views as public_views
from joren.tenants.meetups.questions import views as question_views
from joren.tenants.meetups.questions.models import Question, QuestionKind, QuestionPurpose
from joren.tenants.members import views as member_views
from tests import factories
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    never_another_communitys,
    reads_when_kept,
    same_cached_and_not,
)
from tests.tenants.helpers import in_english
from tests.tenants.meetups.helpers_registrations import series_with_occurrences

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"


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
    kept = reads_when_kept(app, organizer_client, _edit(series))
    assert not any("meetup_series" in statement for statement in kept)
    computed = computing(app, organizer_client, _edit(series))
    assert any("meetup_series" in statement for statement in computed)
    assert len(computed) <= 10 and len(computing(app, organizer_client, NEW_SERIES)) <= 10


def test_the_series_editor_isnever_another_communitys(app, login, session, organizer_client,
                                                       other_tenant, series):
    organizer_client.get(_edit(series))  # kept in this community
    never_another_communitys(login, session, other_tenant, _edit(series), ("朝活セミナー",))
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
    kept = reads_when_kept(app, organizer_client, _picture(series))
    assert not any("meetup_series" in s or "event_images" in s for s in kept)
    assert len(computing(app, organizer_client, _picture(series))) <= 10


def test_a_series_picture_page_isnever_another_communitys(login, session, organizer_client,
                                                           other_tenant, series):
    organizer_client.get(_picture(series))
    never_another_communitys(login, session, other_tenant, _picture(series), ("朝活セミナー",))


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
    kept = reads_when_kept(app, organizer_client, _questions(asked))
    assert not any("questions" in s or "meetups" in s for s in kept)
    assert len(computing(app, organizer_client, _questions(asked))) <= 10


def test_a_meetups_questions_arenever_another_communitys(login, session, organizer_client,
                                                          other_tenant, asked):
    organizer_client.get(_questions(asked))
    never_another_communitys(login, session, other_tenant, _questions(asked),
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
    kept = reads_when_kept(app, organizer_client, _detail(unclaimed))
    assert not any("FROM members" in s or "invitations" in s for s in kept)
    assert len(computing(app, organizer_client, _detail(unclaimed))) <= 10


def test_a_members_page_isnever_another_communitys(login, session, organizer_client,
                                                    other_tenant, unclaimed):
    organizer_client.get(_detail(unclaimed))
    never_another_communitys(login, session, other_tenant, _detail(unclaimed),
                              ("森山", "moriyama@example.jp"))


# -- a member's story (console) ----------------------------------------------------------------

def test_a_kept_story_reads_the_unsubscribes_and_no_member(app, organizer_client, unclaimed):
    url = f"{ADMIN}/members/{unclaimed.id}/story"
    kept = reads_when_kept(app, organizer_client, url)
    assert any("email_unsubscribes" in s for s in kept)  # read again on every view
    assert not any("FROM members" in s for s in kept)
    computed = computing(app, organizer_client, url)
    assert any("FROM members" in s for s in computed) and len(computed) <= 10
    assert len(kept) < len(computed)
