"""The rollups stay right as the register changes: updates by difference equal a rebuild
(random edits, and the real check-in, register and cancellation paths through their jobs);
rollups that no longer fit (a meetup started or was cancelled, new thresholds, a new zone)
are never read, the page computes from the register and asks for a refresh; another
community's rollups are neither visible nor changed."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update

from joren.models import (
    Attendance,
    AttendanceStatus,
    Community,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)
from joren.platform.db import utcnow
from joren.platform.jobs import minutes_slot_key
from joren.platform.tenancy import unscoped
from joren.tenants.engagement import analytics, services
from joren.tenants.engagement.dashboard_views import REFRESH_EVERY
from joren.tenants.engagement.rollups import store
from joren.tenants.engagement.rollups.models import (
    CohortRollup,
    MeetupRollup,
    MemberRollup,
    RollupState,
)
from joren.tenants.meetups import attendance
from joren.tenants.meetups.registrations.services import cancel_registration
from joren.workers.cron import SCHEDULE
from tests import factories
from tests.tenants.engagement import reference_analytics as reference
from tests.tenants.engagement.rollup_worlds import STATUSES, build
from tests.tenants.engagement.test_rollups import assert_same

pytestmark = pytest.mark.usefixtures("clock")

EXAMPLES = settings(max_examples=15, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
MODELS = (MeetupRollup, MemberRollup, CohortRollup)


def stored_rows(s) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def, type-arg]
    """Every rollup row of the session's community, without ids."""
    found = {}
    for model in MODELS:
        columns = [c for c in model.__table__.c if c.name != "id"]
        stmt = select(*columns)
        if model is CohortRollup:
            stmt = stmt.where(CohortRollup.people > 0)
        found[model.__tablename__] = sorted(tuple(row) for row in s.execute(stmt))
    return found


def assert_fresh(s, community, now) -> None:  # type: ignore[no-untyped-def]
    """The stored rollups are current, equal a rebuild's, and give the reference figures."""
    zone = s.get(Community, community.id).zone
    figures = analytics.analytics(s, zone, now)
    assert figures.current
    assert_same(figures, reference.analytics(s, zone, now))
    before = stored_rows(s)
    store.rebuild(s, now)
    assert stored_rows(s) == before


def _edit(s, rng, world, counted) -> set[int]:  # type: ignore[no-untyped-def]
    """A few random changes to attendance and going registrations; the members changed."""
    changed = set()
    with unscoped(s):
        for _ in range(rng.randint(1, 6)):
            member_id, meetup_id = rng.choice(world.member_ids), rng.choice(counted)
            where = (Attendance.member_id == member_id, Attendance.meetup_id == meetup_id)
            status = rng.choice(STATUSES)
            s.execute(delete(Attendance).where(*where))
            if status is not None:
                s.execute(insert(Attendance).values(tenant_id=world.community.id,
                                                    member_id=member_id, meetup_id=meetup_id,
                                                    status=status))
            if rng.random() < 0.4:
                s.execute(delete(Registration).where(Registration.member_id == member_id,
                                                     Registration.meetup_id == meetup_id))
                s.execute(insert(Registration).values(
                    tenant_id=world.community.id, member_id=member_id, meetup_id=meetup_id,
                    status=rng.choice(list(RegistrationStatus))))
            changed.add(member_id)
    return changed


@EXAMPLES
@given(seed=st.integers(0, 2**31))
def test_updates_by_difference_equal_a_rebuild(session, scoped, seed):
    now = utcnow()
    world = build(session, seed, now, members=random.Random(seed).randint(1, 12))
    s = scoped(world.community)
    counted = [o.id for o in reference.occurrences(s, now)]
    store.rebuild(s, now)
    if not counted:
        return
    rng = random.Random(seed)
    for _ in range(3):
        store.update_members(s, _edit(s, rng, world, counted), now)
        services.recompute_community(s, now=now)  # levels, which the page also shows
        assert_fresh(s, world.community, now)
    s.rollback()


def test_an_update_when_the_layout_moved_rebuilds(session, scoped):
    now = utcnow()
    world = build(session, 11, now, members=8, meetups=10)
    s = scoped(world.community)
    store.rebuild(s, now - timedelta(days=20))
    store.update_members(s, world.member_ids[:1], now)
    assert_fresh(s, world.community, now)


def test_check_in_register_changes_and_cancellations_reach_the_rollups(
        app_ctx, session, scoped, tenant, run_jobs):
    now = utcnow()
    meetups = [_meetup(session, tenant, now - timedelta(days=7 * k, hours=3)) for k in (3, 2, 1)]
    live = _meetup(session, tenant, now - timedelta(minutes=20), hours=2)
    people = [factories.member(session, tenant) for _ in range(4)]
    s = scoped(tenant)
    store.rebuild(s, now)
    s.commit()
    for person in people[:3]:
        for meetup in meetups:
            # Recorded after the fact (weeks later): confirmed, as the door would ask.
            attendance.check_in(s, s.get(Meetup, meetup.id), s.get(type(person), person.id),
                                None, now=now, confirmed=True)
    attendance.set_status(s, s.get(Meetup, meetups[0].id), s.get(type(people[0]), people[0].id),
                          AttendanceStatus.EXCUSED, None)
    attendance.check_in(s, s.get(Meetup, live.id), s.get(type(people[3]), people[3].id), None,
                        now=now)
    s.commit()
    assert run_jobs() >= 4
    s.expire_all()
    assert_fresh(s, tenant, now)
    registration = Registration(member_id=people[3].id, meetup_id=meetups[1].id,
                                status=RegistrationStatus.GOING)
    s.add(registration)
    s.commit()
    run_jobs()
    assert s.get(MeetupRollup, s.scalar(select(MeetupRollup.id).where(
        MeetupRollup.meetup_id == meetups[1].id))).going == 0  # unseen until a recompute
    cancel_registration(s, registration, now=now)
    s.commit()
    run_jobs()
    s.expire_all()
    assert_fresh(s, tenant, now)


def _meetup(session, community, starts, hours=2):  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = Meetup(tenant_id=community.id, title="定例会", starts_at=starts,
                     ends_at=starts + timedelta(hours=hours))
        session.add(row)
        session.flush()
    session.commit()
    return row


@pytest.mark.parametrize("change", ["started", "ended", "cancelled", "moved", "thresholds",
                                    "zone", "no state"])
def test_rollups_that_no_longer_fit_are_never_read(session, scoped, change, monkeypatch):
    now = utcnow()
    world = build(session, 5, now, members=10, meetups=9)
    s = scoped(world.community)
    services.recompute_community(s, now=now)
    built = now - timedelta(hours=1) if change == "ended" else now
    later = now + timedelta(days=60) if change == "started" else now
    store.rebuild(s, built)
    with unscoped(s):
        first = s.scalar(select(Meetup).where(Meetup.tenant_id == world.community.id,
                                              Meetup.status != MeetupStatus.CANCELLED)
                         .order_by(Meetup.starts_at))
        if change == "started":
            s.add(Meetup(tenant_id=world.community.id, title="次回", starts_at=now + timedelta(
                days=30), ends_at=now + timedelta(days=30, hours=2)))
        elif change == "ended":
            s.add(Meetup(tenant_id=world.community.id, title="今日", starts_at=now - timedelta(
                hours=4), ends_at=now - timedelta(minutes=30)))
        elif change == "cancelled":
            first.status = MeetupStatus.CANCELLED
        elif change == "moved":
            first.starts_at -= timedelta(days=400)
        elif change == "zone":
            s.get(Community, world.community.id).timezone = "America/Los_Angeles"
        elif change == "no state":
            s.execute(delete(RollupState))
        s.flush()
    if change == "ended":  # built before it ended
        store.rebuild(s, now - timedelta(hours=1))
    if change == "thresholds":
        services.update_settings(s, regular_min=1, regular_window=9, one_time_misses=2,
                                 lapsed_misses=2)
    zone = s.get(Community, world.community.id).zone
    figures = analytics.analytics(s, zone, later)
    assert not figures.current
    assert_same(figures, reference.analytics(s, zone, later))
    rebuilds = []
    real_rebuild = store.rebuild
    monkeypatch.setattr(store, "rebuild", lambda *a: rebuilds.append(a) or real_rebuild(*a))
    assert store.refresh(s, later)
    assert not store.refresh(s, later)
    assert bool(rebuilds) == (change not in ("started", "ended"))  # else advanced
    assert_fresh(s, world.community, later)


def test_the_page_refreshes_rollups_it_finds_out_of_date(app, organizer_client, session,
                                                         scoped, tenant, run_jobs):
    now = utcnow()
    meetups = [_meetup(session, tenant, now - timedelta(days=7 * k)) for k in (3, 2, 1)]
    person = factories.member(session, tenant)
    with unscoped(session):
        session.execute(insert(Attendance), [
            {"tenant_id": tenant.id, "meetup_id": m.id, "member_id": person.id,
             "status": AttendanceStatus.PRESENT} for m in meetups])
        session.commit()
    page = organizer_client.get("/c/osaka-mixer/admin/analytics")
    assert page.status_code == 200
    assert 'id="mix-table"' in page.get_data(as_text=True)
    # looked at again before the refresh has run (say, three organizers at once): asked once
    for _ in range(3):
        assert organizer_client.get("/c/osaka-mixer/admin/analytics").status_code == 200
    with app.app_context():
        assert app.extensions["rq"].get_queue().get_job_ids() == [
            f"refresh-rollups-{tenant.id}-{minutes_slot_key(REFRESH_EVERY)}"]
    assert run_jobs() == 1
    s = scoped(tenant)
    assert analytics.analytics(s, tenant.zone, utcnow()).current
    assert organizer_client.get("/c/osaka-mixer/admin/analytics").status_code == 200
    assert run_jobs() == 0  # current: nothing asked


def test_another_communitys_rollups_are_neither_seen_nor_changed(session, scoped, tenant,
                                                                 other_tenant):
    now = utcnow()
    mine = build(session, 21, now, members=8, meetups=8)
    theirs = build(session, 22, now, members=8, meetups=8)
    session.commit()
    s = scoped(mine.community)
    store.rebuild(s, now)
    s.commit()
    o = scoped(theirs.community)
    store.rebuild(o, now)
    theirs_before = stored_rows(o)
    o.commit()
    for model in (*MODELS, RollupState):
        assert set(s.scalars(select(model.tenant_id))) <= {mine.community.id}
        assert s.scalar(select(func.count()).select_from(model).where(
            model.tenant_id == theirs.community.id)) == 0
    store.update_members(s, theirs.member_ids, now)  # their ids, from my session
    s.execute(update(MeetupRollup).values(going=MeetupRollup.going + 100))
    s.execute(delete(CohortRollup))
    s.commit()
    assert stored_rows(o) == theirs_before
    assert_fresh(o, theirs.community, now)


def test_cli_rebuilds_the_rollups_of_one_community_or_all(app, session, tenant, other_tenant):
    now = utcnow()
    meetups = [_meetup(session, tenant, now - timedelta(days=7 * k)) for k in (2, 1)]
    person = factories.member(session, tenant)
    with unscoped(session):
        session.execute(insert(Attendance), [
            {"tenant_id": tenant.id, "meetup_id": m.id, "member_id": person.id,
             "status": AttendanceStatus.PRESENT} for m in meetups])
        session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["engagement", "rebuild-rollups", "--community", tenant.slug])
    assert result.exit_code == 0, result.output
    assert f"{tenant.slug}: analytics rollups rebuilt (1 people)." in result.output
    with unscoped(session):
        session.expire_all()
        assert set(session.scalars(select(RollupState.tenant_id))) == {tenant.id}
    result = runner.invoke(args=["engagement", "rebuild-rollups"])
    assert result.exit_code == 0 and other_tenant.slug in result.output
    with unscoped(session):
        assert set(session.scalars(select(RollupState.tenant_id))) == {tenant.id,
                                                                       other_tenant.id}
    missing = runner.invoke(args=["engagement", "rebuild-rollups", "--community", "nope"])
    assert missing.exit_code != 0 and "nope" in missing.output


def test_the_schedule_refreshes_and_rebuilds_the_rollups():
    jobs = {entry.args[0] for entry in SCHEDULE if entry.args}
    assert "joren.workers.engagement_jobs.refresh_rollups" in jobs  # hourly
    assert "joren.workers.engagement_jobs.recompute_community" in jobs  # nightly rebuild


@EXAMPLES
@given(seed=st.integers(0, 2**31), days=st.integers(0, 120))
def test_advancing_over_meetups_that_started_or_ended_equals_a_rebuild(session, scoped, seed,
                                                                       days):
    """Rollups built ``days`` ago, brought forward to now by ``refresh``: the meetups that
    started or ended since are added (or the rollups rebuilt), and the figures are exact."""
    now = utcnow()
    world = build(session, seed, now)
    s = scoped(world.community)
    services.recompute_community(s, now=now)
    store.rebuild(s, now - timedelta(days=days, hours=1))
    store.refresh(s, now)
    assert_fresh(s, world.community, now)
    s.rollback()
