"""Stored engagement: figures from the register, incremental == full, jobs and isolation."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import AttendanceStatus, MeetupStatus, MemberEngagement
from joren.platform.tenancy import unscoped
from joren.tenants.engagement import services
from joren.tenants.engagement.levels import Level
from joren.tenants.meetups import attendance
from tests import factories
from tests.tenants.engagement.helpers import NOW, past_meetups, record

pytestmark = pytest.mark.usefixtures("clock")

COLUMNS = ("level", "attended_count", "attended_in_window", "window_size", "current_streak",
           "longest_streak", "attendance_rate", "no_show_count", "going_count", "no_show_rate",
           "first_attended_at", "last_attended_at")


def figures(row: MemberEngagement) -> tuple:  # type: ignore[type-arg]
    return tuple(getattr(row, c) for c in COLUMNS)


def test_levels_figures_and_dates_from_the_register(session, tenant, scoped):
    meetups = past_meetups(session, tenant, 8)
    regular, one_time, first, lapsed = (factories.member(session, tenant) for _ in range(4))
    record(session, meetups, regular, "..xa.xlx")
    record(session, meetups, one_time, "....w...")
    record(session, meetups, first, ".......x")
    record(session, meetups, lapsed, "xxxxx...")
    session.commit()
    s = scoped(tenant)
    services.recompute_community(s, now=NOW)
    rows = {r.member_id: r for r in s.scalars(select(MemberEngagement))}
    assert rows[regular.id].level == Level.REGULAR
    assert rows[regular.id].current_streak == 3 and rows[regular.id].longest_streak == 3
    assert rows[regular.id].attendance_rate == 4 / 6
    assert rows[regular.id].first_attended_at == meetups[2].starts_at
    assert rows[regular.id].last_attended_at == meetups[7].starts_at
    assert rows[one_time.id].level == Level.ONE_TIME
    assert rows[first.id].level == Level.FIRST_TIMER
    assert rows[lapsed.id].level == Level.LAPSED_REGULAR
    assert rows[lapsed.id].current_streak == 0 and rows[lapsed.id].longest_streak == 5


def test_excused_counts_neither_for_nor_against(session, tenant, scoped):
    meetups = past_meetups(session, tenant, 6)
    excused, absent = factories.member(session, tenant), factories.member(session, tenant)
    record(session, meetups, excused, "xxxeee")    # excused three times: still regular
    record(session, meetups, absent, "xxxaaa")     # absent three times: lapsed
    session.commit()
    s = scoped(tenant)
    e = services.recompute_member(s, excused.id, now=NOW)
    a = services.recompute_member(s, absent.id, now=NOW)
    assert e.level == Level.REGULAR and e.current_streak == 3 and e.attendance_rate == 1.0
    assert e.no_show_count == 0
    assert a.level == Level.LAPSED_REGULAR and a.attendance_rate == 0.5


def test_no_show_rate_counts_going_registrations_of_ended_meetups(session, tenant, scoped):
    meetups = past_meetups(session, tenant, 6)
    future = past_meetups(session, tenant, 1, now=NOW + timedelta(days=30))
    cancelled = past_meetups(session, tenant, 1, now=NOW - timedelta(hours=6),
                             status=MeetupStatus.CANCELLED)
    member = factories.member(session, tenant)
    # going: present, absent, nothing recorded, excused, late, substitute
    record(session, meetups, member, "XANELS")
    record(session, future, member, "N")
    record(session, cancelled, member, "N")
    session.commit()
    row = services.recompute_member(scoped(tenant), member.id, now=NOW)
    assert (row.no_show_count, row.going_count) == (2, 6)
    assert row.no_show_rate == 2 / 6
    never = factories.member(session, tenant)
    session.commit()
    assert services.recompute_member(scoped(tenant), never.id, now=NOW).no_show_rate is None


def test_a_meetup_under_way_counts_only_for_those_checked_in(session, tenant, scoped):
    meetups = past_meetups(session, tenant, 3)
    running = past_meetups(session, tenant, 1, now=NOW + timedelta(days=1, hours=2))[0]
    assert running.starts_at <= NOW < running.ends_at
    here, not_yet = factories.member(session, tenant), factories.member(session, tenant)
    record(session, meetups + [running], here, "...x")
    record(session, meetups, not_yet, "xxx")
    session.commit()
    s = scoped(tenant)
    assert services.recompute_member(s, here.id, now=NOW).level == Level.FIRST_TIMER
    row = services.recompute_member(s, not_yet.id, now=NOW)
    assert row.level == Level.REGULAR and row.current_streak == 3


def random_history(rng: random.Random) -> str:
    weights = {"x": 5, "l": 1, "w": 1, "a": 2, "e": 1, "s": 1, ".": 6, "X": 3, "A": 1, "N": 1,
               "E": 1}
    style = rng.random()
    chars, w = list(weights), list(weights.values())
    if style < 0.3:
        return "." * rng.randint(0, 20) + rng.choice("xw") + "." * rng.randint(0, 4)
    return "".join(rng.choices(chars, weights=w, k=rng.randint(0, 24)))


def test_incremental_and_full_recompute_agree_on_random_histories(session, tenant, scoped):
    rng = random.Random(20260620)
    meetups = past_meetups(session, tenant, 24)
    with unscoped(session):
        meetups[5].status = MeetupStatus.CANCELLED
        session.flush()
    members = [factories.member(session, tenant) for _ in range(60)]
    for member in members:
        record(session, meetups, member, random_history(rng))
    session.commit()
    s = scoped(tenant)
    for thresholds in ({"regular_min": 3, "regular_window": 6, "one_time_misses": 2,
                        "lapsed_misses": 3},
                       {"regular_min": 2, "regular_window": 4, "one_time_misses": 1,
                        "lapsed_misses": 2}):
        services.update_settings(s, **thresholds)
        assert services.recompute_community(s, now=NOW) == len(members)
        full = {r.member_id: figures(r) for r in s.scalars(select(MemberEngagement))}
        for member in members:
            one = services.recompute_member(s, member.id, now=NOW)
            assert figures(one) == full[member.id], member.id
        assert {f[0] for f in full.values()} >= {Level.REGULAR, Level.ONE_TIME,
                                                Level.RETURNING, Level.NONE}


def test_a_check_in_recomputes_the_member_through_the_job(clock, session, tenant, scoped,
                                                         run_jobs, app):
    clock.move_to(NOW)  # the job recomputes as of now: the history is dated from NOW
    meetups = past_meetups(session, tenant, 2)
    running = past_meetups(session, tenant, 1, now=NOW.replace(year=2100))[0]
    member = factories.member(session, tenant)
    with unscoped(session):
        running.starts_at = NOW.replace(year=2000)
        running.ends_at = NOW.replace(year=2100)
        session.flush()
    record(session, meetups, member, "xx")
    session.commit()
    s = scoped(tenant)
    with app.app_context():
        attendance.check_in(s, running, s.get(type(member), member.id), None)
        s.commit()
    assert run_jobs() >= 1
    s.expire_all()
    row = services.engagement_of(s, member.id)
    assert row is not None and row.attended_count == 3 and row.level == Level.REGULAR


def test_settings_change_recomputes_everyone(session, tenant, scoped, run_jobs, app):
    meetups = past_meetups(session, tenant, 6, now=NOW.replace(year=2000))
    member = factories.member(session, tenant)
    record(session, meetups, member, "....xx")
    session.commit()
    s = scoped(tenant)
    services.recompute_community(s)
    s.commit()
    assert services.engagement_of(s, member.id).level == Level.RETURNING
    with app.app_context():
        services.update_settings(s, regular_min=2, regular_window=6, one_time_misses=2,
                                 lapsed_misses=3)
        s.commit()
    assert run_jobs() == 1
    s.expire_all()
    assert services.engagement_of(s, member.id).level == Level.REGULAR
    # Saving the same values again enqueues nothing.
    with app.app_context():
        services.update_settings(s, regular_min=2, regular_window=6, one_time_misses=2,
                                 lapsed_misses=3)
        s.commit()
    assert run_jobs() == 0


def test_settings_are_validated(session, tenant, scoped):
    session.commit()
    s = scoped(tenant)
    bad = [{"regular_min": 7, "regular_window": 6}, {"regular_min": 0},
           {"lapsed_misses": 99}, {"one_time_misses": "2"}]
    for change in bad:
        values = {"regular_min": 3, "regular_window": 6, "one_time_misses": 2,
                  "lapsed_misses": 3, **change}
        try:
            services.update_settings(s, **values)
        except services.SettingsError:
            continue
        raise AssertionError(f"accepted {change}")
    assert services.get_settings(s) is None


def test_the_job_for_one_community_never_touches_another(session, tenant, other_tenant,
                                                         scoped, app):
    from joren.workers import engagement_jobs

    meetups_a = past_meetups(session, tenant, 3, now=NOW.replace(year=2000))
    meetups_b = past_meetups(session, other_tenant, 3, now=NOW.replace(year=2000))
    a, b = factories.member(session, tenant), factories.member(session, other_tenant)
    record(session, meetups_a, a, "xxx")
    record(session, meetups_b, b, "xxx")
    session.commit()
    with app.app_context():
        # B's member id given to A's job: nothing happens.
        assert engagement_jobs.recompute_member(tenant.id, b.id) is None
        assert engagement_jobs.recompute_community(tenant.id) == 1
    with unscoped(session):
        rows = session.execute(select(MemberEngagement.tenant_id, MemberEngagement.member_id))
        assert set(rows) == {(tenant.id, a.id)}


def test_cli_recomputes_one_community_or_all(app, session, tenant, other_tenant):
    meetups_a = past_meetups(session, tenant, 3, now=NOW.replace(year=2000))
    a, b = factories.member(session, tenant), factories.member(session, other_tenant)
    record(session, meetups_a, a, "xxx")
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["engagement", "recompute", "--community", tenant.slug])
    assert result.exit_code == 0, result.output
    assert f"{tenant.slug}: 1 members recomputed." in result.output
    with unscoped(session):
        levels = dict(session.execute(select(MemberEngagement.member_id,
                                             MemberEngagement.level)).all())
    assert levels == {a.id: Level.REGULAR}
    result = runner.invoke(args=["engagement", "recompute"])
    assert result.exit_code == 0 and other_tenant.slug in result.output
    with unscoped(session):
        session.expire_all()
        assert session.scalar(select(MemberEngagement.level).where(
            MemberEngagement.member_id == b.id)) == Level.NONE
    missing = runner.invoke(args=["engagement", "recompute", "--community", "nope"])
    assert missing.exit_code != 0 and "nope" in missing.output


def test_attendance_status_vocabulary_is_covered():
    # Every status of the register is either attended or handled as excused/missed.
    assert {s.value for s in AttendanceStatus} == {"present", "late", "walk_in", "absent",
                                                    "excused", "substitute"}
