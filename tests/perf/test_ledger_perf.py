"""The relationship ledger, rebuilt in full and refreshed for one member: no query per pair.

The guard (default suite) compares the reads on communities of 10 and 60 members. The
benchmark (on demand: ``pytest -m perf -s tests/perf/test_ledger_perf.py``) times the full
rebuild for 5,000 members and 60,000 attendance rows (with 20,000 logged contacts, 2,000
introductions and 1,000 referrals), and the refresh of one member after a check-in, against a
100-member baseline with the same proportions measured in the same run; it prints times,
ratios to the baseline and SQL statement counts, and asserts the same.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import insert, text

from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.relationships import services
from joren.tenants.relationships.models import Contact, ContactKind, Referral, ReferralStatus
from tests import factories
from tests.perf.test_engagement_perf import _populate, _reads
from tests.perf.timing import median_seconds
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

RUNS = 3


def _ties(session, community, member_ids: list[int], contacts: int, introductions: int,  # type: ignore[no-untyped-def]
          referrals: int) -> None:
    rng = random.Random(len(member_ids))
    today = utcnow().date()

    def pair() -> tuple[int, int]:
        a, b = rng.sample(member_ids, 2)
        return a, b

    introduced: set[tuple[int, int]] = set()
    while len(introduced) < introductions:
        introduced.add(tuple(sorted(pair())))  # type: ignore[arg-type]
    statuses = list(IntroductionStatus)
    with unscoped(session):
        session.execute(insert(Contact), [
            {"tenant_id": community.id, "member_id": a, "other_id": b,
             "kind": rng.choice(list(ContactKind)).value,
             "happened_on": today - timedelta(days=rng.randrange(400))}
            for a, b in (pair() for _ in range(contacts))])
        session.execute(insert(Introduction), [
            {"tenant_id": community.id, "member_low_id": a, "member_high_id": b,
             "source": IntroductionSource.ENGINE.value, "status": rng.choice(statuses).value,
             "reasons": []} for a, b in sorted(introduced)])
        session.execute(insert(Referral), [
            {"tenant_id": community.id, "giver_id": a, "receiver_id": b, "description": "紹介",
             "status": ReferralStatus.CLOSED_WON.value, "value_jpy": rng.randrange(10**6),
             "given_on": today} for a, b in (pair() for _ in range(referrals))])
    session.commit()


def _timed(func) -> float:  # type: ignore[no-untyped-def]
    return median_seconds(func, RUNS)


def _measure(app, scoped, community, member_id: int,  # type: ignore[no-untyped-def]
             timed: bool = True) -> dict[str, float]:
    s = scoped(community)
    with count_statements(app) as full_sql:
        rows = services.rebuild(s)
    full = _timed(lambda: services.rebuild(s)) if timed else 0.0
    with count_statements(app) as one_sql:
        services.refresh_member(s, member_id)
    one = _timed(lambda: services.refresh_member(s, member_id)) if timed else 0.0
    s.rollback()
    return {"full": full, "one": one, "rows": rows, "full_sql": len(full_sql),
            "one_sql": len(one_sql), "full_reads": _reads(full_sql.statements),
            "one_reads": _reads(one_sql.statements)}


def _both(app, session, scoped, sizes: tuple[tuple[int, ...], tuple[int, ...]],  # type: ignore[no-untyped-def]
          timed: bool) -> tuple[dict[str, float], dict[str, float]]:
    """Sizes are (members, attendances, contacts, introductions, referrals) for the
    baseline and the large community."""
    small = factories.community(session, slug="ledger-small")
    large = factories.community(session, slug="ledger-large")
    (members, attendances, *ties), (big_members, big_attendances, *big_ties) = sizes
    small_ids = _populate(session, small, members, attendances)
    large_ids = _populate(session, large, big_members, big_attendances)
    _ties(session, small, small_ids, *ties)
    _ties(session, large, large_ids, *big_ties)
    if session.get_bind().dialect.name == "postgresql":
        # The rows were loaded inside the test's transaction, where autovacuum cannot see
        # them; without statistics PostgreSQL checks each foreign key by scanning members.
        # Production tables have their statistics: give these theirs.
        with unscoped(session):  # ANALYZE names a tenant table, for no one community
            for table in ("members", "meetups", "attendances", "contacts", "referrals",
                          "introductions", "relationships"):
                session.execute(text(f"ANALYZE {table}"))
    return (_measure(app, scoped, small, small_ids[0], timed),
            _measure(app, scoped, large, large_ids[len(large_ids) // 2], timed))


def test_ledger_rebuild_reads_do_not_grow(app, session, scoped):
    base, big = _both(app, session, scoped, ((10, 100, 40, 4, 3), (60, 600, 240, 24, 12)),
                      timed=False)
    assert big["full_reads"] == base["full_reads"]
    assert big["one_reads"] == base["one_reads"]


@pytest.mark.perf
def test_ledger_rebuild_benchmark(app, session, scoped):
    base, big = _both(app, session, scoped, ((100, 1_200, 400, 40, 20),
                                             (5_000, 60_000, 20_000, 2_000, 1_000)), timed=True)
    print()
    print(f"relationship ledger (median of {RUNS} runs)")
    print(f"  baseline 100 members / 1,200 attendance rows: rebuild {base['full'] * 1000:8.1f} ms "
          f"({base['rows']} pairs, {base['full_sql']} statements), one member "
          f"{base['one'] * 1000:6.2f} ms ({base['one_sql']} statements)")
    print(f"  5,000 members / 60,000 attendance rows:       rebuild {big['full'] * 1000:8.1f} ms "
          f"({big['rows']} pairs, {big['full_sql']} statements), one member "
          f"{big['one'] * 1000:6.2f} ms ({big['one_sql']} statements)")
    print(f"  ratio to baseline: rebuild x{big['full'] / base['full']:.1f} "
          f"(pairs x{big['rows'] / max(base['rows'], 1):.0f}), "
          f"refresh after one check-in x{big['one'] / base['one']:.1f}")
    assert big["full_reads"] == base["full_reads"]
    assert big["one_reads"] == base["one_reads"]
