"""Registrations per second when many people register for one meetup at once (issue 12, #7).

50 threads (each its own connection and transaction) register at the same moment for one
meetup. "before": the registration emails are rendered inside the transaction, while the
meetup row is locked (what the code did); "after": they are stored as plain values and
rendered later by the send job. Prints registrations/s, p50/p95 latency and the ratio; the
rendering moves to the mail worker (its cost is printed too). Asserts only correctness.

    DATABASE_URL=postgresql://... PYTHONPATH=. python -m pytest -m perf -s -p no:cacheprovider \
        tests/perf/test_registration_lock_perf.py
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import sessionmaker

from joren.models import Community, CommunityKind, Member, OutboxMessage
from joren.platform.mail.outbox import render_stored
from joren.platform.tenancy import set_tenant, unscoped
from joren.tenants.meetups.models import Meetup, Registration
from joren.tenants.meetups.registrations import emails as reg_emails
from joren.tenants.meetups.registrations import services as reg_services

pytestmark = pytest.mark.perf  # a benchmark: run on demand (-m perf)

THREADS = 50
SEATS = 25
SLUG = "lock-perf"


def _engine(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})
    return create_engine(url, pool_size=THREADS + 5, max_overflow=5)


def _round(app, make, deferred: bool) -> tuple[float, list[float], list[int]]:  # type: ignore[no-untyped-def]
    with make() as s:
        s.execute(delete(Community).where(Community.slug == SLUG))
        community = Community(slug=SLUG, name="同時申込ベンチ", kind=CommunityKind.CROSS_INDUSTRY)
        s.add(community)
        s.flush()
        set_tenant(s, community.id)
        starts = datetime.now(UTC) + timedelta(days=7)
        meetup = Meetup(title="定例会", starts_at=starts, ends_at=starts + timedelta(hours=2),
                        capacity=SEATS, venue_name="会議室A")
        members = [Member(family_name="同時", given_name=f"{i}号", email=f"p{i}@example.jp")
                   for i in range(THREADS)]
        s.add_all([meetup, *members])
        s.commit()
        community_id, meetup_id, member_ids = community.id, meetup.id, [m.id for m in members]

    original = reg_emails.send

    def send(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not deferred:
            kwargs["deferred"] = False  # before: rendered here, under the lock
        return original(*args, **kwargs)

    reg_emails.send = send  # type: ignore[assignment]
    start = threading.Barrier(THREADS + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []

    def run(member_id: int) -> None:
        try:
            with app.app_context(), make() as s:
                set_tenant(s, community_id)
                member = s.get(Member, member_id)
                meetup = s.get(Meetup, meetup_id)
                start.wait()
                began = time.perf_counter()
                reg_services.register(s, meetup, member)
                s.commit()
                latencies.append(time.perf_counter() - began)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in member_ids]
    for t in threads:
        t.start()
    try:
        start.wait()
        began = time.perf_counter()
        for t in threads:
            t.join(300)
        elapsed = time.perf_counter() - began
    finally:
        reg_emails.send = original  # type: ignore[assignment]
    assert not errors, errors[:3]
    with make() as s, unscoped(s):
        assert s.scalar(select(func.count(Registration.id))
                        .where(Registration.meetup_id == meetup_id)) == THREADS
        message_ids = list(s.scalars(select(OutboxMessage.id)
                                     .where(OutboxMessage.community_id == community_id)))
    assert len(message_ids) == THREADS
    return elapsed, latencies, message_ids


def _render_later(app, make, message_ids: list[int]) -> float:  # type: ignore[no-untyped-def]
    """What the send job now does per message before sending (timed, then rolled back)."""
    began = time.perf_counter()
    with app.app_context(), make() as s:
        for message in s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(message_ids))):
            render_stored(message)
            assert message.subject
        s.rollback()
    return time.perf_counter() - began


def _cleanup(make) -> None:  # type: ignore[no-untyped-def]
    with make() as s, unscoped(s):
        s.execute(delete(OutboxMessage).where(OutboxMessage.community_id.in_(
            select(Community.id).where(Community.slug == SLUG))))
        s.execute(delete(Community).where(Community.slug == SLUG))
        s.commit()


def test_registrations_per_second_with_rendering_out_of_the_lock(app, app_config) -> None:  # type: ignore[no-untyped-def]
    engine = _engine(str(app_config["DATABASE_URL"]))
    make = sessionmaker(engine, expire_on_commit=False)
    try:
        results = {}
        for label, deferred in (("before", False), ("after", True), ("before", False),
                                ("after", True)):
            elapsed, latencies, ids = _round(app, make, deferred)
            extra = _render_later(app, make, ids) if deferred else 0.0
            _cleanup(make)
            results.setdefault(label, []).append((elapsed, latencies, extra))
        print(f"\n{THREADS} concurrent registrations, one meetup ({SEATS} seats), "
              f"{engine.dialect.name}")
        rates = {}
        for label, runs in results.items():
            elapsed, latencies, extra = min(runs, key=lambda r: r[0])
            rates[label] = THREADS / elapsed
            qs = statistics.quantiles(latencies, n=20)
            print(f"  {label:6s}: {rates[label]:7.1f} registrations/s  p50 {qs[9] * 1000:6.0f} ms"
                  f"  p95 {qs[18] * 1000:6.0f} ms"
                  + (f"  (send job renders them later: {extra * 1000:.0f} ms for {THREADS})"
                     if extra else ""))
        print(f"  ratio after/before: {rates['after'] / rates['before']:.2f}x")
    finally:
        _cleanup(make)
        engine.dispose()
