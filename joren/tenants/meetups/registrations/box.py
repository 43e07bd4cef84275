"""What the portal's register box on a meetup page shows: counts, spots left, the waitlist
rank, whether registration is open, the member's fee and how it is paid, and what features
above meetups add (payments: "paid" and its receipt, the refund a cancellation would give).
Computed by the view, so the template runs no query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, redirect
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member
from joren.tenants.meetups.models import (
    Meetup,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
)
from joren.tenants.meetups.registrations.fees import member_fee, online_fee
from joren.tenants.meetups.registrations.reading import counts, waitlist_rank
from joren.tenants.meetups.registrations.seats import RegistrationError, check_open
from joren.tenants.meetups.signals import (
    cancel_note_asked,
    checkout_asked,
    first_answer,
    seat_note_asked,
)

# Registrations a person may cancel from the box (a held seat is let go differently).
CANCELLABLE = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED,
               RegistrationStatus.PENDING)


def _closed_reason(meetup: Meetup, now: datetime) -> Any:
    try:
        check_open(meetup, now)
    except RegistrationError as exc:
        return exc.message
    return None


def cancel_note(session: Session, registration: Registration,
                now: datetime | None = None) -> Any:
    """What the person is told before cancelling at ``now`` (default: right now)
    (``signals.cancel_note_asked``), or None."""
    return first_answer(cancel_note_asked, session, registration_id=registration.id, now=now)


def register_box(session: Session, meetup: Meetup, registration: Registration | None,
                 membership: Member | None, now: datetime,
                 series_registration: SeriesRegistration | None = None) -> dict[str, Any]:
    """The box's figures for ``membership`` (None: a visitor), whose registration here and
    active registration for the meetup's series (the page read them) are given."""
    found = counts(session, [meetup.id])[meetup.id]
    seated = found["going"] + found["offered"] + found["awaiting_payment"]
    closed_reason = _closed_reason(meetup, now)
    fee = member_fee(session, meetup, membership) if meetup.price or meetup.member_price else 0
    pay_online = bool(fee) and online_fee(session, meetup, membership) > 0
    mine = registration if membership is not None else None
    return {
        "counts": found, "rank": waitlist_rank(session, registration) if registration else None,
        "spots_left": None if meetup.capacity is None else max(meetup.capacity - seated, 0),
        "is_open": closed_reason is None, "closed_reason": closed_reason,
        "series_registration": series_registration, "fee": fee, "pay_online": pay_online,
        "seat_note": first_answer(seat_note_asked, session, registration_id=mine.id)
        if mine is not None and fee and mine.status == RegistrationStatus.GOING else None,
        "cancel_note": cancel_note(session, mine, now)
        if mine is not None and mine.status in CANCELLABLE else None,
    }


def to_checkout(session: Session, registration: Registration, back: str) -> Any:
    """The response that takes the person on to pay for their held seat
    (``signals.checkout_asked``); back to ``back`` when no feature takes payments."""
    response = first_answer(checkout_asked, session, registration_id=registration.id, back=back)
    if response is None:
        flash(_("There is nothing to pay for this registration."), "danger")
        return redirect(back, 303)
    return response
