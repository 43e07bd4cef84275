"""Build the demo community: people, a year of monthly meetups, and who came to them.

The shape of attendance is what Joren is about: real regulars (9 or more of 12 meetups),
returning members, one-timers, and regulars who drifted away in the last few months.
Everything is drawn from one seeded random generator, so two loads on the same day match.
The people are people.py's, the calendar meetups.py's, attendance and registrations
attendance.py's; this module puts them into the database in a few bulk statements.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from joren.demo import data
from joren.demo.attendance import (
    past_registrations,
    plan_attendance,
    set_joined_dates,
    upcoming_registrations,
)
from joren.demo.fees import past_fees
from joren.demo.history import add_history
from joren.demo.meetups import (
    FIRST_MEETUP_NUMBER,
    TIMEZONE,
    meetup_row,
    meetup_times,
    series_values,
)
from joren.demo.people import (
    ACCOUNT_DOMAIN,
    MEMBER_EMAIL,
    OWNER_EMAIL,
    STAFF_EMAIL,
    Person,
    demo_accounts,
    draw_people,
)
from joren.platform.db import utcnow
from joren.platform.identity.account import Account
from joren.platform.identity.community import Community, CommunityKind
from joren.platform.membership.models import Member
from joren.platform.tenancy import set_tenant
from joren.tenants.engagement.rollups.store import rebuild as rebuild_rollups
from joren.tenants.engagement.services import recompute_community
from joren.tenants.introductions.cycles import due_period, run_cycle
from joren.tenants.introductions.models import Cadence
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Meetup,
    MeetupSeries,
    Registration,
)
from joren.tenants.members.signals import profiles_changed
from joren.tenants.payments.models import Payment, PaymentSettings

SLUG = "osaka-ikigyoshu"
NAME = "大阪異業種交流会「常連」"
SEED = 2026

Plans = list[tuple[Person, list[tuple[int, AttendanceStatus]]]]


@dataclass(frozen=True)
class DemoSummary:
    """What the demo community holds, for the closing message."""

    community_id: int
    slug: str
    name: str
    created: bool
    members: int
    meetups: int
    attendances: int


def load_demo(session: Session, *, now: datetime | None = None,
              reset: bool = False) -> DemoSummary:
    """Load the demo community unless it is there already (``reset`` deletes it first).

    Binds ``session`` to the demo community; the caller commits.
    """
    now = now or utcnow()
    if reset:
        remove_demo(session)
    existing = session.scalar(select(Community).where(Community.slug == SLUG))
    if existing is not None:
        set_tenant(session, existing.id)
        return _summary(session, existing, created=False)

    rng = random.Random(SEED)
    accounts = demo_accounts(session)
    community = Community(
        slug=SLUG, name=NAME, kind=CommunityKind.CROSS_INDUSTRY, timezone=TIMEZONE,
        default_language="ja", currency="JPY", city="大阪市", is_public=True,
        description=data.COMMUNITY_DESCRIPTION,
    )
    session.add(community)
    session.flush()
    set_tenant(session, community.id)

    past, upcoming = meetup_times(now)
    everyone = draw_people(rng, accounts)
    plans = [(person, plan_attendance(rng, person)) for person in everyone]
    set_joined_dates(rng, plans, past, now)
    _insert(session, rng, community.id, plans, past, upcoming, now)
    return _summary(session, community, created=True)


def _insert(session: Session, rng: random.Random, tenant_id: int, plans: Plans,
            past: list[datetime], upcoming: list[datetime], now: datetime) -> None:
    """Each table is one executemany; the new ids are then read back in one query each."""
    series = MeetupSeries(**series_values(past[0]), materialized_until=upcoming[-1])
    session.add(series)
    session.flush()
    session.execute(insert(Meetup), [
        meetup_row(tenant_id, number, starts_at, series.id, now)
        for number, starts_at in enumerate(past + upcoming, start=FIRST_MEETUP_NUMBER)
    ])
    session.execute(insert(Member), [{"tenant_id": tenant_id, **p.values} for p, _ in plans])
    meetup_ids = list(session.scalars(select(Meetup.id).order_by(Meetup.starts_at)))
    member_ids = dict(session.execute(select(Member.email, Member.id)).all())
    session.execute(insert(Attendance), [
        {"tenant_id": tenant_id, "meetup_id": meetup_ids[index],
         "member_id": member_ids[person.values["email"]], "status": status,
         "created_at": past[index]}
        for person, plan in plans for index, status in plan
    ])
    ordered_ids = [member_ids[p.values["email"]] for p, _ in plans]
    # Written in bulk, announced once like an import: the introductions' verifier judges the
    # profiles' sentences after the commit (a job), not the first cycle inline.
    profiles_changed.send(session, tenant_id=tenant_id, member_ids=sorted(ordered_ids),
                          fields=frozenset(c for p, _ in plans for c, v in p.values.items()
                                           if v))
    rows: list[dict[str, Any]] = upcoming_registrations(
        rng, tenant_id, plans, ordered_ids, meetup_ids[len(past):], len(past), now)
    rows += past_registrations(random.Random(SEED + 1), tenant_id, plans, ordered_ids,
                               meetup_ids, past)
    session.execute(insert(Registration), rows)
    _insert_fees(session, tenant_id, plans, ordered_ids, meetup_ids, past, member_ids)


def _insert_fees(session: Session, tenant_id: int, plans: Plans, ordered_ids: list[int],
                 meetup_ids: list[int], past: list[datetime], by_email: dict[str, int]) -> None:
    attended = [(member_id, index)
                for (_person, plan), member_id in zip(plans, ordered_ids, strict=True)
                for index, status in plan if status in ATTENDED]
    payments, (year, sequence) = past_fees(
        random.Random(SEED + 2), tenant_id, attended, meetup_ids, past,
        door_marker=by_email[STAFF_EMAIL], transfer_marker=by_email[OWNER_EMAIL],
        zone=ZoneInfo(TIMEZONE))
    session.execute(insert(Payment), payments)
    session.add(PaymentSettings(issuer_name=NAME, issuer_address=data.ISSUER_ADDRESS,
                                registration_number="", receipt_year=year,
                                receipt_sequence=sequence))
    session.flush()


def first_introductions(session: Session, now: datetime | None = None) -> int:
    """Engagement levels, the relationship history (``history.add_history``: past
    introductions, contacts, referrals, journal and gives, then the ledger rebuilt), then this
    month's matching cycle, so that the organizer's review queue has suggestions to look at
    (the monthly cron then finds the month done).

    The history goes in BEFORE the cycle, so that the cycle leaves out every pair introduced
    in the past (one introduction per pair, ever). It is inserted here rather than in
    ``load_demo``, which must stay within a few bulk statements; it is itself one
    executemany per table. ``joren demo`` runs this after loading; the session is bound to
    the demo community. Returns how many introductions were suggested."""
    now = now or utcnow()
    recompute_community(session, now=now)
    rebuild_rollups(session, now=now)
    add_history(session, now, ZoneInfo(TIMEZONE), MEMBER_EMAIL, OWNER_EMAIL)
    return run_cycle(session, due_period(Cadence.MONTHLY, now) or "demo", now=now).suggested


def remove_demo(session: Session) -> None:
    """Delete the demo community (its rows go with it) and the demo accounts."""
    session.execute(delete(Community).where(Community.slug == SLUG))
    session.execute(delete(Account).where(Account.email.like(f"%@{ACCOUNT_DOMAIN}")))
    session.expunge_all()


def _summary(session: Session, community: Community, created: bool) -> DemoSummary:
    def count(column: object) -> int:
        return int(session.scalar(select(func.count(column))) or 0)

    return DemoSummary(
        community_id=community.id, slug=community.slug, name=community.name, created=created,
        members=count(Member.id), meetups=count(Meetup.id), attendances=count(Attendance.id),
    )
