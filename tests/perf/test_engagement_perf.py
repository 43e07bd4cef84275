"""The engagement recompute, full and after one check-in: no query per member.

The guard (default suite) compares statement counts on communities of 10 and 60 members. The
benchmark (on demand: ``pytest -m perf -s tests/perf/test_engagement_perf.py``) times the full
recompute for 5,000 members and 60,000 attendance rows, and the incremental recompute after
one check-in, against a 100-member baseline measured in the same run; it prints times, ratios
to the baseline and SQL statement counts, and asserts the same.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from joren.models import Attendance, AttendanceStatus, Meetup, Member, MemberStatus, Role
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.engagement import services
from joren.tenants.meetups.models import Registration, RegistrationStatus
from tests import factories
from tests.perf.timing import median_seconds
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

OCCURRENCES = 60
RUNS = 5


def _populate(session, community, members: int, attendances: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Members, weekly meetups, and ``attendances`` rows spread over them (seeded)."""
    rng = random.Random(members)
    start = utcnow() - timedelta(days=7 * OCCURRENCES + 1)
    with unscoped(session):
        session.execute(insert(Member), [
            {"tenant_id": community.id, "role": Role.MEMBER.value,
             "status": MemberStatus.MEMBER.value, "email": f"p{n}@{community.slug}.jp",
             "family_name": "田中", "given_name": f"太郎{n}", "family_name_kana": "タナカ",
             "given_name_kana": "タロウ", "joined_at": utcnow()} for n in range(members)])
        session.execute(insert(Meetup), [
            {"tenant_id": community.id, "title": f"定例会 {i}",
             "starts_at": start + timedelta(days=7 * i),
             "ends_at": start + timedelta(days=7 * i, hours=2)} for i in range(OCCURRENCES)])
        member_ids = session.scalars(select(Member.id).where(
            Member.tenant_id == community.id).order_by(Member.id)).all()
        meetup_ids = session.scalars(select(Meetup.id).where(
            Meetup.tenant_id == community.id).order_by(Meetup.starts_at)).all()
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < attendances:
            pairs.add((rng.choice(member_ids), rng.choice(meetup_ids)))
        statuses = [AttendanceStatus.PRESENT] * 7 + [AttendanceStatus.ABSENT,
                                                     AttendanceStatus.EXCUSED]
        session.execute(insert(Attendance), [
            {"tenant_id": community.id, "member_id": m, "meetup_id": e,
             "status": rng.choice(statuses)} for m, e in sorted(pairs)])
        session.execute(insert(Registration), [
            {"tenant_id": community.id, "member_id": m, "meetup_id": e,
             "status": RegistrationStatus.GOING} for m, e in sorted(pairs)[::3]])
    session.commit()
    return list(member_ids)


def _timed(func) -> float:  # type: ignore[no-untyped-def]
    return median_seconds(func, RUNS)


def _measure(app, scoped, community, member_id: int,  # type: ignore[no-untyped-def]
             timed: bool = True) -> dict[str, float]:
    s = scoped(community)
    with count_statements(app) as full_sql:
        services.recompute_community(s)
    full = _timed(lambda: services.recompute_community(s)) if timed else 0.0
    with count_statements(app) as one_sql:
        services.recompute_member(s, member_id)
    one = _timed(lambda: services.recompute_member(s, member_id)) if timed else 0.0
    s.rollback()
    return {"full": full, "one": one, "full_sql": len(full_sql), "one_sql": len(one_sql),
            "full_reads": _reads(full_sql.statements), "one_reads": _reads(one_sql.statements)}


def _reads(statements: list[str]) -> int:
    return sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))


def test_engagement_recompute_statements_do_not_grow(app, session, scoped):
    small = factories.community(session, slug="perf-small")
    large = factories.community(session, slug="perf-large")
    small_ids = _populate(session, small, 10, 100)
    large_ids = _populate(session, large, 60, 600)
    base = _measure(app, scoped, small, small_ids[0], timed=False)
    big = _measure(app, scoped, large, large_ids[len(large_ids) // 2], timed=False)
    assert big["full_sql"] == base["full_sql"]
    assert big["one_sql"] == base["one_sql"]


@pytest.mark.perf
def test_engagement_recompute_benchmark(app, session, scoped):
    small = factories.community(session, slug="perf-small")
    large = factories.community(session, slug="perf-large")
    small_ids = _populate(session, small, 100, 1_200)
    large_ids = _populate(session, large, 5_000, 60_000)
    base = _measure(app, scoped, small, small_ids[0])
    big = _measure(app, scoped, large, large_ids[len(large_ids) // 2])
    print()
    print(f"engagement recompute (median of {RUNS} runs)")
    print(f"  baseline 100 members / 1,200 rows:   full {base['full'] * 1000:8.1f} ms "
          f"({base['full_sql']} statements), one member {base['one'] * 1000:6.2f} ms "
          f"({base['one_sql']} statements)")
    print(f"  5,000 members / 60,000 rows:         full {big['full'] * 1000:8.1f} ms "
          f"({big['full_sql']} statements), one member {big['one'] * 1000:6.2f} ms "
          f"({big['one_sql']} statements)")
    print(f"  ratio to baseline: full x{big['full'] / base['full']:.1f} "
          f"(rows x50), incremental after one check-in x{big['one'] / base['one']:.1f}")
    # The bulk insert is sent in driver-sized batches; the reads do not grow at all.
    assert big["full_reads"] == base["full_reads"]
    assert big["one_sql"] == base["one_sql"]
