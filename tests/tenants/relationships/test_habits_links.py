"""The one-click "we talked" link: no sign-in, a confirmation page on GET (nothing logged), one
contact on POST however often it is clicked, friendly pages for forged, expired and other
communities' links."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from joren.platform.signing import LinkInvalid, LinkKind
from joren.platform.tenancy import unscoped
from joren.tenants.relationships.habits import links as habit_links
from joren.tenants.relationships.models import Contact, ContactKind, Relationship
from tests import factories
from tests.tenants.helpers import in_english
from tests.tenants.relationships.test_habits_follow_up import came, yesterdays_meetup


def _token(app, tenant_id, member, other, meetup_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        return habit_links.talked_token(tenant_id, member.id, other.id, meetup_id)


def _contacts(session, **where):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return session.scalars(select(Contact).filter_by(**where)).all()


def _pair(session, tenant, people):  # type: ignore[no-untyped-def]
    event = yesterdays_meetup(session, tenant)
    other = factories.member(session, tenant, family_name="佐藤", given_name="一")
    came(session, event, people.member_member)
    came(session, event, other)
    session.commit()
    return event, other


def test_a_valid_link_confirms_then_logs_once(app, session, tenant, people, client):
    event, other = _pair(session, tenant, people)
    url = f"/c/{tenant.slug}/talked/{_token(app, tenant.id, people.member_member, other, event.id)}"
    in_english(client)

    page = client.get(url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "佐藤 一" in body and event.title in body and "Yes, we talked" in body
    assert _contacts(session) == []  # a GET (a mail scanner's prefetch) changes nothing

    done = client.post(url)
    assert done.status_code == 200 and "Noted." in done.get_data(as_text=True)
    again = client.post(url)
    assert "already noted" in again.get_data(as_text=True)
    assert "already noted" in client.get(url).get_data(as_text=True)
    rows = _contacts(session)
    assert len(rows) == 1
    row = rows[0]
    assert (row.member_id, row.other_id, row.kind, row.meetup_id) == (
        people.member_member.id, other.id, ContactKind.TALKED, event.id)
    assert row.happened_on == event.starts_at.astimezone(ZoneInfo("Asia/Tokyo")).date()
    with unscoped(session):  # the ledger counted it
        low, high = sorted((people.member_member.id, other.id))
        ledger = session.scalar(select(Relationship).filter_by(member_low_id=low,
                                                                member_high_id=high))
    assert ledger is not None and ledger.contacts == 1


def test_forged_expired_and_foreign_links_get_a_friendly_page(
        app, session, tenant, other_tenant, people, client, monkeypatch):
    event, other = _pair(session, tenant, people)
    good = _token(app, tenant.id, people.member_member, other, event.id)
    in_english(client)
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    for token in (forged, "not-a-token", good + "x"):
        for method in ("GET", "POST"):
            response = client.open(f"/c/{tenant.slug}/talked/{token}", method=method)
            assert response.status_code == 404
            assert "This link does not work" in response.get_data(as_text=True)
    # A link of this community opened under another community's address, and the reverse.
    foreign = client.post(f"/c/{other_tenant.slug}/talked/{good}")
    assert foreign.status_code == 404
    theirs = _token(app, other_tenant.id, people.member_member, other, event.id)
    assert client.post(f"/c/{tenant.slug}/talked/{theirs}").status_code == 404

    monkeypatch.setattr(habit_links, "TALKED",
                        LinkKind(habit_links.TALKED.salt, timedelta(seconds=-1)))
    expired = client.post(f"/c/{tenant.slug}/talked/{good}")
    assert expired.status_code == 404
    assert "This link has expired" in expired.get_data(as_text=True)
    assert _contacts(session) == []


def test_a_link_for_a_member_who_left_or_a_deleted_meetup_is_refused(
        app, session, tenant, people, client):
    from joren.models import MemberStatus

    event, other = _pair(session, tenant, people)
    url = f"/c/{tenant.slug}/talked/{_token(app, tenant.id, people.member_member, other, event.id)}"
    other.status = MemberStatus.INACTIVE
    session.commit()
    assert client.post(url).status_code == 404
    missing = _token(app, tenant.id, people.member_member, people.staff_member, 999999)
    assert client.post(f"/c/{tenant.slug}/talked/{missing}").status_code == 404
    assert _contacts(session) == []


def test_a_nudge_link_lets_the_member_say_how_they_were_in_touch(
        app, session, tenant, people, client):
    other = factories.member(session, tenant, family_name="佐藤", given_name="一")
    session.commit()
    url = f"/c/{tenant.slug}/talked/{_token(app, tenant.id, people.member_member, other, None)}"
    in_english(client)
    page = client.get(url).get_data(as_text=True)
    assert "We met one-on-one" in page and "We talked on the phone" in page
    assert client.post(url, data={"kind": "talked"}).status_code == 400  # not offered here
    assert client.post(url, data={"kind": "one_on_one"}).status_code == 200
    assert client.post(url, data={"kind": "call"}).status_code == 200  # a second click
    rows = _contacts(session, member_id=people.member_member.id)
    assert [(r.kind, r.meetup_id) for r in rows] == [(ContactKind.ONE_ON_ONE, None)]
    with unscoped(session):
        assert session.scalar(select(func.count(Contact.id))) == 1


def test_with_csrf_on_the_button_of_the_page_works_and_a_bare_post_does_not(
        app, session, tenant, people, client):
    import re

    event, other = _pair(session, tenant, people)
    url = f"/c/{tenant.slug}/talked/{_token(app, tenant.id, people.member_member, other, event.id)}"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url).status_code == 400  # no token: refused, nothing logged
        assert _contacts(session) == []
        page = client.get(url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token is not None
        assert client.post(url, data={"csrf_token": token.group(1)}).status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(_contacts(session)) == 1


def test_a_link_signed_the_old_way_still_reads(app):
    """Links already in inboxes were signed with itsdangerous directly (salt "joren.talked",
    dated): they keep working, and new links keep that format."""
    with app.app_context():
        old_way = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="joren.talked")
        link = habit_links.read_talked_token(old_way.dumps([7, 11, 13, 17]), 7)
        assert (link.member_id, link.other_id, link.meetup_id) == (11, 13, 17)
        nudge = habit_links.read_talked_token(old_way.dumps([7, 11, 13, 0]), 7)
        assert nudge.meetup_id is None
        assert old_way.loads(habit_links.talked_token(7, 11, 13, None)) == [7, 11, 13, 0]
        with pytest.raises(LinkInvalid):
            habit_links.read_talked_token(old_way.dumps([7, 11, 13, 17]), 8)
        other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="joren.other")
        with pytest.raises(LinkInvalid):
            habit_links.read_talked_token(other_purpose.dumps([7, 11, 13, 17]), 7)
