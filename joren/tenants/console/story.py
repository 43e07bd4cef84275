"""A member's story on one console page: the meetups they registered for or attended, their
engagement level and streak, introductions and how they ended, referrals, payments and the
organizers' notes.

Each list is limited (the timeline is paged), and each is one statement, so the page costs
the same for a member who came twice as for one who came two hundred times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, true, union
from sqlalchemy.orm import Session, aliased, joinedload

from joren.platform.membership.models import Member
from joren.tenants.console.models import MemberNote
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.meetups.models import (
    Attendance,
    AttendanceStatus,
    Meetup,
    Registration,
    RegistrationStatus,
)
from joren.tenants.payments.models import Payment, PaymentStatus
from joren.tenants.relationships.models import Referral

TIMELINE_PER_PAGE = 20
LISTED = 10       # introductions, referrals and payments shown
NOTES_SHOWN = 20
NOTE_LIMIT = 1000


class NoteError(ValueError):
    """A note that cannot be saved; ``message`` says why."""


@dataclass
class Visit:
    meetup_id: int
    title: str
    starts_at: datetime
    registration: RegistrationStatus | None
    attendance: AttendanceStatus | None
    source: str


@dataclass
class IntroductionLine:
    id: int
    other_id: int
    other_name: str
    status: IntroductionStatus
    created_at: datetime
    connected_at: datetime | None


@dataclass
class ReferralLine:
    referral: Referral
    given: bool
    other_name: str


@dataclass
class Story:
    engagement: MemberEngagement | None
    visits: int
    timeline: list[Visit]
    introductions: list[IntroductionLine]
    referrals: list[ReferralLine]
    payments: list[Payment]
    notes: list[MemberNote]


def _meetup_ids(member_id: int):  # type: ignore[no-untyped-def]
    return union(
        select(Registration.meetup_id.label("meetup_id")).where(
            Registration.member_id == member_id),
        select(Attendance.meetup_id).where(Attendance.member_id == member_id),
    ).subquery("theirs")


def story(session: Session, member: Member, page: int = 1) -> Story:
    """Everything the member's console page shows (five statements): the number of visits,
    the engagement and the page of the timeline come in one."""
    theirs = _meetup_ids(member.id)
    visits_page = _timeline(member.id, page).subquery("visit")
    rows = session.execute(
        select(select(func.count()).select_from(theirs).scalar_subquery(), MemberEngagement,
               visits_page)
        .select_from(Member)
        .outerjoin(MemberEngagement, MemberEngagement.member_id == Member.id)
        .outerjoin(visits_page, true())
        .where(Member.id == member.id)
        .order_by(visits_page.c.starts_at.desc(), visits_page.c.meetup_id.desc())
    ).all()
    visits, engagement = (rows[0][0] or 0, rows[0][1]) if rows else (0, None)
    return Story(engagement=engagement, visits=visits,
                 timeline=[_visit(*row[2:]) for row in rows if row[2] is not None],
                 introductions=introductions(session, member.id),
                 referrals=referrals(session, member.id), payments=payments(session, member.id),
                 notes=notes(session, member.id))


# Built once: an alias of a model costs milliseconds to build (Member's most: it is wide).
_REG, _ATT = aliased(Registration, name="reg"), aliased(Attendance, name="att")
_OTHER = aliased(Member, name="other")


def _timeline(member_id: int, page: int) -> Select[Any]:
    theirs = _meetup_ids(member_id)
    reg, att = _REG, _ATT
    return (
        select(Meetup.id.label("meetup_id"), Meetup.title.label("title"),
               Meetup.starts_at.label("starts_at"), reg.status.label("registration"),
               att.status.label("attendance"), reg.source.label("source"))
        .join(theirs, theirs.c.meetup_id == Meetup.id)
        .outerjoin(reg, (reg.meetup_id == Meetup.id) & (reg.member_id == member_id))
        .outerjoin(att, (att.meetup_id == Meetup.id) & (att.member_id == member_id))
        .order_by(Meetup.starts_at.desc(), Meetup.id.desc())
        .limit(TIMELINE_PER_PAGE).offset((max(1, page) - 1) * TIMELINE_PER_PAGE))


def _visit(i: int, t: str, s: datetime, r: Any, a: Any, src: str | None) -> Visit:
    return Visit(meetup_id=i, title=t, starts_at=s,
                 registration=RegistrationStatus(r) if r else None,
                 attendance=AttendanceStatus(a) if a else None, source=src or "")


def timeline(session: Session, member_id: int, page: int = 1) -> list[Visit]:
    """The member's meetups, newest first, with their registration and attendance."""
    return [_visit(*row) for row in session.execute(_timeline(member_id, page))]


def introductions(session: Session, member_id: int) -> list[IntroductionLine]:
    """The member's latest introductions, with whom and how each ended."""
    other = _OTHER
    other_id = func.coalesce(
        func.nullif(Introduction.member_low_id, member_id), Introduction.member_high_id)
    rows = session.execute(
        select(Introduction.id, other.id, other.family_name, other.given_name, other.email,
               Introduction.status, Introduction.created_at, Introduction.connected_at)
        .join(other, other.id == other_id)
        .where(or_(Introduction.member_low_id == member_id,
                   Introduction.member_high_id == member_id))
        .order_by(Introduction.created_at.desc(), Introduction.id.desc()).limit(LISTED))
    return [IntroductionLine(id=i, other_id=o, other_name=f"{f} {g}".strip() or (e or ""),
                             status=IntroductionStatus(s), created_at=c, connected_at=k)
            for i, o, f, g, e, s, c, k in rows]


def referrals(session: Session, member_id: int) -> list[ReferralLine]:
    """The referrals the member gave or received, newest first."""
    other = _OTHER
    given = Referral.giver_id == member_id
    rows = session.execute(
        select(Referral, other.family_name, other.given_name)
        .join(other, other.id == func.coalesce(func.nullif(Referral.giver_id, member_id),
                                               Referral.receiver_id))
        .where(or_(given, Referral.receiver_id == member_id))
        .order_by(Referral.given_on.desc(), Referral.id.desc()).limit(LISTED))
    return [ReferralLine(referral=r, given=r.giver_id == member_id,
                         other_name=f"{f} {g}".strip()) for r, f, g in rows]


def payments(session: Session, member_id: int) -> list[Payment]:
    return list(session.scalars(
        select(Payment).where(Payment.member_id == member_id,
                              Payment.status.in_((PaymentStatus.PAID, PaymentStatus.REFUNDED)))
        .options(joinedload(Payment.meetup))
        .order_by(Payment.paid_at.desc(), Payment.id.desc()).limit(LISTED)).unique())


def notes(session: Session, member_id: int) -> list[MemberNote]:
    return list(session.scalars(
        select(MemberNote).where(MemberNote.member_id == member_id)
        .options(joinedload(MemberNote.author))
        .order_by(MemberNote.created_at.desc(), MemberNote.id.desc()).limit(NOTES_SHOWN)
    ).unique())


def add_note(session: Session, member: Member, author: Member, body: str, *,
             contacted: bool = False, now: datetime | None = None) -> MemberNote:
    """Write an organizer's note on ``member``; ``contacted`` records a follow-up."""
    text = (body or "").strip()
    if not text and not contacted:
        raise NoteError("empty")
    if len(text) > NOTE_LIMIT:
        raise NoteError("long")
    note = MemberNote(member_id=member.id, author_id=author.id, body=text, contacted=contacted)
    if now is not None:
        note.created_at = now
    session.add(note)
    session.flush()
    return note
