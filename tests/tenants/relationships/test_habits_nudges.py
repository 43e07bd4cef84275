"""A month after an accepted introduction with no contact logged since: one gentle nudge to
each side, in their language, only once, and never when they were already in touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_now
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import Introduction
from joren.tenants.relationships.habits import nudges as habit_nudges
from joren.tenants.relationships.models import ContactKind
from joren.workers import habit_jobs
from tests import factories
from tests.tenants.relationships.ledger_helpers import contact
from tests.tenants.relationships.test_habits_follow_up import by_recipient, connected, text_of

pytestmark = pytest.mark.usefixtures("clock")

TOKYO_NOON = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


def _nudged(session, introduction) -> datetime | None:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return session.scalar(select(Introduction.nudged_at).where(
            Introduction.id == introduction.id))


def test_only_a_quiet_month_old_connection_is_nudged_and_only_once(
        app, app_ctx, session, scoped, tenant, people):
    me = people.member_member
    quiet, talked, recent, old, spoke_before = (
        factories.member(session, tenant, family_name=n, given_name="様")
        for n in ("静", "話", "新", "古", "前"))
    now = TOKYO_NOON
    connected_at = now - timedelta(days=35)
    due = connected(session, me, quiet, connected_at)
    in_touch = connected(session, me, talked, connected_at)
    contact(session, talked, me, (connected_at + timedelta(days=3)).date(),
            kind=ContactKind.CALL)
    too_soon = connected(session, me, recent, now - timedelta(days=10))
    too_old = connected(session, me, old, now - timedelta(days=200))
    before = connected(session, me, spoke_before, connected_at)
    contact(session, me, spoke_before, (connected_at - timedelta(days=20)).date())
    session.commit()

    s = scoped(tenant)
    assert [i.id for i in habit_nudges.due_nudges(s, tenant, now)] == [due.id, before.id]
    assert habit_nudges.send_nudges(s, tenant, now) == 4
    s.commit()
    assert _nudged(session, due) is not None and _nudged(session, before) is not None
    for untouched in (in_touch, too_soon, too_old):
        assert _nudged(session, untouched) is None
    s2 = scoped(tenant)
    assert habit_nudges.due_nudges(s2, tenant, now + timedelta(hours=1)) == []
    assert habit_nudges.send_nudges(s2, tenant, now + timedelta(hours=1)) == 0


def test_nudges_wait_for_the_local_daytime(app, app_ctx, session, scoped, tenant, people):
    quiet = factories.member(session, tenant)
    connected(session, people.member_member, quiet, TOKYO_NOON - timedelta(days=40))
    session.commit()
    night = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo
    assert habit_nudges.due_nudges(scoped(tenant), tenant, night) == []
    assert len(habit_nudges.due_nudges(scoped(tenant), tenant, TOKYO_NOON)) == 1


def _daytime_zone(now: datetime) -> str:
    """An Etc/GMT zone where it is about noon right now (the job uses the real clock)."""
    offset = (12 - now.hour) % 24
    if offset > 14:
        offset -= 24
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def test_the_job_delivers_each_side_a_nudge_with_a_log_link_once(
        app, session, people, smtp_server, run_jobs):
    now = utcnow()
    community = factories.community(session, slug="nudge-town", timezone=_daytime_zone(now))
    english = factories.account(session, "eng@example.jp", language="en")
    a = factories.member(session, community, english, family_name="Smith", given_name="Ann",
                         company="Visible KK")
    b = factories.member(session, community, family_name="佐藤", given_name="一",
                         company="見える商事")
    connected(session, a, b, now - timedelta(days=31))
    session.commit()

    with app.app_context():
        enqueue_now("joren.workers.habit_jobs.fan_out_introduction_nudges")
    run_jobs()
    mail = by_recipient(smtp_server)
    assert set(mail) == {"eng@example.jp", b.email}
    to_a, to_b = text_of(mail["eng@example.jp"]), text_of(mail[b.email])
    assert "佐藤 一" in to_a and "見える商事" in to_a and "年" not in to_a
    assert "Smith Ann" in to_b and "Visible KK" in to_b and "年" in to_b
    assert f"/c/{community.slug}/talked/" in to_a and f"/c/{community.slug}/talked/" in to_b
    assert mail[b.email]["List-Unsubscribe"]

    with app.app_context():
        enqueue_now(habit_jobs.SEND_NUDGES_JOB, community.id, "again")
    run_jobs()
    assert len(smtp_server.messages) == 2
