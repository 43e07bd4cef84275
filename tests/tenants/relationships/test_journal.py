"""The three gives of an evening and the private journal: saved, shown to the member only,
never to another member or an organizer, and another community's ids are not found."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.relationships.models import JournalEntry, MeetupGives
from tests import factories
from tests.tenants.helpers import in_english, reload
from tests.tenants.meetups.helpers_feeds import registration
from tests.tenants.relationships.test_habits_follow_up import came, yesterdays_meetup
from tests.tenants.relationships.test_habits_prep import upcoming

pytestmark = pytest.mark.usefixtures("clock")


def _gives(session, member, meetup):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return session.scalar(select(MeetupGives).filter_by(member_id=member.id,
                                                            meetup_id=meetup.id))


def test_the_gives_form_starts_from_profile_offers_saves_and_shows(
        session, tenant, people, member_client):
    me = people.member_member
    me.offer_1, me.offer_2 = "税理士の紹介", "採用の経験談"
    event = upcoming(session, tenant)
    registration(session, event, me)
    session.commit()
    url = f"/c/{tenant.slug}/meetups/{event.id}/gives"
    in_english(member_client)

    form = member_client.get(url).get_data(as_text=True)
    assert 'value="税理士の紹介"' in form and 'value="採用の経験談"' in form
    response = member_client.post(url, data={"give_1": "  ", "give_2": "補助金の申請のコツ",
                                             "give_3": "物流会社の紹介"})
    assert response.status_code == 302
    row = _gives(session, me, event)
    assert (row.give_1, row.give_2, row.give_3) == ("補助金の申請のコツ", "物流会社の紹介", "")
    page = member_client.get(url).get_data(as_text=True)
    assert "補助金の申請のコツ" in page and 'value="税理士の紹介"' not in page

    with unscoped(session):  # as the "people to meet" email leaves it
        row = session.get(MeetupGives, row.id)
        row.people_to_meet = [people.organizer_member.id]
        session.commit()
    evenings = member_client.get(f"/c/{tenant.slug}/evenings").get_data(as_text=True)
    assert event.title in evenings and "補助金の申請のコツ" in evenings
    assert "佐藤 花子" in evenings

    too_long = member_client.post(url, data={"give_1": "あ" * 201})
    assert too_long.status_code == 200
    assert _gives(session, me, event).give_1 == "補助金の申請のコツ"


def test_gives_need_a_registration_and_belong_to_the_community(
        session, tenant, other_tenant, people, member_client, login):
    event = upcoming(session, tenant)
    theirs = upcoming(session, other_tenant)
    session.commit()
    url = f"/c/{tenant.slug}/meetups/{event.id}/gives"
    assert member_client.get(url).status_code == 200  # explains to register first
    assert member_client.post(url, data={"give_1": "x"}).status_code == 403
    assert member_client.post(f"/c/{tenant.slug}/meetups/{theirs.id}/gives",
                              data={"give_1": "x"}).status_code == 404
    outsider = login(people.outsider)
    assert outsider.post(url, data={"give_1": "x"}).status_code == 403
    with unscoped(session):
        assert session.scalar(select(func.count(MeetupGives.id))) == 0


def test_the_journal_keeps_notes_about_an_evening(session, tenant, people, member_client):
    event = yesterdays_meetup(session, tenant)
    came(session, event, people.member_member)
    session.commit()
    in_english(member_client)
    new = member_client.get(f"/c/{tenant.slug}/journal/new?meetup_id={event.id}")
    assert f'<option selected value="{event.id}">' in new.get_data(as_text=True)
    response = member_client.post(f"/c/{tenant.slug}/journal/new", data={
        "body": "紹介は相手の課題から考える", "meetup_id": event.id})
    assert response.status_code == 302
    listing = member_client.get(f"/c/{tenant.slug}/journal").get_data(as_text=True)
    assert "紹介は相手の課題から考える" in listing and event.title in listing
    evenings = member_client.get(f"/c/{tenant.slug}/evenings").get_data(as_text=True)
    assert "Notes in my journal: 1" in evenings
    assert f"/c/{tenant.slug}/journal/new?meetup_id={event.id}" in evenings
    with unscoped(session):
        entry = session.scalar(select(JournalEntry))
    assert (entry.member_id, entry.meetup_id) == (people.member_member.id, event.id)

    edit = member_client.post(f"/c/{tenant.slug}/journal/{entry.id}",
                              data={"body": "相手の課題から考える", "meetup_id": 0})
    assert edit.status_code == 302
    fresh = reload(session, JournalEntry, entry.id)
    assert (fresh.body, fresh.meetup_id) == ("相手の課題から考える", None)

    empty = member_client.post(f"/c/{tenant.slug}/journal/new", data={"body": " ",
                                                                       "meetup_id": 0})
    assert empty.status_code == 200 and "Please write something first." in empty.get_data(
        as_text=True)
    # A meetup the member had nothing to do with is not on offer.
    elsewhere = yesterdays_meetup(session, tenant, title="他の会")
    session.commit()
    refused = member_client.post(f"/c/{tenant.slug}/journal/new",
                                 data={"body": "x", "meetup_id": elsewhere.id})
    assert refused.status_code == 200
    assert member_client.post(f"/c/{tenant.slug}/journal/{entry.id}/delete").status_code == 302
    with unscoped(session):
        assert session.scalar(select(func.count(JournalEntry.id))) == 0


def test_nobody_else_reads_or_changes_a_members_journal(
        session, tenant, other_tenant, people, login, organizer_client, owner_client):
    other_member = factories.member(session, tenant, factories.account(session))
    with unscoped(session):
        entry = JournalEntry(tenant_id=tenant.id, member_id=people.member_member.id,
                             body="誰にも見せないメモ", written_at=utcnow())
        session.add(entry)
        session.flush()
    session.commit()
    peer = login(other_member.account)
    for c in (peer, organizer_client, owner_client):
        assert c.get(f"/c/{tenant.slug}/journal/{entry.id}").status_code == 404
        assert c.post(f"/c/{tenant.slug}/journal/{entry.id}",
                      data={"body": "改竄", "meetup_id": 0}).status_code == 404
        assert c.post(f"/c/{tenant.slug}/journal/{entry.id}/delete").status_code == 404
        assert "誰にも見せないメモ" not in c.get(f"/c/{tenant.slug}/journal").get_data(
            as_text=True)
    stranger = login(people.other_owner)
    assert stranger.get(f"/c/{other_tenant.slug}/journal/{entry.id}").status_code == 404
    assert stranger.get(f"/c/{tenant.slug}/journal/{entry.id}").status_code == 403
    assert reload(session, JournalEntry, entry.id).body == "誰にも見せないメモ"
