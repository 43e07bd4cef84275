"""Reading registrations: one member's, one meetup's, counts and waitlist ranks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from joren.platform.membership.models import Member
from joren.tenants.meetups.models import (
    Meetup,
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


def active_series_registration(session: Session, series_id: int,
                               member_id: int) -> SeriesRegistration | None:
    return session.scalar(select(SeriesRegistration).where(
        SeriesRegistration.series_id == series_id, SeriesRegistration.member_id == member_id,
        SeriesRegistration.cancelled_at.is_(None)))
