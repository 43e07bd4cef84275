"""Passing freed seats on: waitlisted people are promoted in order into free seats (respecting
the industry cap). On a paid meetup a freed seat is offered for a while rather than given;
where the fee is paid online, the promoted person's seat is held while they pay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from joren.platform.db import utcnow
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import emails
from joren.tenants.meetups.registrations.holds import PAYMENT_HOLD, await_payment, lapse
from joren.tenants.meetups.registrations.seats import (
    Decision,
    apply_decision,
    industry_full,
    lock_meetup,
    offer_deadline,
    seats_taken,
)


def _waiting(session: Session, meetup: Meetup) -> list[Registration]:
    return list(session.scalars(
        select(Registration).where(Registration.meetup_id == meetup.id,
                                   Registration.status == RegistrationStatus.WAITLISTED)
        .options(joinedload(Registration.member))
        .order_by(Registration.waitlist_position, Registration.id)
    ).unique())


def _give_seat(session: Session, registration: Registration, meetup: Meetup,
               now: datetime) -> None:
    """Offer the seat (paid meetups, time enough), hold it while they pay online, or give it."""
    deadline = offer_deadline(meetup, now)
    if deadline is None and await_payment(session, registration, meetup, now,
                                          now + PAYMENT_HOLD, notify=True):
        return  # paid online: the seat is held while the promoted person pays
    if deadline is None:
        apply_decision(registration, Decision(RegistrationStatus.GOING), now)
        session.flush()
        emails.notify_promoted(session, registration)
        return
    apply_decision(registration, Decision(RegistrationStatus.OFFERED), now)
    registration.offer_expires_at = deadline
    session.flush()
    emails.notify_offer(session, registration)


def fill_locked(session: Session, meetup: Meetup, now: datetime) -> list[Registration]:
    """Promote waitlisted people, in order, into free seats (respecting the industry cap).
    The meetup must be locked."""
    if meetup.is_cancelled or meetup.starts_at <= now:
        return []
    waiting = _waiting(session, meetup)
    going = seats_taken(session, meetup.id)
    promoted = []
    for registration in waiting:
        if meetup.capacity is not None and going >= meetup.capacity:
            break
        if industry_full(session, meetup, registration.member):
            if not registration.waitlisted_for_industry:
                registration.waitlisted_for_industry = True
            continue
        _give_seat(session, registration, meetup, now)
        going += 1
        promoted.append(registration)
    return promoted


def fill_seats(session: Session, meetup: Meetup, now: datetime | None = None) -> list[Registration]:
    """Promote waiting people into free seats (after the capacity or industry cap is raised)."""
    return fill_locked(session, lock_meetup(session, meetup.id), now or utcnow())


def release_hold(session: Session, registration: Registration,
                 now: datetime | None = None) -> Registration:
    """The Checkout ended unpaid: the held seat is released (the person is told) and passed on."""
    now = now or utcnow()
    meetup = lock_meetup(session, registration.meetup_id)
    session.refresh(registration)
    if registration.status != RegistrationStatus.AWAITING_PAYMENT:
        return registration
    lapse(session, registration, now)
    fill_locked(session, meetup, now)
    return registration
