"""Seat offers (paid meetups' waitlist) and the sweep that ends lapsed holds.

A freed seat of a paid meetup is offered to the next person waiting for a while
(``seats.offer_deadline``); they take it (paying online where that applies) or decline it, and
an offer or payment hold past its deadline is released by ``expire_offers`` (a periodic job)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from joren.platform.db import utcnow
from joren.tenants.meetups.models import HOLDS, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import emails
from joren.tenants.meetups.registrations.fees import online_fee
from joren.tenants.meetups.registrations.holds import lapse
from joren.tenants.meetups.registrations.seats import (
    Decision,
    RegistrationError,
    apply_decision,
    lock_meetup,
)
from joren.tenants.meetups.registrations.services import cancel_registration
from joren.tenants.meetups.registrations.waitlist import fill_locked
from joren.tenants.meetups.signals import answers, expiring_holds


def accept_offer(session: Session, registration: Registration,
                 now: datetime | None = None) -> Registration:
    """The offered person takes the seat before the deadline: going, with the usual email."""
    now = now or utcnow()
    meetup = lock_meetup(session, registration.meetup_id)
    session.refresh(registration)
    if registration.status == RegistrationStatus.GOING:
        return registration
    if registration.status != RegistrationStatus.OFFERED:
        raise RegistrationError(_l("This seat offer is no longer available."))
    if registration.offer_expires_at is None or now >= registration.offer_expires_at:
        raise RegistrationError(_l("This seat offer has expired."))
    if meetup.is_cancelled:
        raise RegistrationError(_l("This meetup has been cancelled."))
    if online_fee(session, meetup, registration.member) > 0:
        raise RegistrationError(_l("Pay the fee online to take the seat."))
    apply_decision(registration, Decision(RegistrationStatus.GOING), now)
    registration.offer_expires_at = None
    session.flush()
    emails.notify_status(session, registration)
    return registration


def decline_offer(session: Session, registration: Registration,
                  now: datetime | None = None) -> Registration:
    """The offered person does not want the seat: it goes to the next person at once."""
    if registration.status != RegistrationStatus.OFFERED:
        raise RegistrationError(_l("This seat offer is no longer available."))
    return cancel_registration(session, registration, now=now)


def _lapsed(session: Session, meetup_id: int, now: datetime) -> list[Registration]:
    return list(session.scalars(
        select(Registration).where(Registration.meetup_id == meetup_id,
                                   Registration.status.in_(HOLDS),
                                   Registration.offer_expires_at <= now)
        .options(joinedload(Registration.member))
        .execution_options(populate_existing=True)).unique())


def expire_offers(session: Session, now: datetime | None = None) -> int:
    """Cancel every offer and payment hold past its deadline (the person is told), then pass
    each freed seat on. Features that know better settle their holds first
    (``signals.expiring_holds``: payments confirms one Stripe says was paid, closes an open
    Checkout). Idempotent: a second run finds nothing to do."""
    now = now or utcnow()
    keep: set[int] = set()
    for kept in answers(expiring_holds, session, now=now):
        keep |= set(kept)
    meetup_ids = sorted(set(session.scalars(select(Registration.meetup_id).where(
        Registration.status.in_(HOLDS), Registration.offer_expires_at <= now))))
    expired = 0
    for meetup_id in meetup_ids:
        meetup = lock_meetup(session, meetup_id)
        for registration in _lapsed(session, meetup_id, now):
            if registration.id in keep:
                continue
            if registration.status == RegistrationStatus.AWAITING_PAYMENT:
                lapse(session, registration, now)
            else:
                lapse(session, registration, now, note="offer expired",
                      template="meetups/registrations/offer_expired", key="offer-expired")
            expired += 1
        fill_locked(session, meetup, now)
    return expired
