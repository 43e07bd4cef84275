"""The seat decision: whether a member gets a seat, waits, or waits for approval.

Every decision about a seat is taken while holding a lock on the meetup row (``lock_meetup``),
inside the caller's transaction: on PostgreSQL ``SELECT ... FOR UPDATE``; on SQLite a no-op
UPDATE, which takes the database's single write lock. Concurrent registrations therefore
queue up on the meetup and exactly ``capacity`` people are ever going.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import SEATED, Meetup, Registration, RegistrationStatus

OFFER_HOURS = 24
OFFER_CLOSES_BEFORE_START = timedelta(hours=2)
OFFER_MINIMUM = timedelta(hours=1)


class RegistrationError(ValueError):
    """A registration that cannot be made or changed; ``message`` is shown to the person."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class Decision:
    status: RegistrationStatus
    waitlist_position: int | None = None
    for_industry: bool = False


def lock_meetup(session: Session, meetup_id: int) -> Meetup:
    """Lock the meetup row for the rest of the transaction and return it, fresh."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Meetup).where(Meetup.id == meetup_id)
                        .values(capacity=Meetup.capacity)
                        .execution_options(synchronize_session=False))
    meetup = session.scalar(select(Meetup).where(Meetup.id == meetup_id).with_for_update()
                            .execution_options(populate_existing=True))
    if meetup is None:
        raise RegistrationError(_l("This meetup does not exist."))
    return meetup


def seats_taken(session: Session, meetup_id: int, industry: str | None = None) -> int:
    """Seats going or held (offered, being paid for), of one industry when given."""
    stmt = select(func.count(Registration.id)).where(
        Registration.meetup_id == meetup_id, Registration.status.in_(SEATED))
    if industry is not None:
        stmt = stmt.join(Registration.member).where(Member.industry == industry)
    return session.scalar(stmt) or 0


def _next_position(session: Session, meetup_id: int) -> int:
    top = session.scalar(select(func.max(Registration.waitlist_position))
                         .where(Registration.meetup_id == meetup_id))
    return (top or 0) + 1


def industry_full(session: Session, meetup: Meetup, member: Member) -> bool:
    industry = (member.industry or "").strip()
    if not meetup.industry_cap or not industry:
        return False
    return seats_taken(session, meetup.id, industry) >= meetup.industry_cap


def seat_decision(session: Session, meetup: Meetup, member: Member) -> Decision:
    """A seat if one is free (capacity and industry cap), else the end of the waitlist. The
    meetup must be locked."""
    if meetup.capacity is not None and seats_taken(session, meetup.id) >= meetup.capacity:
        return Decision(RegistrationStatus.WAITLISTED, _next_position(session, meetup.id))
    if industry_full(session, meetup, member):
        return Decision(RegistrationStatus.WAITLISTED, _next_position(session, meetup.id), True)
    return Decision(RegistrationStatus.GOING)


def decide(session: Session, meetup: Meetup, member: Member) -> Decision:
    """Like ``seat_decision``, but a meetup that requires approval makes everyone wait for it."""
    if meetup.requires_approval:
        return Decision(RegistrationStatus.PENDING)
    return seat_decision(session, meetup, member)


def apply_decision(registration: Registration, decision: Decision, now: datetime) -> None:
    registration.status = decision.status
    registration.waitlist_position = decision.waitlist_position
    registration.waitlisted_for_industry = decision.for_industry
    registration.status_changed_at = now


def check_community_open(session: Session, tenant_id: int) -> None:
    """Raise ``RegistrationError`` when the community is closing for deletion."""
    community = session.get(Community, tenant_id)
    if community is not None and community.is_closing:
        raise RegistrationError(_l("This community is closing and takes no new "
                                   "registrations."))


def check_open(meetup: Meetup, now: datetime) -> None:
    """Raise ``RegistrationError`` (saying why) unless registration is open now."""
    if meetup.is_cancelled:
        raise RegistrationError(_l("This meetup has been cancelled."))
    if meetup.registration_opens_at is not None and now < meetup.registration_opens_at:
        raise RegistrationError(_l("Registration opens on %(date)s.",
                                   date=format_datetime(meetup.registration_opens_at, "short")))
    closes = meetup.registration_closes_at or meetup.starts_at
    if now >= closes:
        raise RegistrationError(_l("Registration for this meetup is closed."))


def offer_deadline(meetup: Meetup, now: datetime) -> datetime | None:
    """When a seat offered now expires: a paid meetup's freed seat is held 24 hours, at most
    until two hours before the start. None means no offer: promote straight to going (free
    meetups, or too little time left for an offer to be worth it)."""
    if not meetup.price or meetup.price <= 0:
        return None
    deadline = min(now + timedelta(hours=OFFER_HOURS),
                   meetup.starts_at - OFFER_CLOSES_BEFORE_START)
    if deadline - now < OFFER_MINIMUM:
        return None
    return deadline
