"""Payments' answers to what meetups announces and asks (``joren.tenants.meetups.signals``).

Meetups knows seats, holds and prices; payments knows dues, Stripe and refunds. Importing this
module (``joren.app.configure_subscribers``) connects the receivers below, each taking the
community's Session as sender and the signal's keyword arguments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member
from joren.tenants.meetups.models import Meetup, Registration
from joren.tenants.meetups.signals import (
    attendance_imported,
    cancel_note_asked,
    checkout_asked,
    expiring_holds,
    fee_asked,
    meetup_cancelled,
    meetups_kept,
    online_fee_asked,
    registration_cancelled,
    seat_note_asked,
)
from joren.tenants.payments import pricing, refunds, tallies
from joren.tenants.payments.models import Payment
from joren.tenants.payments.online import services as online
from joren.tenants.payments.online import sync as online_sync
from joren.tenants.payments.online.sessions import paid_payment
from joren.tenants.payments.online.views import redirect_to_checkout

# -- what happened -----------------------------------------------------------------------------


def _member(session: Session, member_id: int | None) -> Member | None:
    return session.get(Member, member_id) if member_id is not None else None


@registration_cancelled.connect
def on_registration_cancelled(session: Session, *, registration_id: int, actor_id: int | None,
                              held_seat: bool, now: datetime, **_: Any) -> None:
    """A held seat's open Checkout can no longer be paid; a fee paid online is refunded when
    the series' policy says so."""
    registration = session.get(Registration, registration_id)
    assert registration is not None
    if held_seat:
        online.on_hold_released(session, registration)
    refunds.on_registration_cancelled(session, registration, now,
                                      actor=_member(session, actor_id))


@attendance_imported.connect
def count_imported(session: Session, *, meetup_ids: list[int], **_: Any) -> None:
    """Attendance written around the ORM: the fee tallies of those meetups are counted again
    before the import commits."""
    tallies.touch(session, meetup_ids)


@meetup_cancelled.connect
def on_meetup_cancelled(session: Session, *, meetup_id: int, actor_id: int | None,
                        **_: Any) -> None:
    """Every fee paid online for a cancelled meetup is refunded in full."""
    meetup = session.get(Meetup, meetup_id)
    assert meetup is not None
    refunds.on_meetup_cancelled(session, meetup, _member(session, actor_id))


# -- what meetups asks -------------------------------------------------------------------------


@fee_asked.connect
def fee(session: Session, *, meetup_id: int, member_id: int | None, **_: Any) -> int:
    """The member price for members whose dues cover the meetup's date, else the price."""
    meetup = session.get(Meetup, meetup_id)
    assert meetup is not None
    return pricing.fee_for(session, meetup, _member(session, member_id))


@online_fee_asked.connect
def online_fee(session: Session, *, meetup_id: int, member_id: int, **_: Any) -> int:
    """The fee, when the community takes payments online (Stripe Connect ready), else 0."""
    meetup = session.get(Meetup, meetup_id)
    assert meetup is not None
    return online.online_fee(session, meetup, _member(session, member_id))


@expiring_holds.connect
def settle_holds(session: Session, *, now: datetime, **_: Any) -> set[int]:
    """Ask Stripe about the Checkouts of holds past their deadline before they are released."""
    return online_sync.settle_expired_holds(session, now)


@meetups_kept.connect
def meetups_with_payments(session: Session, *, meetup_ids: list[int], **_: Any) -> set[int]:
    """Occurrences with payment records: money is never deleted with a meetup."""
    return set(session.scalars(select(Payment.meetup_id).where(
        Payment.meetup_id.in_(meetup_ids)).distinct()))


# -- what the meetup pages ask (inside a request) ----------------------------------------------


@checkout_asked.connect
def checkout(session: Session, *, registration_id: int, back: str, **_: Any) -> Any:
    """Straight on to Stripe's Checkout for the held seat (or back, with a message)."""
    registration = session.get(Registration, registration_id)
    assert registration is not None
    return redirect_to_checkout(registration, back)


@seat_note_asked.connect
def paid_note(session: Session, *, registration_id: int, **_: Any) -> Markup | None:
    """"Paid ¥3,000 · Receipt" beside a seat whose fee was paid online."""
    registration = session.get(Registration, registration_id)
    assert registration is not None
    paid = paid_payment(session, registration.meetup_id, registration.member_id)
    if paid is None:
        return None
    return Markup(render_template("payments/_paid_note.html", paid=paid))  # noqa: S704


@cancel_note_asked.connect
def refund_note(session: Session, *, registration_id: int, now: datetime | None = None,
                **_: Any) -> Markup | None:
    """Whether cancelling at ``now`` (default: right now) refunds the fee paid online (the
    series' policy)."""
    registration = session.get(Registration, registration_id)
    assert registration is not None
    # Through the identity map: the page asking has the meetup loaded already.
    meetup = session.get(Meetup, registration.meetup_id)
    if meetup is None or not meetup.price:
        return None
    refund = refunds.preview(session, meetup, registration.member_id, now)
    if refund is None:
        return None
    return Markup(render_template("payments/_refund_notice.html", refund=refund))  # noqa: S704
