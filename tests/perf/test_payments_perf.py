"""The organizer's payments list of one meetup (everyone who owes or paid, with totals,
member prices for dues-paying members) and the dues list of a whole community: no query per
row.

The guard (default suite) compares statement counts for a 5-seat meetup in a 10-member
community and a 30-seat one in a 60-member community. The benchmark (on demand: ``pytest -m
perf -s tests/perf/test_payments_perf.py``) times a 2,000-seat meetup in a 5,000-member
community against a 50-seat meetup in a 100-member one, measured in the same run, prints
times, ratios to the baseline and SQL statement counts, and asserts the same.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, text

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.payments import services
from joren.tenants.payments.dues import services as dues
from joren.tenants.payments.models import (
    DuesInterval,
    DuesSettings,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from tests import factories
from tests.perf.timing import median_seconds
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

RUNS = 3
ZONE = ZoneInfo("Asia/Tokyo")


def _populate(session, community, members: int, seats: int) -> int:  # type: ignore[no-untyped-def]
    """Members (40% paying dues by hand), one paid meetup with ``seats`` going, 70% of them
    paid (door, bank transfer or online; a few refunded). Returns the meetup id."""
    rng = random.Random(members)
    starts = utcnow() + timedelta(days=14)
    today = datetime.now(UTC).astimezone(ZONE).date()
    with unscoped(session):
        session.execute(insert(Member), [
            {"tenant_id": community.id, "role": Role.MEMBER.value,
             "status": MemberStatus.MEMBER.value, "email": f"p{n}@{community.slug}.jp",
             "family_name": "田中", "given_name": f"花子{n}", "family_name_kana": "タナカ",
             "given_name_kana": "ハナコ", "joined_at": utcnow()} for n in range(members)])
        member_ids = session.scalars(select(Member.id).where(
            Member.tenant_id == community.id).order_by(Member.id)).all()
        session.add(DuesSettings(tenant_id=community.id, enabled=True, name="年会費",
                                 amount_jpy=12000, interval=DuesInterval.YEAR))
        meetup = Meetup(tenant_id=community.id, title="大交流会", starts_at=starts,
                        ends_at=starts + timedelta(hours=2), price=5000, member_price=3000,
                        capacity=seats)
        session.add(meetup)
        session.flush()
        going = rng.sample(list(member_ids), seats)
        session.execute(insert(Registration), [
            {"tenant_id": community.id, "meetup_id": meetup.id, "member_id": m,
             "status": RegistrationStatus.GOING.value, "checkin_token": f"{community.slug}-{m}"}
            for m in going])
        receipt = iter(range(1, 10**7))
        dues_payers = rng.sample(list(member_ids), members * 4 // 10)
        rows = [{"tenant_id": community.id, "member_id": m, "kind": PaymentKind.DUES.value,
                 "amount_jpy": 12000, "method": PaymentMethod.BANK_TRANSFER.value,
                 "status": PaymentStatus.PAID.value, "paid_at": utcnow(),
                 "period_start": today - timedelta(days=30),
                 "period_end": today + timedelta(days=334),
                 "receipt_number": f"R-{today.year}-{next(receipt):06d}"} for m in dues_payers]
        methods = [PaymentMethod.DOOR, PaymentMethod.BANK_TRANSFER, PaymentMethod.STRIPE]
        for m in going[: seats * 7 // 10]:
            method = rng.choice(methods)
            refunded = method == PaymentMethod.STRIPE and rng.random() < 0.05
            rows.append({
                "tenant_id": community.id, "member_id": m, "meetup_id": meetup.id,
                "kind": PaymentKind.MEETUP_FEE.value, "amount_jpy": 5000,
                "method": method.value,
                "status": (PaymentStatus.REFUNDED if refunded else PaymentStatus.PAID).value,
                "paid_at": utcnow(), "application_fee_jpy": 250 if method.value == "stripe" else 0,
                "marked_by_id": None if method == PaymentMethod.STRIPE else member_ids[0],
                "receipt_number": f"R-{today.year}-{next(receipt):06d}"})
        session.execute(insert(Payment), rows)
    session.commit()
    return int(meetup.id)


def _measure(app, scoped, community, meetup_id: int,  # type: ignore[no-untyped-def]
             timed: bool = True) -> dict[str, float]:
    s = scoped(community)
    meetup = s.get(Meetup, meetup_id)
    today = date.today()

    def meetup_page() -> tuple[int, int]:
        rows = services.meetup_rows(s, meetup)
        totals = services.totals(s, meetup)
        return len(rows), totals.collected

    def dues_page() -> int:
        return len(dues.member_states(s, today, ZONE))

    with count_statements(app) as list_sql:
        listed, collected = meetup_page()
    with count_statements(app) as dues_sql:
        states = dues_page()
    return {"list": median_seconds(meetup_page, RUNS) if timed else 0.0,
            "dues": median_seconds(dues_page, RUNS) if timed else 0.0, "rows": listed,
            "collected": collected, "states": states,
            "list_sql": len(list_sql), "dues_sql": len(dues_sql)}


def _both(app, session, scoped, sizes: tuple[tuple[int, int], tuple[int, int]],  # type: ignore[no-untyped-def]
          timed: bool) -> tuple[dict[str, float], dict[str, float]]:
    """Sizes are (members, seats) for the baseline and the large community."""
    small = factories.community(session, slug="pay-small")
    large = factories.community(session, slug="pay-large")
    small_meetup = _populate(session, small, *sizes[0])
    large_meetup = _populate(session, large, *sizes[1])
    if session.get_bind().dialect.name == "postgresql":
        with unscoped(session):  # ANALYZE names a tenant table, for no one community
            for table in ("members", "meetups", "registrations", "payments", "attendances"):
                session.execute(text(f"ANALYZE {table}"))
    return (_measure(app, scoped, small, small_meetup, timed),
            _measure(app, scoped, large, large_meetup, timed))


def test_payments_list_and_dues_list_statements_do_not_grow(app, session, scoped):
    base, big = _both(app, session, scoped, ((10, 5), (60, 30)), timed=False)
    assert (base["rows"], big["rows"], base["states"], big["states"]) == (5, 30, 10, 60)
    assert big["list_sql"] == base["list_sql"]
    assert big["dues_sql"] == base["dues_sql"]


@pytest.mark.perf
def test_payments_list_and_dues_list_benchmark(app, session, scoped):
    base, big = _both(app, session, scoped, ((100, 50), (5_000, 2_000)), timed=True)
    print()
    print(f"payments (median of {RUNS} runs)")
    for label, m in (("baseline 100 members, 50 going:   ", base),
                     ("5,000 members, 2,000 going:      ", big)):
        print(f"  {label} meetup payments list {m['list'] * 1000:7.1f} ms ({m['rows']} rows, "
              f"¥{m['collected']:,} collected, {m['list_sql']} statements); dues list "
              f"{m['dues'] * 1000:7.1f} ms ({m['states']} members, {m['dues_sql']} statements)")
    print(f"  ratio to baseline: payments list x{big['list'] / base['list']:.1f} (rows x40), "
          f"dues list x{big['dues'] / base['dues']:.1f} (members x50)")
    assert big["rows"] == 2_000 and big["states"] == 5_000
    assert big["list_sql"] == base["list_sql"]
    assert big["dues_sql"] == base["dues_sql"]
