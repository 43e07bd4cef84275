"""Email preferences: each kind turned off is the same per-community opt-out the
List-Unsubscribe link records, turning it on again deletes it, and another community's
preferences are untouched."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from joren.platform.mail.models import EmailUnsubscribe
from joren.platform.mail.tokens import make_unsubscribe_token
from joren.platform.mail.unsubscribes import is_unsubscribed, record_unsubscribe
from joren.tenants.relationships import preferences
from tests import factories
from tests.tenants.helpers import in_english

pytestmark = pytest.mark.usefixtures("clock")

ALL_ON = {"reminders": "y", "meetup_prep": "y", "follow_ups": "y", "nudges": "y",
          "introductions": "y", "we_miss_you": "y", "announcements": "y", "surveys": "y"}


def _rows(session, email="member@example.jp"):  # type: ignore[no-untyped-def]
    session.expire_all()
    return {(r.category, r.community_id) for r in session.scalars(
        select(EmailUnsubscribe).where(EmailUnsubscribe.email == email))}


def test_the_page_turns_each_kind_off_and_on(session, tenant, other_tenant, people,
                                             member_client):
    url = f"/c/{tenant.slug}/email-preferences"
    in_english(member_client)
    page = member_client.get(url).get_data(as_text=True)
    for label in ("People to meet before meetups", "Next-day follow-ups", "Introduction nudges",
                  "Introduction suggestions", "Meetup reminders", "Announcements",
                  "After-meetup surveys", "member@example.jp"):
        assert label in page
    assert page.count('checked') == 8

    off = {k: v for k, v in ALL_ON.items() if k not in ("nudges", "meetup_prep", "reminders")}
    assert member_client.post(url, data=off).status_code == 302
    assert _rows(session) == {("nudges", tenant.id), ("meetup_prep", tenant.id),
                              ("reminders", tenant.id)}
    assert is_unsubscribed(session, "member@example.jp", "nudges", tenant.id)
    assert is_unsubscribed(session, "member@example.jp", "reminders", tenant.id)
    assert not is_unsubscribed(session, "member@example.jp", "nudges", other_tenant.id)
    assert not is_unsubscribed(session, "member@example.jp", "reminders", other_tenant.id)
    assert member_client.get(url).get_data(as_text=True).count("checked") == 5

    assert member_client.post(url, data={**off, "nudges": "y", "reminders": "y"}
                              ).status_code == 302
    assert _rows(session) == {("meetup_prep", tenant.id)}
    member_client.post(url, data=ALL_ON)
    assert _rows(session) == set()


def test_an_unsubscribe_link_shows_on_the_page_and_stopping_everything_can_be_undone(
        app, session, tenant, people, member_client, client):
    with app.app_context():
        token = make_unsubscribe_token("member@example.jp", "follow_ups", tenant.id, "en")
    assert client.post(f"/unsubscribe/{token}").status_code == 200  # the email's link
    url = f"/c/{tenant.slug}/email-preferences"
    in_english(member_client)
    assert member_client.get(url).get_data(as_text=True).count("checked") == 7

    record_unsubscribe(session, "member@example.jp", "all", tenant.id)
    session.commit()
    page = member_client.get(url).get_data(as_text=True)
    assert "You have stopped all emails from this community." in page
    assert member_client.post(url, data={"action": "resume_all"}).status_code == 302
    assert _rows(session) == {("follow_ups", tenant.id)}


def test_a_reminders_unsubscribe_link_turns_the_reminders_switch_off(
        app, session, tenant, people, member_client, client):
    with app.app_context():
        token = make_unsubscribe_token("member@example.jp", "reminders", tenant.id, "en")
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    url = f"/c/{tenant.slug}/email-preferences"
    page = in_english(member_client).get(url).get_data(as_text=True)
    assert page.count("checked") == 7
    (switch,) = re.findall(r'<input[^>]*name="reminders"[^>]*>', page)
    assert "checked" not in switch
    assert preferences.receiving(session, "member@example.jp", tenant.id)["reminders"] is False
    assert member_client.post(url, data=ALL_ON).status_code == 302
    assert preferences.receiving(session, "member@example.jp", tenant.id)["reminders"] is True


def test_resubscribing_also_lifts_an_opt_out_from_every_community(session, tenant):
    record_unsubscribe(session, "a@example.jp", "nudges", None)
    record_unsubscribe(session, "a@example.jp", "nudges", tenant.id)
    assert preferences.receiving(session, "a@example.jp", tenant.id)["nudges"] is False
    assert preferences.resubscribe(session, "A@example.jp", "nudges", tenant.id) == 2
    assert preferences.receiving(session, "a@example.jp", tenant.id)["nudges"] is True


def test_a_member_without_an_email_address_is_told_so(session, tenant, login, people):
    account = factories.account(session, "noemail@example.jp")
    factories.member(session, tenant, account, email=None)
    session.commit()
    c = in_english(login(account))
    page = c.get(f"/c/{tenant.slug}/email-preferences").get_data(as_text=True)
    assert "We have no email address for you" in page
    assert c.post(f"/c/{tenant.slug}/email-preferences", data={}).status_code == 200
    assert _rows(session, "noemail@example.jp") == set()


def test_outsiders_have_no_preferences_page_here(session, tenant, people, login, client):
    url = f"/c/{tenant.slug}/email-preferences"
    assert login(people.other_owner).get(url).status_code == 403
    assert login(people.other_owner).post(url, data={}).status_code == 403
    assert client.get(url).status_code == 302  # sign in first
