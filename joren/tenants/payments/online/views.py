"""Paying a meetup fee online: the pay step (to Stripe Checkout) and the page Stripe sends the
member back to, which shows "going" once the payment is confirmed by the webhook."""

from __future__ import annotations

from typing import Any

import stripe
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from joren.platform.db import db, utcnow
from joren.platform.inputs import int_arg
from joren.platform.membership.edge import active_membership, get_or_404
from joren.tenants.meetups.models import HOLDS, Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations.reading import registration_for
from joren.tenants.meetups.registrations.seats import RegistrationError
from joren.tenants.payments.models import Payment, PaymentKind, PaymentStatus
from joren.tenants.payments.online import services as online
from joren.tenants.payments.online import sync as online_sync
from joren.tenants.payments.online.sessions import open_payment, paid_payment, retrieve

bp = Blueprint("checkout", __name__)

# The "confirming…" page reloads itself this many times (every few seconds), then asks Stripe
# directly in case the webhook is late, and finally says an email will follow.
REFRESH_SECONDS = 3
MAX_REFRESHES = 10
ASK_STRIPE_AFTER = 3


def redirect_to_checkout(registration: Registration, back: str) -> Any:
    """Send the member to Stripe's Checkout for their held seat (or back to ``back`` with a
    message when it cannot be opened)."""
    try:
        url = online.start_checkout(db.session, registration)
        db.session.commit()
    except online.PayAtTheDoor as exc:
        db.session.commit()
        flash(str(exc.message), "info")
        return redirect(back, 303)
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(back, 303)
    except stripe.StripeError:
        db.session.rollback()
        flash(_("The payment page could not be opened. Your seat stays held: please try "
                "again in a moment."), "danger")
        return redirect(back, 303)
    if url is None:  # Stripe says it is paid already
        return redirect(url_for(".paid", meetup_id=registration.meetup_id), 303)
    return redirect(url, 303)


def _payment_from(meetup: Meetup, session_id: str) -> Payment | None:
    if not session_id.startswith("cs_") or len(session_id) > 255:
        return None
    return db.session.scalar(select(Payment).where(
        Payment.stripe_checkout_session_id == session_id, Payment.meetup_id == meetup.id,
        Payment.kind == PaymentKind.MEETUP_FEE))


def _ask_stripe(payment: Payment) -> None:
    """The webhook is late: ask Stripe ourselves (the same idempotent reconcile)."""
    try:
        online_sync.reconcile(db.session, payment, retrieve(payment))
        db.session.commit()
    except (stripe.StripeError, RegistrationError):
        db.session.rollback()


@bp.get("/meetups/<int:meetup_id>/paid")
def paid(meetup_id: int) -> Any:
    """Back from Stripe. Members see their own registration; someone not signed in (paid from
    an offer link) sees the registration the Checkout Session id names, and nothing else."""
    meetup = get_or_404(Meetup, meetup_id)
    membership = active_membership()
    payment = _payment_from(meetup, request.args.get("session_id", ""))
    if membership is not None:
        if payment is not None and payment.member_id != membership.id:
            payment = None
        registration = registration_for(db.session, meetup.id, membership.id)
    elif payment is not None:
        registration = db.session.get(Registration, payment.registration_id)
    elif not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    else:
        abort(404)
    if registration is None:
        abort(404)
    tries = int_arg("n", 0, minimum=0, maximum=MAX_REFRESHES)
    if payment is None:
        payment = open_payment(db.session, registration)
    if (payment is not None and payment.status == PaymentStatus.PENDING
            and payment.stripe_checkout_session_id and tries == ASK_STRIPE_AFTER):
        _ask_stripe(payment)
    receipt = paid_payment(db.session, meetup.id, registration.member_id)
    going = registration.status == RegistrationStatus.GOING and receipt is not None
    refunded = payment is not None and payment.refund_requested_at is not None
    waiting = not going and not refunded and registration.status in HOLDS
    refresh_url = None
    if waiting and tries < MAX_REFRESHES:
        args = {"n": tries + 1}
        if request.args.get("session_id"):
            args["session_id"] = request.args["session_id"][:255]
        refresh_url = url_for(".paid", meetup_id=meetup.id, **args)
    return render_template(
        "payments/online/paid.html", meetup=meetup, registration=registration,
        receipt=receipt, payment=payment, going=going, refunded=refunded, waiting=waiting,
        refresh_url=refresh_url, refresh_seconds=REFRESH_SECONDS, signed_in=membership is not None,
        now=utcnow())
