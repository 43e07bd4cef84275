"""The page cache on the analytics page and a meetup's registrations list (issue 14): what a
page shows is the same kept or computed, a write shows at once, the emails' delivery states
(moved by the mail worker, which marks no community) show at once, and another community's
organizer never gets a kept page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus
from joren.platform.tenancy import unscoped
from joren.tenants.console import views as console_views
from joren.tenants.engagement import dashboard_views
from joren.tenants.introductions import review_views
from joren.tenants.introductions.models import IntroductionStatus
from joren.tenants.meetups.registrations import reading
from tests.platform.pagecache_helpers import (
    TOKEN,
    counting,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.engagement.test_analytics_views import PAGE as ANALYTICS
from tests.tenants.engagement.test_analytics_views import _history, send_url
from tests.tenants.helpers import days_ago, meetup
from tests.tenants.meetups.helpers_checkin import person, register

pytestmark = pytest.mark.usefixtures("clock")





# -- analytics -----------------------------------------------------------------------------

@pytest.fixture()
def history(session, scoped, tenant, people):  # type: ignore[no-untyped-def]
    return _history(session, scoped, tenant, people)


def test_analytics_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                      staff_client, history):
    page = same_cached_and_not(app, organizer_client, ANALYTICS)
    assert "木村" in page and 'id="we-miss-you-selection"' in page
    # staff may not email: their page is their own
    staff = same_cached_and_not(app, staff_client, ANALYTICS)
    assert 'id="we-miss-you-selection"' not in staff
    computed = counting(monkeypatch, dashboard_views, "analytics")
    organizer_client.get(ANALYTICS)
    organizer_client.get(ANALYTICS + "?page=1")
    assert len(computed) == 1  # the second address is another key


def test_analytics_shows_a_write_at_once(app, session, organizer_client, history):
    _lapsed, other_lapsed, *_ = history
    assert "木村工務店" in organizer_client.get(ANALYTICS).get_data(as_text=True)
    other_lapsed.company = "木村建設"
    session.commit()
    page = same_cached_and_not(app, organizer_client, ANALYTICS)
    assert "木村建設" in page and "木村工務店" not in page


def test_analytics_shows_an_emails_delivery_at_once(app, session, organizer_client, history):
    lapsed, *_ = history
    assert organizer_client.post(send_url(lapsed.id)).status_code in (200, 302)
    page = organizer_client.get(ANALYTICS).get_data(as_text=True)
    assert 'data-sent="pending"' in page
    # the mail worker's bulk update marks no community
    session.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
                    .values(status=OutboxStatus.SENT))
    session.commit()
    page = same_cached_and_not(app, organizer_client, ANALYTICS)
    assert 'data-sent="sent"' in page and 'data-sent="pending"' not in page


def test_analytics_is_never_another_communitys(login, session, organizer_client,
                                               other_tenant, tenant, history):
    assert "木村" in organizer_client.get(ANALYTICS).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(ANALYTICS).status_code in (403, 404)
    theirs = intruder.get(ANALYTICS.replace(f"/c/{tenant.slug}/", f"/c/{other_tenant.slug}/"))
    assert theirs.status_code == 200
    assert "木村" not in theirs.get_data(as_text=True)


# -- a meetup's registrations -----------------------------------------------------------------

@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    evening = meetup(session, tenant, "定例会", starts_at=days_ago(-3), capacity=2)
    for k in ("ア", "イ", "ウ"):
        register(session, evening, person(session, tenant, f"苗字{k}", "太郎", f"{k}ノ",
                                          "タロウ", company=f"{k}商事"))
    session.commit()
    return evening


def _registrations(tenant, evening, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{evening.id}/registrations{query}"


def test_registrations_are_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                           staff_client, tenant, evening):
    page = same_cached_and_not(app, organizer_client, _registrations(tenant, evening))
    assert "苗字ア" in page and 'value="cancel"' in page
    staff = same_cached_and_not(app, staff_client, _registrations(tenant, evening))
    assert "苗字ア" in staff and 'value="cancel"' not in staff  # staff may not act
    one_group = same_cached_and_not(app, organizer_client,
                                     _registrations(tenant, evening, "?group=going&page=1"))
    assert one_group != page
    computed = counting(monkeypatch, reading, "console_groups")
    organizer_client.get(_registrations(tenant, evening))
    organizer_client.get(_registrations(tenant, evening, "?group=going&page=1"))
    organizer_client.get(_registrations(tenant, evening, "?group=waitlisted&page=1"))
    assert len(computed) == 1  # only the group never shown before


def test_registrations_show_a_write_at_once(app, session, organizer_client, tenant, evening):
    assert "苗字エ" not in organizer_client.get(
        _registrations(tenant, evening)).get_data(as_text=True)
    register(session, evening, person(session, tenant, "苗字エ", "花子", "エノ", "ハナコ"))
    session.commit()
    page = same_cached_and_not(app, organizer_client, _registrations(tenant, evening))
    assert "苗字エ" in page


def test_registrations_are_never_another_communitys(login, session, organizer_client, tenant,
                                                    other_tenant, evening):
    url = _registrations(tenant, evening)
    assert "苗字ア" in organizer_client.get(url).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(url).status_code in (403, 404)
    guessed = intruder.get(url.replace(f"/c/{tenant.slug}/", f"/c/{other_tenant.slug}/"))
    assert guessed.status_code == 404
    assert "苗字ア" not in guessed.get_data(as_text=True)


# -- a member's story ------------------------------------------------------------------------

@pytest.fixture()
def story(session, tenant, people):  # type: ignore[no-untyped-def]
    from tests.tenants.console.test_member_story import story as seeded
    return seeded.__wrapped__(session, tenant, people)


def _story(member, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/osaka-mixer/admin/members/{member.id}/story{query}"


def test_the_story_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                      staff_client, people, story):
    me = people.member_member
    page = same_cached_and_not(app, organizer_client, _story(me))
    assert "四月の定例会" in page and 'id="body"' in page
    staff = same_cached_and_not(app, staff_client, _story(me))
    assert "四月の定例会" in staff and 'id="body"' not in staff  # staff may not write notes
    same_cached_and_not(app, organizer_client, _story(me, "?page=2"))
    computed = counting(monkeypatch, console_views, "story")
    organizer_client.get(_story(me))
    organizer_client.get(_story(me, "?page=2"))
    assert computed == []


def test_the_story_shows_a_note_at_once(app, organizer_client, people, story):
    me = people.member_member
    assert "初めての来場" not in organizer_client.get(_story(me)).get_data(as_text=True)
    saved = organizer_client.post(_story(me), data={"body": "初めての来場", "csrf_token": (
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                  organizer_client.get(_story(me)).get_data(as_text=True)).group(1))})
    assert saved.status_code == 302
    assert "メモ" in organizer_client.get(_story(me)).get_data(as_text=True)  # the flash, once
    assert "初めての来場" in same_cached_and_not(app, organizer_client, _story(me))


def test_the_story_shows_an_unsubscribe_at_once(app, session, organizer_client, tenant,
                                                people, story):
    me = people.member_member
    before = organizer_client.get(_story(me)).get_data(as_text=True)
    with unscoped(session):  # an unsubscribe link: a platform row, no community marked
        session.add(EmailUnsubscribe(email=me.email, category="all", community_id=None))
        session.commit()
    after = same_cached_and_not(app, organizer_client, _story(me))
    assert TOKEN.sub(r"\1TOKEN\2", before) != after


def test_the_story_is_never_another_communitys(login, session, organizer_client, tenant,
                                               other_tenant, people, story):
    me = people.member_member
    assert "四月の定例会" in organizer_client.get(_story(me)).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(_story(me)).status_code in (403, 404)
    guessed = intruder.get(_story(me).replace(f"/c/{tenant.slug}/", f"/c/{other_tenant.slug}/"))
    assert guessed.status_code == 404
    assert "四月の定例会" not in guessed.get_data(as_text=True)


# -- the introductions review queue ----------------------------------------------------------

@pytest.fixture()
def queue_data(session, tenant, people):  # type: ignore[no-untyped-def]
    from tests.tenants.introductions.test_review_queue import queue_data as seeded
    return seeded.__wrapped__(session, tenant, people)


def _queue(tenant, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/introductions{query}"


def _cards(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-introduction="(\d+)"', page)]


def test_the_queue_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                      tenant, queue_data):
    every = same_cached_and_not(app, organizer_client, _queue(tenant))
    assert len(_cards(every)) == len(queue_data)
    regular = same_cached_and_not(app, organizer_client, _queue(tenant, "?level=regular"))
    assert _cards(regular) == [queue_data[0].id]
    offers = same_cached_and_not(app, organizer_client,
                                  _queue(tenant, "?reason=offers_for_ask"))
    assert sorted(_cards(offers)) == sorted([queue_data[2].id, queue_data[4].id])
    # the same filters written in another order are written back as given (return_to)
    reordered = same_cached_and_not(
        app, organizer_client, _queue(tenant, "?max_score=0.7&min_score=0.25"))
    assert 'value="max_score=0.7&amp;min_score=0.25"' in reordered
    ticked = same_cached_and_not(app, organizer_client,
                                  _queue(tenant, f"?selected={queue_data[0].id}"))
    assert ticked != every
    computed = counting(monkeypatch, review_views, "queue_page")
    for query in ("", "?level=regular", "?reason=offers_for_ask", f"?selected={queue_data[0].id}"):
        organizer_client.get(_queue(tenant, query))
    assert computed == []
    organizer_client.get(_queue(tenant, "?level=first_timer"))
    assert computed == [1]  # filters never shown before are computed


def test_the_queue_shows_a_decision_at_once(app, session, organizer_client, tenant,
                                            queue_data):
    assert queue_data[0].id in _cards(organizer_client.get(_queue(tenant)).get_data(as_text=True))
    organizer_client.get(_queue(tenant, "?level=regular"))
    queue_data[0].status = IntroductionStatus.SKIPPED
    session.commit()
    assert queue_data[0].id not in _cards(same_cached_and_not(app, organizer_client,
                                                              _queue(tenant)))
    assert _cards(same_cached_and_not(app, organizer_client,
                                       _queue(tenant, "?level=regular"))) == []


def test_the_queue_is_never_another_communitys(login, session, organizer_client, tenant,
                                               other_tenant, queue_data):
    assert "p姓0" in organizer_client.get(_queue(tenant)).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(_queue(tenant)).status_code in (403, 404)
    theirs = intruder.get(_queue(other_tenant))
    assert theirs.status_code == 200
    body = theirs.get_data(as_text=True)
    assert "p姓0" not in body and _cards(body) == []
