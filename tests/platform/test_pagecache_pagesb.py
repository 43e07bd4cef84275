"""The page cache on pages about one member or one meetup (issue 14): a guest's profile form,
registering someone by hand, a meetup's survey results, a member's dues and their engagement.
Each reads the member or meetup only while it computes (a kept page is the sign-in alone: it
proves the row was this community's and unchanged), is the same kept or computed, shows a
write at once (its title too), answers an unknown id or another community's with 404, never
kept, and never serves another community's page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.tenants.console import views as console_views
from joren.tenants.engagement import dashboard_views
from joren.tenants.engagement import views as engagement_views
from joren.tenants.meetups.survey import views as survey_views
from joren.tenants.members.profiles import views as profile_views
from joren.tenants.payments.dues import views as dues_views
from tests import factories
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    never_another_communitys,
    reads_when_kept,
    same_cached_and_not,
)
from tests.tenants.engagement.test_analytics_views import _history, send_url
from tests.tenants.helpers import days_ago, meetup
from tests.tenants.payments.stripe.dues_helpers import enable_dues

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"


@pytest.fixture()
def things(session, tenant, people):  # type: ignore[no-untyped-def]
    """A member row without an account (organizers may edit it), a meetup next week and one
    last week, dues switched on."""
    guest = factories.member(session, tenant, family_name="森山", given_name="一郎",
                             email="moriyama@example.jp")
    soon = meetup(session, tenant, "秋の定例会")
    past = meetup(session, tenant, "夏の定例会",
                  starts_at=utcnow() - timedelta(days=7))
    enable_dues(session, tenant)
    session.commit()
    return {"guest": guest, "soon": soon, "past": past}


# page -> (its address, whether it is about a member or a meetup, the view function computing
# its body)
PAGES = {
    "profile": (lambda t: f"{ADMIN}/members/{t['guest'].id}/profile", "guest",
                (profile_views, "_console_edit_body")),
    "by hand": (lambda t: f"{ADMIN}/meetups/{t['soon'].id}/register-by-hand", "soon",
                (console_views, "_manual_body")),
    "by hand, searched": (lambda t: f"{ADMIN}/meetups/{t['soon'].id}/register-by-hand?q=森山",
                          "soon", (console_views, "_manual_body")),
    "survey": (lambda t: f"{ADMIN}/meetups/{t['past'].id}/survey", "past",
               (survey_views, "_results_body")),
    "dues": (lambda t: f"{ADMIN}/payments/dues/members/{t['guest'].id}", "guest",
             (dues_views, "_member_body")),
    "engagement": (lambda t: f"{ADMIN}/engagement/members/{t['guest'].id}", "guest",
                   (engagement_views, "_stored_or_recomputed")),
}


def _name(thing) -> str:  # type: ignore[no-untyped-def]
    return getattr(thing, "title", None) or thing.display_name


def _title(page: str) -> str:
    return page.split("<title>", 1)[1].split("</title>", 1)[0]


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client, things,
                                                     page):
    url, about, (module, body) = PAGES[page]
    shown = same_cached_and_not(app, organizer_client, url(things))
    assert _name(things[about]) in _title(shown)
    computed = counting(monkeypatch, module, body)
    assert organizer_client.get(url(things)).status_code == 200
    assert computed == []


@pytest.mark.parametrize("page", list(PAGES))
def test_a_kept_page_reads_no_member_and_no_meetup(app, organizer_client, things, page):
    url = PAGES[page][0](things)
    # (a member's first engagement page computes their figures and writes them)
    assert organizer_client.get(url).status_code == 200
    kept = reads_when_kept(app, organizer_client, url)
    assert len(kept) == 1, kept  # the sign-in, which reads the community's fingerprint too
    assert not any("FROM members" in s or "FROM meetups" in s for s in kept)
    computed = computing(app, organizer_client, url)
    assert any("FROM members" in s or "FROM meetups" in s for s in computed)
    assert len(computed) <= 10


@pytest.mark.parametrize("page", list(PAGES))
def test_a_write_shows_at_once(app, session, organizer_client, things, page):
    url, about, _body = PAGES[page]
    organizer_client.get(url(things))
    thing = things[about]
    if about == "guest":
        thing.given_name = "二郎"
    else:
        thing.title = "冬の定例会"
    session.commit()
    shown = same_cached_and_not(app, organizer_client, url(things))
    assert _name(thing) in _title(shown) and _name(thing) in shown.split("</title>", 1)[1]


@pytest.mark.parametrize("page", list(PAGES))
def test_an_unknown_id_is_a_404_never_kept(app, monkeypatch, organizer_client, things, page):
    url, about, (module, body) = PAGES[page]
    organizer_client.get(url(things))
    unknown = re.sub(rf"/{things[about].id}(?=/|\?|$)", "/999999", url(things))
    computed = counting(monkeypatch, module, body)
    for _ in range(2):
        assert organizer_client.get(unknown).status_code == 404
    assert computed == []  # refused before the body, both times


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_is_never_another_communitys(login, session, organizer_client, other_tenant,
                                              things, page):
    url = PAGES[page][0](things)
    assert organizer_client.get(url).status_code == 200
    never_another_communitys(login, session, other_tenant, url,
                             ("森山 一郎", "moriyama@example.jp", "秋の定例会", "夏の定例会"))


# -- who may edit a profile ---------------------------------------------------------------------

def test_a_profile_form_is_refused_where_it_was_before(app, session, people, organizer_client,
                                                      staff_client, things):
    guest = things["guest"]
    url = PAGES["profile"][0](things)
    assert organizer_client.get(url).status_code == 200  # kept now
    # a staff member may not manage members; a row with an account is its owner's to edit;
    # one's own row is edited on the portal
    assert staff_client.get(url).status_code == 403
    for member in (people.member_member, people.organizer_member):
        assert organizer_client.get(f"{ADMIN}/members/{member.id}/profile").status_code == 403
    # the guest signs up: the kept page (another key now) is refused at once
    guest.account_id = people.outsider.id
    session.commit()
    assert organizer_client.get(url).status_code == 403
    assert organizer_client.post(url, data={}).status_code == 403


# -- a member's story: the unsubscribes read on every view ----------------------------------------

def test_the_storys_unsubscribes_read_alone_answer_as_through_the_orm(session, tenant,
                                                                    other_tenant, things):
    from joren.platform.mail.unsubscribes import record_unsubscribe
    from joren.tenants.members.consent import services as consent

    record_unsubscribe(session, "moriyama@example.jp", "announcements", tenant.id)
    record_unsubscribe(session, "moriyama@example.jp", "we_miss_you", None)
    record_unsubscribe(session, "moriyama@example.jp", "reminders", other_tenant.id)
    record_unsubscribe(session, "someone@example.jp", "reminders", tenant.id)
    session.commit()
    addresses = ["Moriyama@example.jp", "nobody@example.jp", ""]
    alone = consent.address_unsubscribes_alone(session, tenant.id, addresses)
    assert alone == consent.address_unsubscribes(session, tenant.id, addresses)
    assert sorted(alone["moriyama@example.jp"]) == ["announcements", "we_miss_you"]
    assert consent.address_unsubscribes_alone(session, tenant.id, [""]) == {}


def test_a_kept_story_reads_the_sign_in_and_the_unsubscribes(app, organizer_client, things):
    # (that an unsubscribe shows at once: test_pagecache_pages.py)
    url = f"{ADMIN}/members/{things['guest'].id}/story"
    kept = reads_when_kept(app, organizer_client, url)
    assert len(kept) == 2 and "email_unsubscribes" in kept[1], kept


# -- the "we miss you" email to one person -------------------------------------------------------

@pytest.fixture()
def lapsed(session, scoped, tenant, people):  # type: ignore[no-untyped-def]
    """Seven weekly meetups up to yesterday, one next week (次回の定例会); 田中 (the member,
    reading English) and 木村 are lapsed regulars."""
    return _history(session, scoped, tenant, people)


def test_the_draft_is_the_same_kept_and_each_organizers_own(app, monkeypatch, login, people,
                                                            organizer_client, owner_client,
                                                            lapsed):
    url = send_url(lapsed[0].id)
    page = same_cached_and_not(app, organizer_client, url)
    assert 'id="we-miss-you-form"' in page and "次回の定例会" in page
    assert lapsed[0].display_name in _title(page)
    # signed with the reader's name: the owner's draft is the owner's
    owners = same_cached_and_not(app, owner_client, url)
    assert people.owner_member.display_name in owners.split('id="message"', 1)[1]
    assert people.organizer_member.display_name in page.split('id="message"', 1)[1]
    computed = counting(monkeypatch, dashboard_views, "_compose_body")
    for client in (organizer_client, owner_client):
        assert client.get(url).status_code == 200
    assert computed == []


def test_a_kept_draft_reads_the_sign_in_and_the_emails_state(app, organizer_client, lapsed):
    url = send_url(lapsed[0].id)
    kept = reads_when_kept(app, organizer_client, url)
    assert len(kept) == 2 and "outbox_messages" in kept[1], kept
    assert len(computing(app, organizer_client, url)) <= 10


def test_a_draft_shows_a_send_and_the_mail_workers_move_at_once(app, session, organizer_client,
                                                                 lapsed):
    url = send_url(lapsed[0].id)
    assert 'data-state="sent"' not in organizer_client.get(url).get_data(as_text=True)
    # sending queues an email (no community's row: nothing is marked)
    assert organizer_client.post(url, data={"action": "send"}).status_code == 302
    assert "alert-success" in organizer_client.get(url).get_data(as_text=True)  # (its flash)
    page = same_cached_and_not(app, organizer_client, url)
    assert 'data-state="sent"' in page and 'id="we-miss-you-form"' not in page
    pending = page.split('data-state="sent"', 1)[1]
    # the mail worker's bulk update marks no community either
    session.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
                    .values(status=OutboxStatus.SENT))
    session.commit()
    sent = same_cached_and_not(app, organizer_client, url).split('data-state="sent"', 1)[1]
    assert sent != pending


def test_a_draft_follows_the_clock_to_the_next_meetup(app, session, clock, tenant, login,
                                                      people, organizer_client, lapsed):
    url = send_url(lapsed[0].id)
    meetup(session, tenant, "次々回の定例会", starts_at=days_ago(-14))
    session.commit()
    assert "次回の定例会" in organizer_client.get(url).get_data(as_text=True)
    clock.shift(days=8)  # next week's has begun, nothing written
    client = login(people.organizer)  # (the first sign-in has been idle for days)
    page = same_cached_and_not(app, client, url)
    assert "次々回の定例会" in page and "次回の定例会" not in page


def test_a_draft_shows_a_write_at_once(app, session, organizer_client, lapsed):
    url = send_url(lapsed[0].id)
    organizer_client.get(url)
    lapsed[0].given_name = "四郎"
    session.commit()
    page = same_cached_and_not(app, organizer_client, url)
    assert "田中 四郎" in _title(page) and "田中 四郎" in page.split("</title>", 1)[1]


def test_an_unknown_draft_is_a_404_never_kept(app, monkeypatch, organizer_client, people,
                                             lapsed):
    organizer_client.get(send_url(lapsed[0].id))
    computed = counting(monkeypatch, dashboard_views, "draft")
    for member_id in (999999, people.other_owner_member.id):
        for _ in range(2):
            assert organizer_client.get(send_url(member_id)).status_code == 404
    assert computed == []


def test_a_draft_is_never_another_communitys(login, session, organizer_client, other_tenant,
                                            lapsed):
    url = send_url(lapsed[0].id)
    assert organizer_client.get(url).status_code == 200
    never_another_communitys(login, session, other_tenant, url,
                             ("田中 三郎", "次回の定例会", "You came to 4"))
