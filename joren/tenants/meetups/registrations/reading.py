"""Reading registrations: one member's, one meetup's, counts and waitlist ranks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from joren.platform.membership.models import Member
from joren.tenants.meetups.models import (
    ACTIVE,
    ATTENDED,
    Attendance,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
)
from joren.tenants.members.services import reading_order


def registration_for(session: Session, meetup_id: int, member_id: int) -> Registration | None:
    return session.scalar(select(Registration).where(
        Registration.meetup_id == meetup_id, Registration.member_id == member_id))


def counts(session: Session, meetup_ids: list[int]) -> dict[int, dict[str, int]]:
    """{meetup_id: {going, waitlisted, pending, unconfirmed, cancelled, not_going, offered}} in
    one query. ``offered`` people hold a seat (paid meetups) until they accept.

    ``pending`` counts confirmed people awaiting approval; guests who have not clicked their
    confirmation link are ``unconfirmed`` and hold nothing.
    """
    result = {mid: {"going": 0, "waitlisted": 0, "pending": 0, "unconfirmed": 0,
                    "cancelled": 0, "not_going": 0, "offered": 0, "awaiting_payment": 0}
              for mid in meetup_ids}
    if not meetup_ids:
        return result
    unconfirmed = Registration.confirmed_at.is_(None)
    rows = session.execute(
        select(Registration.meetup_id, Registration.status, unconfirmed.label("unconfirmed"),
               func.count(Registration.id))
        .where(Registration.meetup_id.in_(meetup_ids))
        .group_by(Registration.meetup_id, Registration.status, unconfirmed)
    )
    for meetup_id, status, is_unconfirmed, n in rows:
        key = "unconfirmed" if (status == RegistrationStatus.PENDING and is_unconfirmed) \
            else RegistrationStatus(status).value
        result[meetup_id][key] += n
    return result


def waitlist_rank(session: Session, registration: Registration) -> int | None:
    """1 for the first person waiting, and so on; None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return session.scalar(select(func.count(Registration.id)).where(
        Registration.meetup_id == registration.meetup_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.waitlist_position <= registration.waitlist_position,
    ))


def console_registrations(session: Session, meetup: Meetup) -> list[Registration]:
    """Every registration of ``meetup`` with its member, sorted by reading (one query)."""
    return list(session.scalars(
        select(Registration).join(Registration.member)
        .where(Registration.meetup_id == meetup.id)
        .options(joinedload(Registration.member))
        .order_by(*reading_order())
    ).unique())


# The console's registration list: its groups, in the order shown, and which statuses each
# holds; the overview shows at most GROUP_SHOWN of each, a group's own view pages it.
CONSOLE_GROUPS: dict[str, tuple[RegistrationStatus, ...]] = {
    "going": (RegistrationStatus.GOING,),
    "awaiting_payment": (RegistrationStatus.AWAITING_PAYMENT,),
    "offered": (RegistrationStatus.OFFERED,),
    "waitlisted": (RegistrationStatus.WAITLISTED,),
    "pending": (RegistrationStatus.PENDING,),
    "cancelled": (RegistrationStatus.CANCELLED, RegistrationStatus.NOT_GOING),
}
GROUP_SHOWN = 100


def console_groups(session: Session, meetup: Meetup, group: str | None = None,
                   offset: int = 0, limit: int | None = None) -> dict[str, list[Registration]]:
    """``meetup``'s registrations by group (CONSOLE_GROUPS), each in its order: offers and
    seats held by their deadline, the waitlist by position, the others by reading. At most
    ``limit`` of each group (from ``offset`` in the one ``group`` when given), in one query:
    the rows are numbered per group on narrow columns and only those shown are loaded."""
    limit = GROUP_SHOWN if limit is None else limit
    grouped = case(*[(Registration.status.in_(statuses), name)
                     for name, statuses in CONSOLE_GROUPS.items()])
    held = (RegistrationStatus.OFFERED, RegistrationStatus.AWAITING_PAYMENT)
    order = (
        case((Registration.status.in_(held),
              func.coalesce(Registration.offer_expires_at, Registration.status_changed_at))),
        case((Registration.status == RegistrationStatus.WAITLISTED,
              func.coalesce(Registration.waitlist_position, 0))),
        case((Registration.status.in_((*held, RegistrationStatus.WAITLISTED)),
              Registration.id)),
        *reading_order(),
    )
    numbered = (
        select(Registration.id.label("registration_id"), grouped.label("grp"),
               func.row_number().over(partition_by=grouped, order_by=order).label("n"))
        .join(Member, Member.id == Registration.member_id)
        .where(Registration.meetup_id == meetup.id)
        .subquery("numbered")
    )
    stmt = (select(Registration)
            .join(numbered, numbered.c.registration_id == Registration.id)
            .join(Registration.member).options(contains_eager(Registration.member))
            .where(numbered.c.n > offset, numbered.c.n <= offset + limit)
            .order_by(numbered.c.grp, numbered.c.n))
    if group is not None:
        stmt = stmt.where(numbered.c.grp == group)
    groups: dict[str, list[Registration]] = {name: [] for name in CONSOLE_GROUPS}
    for registration in session.scalars(stmt).unique():
        for name, statuses in CONSOLE_GROUPS.items():
            if registration.status in statuses:
                groups[name].append(registration)
    return groups


def member_registrations(session: Session, member: Member, now: datetime,
                         upcoming: bool = True) -> list[Registration]:
    stmt = (select(Registration).join(Registration.meetup)
            .where(Registration.member_id == member.id)
            .options(joinedload(Registration.meetup)))
    if upcoming:
        stmt = stmt.where(Meetup.ends_at >= now).order_by(Meetup.starts_at)
    else:
        stmt = stmt.where(Meetup.ends_at < now).order_by(Meetup.starts_at.desc()).limit(50)
    return list(session.scalars(stmt).unique())


def attended_at(session: Session, member_id: int, meetup_ids: list[int]) -> dict[int, bool]:
    """{meetup_id: True} for those of ``meetup_ids`` the member attended (one query)."""
    if not meetup_ids:
        return {}
    return {meetup_id: True for meetup_id in session.scalars(
        select(Attendance.meetup_id).where(Attendance.member_id == member_id,
                                           Attendance.meetup_id.in_(meetup_ids),
                                           Attendance.status.in_(ATTENDED)))}


def upcoming_registrations(session: Session, member_id: int, now: datetime,
                           limit: int = 10) -> list[Registration]:
    """The member's active registrations for scheduled meetups still to come, soonest first,
    with their meetups (one query)."""
    return list(session.scalars(
        select(Registration).join(Registration.meetup)
        .where(Registration.member_id == member_id, Registration.status.in_(ACTIVE),
               Meetup.ends_at >= now, Meetup.status == MeetupStatus.SCHEDULED)
        .options(contains_eager(Registration.meetup))
        .order_by(Meetup.starts_at, Meetup.id).limit(limit)))


def active_series_registration(session: Session, series_id: int,
                               member_id: int) -> SeriesRegistration | None:
    return session.scalar(select(SeriesRegistration).where(
        SeriesRegistration.series_id == series_id, SeriesRegistration.member_id == member_id,
        SeriesRegistration.cancelled_at.is_(None)))
