"""A registration's life: register, approve or decline, promote by hand, cancel.

Every change takes the meetup's lock first (``seats.lock_meetup``), so seat counts are exact;
a freed seat goes at once to the next person waiting (``waitlist``). Features above meetups
hear of a cancellation through ``signals.registration_cancelled`` (payments refunds by its
policy and closes an open Checkout).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.meetups.models import (
    ACTIVE,
    ATTENDED,
    HOLDS,
    Attendance,
    Meetup,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
    new_token,
)
from joren.tenants.meetups.registrations import emails
from joren.tenants.meetups.registrations.holds import PAYMENT_HOLD, approval_hold, await_payment
from joren.tenants.meetups.registrations.reading import registration_for
from joren.tenants.meetups.registrations.seats import (
    Decision,
    RegistrationError,
    apply_decision,
    check_community_open,
    check_open,
    decide,
    lock_meetup,
    seat_decision,
)
from joren.tenants.meetups.registrations.waitlist import fill_locked
from joren.tenants.meetups.signals import registration_cancelled


def _check_member(meetup: Meetup, member: Member) -> None:
    if member.status == MemberStatus.INACTIVE:
        raise RegistrationError(_l("This membership is inactive."))
    if not meetup.is_public and member.status == MemberStatus.GUEST:
        raise RegistrationError(_l("This meetup is for members only."))


def _row_for(session: Session, meetup: Meetup, member: Member,
             confirmed: bool) -> Registration:
    """The member's registration row to (re)use; raises when an active one exists (a guest
    asking again gets theirs back: the caller re-sends the link)."""
    registration = registration_for(session, meetup.id, member.id)
    if registration is not None and registration.status in ACTIVE:
        if registration.confirmed_at is None and not confirmed:
            return registration
        raise RegistrationError(_l("You are already registered for this meetup."))
    if registration is None:
        registration = Registration(meetup_id=meetup.id, member_id=member.id)
        session.add(registration)
    else:
        # Made again after a cancellation: the old ticket and the links bound to it
        # ("can't make it", seat offers, guest confirmation) belong to the old registration.
        registration.checkin_token = new_token()
    return registration


def register(session: Session, meetup: Meetup, member: Member, *, source: str = "portal",
             series_registration: SeriesRegistration | None = None,
             now: datetime | None = None, notify: bool = True,
             confirmed: bool = True, approved: bool = False) -> Registration:
    """Register ``member`` for ``meetup``: going, waitlisted or pending approval.

    A cancelled (or opted-out) registration is reused; an active one is refused.
    With ``confirmed=False`` (guests) the registration is held, unconfirmed, and takes no
    seat until ``guests.confirm_guest``. ``approved`` (an organizer registering someone)
    skips the meetup's approval step: a seat if one is free, else the waitlist.
    """
    now = now or utcnow()
    check_community_open(session, meetup.tenant_id)
    meetup = lock_meetup(session, meetup.id)
    check_open(meetup, now)
    _check_member(meetup, member)
    registration = _row_for(session, meetup, member, confirmed)
    if registration.status in ACTIVE and registration.confirmed_at is None and not confirmed:
        return registration
    registration.source = source
    registration.series_registration_id = series_registration.id if series_registration else None
    registration.meetup = meetup
    registration.member = member
    if confirmed:
        registration.confirmed_at = registration.confirmed_at or now
        with session.no_autoflush:
            decision = (seat_decision(session, meetup, member) if approved
                        else decide(session, meetup, member))
        apply_decision(registration, decision, now)
        if decision.status == RegistrationStatus.GOING and source == "portal":
            await_payment(session, registration, meetup, now, now + PAYMENT_HOLD)
    else:
        registration.confirmed_at = None
        apply_decision(registration, Decision(RegistrationStatus.PENDING), now)
    session.flush()
    if not confirmed and registration.confirmed_at is not None:
        # The column's default fills a None on insert; a guest's hold is unconfirmed.
        registration.confirmed_at = None
        session.flush()
    if notify and confirmed:
        emails.notify_status(session, registration)
    return registration


def cancel_registration(session: Session, registration: Registration, actor: Member | None = None,
                        *, status: RegistrationStatus = RegistrationStatus.CANCELLED,
                        now: datetime | None = None) -> Registration:
    """Cancel (idempotent); a freed seat goes to the next eligible waitlisted person, who is
    emailed."""
    now = now or utcnow()
    meetup = lock_meetup(session, registration.meetup_id)
    if registration.status not in ACTIVE and registration.status == status:
        return registration
    was_active = registration.status in ACTIVE
    was_hold = registration.status in HOLDS
    registration.status = status
    registration.waitlist_position = None
    registration.waitlisted_for_industry = False
    registration.offer_expires_at = None
    registration.status_changed_at = now
    session.flush()
    if was_active:
        registration_cancelled.send(session, registration_id=registration.id,
                                    actor_id=actor.id if actor is not None else None,
                                    held_seat=was_hold, now=now)
    fill_locked(session, meetup, now)
    return registration


def is_checked_in(session: Session, registration: Registration) -> bool:
    """Whether the registration's member is already checked in at its meetup."""
    return session.scalar(select(Attendance.id).where(
        Attendance.meetup_id == registration.meetup_id,
        Attendance.member_id == registration.member_id,
        Attendance.status.in_(ATTENDED))) is not None


def cancel_own_registration(session: Session, registration: Registration, member: Member | None,
                            *, status: RegistrationStatus = RegistrationStatus.CANCELLED,
                            now: datetime | None = None) -> Registration:
    """The member cancels (or skips) their own registration: refused once they are checked
    in at the door (the organizer can still change the register)."""
    if is_checked_in(session, registration):
        raise RegistrationError(_l("You are checked in for this meetup, so your registration "
                                   "can no longer be cancelled."))
    return cancel_registration(session, registration, member, status=status, now=now)


def promote(session: Session, registration: Registration, actor: Member | None = None,
            now: datetime | None = None) -> Registration:
    """The organizer gives a seat by hand, even over capacity or the industry cap."""
    now = now or utcnow()
    lock_meetup(session, registration.meetup_id)
    if registration.status not in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING):
        raise RegistrationError(_l("Only waitlisted or pending registrations can be promoted."))
    if registration.confirmed_at is None:
        raise RegistrationError(_l("This guest has not confirmed their email address yet."))
    apply_decision(registration, Decision(RegistrationStatus.GOING), now)
    session.flush()
    emails.notify_promoted(session, registration)
    return registration


def approve(session: Session, registration: Registration, actor: Member | None = None,
            now: datetime | None = None) -> Registration:
    """Approve a pending registration: it takes a seat if one is free, else the waitlist."""
    now = now or utcnow()
    meetup = lock_meetup(session, registration.meetup_id)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(_l("Only pending registrations can be approved."))
    if registration.confirmed_at is None:
        raise RegistrationError(_l("This guest has not confirmed their email address yet."))
    apply_decision(registration, seat_decision(session, meetup, registration.member), now)
    if registration.status == RegistrationStatus.GOING and await_payment(
            session, registration, meetup, now, approval_hold(meetup, now), notify=True):
        return registration
    session.flush()
    emails.notify_status(session, registration)
    return registration


def decline(session: Session, registration: Registration, actor: Member | None = None,
            now: datetime | None = None) -> Registration:
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(_l("Only pending registrations can be declined."))
    return cancel_registration(session, registration, actor, now=now)
