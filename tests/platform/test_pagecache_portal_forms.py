"""The page cache on the portal's form pages (issue 14): recording a referral, a meetup's three
gives, my evenings, my journal, a note's form and email preferences. Each is the same kept or
computed, is computed once, shows a write (and the clock) at once, reads the thing it is about
only while it computes, and is each member's own: never another member's, never another
community's."""

from __future__ import annotations

import re

import pytest

from joren.models import Role
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.membership.models import MemberStatus
from joren.platform.tenancy import unscoped
from joren.tenants.relationships import views as relationship_views
from joren.tenants.relationships.habits import views as habit_views
from joren.tenants.relationships.models import JournalEntry
from tests import factories
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    in_other_community,
    never_another_communitys,
    reads_when_kept,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import in_english, meetup
from tests.tenants.meetups.helpers_checkin import register

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"


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
    kept = reads_when_kept(app, member_client, _referral(receiver))
    assert not any("FROM members" in s for s in kept)
    assert len(computing(app, member_client, _referral(receiver))) <= 10


def test_the_referral_form_isnever_another_communitys(login, session, tenant, member_client,
                                                       other_tenant):
    receiver = factories.member(session, tenant, family_name="受取", given_name="人")
    session.commit()
    member_client.get(_referral(receiver))
    never_another_communitys(login, session, other_tenant, _referral(receiver), ("受取",),
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
    kept = reads_when_kept(app, member_client, _gives(going))
    assert not any("meetup_gives" in s or "FROM meetups" in s for s in kept)
    assert len(computing(app, member_client, _gives(going))) <= 10


def test_the_gives_arenever_another_communitys(login, session, member_client, other_tenant,
                                                going):
    member_client.get(_gives(going))
    never_another_communitys(login, session, other_tenant, _gives(going), ("木曜交流会",),
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
        assert len(computing(app, member_client, url)) <= 10
        assert len(reads_when_kept(app, member_client, url)) < len(
            computing(app, member_client, url))


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
    kept = reads_when_kept(app, member_client, _note(note))
    assert not any("journal_entries" in s or "FROM meetups" in s for s in kept)
    assert len(computing(app, member_client, _note(note))) <= 10


def test_a_notes_form_isnever_another_communitys(login, session, member_client, other_tenant,
                                                  note):
    member_client.get(_note(note))
    never_another_communitys(login, session, other_tenant, _note(note), ("名刺を三枚",),
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
    assert len(computing(app, member_client, PREFERENCES)) <= 10


def test_email_preferences_arenever_another_communitys(login, session, member_client,
                                                        other_tenant):
    member_client.get(PREFERENCES)
    intruder = signed_in_intruder(login, session, other_tenant, role=Role.MEMBER)
    assert intruder.get(PREFERENCES).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(PREFERENCES, other_tenant))
    assert theirs.status_code == 200  # their own page there: not the member's
    body = theirs.get_data(as_text=True)
    assert "kobe-member@example.jp" in body
    assert re.search(r"(?<![\w-])member@example\.jp", body) is None
