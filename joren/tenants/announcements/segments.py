"""Who a segment is: one set-based condition on members (no query per member).

Everyone reachable (not inactive, with an address) is the base; the segments narrow it by
engagement level, by status, or by a meetup's registrations.
"""

from __future__ import annotations

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.announcements.models import Segment
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.meetups.models import ACTIVE, Registration

SAMPLE_SIZE = 5


def _registered(meetup_id: int | None):  # type: ignore[no-untyped-def]
    return select(Registration.member_id).where(Registration.meetup_id == meetup_id,
                                                Registration.status.in_(ACTIVE),
                                                Registration.confirmed_at.is_not(None))


def _at_level(level: Level):  # type: ignore[no-untyped-def]
    return select(MemberEngagement.member_id).where(MemberEngagement.level == level)


def conditions(segment: Segment, meetup_id: int | None) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``Member`` of the segment."""
    base: list[ColumnElement[bool]] = [Member.status != MemberStatus.INACTIVE,
                                       Member.email.is_not(None), Member.email != ""]
    if segment == Segment.REGULARS:
        base.append(Member.id.in_(_at_level(Level.REGULAR)))
    elif segment == Segment.LAPSED_REGULARS:
        base.append(Member.id.in_(_at_level(Level.LAPSED_REGULAR)))
    elif segment == Segment.GUESTS:
        base.append(Member.status == MemberStatus.GUEST)
    elif segment == Segment.REGISTERED:
        base.append(Member.id.in_(_registered(meetup_id)))
    elif segment == Segment.NOT_REGISTERED:
        base += [Member.status == MemberStatus.MEMBER, Member.id.not_in(_registered(meetup_id))]
    return base


def member_ids(segment: Segment, meetup_id: int | None) -> Select[tuple[int]]:
    return select(Member.id).where(*conditions(segment, meetup_id)).order_by(Member.id)


def count(session: Session, segment: Segment, meetup_id: int | None) -> int:
    return int(session.scalar(select(func.count(Member.id))
                              .where(*conditions(segment, meetup_id))) or 0)


def sample(session: Session, segment: Segment, meetup_id: int | None,
           size: int = SAMPLE_SIZE) -> list[Member]:
    """A few of the segment, in reading order (あいうえお順)."""
    return list(session.scalars(
        select(Member).where(*conditions(segment, meetup_id))
        .order_by(case((Member.family_name_kana == "", 1), else_=0),
                  Member.family_name_kana, Member.given_name_kana, Member.id).limit(size)))
