"""Seats held while someone pays online: a hold (``awaiting_payment``) until a deadline,
confirmed when the fee is paid (``confirm_paid``, called by payments), released when it is
not. Whether a fee is paid online is payments' answer (``fees.online_fee``); without one
nobody is ever held."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from joren.platform.urls import external_url
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import emails
from joren.tenants.meetups.registrations.fees import online_fee
from joren.tenants.meetups.registrations.links import guest_confirm_token
from joren.tenants.meetups.registrations.seats import Decision, apply_decision, offer_deadline

# A fresh registration's seat is held 35 minutes: Stripe's Checkout lives 30 (its minimum).
PAYMENT_HOLD = timedelta(minutes=35)


def approval_hold(meetup: Meetup, now: datetime) -> datetime:
    """How long an approved person has to pay: like a seat offer (a day, at most until two
    hours before the start), and never less than a fresh registration's hold."""
    return max(offer_deadline(meetup, now) or now, now + PAYMENT_HOLD)


def await_payment(session: Session, registration: Registration, meetup: Meetup,
                  now: datetime, until: datetime, notify: bool = False) -> bool:
    """Hold the seat until ``until`` while the person pays online (when that applies: a fee
    above zero and a community taking payments online). Returns whether it did. A guest (no
    account) pays through their confirmation link, which shows the pay button."""
    if online_fee(session, meetup, registration.member) <= 0:
        return False
    apply_decision(registration, Decision(RegistrationStatus.AWAITING_PAYMENT), now)
    registration.offer_expires_at = until
    session.flush()
    if notify:
        emails.notify_pay_to_confirm(session, registration,
                                     online_fee(session, meetup, registration.member),
                                     pay_url(registration))
    return True


def pay_url(registration: Registration) -> str:
    """Where the person pays for a held seat: the meetup page for members who sign in, the
    confirmation link (signed, no sign-in) for guests."""
    community = emails.community_of(registration)
    if registration.member.account_id is None:
        return external_url("community.registrations.guest_confirm", slug=community.slug,
                            token=guest_confirm_token(registration))
    return external_url("community.meetups.portal_detail", slug=community.slug,
                        meetup_id=registration.meetup_id)


def confirm_paid(session: Session, registration: Registration, now: datetime) -> Registration:
    """The fee was paid: the registration is going, with the usual email and ticket.
    The meetup must be locked (``seats.lock_meetup``)."""
    if registration.status == RegistrationStatus.GOING:
        return registration
    registration.confirmed_at = registration.confirmed_at or now
    apply_decision(registration, Decision(RegistrationStatus.GOING), now)
    registration.offer_expires_at = None
    session.flush()
    emails.notify_status(session, registration)
    return registration


def lapse(session: Session, registration: Registration, now: datetime, *,
          note: str = "payment not completed",
          template: str = "meetups/registrations/hold_released",
          key: str = "hold-released") -> None:
    """A held seat (being paid for, or offered) lapsed: cancelled, and the person is told."""
    apply_decision(registration, Decision(RegistrationStatus.CANCELLED), now)
    registration.offer_expires_at = None
    registration.note = note
    session.flush()
    emails.notify_released(session, registration, template, key)
