"""Figures for the organizer console's dashboard, each from one aggregate query (what needs
doing this week: ``monday``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.platform.communities.invitations import recent_invitations
from joren.platform.db import utcnow
from joren.platform.membership.models import Invitation, Member, MemberStatus, Role
from joren.tenants.console.monday import Todo, todo
from joren.tenants.meetups.models import ATTENDED, Attendance, Meetup
from joren.tenants.members.services import status_counts


@dataclass
class LastMeetup:
    id: int
    title: str
    starts_at: datetime
    attended: int


@dataclass
class Checklist:
    invited_organizers: bool
    invited_members: bool
    scheduled_meetup: bool

    @property
    def done(self) -> bool:
        return self.invited_organizers and self.invited_members and self.scheduled_meetup


@dataclass
class Dashboard:
    status_counts: dict[MemberStatus, int]
    todo: Todo
    last_meetup: LastMeetup | None
    checklist: Checklist
    recent_invitations: list[Invitation]

    @property
    def upcoming_meetups(self) -> int:
        return self.todo.upcoming_meetups

    @property
    def active_members(self) -> int:
        return self.status_counts[MemberStatus.MEMBER] + self.status_counts[MemberStatus.GUEST]


def dashboard(session: Session, now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows for the session's community."""
    now = now or utcnow()
    figures = todo(session, now)
    return Dashboard(
        status_counts=status_counts(session),
        todo=figures,
        last_meetup=last_meetup(session, now),
        checklist=checklist(session, figures.total_meetups),
        recent_invitations=recent_invitations(session, limit=5),
    )


def last_meetup(session: Session, now: datetime) -> LastMeetup | None:
    attended = (
        select(func.count(Attendance.id))
        .where(Attendance.meetup_id == Meetup.id, Attendance.status.in_(ATTENDED))
        .correlate(Meetup)
        .scalar_subquery()
    )
    row = session.execute(
        select(Meetup.id, Meetup.title, Meetup.starts_at, attended)
        .where(Meetup.starts_at < now)
        .order_by(Meetup.starts_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return LastMeetup(id=row[0], title=row[1], starts_at=row[2], attended=row[3] or 0)


def checklist(session: Session, total_meetups: int) -> Checklist:
    """The onboarding steps: co-organizers invited, members invited, first meetup scheduled."""
    leaders = (Role.ORGANIZER, Role.STAFF)
    invitations = (select(func.count(Invitation.id).filter(Invitation.role.in_(leaders))
                          .label("leaders"),
                          func.count(Invitation.id).filter(Invitation.role == Role.MEMBER)
                          .label("members"))
                   .subquery("invited"))
    # A co-organizer's row is a plain member until the invitation is accepted: not a member.
    invited_as_leader = (
        select(Invitation.id)
        .where(Invitation.member_id == Member.id, Invitation.role.in_(leaders))
        .correlate(Member)
        .exists()
    )
    # Only whether any exists matters: EXISTS stops at the first row (ix_members_tenant_role)
    # where counting visited every member and probed invitations for each. One statement.
    invited_leaders, invited_members, other_leaders, plain_members = session.execute(
        select(
            invitations.c.leaders, invitations.c.members,
            select(Member.id).where(Member.role.in_(leaders)).exists(),
            select(Member.id).where(Member.role == Role.MEMBER, ~invited_as_leader).exists(),
        ).select_from(invitations)
    ).one()
    return Checklist(
        invited_organizers=bool(invited_leaders or other_leaders),
        invited_members=bool(invited_members or plain_members),
        scheduled_meetup=total_meetups > 0,
    )
