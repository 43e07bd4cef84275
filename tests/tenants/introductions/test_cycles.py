"""Matching cycles: cadence, one run per period, auto-send, the fan-out and expiry jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_now
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.tenancy import unscoped
from joren.tenants.introductions import cycles, loader, services
from joren.tenants.introductions.models import (
    Cadence,
    Introduction,
    IntroductionCycle,
    IntroductionSettings,
    IntroductionSource,
    IntroductionStatus,
    Response,
)
from joren.workers import introduction_jobs
from tests import factories
from tests.tenants.helpers import reload
from tests.tenants.introductions.intro_support import person
from tests.workers.helpers import queued_jobs

pytestmark = pytest.mark.usefixtures("clock")

MONDAY = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # ISO 2026-W48


def test_cadence_due_periods() -> None:
    assert cycles.due_period(Cadence.WEEKLY, MONDAY) == "2026-W48"
    assert cycles.due_period(Cadence.MONTHLY, MONDAY) == "2026-11"
    assert cycles.due_period(Cadence.OFF, MONDAY) is None
    # Every two weeks: due when none ran, or the last one is 13+ days old.
    assert cycles.due_period(Cadence.BIWEEKLY, MONDAY) == "2026-W48"
    assert cycles.due_period(Cadence.BIWEEKLY, MONDAY, MONDAY - timedelta(days=7)) is None
    assert cycles.due_period(Cadence.BIWEEKLY, MONDAY, MONDAY - timedelta(days=13)) == (
        "2026-W48")
    assert cycles.due_period(Cadence.BIWEEKLY, MONDAY + timedelta(days=1), MONDAY) is None
    assert cycles.due_period("weekly", datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"
    assert len(cycles.manual_period(MONDAY)) <= 20


def _community(session, tenant):  # type: ignore[no-untyped-def]
    """Two complementary pairs (by construction, in Japanese) and a shy perfect match."""
    people = {
        "hire_help": person(session, tenant, email="hire@example.jp", company="人材サポート",
                            offer_1="中小企業の採用支援、求人票の作成と面接の代行"),
        "hire_need": person(session, tenant, email="need@example.jp", company="町工場",
                            challenges="若手社員の採用がうまくいかず、求人票の作成に困っています"),
        "web_help": person(session, tenant, email="web@example.jp", company="ウェブ工房",
                           offer_1="ホームページ制作とネット集客の相談"),
        "web_need": person(session, tenant, email="shop@example.jp", company="老舗の和菓子店",
                           ask_description="ホームページを作ってネット集客を始めたい"),
        "shy": factories.member(session, tenant, email="shy@example.jp", company="内気商店",
                                challenges="若手社員の採用がうまくいかず困っています"),
    }
    session.commit()
    return people


@pytest.fixture()
def s(session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    session.commit()
    return scoped(tenant)


def _pairs(s) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    return {(low, high) for low, high in s.execute(
        select(Introduction.member_low_id, Introduction.member_high_id))}


def test_a_cycle_fills_the_queue_once_per_period(app, session, tenant, s):  # type: ignore[no-untyped-def]
    who = _community(session, tenant)
    with app.test_request_context("/"):
        cycle = cycles.run_cycle(s, "2026-W48")
        s.commit()
    made = s.scalars(select(Introduction)).all()
    pairs = _pairs(s)
    hire = tuple(sorted((who["hire_help"].id, who["hire_need"].id)))
    web = tuple(sorted((who["web_help"].id, who["web_need"].id)))
    assert hire in pairs and web in pairs
    assert all(who["shy"].id not in p for p in pairs)  # no consent, never suggested
    assert all(i.source == IntroductionSource.ENGINE and i.status == IntroductionStatus.SUGGESTED
               and i.cycle_id == cycle.id and i.score is not None for i in made)
    reasons = next(i for i in made if (i.member_low_id, i.member_high_id) == hire).reasons
    assert reasons and all(set(r) == {"code", "params"} for r in reasons)
    assert cycle.suggested == len(made) and cycle.candidates >= 4
    assert cycle.finished_at is not None
    with app.test_request_context("/"):
        again = cycles.run_cycle(s, "2026-W48")
        s.commit()
    assert again.id == cycle.id
    assert len(s.scalars(select(Introduction)).all()) == len(made)
    assert s.scalars(select(OutboxMessage)).all() == []  # review first: nothing emailed
    # A later period never suggests the same pairs again.
    with app.test_request_context("/"):
        later = cycles.run_cycle(s, "2026-W49")
    new = {(i.member_low_id, i.member_high_id) for i in s.scalars(
        select(Introduction).where(Introduction.cycle_id == later.id))}
    assert later.id != cycle.id and len(new) == later.suggested and not new & pairs


def test_per_member_cap_limits_each_members_suggestions(app, session, tenant, s):  # type: ignore[no-untyped-def]
    star = person(session, tenant, email="star@example.jp", company="何でも屋",
                  offer_1="採用支援とホームページ制作とネット集客")
    for n in range(5):
        person(session, tenant, email=f"fan{n}@example.jp", company=f"会社{n}",
               challenges="採用とホームページ制作とネット集客に困っています")
    session.commit()
    services.update_settings(s, cadence=Cadence.WEEKLY, auto_send=False, per_member_cap=1,
                             expiry_days=14)
    with app.test_request_context("/"):
        cycles.run_cycle(s, "2026-W48")
    counts: dict[int, int] = {}
    for low, high in _pairs(s):
        counts[low] = counts.get(low, 0) + 1
        counts[high] = counts.get(high, 0) + 1
    assert counts and max(counts.values()) == 1
    assert counts.get(star.id) == 1


def test_suggestions_still_pending_count_towards_the_cap(app, session, tenant, s):  # type: ignore[no-untyped-def]
    star = person(session, tenant, email="star@example.jp", company="何でも屋",
                  offer_1="採用支援とホームページ制作とネット集客")
    for n in range(6):
        person(session, tenant, email=f"fan{n}@example.jp", company=f"会社{n}",
               challenges="採用とホームページ制作とネット集客に困っています")
    session.commit()
    services.update_settings(s, cadence=Cadence.WEEKLY, auto_send=False, per_member_cap=2,
                             expiry_days=14)
    with app.test_request_context("/"):
        cycles.run_cycle(s, "2026-W48")
        first = _pairs(s)
        # Nobody reviewed them: the star already holds two, so the next cycle gives it none.
        cycles.run_cycle(s, "2026-W49")
        assert _pairs(s) == first
        # Once the organizer has decided on them, the star has room again (for new people).
        for waiting_one in s.scalars(select(Introduction)):
            services.skip(s, waiting_one, None)
        cycles.run_cycle(s, "2026-W50")
    later = _pairs(s) - first
    assert sum(star.id in p for p in first) == 2
    assert sum(star.id in p for p in later) == 2
    waiting: dict[int, int] = {}
    for low, high in s.execute(select(Introduction.member_low_id, Introduction.member_high_id)
                               .where(Introduction.status == IntroductionStatus.SUGGESTED)):
        waiting[low] = waiting.get(low, 0) + 1
        waiting[high] = waiting.get(high, 0) + 1
    assert waiting[star.id] == 2
    # A sent introduction stays pending only for the side that has not answered.
    introduction = s.scalars(select(Introduction).where(
        Introduction.status == IntroductionStatus.SUGGESTED)).first()
    introduction.status = IntroductionStatus.SENT
    introduction.low_response = Response.ACCEPTED
    s.flush()
    _features, history = loader.load(s)
    low, high = introduction.member_low_id, introduction.member_high_id
    assert history.pending.get(low, 0) == waiting[low] - 1
    assert history.pending[high] == waiting[high]


def test_auto_send_approves_at_once_but_keeps_unsendable_pairs_for_review(
    app, session, tenant, s, smtp_server, run_jobs
):  # type: ignore[no-untyped-def]
    who = _community(session, tenant)
    record_unsubscribe(session, "shop@example.jp", "introductions", tenant.id)
    session.commit()
    services.update_settings(s, cadence=Cadence.WEEKLY, auto_send=True, per_member_cap=2,
                             expiry_days=10)
    with app.test_request_context("/"):
        cycles.run_cycle(s, "2026-W48")
        s.commit()
    by_pair = {(i.member_low_id, i.member_high_id): i for i in s.scalars(select(Introduction))}
    hire = by_pair[tuple(sorted((who["hire_help"].id, who["hire_need"].id)))]
    web = by_pair[tuple(sorted((who["web_help"].id, who["web_need"].id)))]
    assert hire.status == IntroductionStatus.SENT
    assert (hire.expires_at - hire.sent_at).days == 10
    assert web.status == IntroductionStatus.SUGGESTED  # one side opted out of these emails
    run_jobs()
    recipients = {m["To"].addresses[0].addr_spec for m in smtp_server.messages}
    assert {"hire@example.jp", "need@example.jp"} <= recipients
    assert "shop@example.jp" not in recipients


def test_the_fan_out_enqueues_only_communities_that_are_due(app, session, tenant,
                                                            other_tenant, people):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add(IntroductionSettings(tenant_id=other_tenant.id, cadence=Cadence.OFF))
        session.add(IntroductionSettings(tenant_id=tenant.id, cadence=Cadence.WEEKLY))
    session.commit()
    due = introduction_jobs.due_cycles(session, MONDAY)
    assert due == [(tenant.id, "2026-W48")]
    # The next day, with this week's cycle done, a biweekly community is not due again.
    with unscoped(session):
        session.get(IntroductionSettings, session.scalar(
            select(IntroductionSettings.id).where(
                IntroductionSettings.tenant_id == tenant.id))).cadence = Cadence.BIWEEKLY
        session.add(IntroductionCycle(tenant_id=tenant.id, period="2026-W48", started_at=MONDAY))
        session.add(IntroductionCycle(tenant_id=other_tenant.id, period="manual-1",
                                      started_at=MONDAY))
        session.flush()
    assert introduction_jobs.due_cycles(session, MONDAY + timedelta(days=1)) == []
    assert introduction_jobs.due_cycles(session, MONDAY + timedelta(days=14)) == [
        (tenant.id, "2026-W50")]
    session.rollback()

    with app.app_context():
        assert introduction_jobs.fan_out_introduction_cycles() == 1
        assert introduction_jobs.fan_out_introduction_cycles() == 1  # same period: no new job
    jobs = [j for j in queued_jobs(app) if j.func_name == introduction_jobs.RUN_CYCLE_JOB]
    assert len(jobs) == 1 and jobs[0].args[0] == tenant.id
    assert str(tenant.id) in jobs[0].id


def test_the_cycle_job_runs_in_its_community_only(app, session, tenant, other_tenant, people,
                                                  run_jobs):  # type: ignore[no-untyped-def]
    _community(session, tenant)
    theirs = [person(session, other_tenant, email=f"kobe{n}@example.jp", company=f"神戸{n}",
                     offer_1="採用支援", challenges="採用に困っています") for n in range(2)]
    session.commit()
    with app.app_context():
        enqueue_now(introduction_jobs.RUN_CYCLE_JOB, tenant.id, "2026-11")
    run_jobs()
    with unscoped(session):
        rows = session.scalars(select(Introduction)).all()
        cycles_ = session.scalars(select(IntroductionCycle)).all()
    assert rows and {r.tenant_id for r in rows} == {tenant.id}
    assert all(t.id not in (r.member_low_id, r.member_high_id) for r in rows for t in theirs)
    assert [(c.tenant_id, c.period) for c in cycles_] == [(tenant.id, "2026-11")]


def test_the_expiry_sweep_closes_overdue_introductions(app, session, tenant, other_tenant,
                                                       people, scoped, run_jobs):  # type: ignore[no-untyped-def]
    a = person(session, tenant, email="a@example.jp")
    b = person(session, tenant, email="b@example.jp")
    c = person(session, tenant, email="c@example.jp")
    session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        overdue = services.introduce(s, a.id, b.id, source="organizer")
        services.approve(s, overdue, None)
        fresh = services.introduce(s, a.id, c.id, source="organizer")
        services.approve(s, fresh, None)
        overdue.expires_at = utcnow() - timedelta(hours=1)
        s.commit()
    run_jobs()  # the proposals
    with app.app_context():
        assert introduction_jobs.fan_out_expire_introductions() == 1
    run_jobs()
    assert reload(session, Introduction, overdue.id).status == IntroductionStatus.EXPIRED
    assert reload(session, Introduction, fresh.id).status == IntroductionStatus.SENT
    with app.app_context():
        assert introduction_jobs.fan_out_expire_introductions() == 0
