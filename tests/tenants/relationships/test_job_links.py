"""The habit jobs run with no request and no SERVER_NAME, as in production; the follow-ups and
nudges they send link to BASE_URL, in each reader's language (issue 12, finding 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_now
from tests import factories
from tests.links import assert_in_language, assert_links_on, stored, watch_rendering
from tests.tenants.relationships.test_habits_follow_up import _evening, connected, run_habits
from tests.tenants.relationships.test_habits_nudges import _daytime_zone

pytestmark = pytest.mark.usefixtures("clock")


def test_the_follow_up_job_links_to_base_url(app, session, tenant, people, run_jobs,
                                             production_base_url, monkeypatch):
    _evening(session, tenant, people)
    session.commit()
    rendered = watch_rendering(monkeypatch)
    run_habits(app, run_jobs)
    pairs = {(r.template, r.in_request) for r in rendered}
    assert ("relationships/habits/follow_up", False) in pairs
    assert all(not r.in_request for r in rendered)
    mails = {m.to_email: m for m in stored(session, "relationships/habits/follow_up")}
    links = assert_links_on(production_base_url, mails.values())
    assert any(link.startswith(f"{production_base_url}/c/{tenant.slug}/") for link in links)
    assert_in_language(mails[people.member.email], "en")


def test_the_nudge_job_links_to_base_url(app, session, people, run_jobs, production_base_url,
                                         monkeypatch):
    now = utcnow()
    community = factories.community(session, slug="nudge-town", timezone=_daytime_zone(now))
    english = factories.account(session, "eng@example.jp", language="en")
    a = factories.member(session, community, english, family_name="Smith", given_name="Ann")
    b = factories.member(session, community, family_name="佐藤", given_name="一")
    connected(session, a, b, now - timedelta(days=31))
    session.commit()
    rendered = watch_rendering(monkeypatch)
    with app.app_context():
        enqueue_now("joren.workers.habit_jobs.fan_out_introduction_nudges")
    run_jobs()
    assert {(r.template, r.in_request) for r in rendered} == {("relationships/habits/nudge", False)}
    mails = {m.to_email: m for m in stored(session, "relationships/habits/nudge")}
    links = assert_links_on(production_base_url, mails.values())
    assert any(link.startswith(f"{production_base_url}/c/{community.slug}/talked/")
               for link in links)
    assert any(link.startswith(f"{production_base_url}/unsubscribe/") for link in links)
    assert_in_language(mails["eng@example.jp"], "en")
    assert_in_language(mails[b.email], "ja")
