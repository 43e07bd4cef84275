"""Many people register at the same moment for the last seats: nobody is overbooked.

This test cannot use the rolled-back per-test transaction (the threads need to see each
other's commits), so it builds its own engine on the test database, commits its rows in a
dedicated community and deletes that community (CASCADE) at the end.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import sessionmaker

from joren.models import Community, CommunityKind, Member
from joren.platform.tenancy import set_tenant, unscoped
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import seats as reg_seats
from joren.tenants.meetups.registrations import services as reg_services

pytestmark = pytest.mark.usefixtures("clock")

THREADS = 20
SEATS = 10
TAKEN = 7  # so 3 seats are left


@pytest.fixture()
def committed(app, app_config):  # type: ignore[no-untyped-def]
    engine = create_engine(str(app_config["DATABASE_URL"]), pool_size=THREADS + 5,
                           max_overflow=5) if not str(app_config["DATABASE_URL"]).startswith(
        "sqlite") else create_engine(str(app_config["DATABASE_URL"]),
                                     connect_args={"check_same_thread": False, "timeout": 30})
    make = sessionmaker(engine, expire_on_commit=False)
    with make() as s:
        # Left over by an interrupted run? Start clean.
        s.execute(delete(Community).where(Community.slug == "concurrency-test"))
        community = Community(slug="concurrency-test", name="同時申込テスト",
                              kind=CommunityKind.CROSS_INDUSTRY)
        s.add(community)
        s.flush()
        set_tenant(s, community.id)
        starts = datetime.now(UTC) + timedelta(days=7)
        meetup = Meetup(title="満席間近", starts_at=starts, ends_at=starts + timedelta(hours=2),
                        capacity=SEATS)
        members = [Member(family_name="同時", given_name=f"{i}号", email=f"c{i}@example.jp")
                   for i in range(TAKEN + THREADS)]
        s.add_all([meetup, *members])
        s.flush()
        for m in members[:TAKEN]:
            s.add(Registration(meetup_id=meetup.id, member_id=m.id,
                               status=RegistrationStatus.GOING))
        s.commit()
        ids = (community.id, meetup.id, [m.id for m in members[TAKEN:]])
    try:
        yield engine, make, ids
    finally:
        with make() as s, unscoped(s):
            s.execute(delete(Community).where(Community.id == ids[0]))
            s.commit()
            assert s.scalar(select(func.count(Registration.id)).where(
                Registration.tenant_id == ids[0])) == 0
        engine.dispose()


def test_exactly_the_free_seats_are_taken_under_concurrent_registration(app, committed):
    engine, make, (community_id, meetup_id, member_ids) = committed
    is_postgres = engine.dialect.name == "postgresql"
    everyone_in = threading.Barrier(THREADS, timeout=60)
    all_saw_free_seats = threading.Barrier(THREADS, timeout=60)
    seen_going: list[int] = []
    outcomes: dict[int, tuple[RegistrationStatus, int | None]] = {}
    errors: list[BaseException] = []

    def run(member_id: int) -> None:
        try:
            with app.app_context(), make() as s:
                set_tenant(s, community_id)
                everyone_in.wait()
                if is_postgres:
                    # Every transaction is open and has seen free seats before anyone books:
                    # without the row lock they would all take one.
                    seen_going.append(s.scalar(select(func.count(Registration.id)).where(
                        Registration.meetup_id == meetup_id,
                        Registration.status == RegistrationStatus.GOING)))
                    all_saw_free_seats.wait()
                meetup = reg_seats.lock_meetup(s, meetup_id)
                registration = reg_services.register(s, meetup, s.get(Member, member_id))
                outcomes[member_id] = (registration.status, registration.waitlist_position)
                s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(mid,)) for mid in member_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert not errors, errors
    assert len(outcomes) == THREADS
    assert not everyone_in.broken
    if is_postgres:
        assert seen_going == [TAKEN] * THREADS

    with make() as s:
        set_tenant(s, community_id)
        rows = s.scalars(select(Registration).where(Registration.meetup_id == meetup_id)).all()
    going = [r for r in rows if r.status == RegistrationStatus.GOING]
    waiting = sorted((r for r in rows if r.status == RegistrationStatus.WAITLISTED),
                     key=lambda r: r.waitlist_position)
    assert len(going) == SEATS
    assert len(waiting) == THREADS - (SEATS - TAKEN)
    assert [r.waitlist_position for r in waiting] == list(range(1, len(waiting) + 1))
    # Positions follow the order in which the registrations were decided (and inserted).
    assert [r.id for r in waiting] == sorted(r.id for r in waiting)
    assert sorted(o for o, _ in outcomes.values()) == sorted(
        [RegistrationStatus.GOING] * 3 + [RegistrationStatus.WAITLISTED] * len(waiting))
