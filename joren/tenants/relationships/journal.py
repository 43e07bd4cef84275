"""What a member writes for themselves around a meetup: three things they can give that
evening (before it), and one insight from it in a private journal (after it).

Both belong to the member: every function takes the member's id and only ever reads or
changes that member's rows. The journal stays private; the gives are also shown, read-only,
on the member's profile page for the evening (``profile_gives``), to whoever may see the
profile's give/ask group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.platform.pagination import Page
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)
from joren.tenants.relationships.models import JournalEntry, MeetupGives

GIVE_LENGTH = 200
BODY_LENGTH = 5000
JOURNAL_PER_PAGE = 20
EVENINGS_AHEAD = timedelta(days=62)
EVENINGS_BACK = timedelta(days=62)
PROFILE_DAYS_AHEAD = 2   # gives show on the profile from two local days before the meetup
# Registrations that make a meetup "mine" for planning gives.
PLANNING_STATUSES = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED,
                     RegistrationStatus.PENDING, RegistrationStatus.OFFERED)


class JournalInvalid(ValueError):
    """``code`` is "empty", "too_long" or "unknown_meetup"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- the three gives -----------------------------------------------------------------------------

def gives_of(session: Session, member_id: int, meetup_id: int) -> MeetupGives | None:
    return session.scalar(select(MeetupGives).where(MeetupGives.member_id == member_id,
                                                    MeetupGives.meetup_id == meetup_id))


def written(gives: MeetupGives | None) -> list[str]:
    """The gives written down (empty ones left out)."""
    if gives is None:
        return []
    return [g for g in (gives.give_1, gives.give_2, gives.give_3) if g]


def suggested_gives(member: Member) -> list[str]:
    """What the form starts with when nothing is written yet: the profile's offers."""
    return [o for o in (member.offer_1, member.offer_2, member.offer_3) if o]


def takes_part(session: Session, member_id: int, meetup: Meetup) -> bool:
    """Registered for the meetup (not cancelled) or recorded as attending it."""
    registered = session.scalar(select(Registration.id).where(
        Registration.member_id == member_id, Registration.meetup_id == meetup.id,
        Registration.status.in_(PLANNING_STATUSES)).limit(1))
    if registered is not None:
        return True
    return session.scalar(select(Attendance.id).where(
        Attendance.member_id == member_id, Attendance.meetup_id == meetup.id,
        Attendance.status.in_(ATTENDED)).limit(1)) is not None


def _clean(value: str) -> str:
    return " ".join((value or "").split())


def save_gives(session: Session, member_id: int, meetup_id: int,
               gives: Sequence[str]) -> MeetupGives:
    """Store up to three gives (blank ones dropped, the rest moved up). The caller commits."""
    values = [_clean(g) for g in gives if _clean(g)][:3]
    if any(len(v) > GIVE_LENGTH for v in values):
        raise JournalInvalid("too_long")
    values += [""] * (3 - len(values))
    row = gives_of(session, member_id, meetup_id)
    if row is None:
        row = MeetupGives(member_id=member_id, meetup_id=meetup_id)
        session.add(row)
    row.give_1, row.give_2, row.give_3 = values
    session.flush()
    return row


# -- on the profile page -------------------------------------------------------------------------

@dataclass(frozen=True)
class ProfileGives:
    meetup: Meetup
    gives: list[str]
    tonight: bool   # the meetup is today (the community's local date)


def profile_gives(session: Session, member_id: int, community: Community, *,
                  members_only_meetups: bool = True,
                  now: datetime | None = None) -> list[ProfileGives]:
    """What ``member_id`` wrote they can give at meetups today or in the next two days (the
    community's local dates), soonest first: scheduled meetups not over yet that they still
    take part in. ``members_only_meetups=False`` (a guest looking) leaves members-only
    meetups out. One statement; who may see the gives at all is the caller's decision."""
    now = now or utcnow()
    zone = community.zone
    today: date = now.astimezone(zone).date()
    until = datetime.combine(today + timedelta(days=PROFILE_DAYS_AHEAD + 1), time(),
                             tzinfo=zone).astimezone(UTC)
    registered = exists().where(Registration.meetup_id == Meetup.id,
                                Registration.member_id == member_id,
                                Registration.status.in_(PLANNING_STATUSES))
    attended = exists().where(Attendance.meetup_id == Meetup.id,
                              Attendance.member_id == member_id,
                              Attendance.status.in_(ATTENDED))
    stmt = (select(MeetupGives, Meetup).join(Meetup, Meetup.id == MeetupGives.meetup_id)
            .where(MeetupGives.member_id == member_id, Meetup.status == MeetupStatus.SCHEDULED,
                   Meetup.ends_at > now, Meetup.starts_at < until, or_(registered, attended))
            .order_by(Meetup.starts_at, Meetup.id))
    if not members_only_meetups:
        stmt = stmt.where(Meetup.is_public.is_(True))
    shown = []
    for row, meetup in session.execute(stmt).all():
        gives = written(row)
        if gives:
            local_day = meetup.starts_at.astimezone(zone).date()
            shown.append(ProfileGives(meetup, gives, local_day <= today))
    return shown


# -- my evenings ----------------------------------------------------------------------------------

@dataclass
class Evening:
    meetup: Meetup
    gives: list[str] = field(default_factory=list)
    people: list[Member] = field(default_factory=list)
    entries: int = 0


def evenings(session: Session, member_id: int,
             now: datetime | None = None) -> tuple[list[Evening], list[Evening]]:
    """(upcoming meetups I am going to, recent ones I attended), each with my gives, the
    people I was sent to meet and how many journal notes I wrote about it."""
    now = now or utcnow()
    upcoming = session.scalars(
        select(Meetup).join(Registration, Registration.meetup_id == Meetup.id)
        .where(Registration.member_id == member_id,
               Registration.status.in_(PLANNING_STATUSES),
               Meetup.status == MeetupStatus.SCHEDULED, Meetup.ends_at >= now,
               Meetup.starts_at <= now + EVENINGS_AHEAD)
        .order_by(Meetup.starts_at, Meetup.id)).all()
    past = session.scalars(
        select(Meetup).join(Attendance, Attendance.meetup_id == Meetup.id)
        .where(Attendance.member_id == member_id, Attendance.status.in_(ATTENDED),
               Meetup.starts_at < now, Meetup.starts_at >= now - EVENINGS_BACK)
        .order_by(Meetup.starts_at.desc(), Meetup.id.desc())).all()
    ids = [m.id for m in (*upcoming, *past)]
    if not ids:
        return [], []
    gives = {g.meetup_id: g for g in session.scalars(select(MeetupGives).where(
        MeetupGives.member_id == member_id, MeetupGives.meetup_id.in_(ids)))}
    wanted = {i for g in gives.values() for i in (g.people_to_meet or []) if type(i) is int}
    people = {m.id: m for m in session.scalars(
        select(Member).where(Member.id.in_(wanted)))} if wanted else {}
    notes = dict(session.execute(
        select(JournalEntry.meetup_id, func.count(JournalEntry.id))
        .where(JournalEntry.member_id == member_id, JournalEntry.meetup_id.in_(ids))
        .group_by(JournalEntry.meetup_id)).all())

    def evening(meetup: Meetup) -> Evening:
        row = gives.get(meetup.id)
        sent = [people[i] for i in (row.people_to_meet or []) if i in people] if row else []
        return Evening(meetup, written(row), sent, notes.get(meetup.id, 0))

    return [evening(m) for m in upcoming], [evening(m) for m in past]


# -- the journal -----------------------------------------------------------------------------------

def journal_page(session: Session, member_id: int, page: int = 1,
                 per_page: int = JOURNAL_PER_PAGE) -> Page[JournalEntry]:
    page = max(page, 1)
    total = session.scalar(select(func.count(JournalEntry.id))
                           .where(JournalEntry.member_id == member_id)) or 0
    items = session.scalars(
        select(JournalEntry).where(JournalEntry.member_id == member_id)
        .order_by(JournalEntry.written_at.desc(), JournalEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def entry_of(session: Session, member_id: int, entry_id: int) -> JournalEntry | None:
    """The entry if it is this member's own (anyone else's, or another community's: None)."""
    return session.scalar(select(JournalEntry).where(JournalEntry.id == entry_id,
                                                     JournalEntry.member_id == member_id))


def journal_meetups(session: Session, member_id: int,
                    now: datetime | None = None) -> list[Meetup]:
    """Meetups a note can be about: the ones I attended or registered for, latest first."""
    now = now or utcnow()
    attended = select(Attendance.meetup_id).where(Attendance.member_id == member_id,
                                                  Attendance.status.in_(ATTENDED))
    registered = select(Registration.meetup_id).where(
        Registration.member_id == member_id, Registration.status.in_(PLANNING_STATUSES))
    return list(session.scalars(
        select(Meetup).where(or_(Meetup.id.in_(attended), Meetup.id.in_(registered)),
                             Meetup.starts_at <= now + EVENINGS_AHEAD)
        .order_by(Meetup.starts_at.desc(), Meetup.id.desc()).limit(50)))


def _check(session: Session, member_id: int, body: str, meetup_id: int | None) -> str:
    body = (body or "").strip()
    if not body:
        raise JournalInvalid("empty")
    if len(body) > BODY_LENGTH:
        raise JournalInvalid("too_long")
    if meetup_id is not None and meetup_id not in {
            m.id for m in journal_meetups(session, member_id)}:
        raise JournalInvalid("unknown_meetup")
    return body


def add_entry(session: Session, member_id: int, body: str, meetup_id: int | None = None,
              now: datetime | None = None) -> JournalEntry:
    body = _check(session, member_id, body, meetup_id)
    entry = JournalEntry(member_id=member_id, meetup_id=meetup_id, body=body,
                         written_at=now or utcnow())
    session.add(entry)
    session.flush()
    return entry


def update_entry(session: Session, entry: JournalEntry, body: str,
                 meetup_id: int | None) -> JournalEntry:
    entry.body = _check(session, entry.member_id, body, meetup_id)
    entry.meetup_id = meetup_id
    session.flush()
    return entry


def delete_entry(session: Session, entry: JournalEntry) -> None:
    session.delete(entry)
    session.flush()
