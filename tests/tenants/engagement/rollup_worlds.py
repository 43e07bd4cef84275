"""Random communities for the rollup tests: meetups over many months (some cancelled, one
under way, some still to come, some at midnight on the 1st in the community's zone), members
of every status, every attendance status, going registrations, guest-form registrations and
thresholds of their own. Seeded: a seed always builds the same community."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from joren.models import (
    Attendance,
    AttendanceStatus,
    Community,
    Meetup,
    Member,
    MemberStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.models import EngagementSettings
from joren.tenants.meetups.models import MeetupStatus
from tests import factories

ZONES = ("Asia/Tokyo", "America/New_York", "Europe/London", "Pacific/Auckland", "UTC")
STATUSES = [None, None, None, AttendanceStatus.PRESENT, AttendanceStatus.PRESENT,
            AttendanceStatus.LATE, AttendanceStatus.WALK_IN, AttendanceStatus.ABSENT,
            AttendanceStatus.EXCUSED, AttendanceStatus.SUBSTITUTE]
INDUSTRY = ["E", "G", "R", None, ""]


@dataclass
class World:
    community: Community
    meetup_ids: list[int]
    member_ids: list[int]


def build(session: Session, seed: int, now: datetime, *, members: int | None = None,
          meetups: int | None = None) -> World:
    rng = random.Random(seed)
    zone = rng.choice(ZONES)
    community = factories.community(session, timezone=zone)
    tz = ZoneInfo(zone)
    count = meetups if meetups is not None else rng.randint(0, 16)
    people = members if members is not None else rng.randint(0, 14)
    with unscoped(session):
        meetup_ids = _meetups(session, rng, community, tz, now, count)
        member_ids = _members(session, rng, community, people)
        _register(session, rng, community, meetup_ids, member_ids)
        if rng.random() < 0.7:
            low = rng.randint(1, 4)
            session.add(EngagementSettings(tenant_id=community.id, regular_min=low,
                                           regular_window=rng.randint(low, 7),
                                           one_time_misses=rng.randint(1, 3),
                                           lapsed_misses=rng.randint(1, 4)))
        session.flush()
    return World(community, meetup_ids, member_ids)


def _meetups(session: Session, rng: random.Random, community: Community, tz: ZoneInfo,
             now: datetime, count: int) -> list[int]:
    rows = []
    moment = now - timedelta(days=rng.randint(30, 500))
    for i in range(count):
        moment += timedelta(days=rng.choice([1, 7, 7, 14, 30, 45]), hours=rng.randint(-5, 5))
        starts = moment
        if rng.random() < 0.1:  # midnight on the 1st, local time: the month boundary
            local = moment.astimezone(tz)
            starts = datetime(local.year, local.month, 1, tzinfo=tz)
        if i == count - 1 and rng.random() < 0.5:
            starts = now - timedelta(minutes=30)  # under way
        status = MeetupStatus.CANCELLED if rng.random() < 0.1 else MeetupStatus.SCHEDULED
        rows.append({"tenant_id": community.id, "title": f"第{i + 1}回", "status": status,
                     "starts_at": starts, "ends_at": starts + timedelta(hours=2)})
    if rows:
        session.execute(insert(Meetup), rows)
    return list(session.scalars(select(Meetup.id).where(Meetup.tenant_id == community.id)
                                .order_by(Meetup.starts_at, Meetup.id)))


def _members(session: Session, rng: random.Random, community: Community, count: int) -> list[int]:
    rows = [{"tenant_id": community.id, "role": Role.MEMBER,
             "status": rng.choice([MemberStatus.MEMBER, MemberStatus.MEMBER, MemberStatus.GUEST,
                                   MemberStatus.INACTIVE]),
             "family_name": "田中", "given_name": f"{n}", "family_name_kana": "タナカ",
             "given_name_kana": "タロウ", "email": f"p{n}-{community.id}@example.jp",
             "industry_code": rng.choice(INDUSTRY)} for n in range(count)]
    if rows:
        session.execute(insert(Member), rows)
    return list(session.scalars(select(Member.id).where(Member.tenant_id == community.id)
                                .order_by(Member.id)))


def _register(session: Session, rng: random.Random, community: Community, meetup_ids: list[int],
              member_ids: list[int]) -> None:
    attendance, registrations = [], []
    for member_id in member_ids:
        loyalty = rng.random()
        for meetup_id in meetup_ids:
            status = rng.choice(STATUSES) if rng.random() < loyalty else None
            if status is not None:
                attendance.append({"tenant_id": community.id, "meetup_id": meetup_id,
                                   "member_id": member_id, "status": status})
            if rng.random() < 0.3:
                registrations.append({
                    "tenant_id": community.id, "meetup_id": meetup_id, "member_id": member_id,
                    "status": rng.choice([RegistrationStatus.GOING, RegistrationStatus.GOING,
                                          RegistrationStatus.CANCELLED]),
                    "source": "guest" if rng.random() < 0.15 else "portal"})
    if attendance:
        session.execute(insert(Attendance), attendance)
    if registrations:
        session.execute(insert(Registration), registrations)
