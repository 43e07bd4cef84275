"""Registration services: seats, waitlists, approval, series registration and guests.

Every decision about a seat is taken while holding a lock on the meetup row (``lock_meetup``),
inside the caller's transaction: on PostgreSQL ``SELECT ... FOR UPDATE``; on SQLite a no-op
UPDATE, which takes the database's single write lock. Concurrent registrations therefore
queue up on the meetup and exactly ``capacity`` people are ever going.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.mail.outbox import Attachment, queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.urls import external_url
from joren.tenants.meetups.models import (
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
    new_token,
)
from joren.tenants.members.services import reading_order
from joren.tenants.payments.pricing import fee_for

GUEST_CONFIRM_PURPOSE = "guest-confirm"
GUEST_CONFIRM_MAX_AGE = 7 * 24 * 3600
ACTIVE = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING,
          RegistrationStatus.OFFERED, RegistrationStatus.AWAITING_PAYMENT)
# Statuses holding a seat: an offered person's seat is held until they accept or it expires;
# a person paying online holds theirs while the Checkout is open.
SEATED = (RegistrationStatus.GOING, RegistrationStatus.OFFERED,
          RegistrationStatus.AWAITING_PAYMENT)
OFFER_PURPOSE = "seat-offer"
OFFER_HOURS = 24
OFFER_CLOSES_BEFORE_START = timedelta(hours=2)
OFFER_MINIMUM = timedelta(hours=1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


# --- reading -------------------------------------------------------------------------------

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


# --- the seat decision ----------------------------------------------------------------------

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


def _going(session: Session, meetup_id: int, industry: str | None = None) -> int:
    stmt = select(func.count(Registration.id)).where(
        Registration.meetup_id == meetup_id, Registration.status.in_(SEATED))
    if industry is not None:
        stmt = stmt.join(Registration.member).where(Member.industry == industry)
    return session.scalar(stmt) or 0


def _next_position(session: Session, meetup_id: int) -> int:
    top = session.scalar(select(func.max(Registration.waitlist_position))
                         .where(Registration.meetup_id == meetup_id))
    return (top or 0) + 1


def _industry_full(session: Session, meetup: Meetup, member: Member) -> bool:
    industry = (member.industry or "").strip()
    if not meetup.industry_cap or not industry:
        return False
    return _going(session, meetup.id, industry) >= meetup.industry_cap


def _seat_decision(session: Session, meetup: Meetup, member: Member) -> Decision:
    if meetup.capacity is not None and _going(session, meetup.id) >= meetup.capacity:
        return Decision(RegistrationStatus.WAITLISTED, _next_position(session, meetup.id))
    if _industry_full(session, meetup, member):
        return Decision(RegistrationStatus.WAITLISTED, _next_position(session, meetup.id), True)
    return Decision(RegistrationStatus.GOING)


def _decide(session: Session, meetup: Meetup, member: Member) -> Decision:
    if meetup.requires_approval:
        return Decision(RegistrationStatus.PENDING)
    return _seat_decision(session, meetup, member)


def _apply(registration: Registration, decision: Decision, now: datetime) -> None:
    registration.status = decision.status
    registration.waitlist_position = decision.waitlist_position
    registration.waitlisted_for_industry = decision.for_industry
    registration.status_changed_at = now


def _check_open(meetup: Meetup, now: datetime) -> None:
    if meetup.is_cancelled:
        raise RegistrationError(_l("This meetup has been cancelled."))
    if meetup.registration_opens_at is not None and now < meetup.registration_opens_at:
        raise RegistrationError(_l("Registration opens on %(date)s.",
                                   date=format_datetime(meetup.registration_opens_at, "short")))
    closes = meetup.registration_closes_at or meetup.starts_at
    if now >= closes:
        raise RegistrationError(_l("Registration for this meetup is closed."))


def register(session: Session, meetup: Meetup, member: Member, *, source: str = "portal",
             series_registration: SeriesRegistration | None = None,
             now: datetime | None = None, notify: bool = True,
             confirmed: bool = True) -> Registration:
    """Register ``member`` for ``meetup``: going, waitlisted or pending approval.

    A cancelled (or opted-out) registration is reused; an active one is refused.
    With ``confirmed=False`` (guests) the registration is held, unconfirmed, and takes no
    seat until ``confirm_guest``.
    """
    now = now or utcnow()
    meetup = lock_meetup(session, meetup.id)
    _check_open(meetup, now)
    if member.status == MemberStatus.INACTIVE:
        raise RegistrationError(_l("This membership is inactive."))
    if not meetup.is_public and member.status == MemberStatus.GUEST:
        raise RegistrationError(_l("This meetup is for members only."))
    registration = registration_for(session, meetup.id, member.id)
    if registration is not None and registration.status in ACTIVE:
        if registration.confirmed_at is None and not confirmed:
            return registration  # a guest asking again: the caller re-sends the link
        raise RegistrationError(_l("You are already registered for this meetup."))
    if registration is None:
        registration = Registration(meetup_id=meetup.id, member_id=member.id)
        session.add(registration)
    else:
        # Made again after a cancellation: the old ticket and the links bound to it
        # ("can't make it", seat offers, guest confirmation) belong to the old registration.
        registration.checkin_token = new_token()
    registration.source = source
    registration.series_registration_id = series_registration.id if series_registration else None
    registration.meetup = meetup
    registration.member = member
    if confirmed:
        registration.confirmed_at = registration.confirmed_at or now
        with session.no_autoflush:
            decision = _decide(session, meetup, member)
        _apply(registration, decision, now)
        if decision.status == RegistrationStatus.GOING and source == "portal":
            _await_payment(session, registration, meetup, now, now + _payment_hold())
    else:
        registration.confirmed_at = None
        _apply(registration, Decision(RegistrationStatus.PENDING), now)
    session.flush()
    if not confirmed and registration.confirmed_at is not None:
        # The column's default fills a None on insert; a guest's hold is unconfirmed.
        registration.confirmed_at = None
        session.flush()
    if notify and confirmed:
        _notify_status(session, registration)
    return registration


def _fill_seats(session: Session, meetup: Meetup, now: datetime) -> list[Registration]:
    """Promote waitlisted people, in order, into free seats (respecting the industry cap).
    The meetup must be locked."""
    if meetup.is_cancelled or meetup.starts_at <= now:
        return []
    waiting = list(session.scalars(
        select(Registration).where(Registration.meetup_id == meetup.id,
                                   Registration.status == RegistrationStatus.WAITLISTED)
        .options(joinedload(Registration.member))
        .order_by(Registration.waitlist_position, Registration.id)
    ).unique())
    going = _going(session, meetup.id)
    promoted = []
    for registration in waiting:
        if meetup.capacity is not None and going >= meetup.capacity:
            break
        if _industry_full(session, meetup, registration.member):
            if not registration.waitlisted_for_industry:
                registration.waitlisted_for_industry = True
            continue
        deadline = offer_deadline(meetup, now)
        if deadline is None and _await_payment(session, registration, meetup, now,
                                               now + _payment_hold(), notify=True):
            pass  # paid online: the seat is held while the promoted person pays
        elif deadline is None:
            _apply(registration, Decision(RegistrationStatus.GOING), now)
            session.flush()
            _notify_promoted(session, registration)
        else:
            _apply(registration, Decision(RegistrationStatus.OFFERED), now)
            registration.offer_expires_at = deadline
            session.flush()
            _notify_offer(session, registration)
        going += 1
        promoted.append(registration)
    return promoted


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


def fill_seats(session: Session, meetup: Meetup, now: datetime | None = None) -> list[Registration]:
    """Promote waiting people into free seats (after the capacity or industry cap is raised)."""
    return _fill_seats(session, lock_meetup(session, meetup.id), now or utcnow())


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
    was_hold = registration.status in (RegistrationStatus.AWAITING_PAYMENT,
                                       RegistrationStatus.OFFERED)
    registration.status = status
    registration.waitlist_position = None
    registration.waitlisted_for_industry = False
    registration.offer_expires_at = None
    registration.status_changed_at = now
    session.flush()
    if was_active:
        from joren.tenants.payments import refunds
        from joren.tenants.payments.online import services as online

        if was_hold:  # an open Checkout for the held seat can no longer be paid
            online.on_hold_released(session, registration)
        # A fee paid online is refunded when the series' policy says so.
        refunds.on_registration_cancelled(session, registration, now, actor=actor)
    _fill_seats(session, meetup, now)
    return registration


# --- offers (paid meetups' waitlist) --------------------------------------------------------

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
    if _online_fee(session, meetup, registration.member) > 0:
        raise RegistrationError(_l("Pay the fee online to take the seat."))
    _apply(registration, Decision(RegistrationStatus.GOING), now)
    registration.offer_expires_at = None
    session.flush()
    _notify_status(session, registration)
    return registration


def decline_offer(session: Session, registration: Registration,
                  now: datetime | None = None) -> Registration:
    """The offered person does not want the seat: it goes to the next person at once."""
    if registration.status != RegistrationStatus.OFFERED:
        raise RegistrationError(_l("This seat offer is no longer available."))
    return cancel_registration(session, registration, now=now)


HOLDS = (RegistrationStatus.OFFERED, RegistrationStatus.AWAITING_PAYMENT)


def expire_offers(session: Session, now: datetime | None = None) -> int:
    """Cancel every offer and payment hold past its deadline (the person is told), then pass
    each freed seat on. A hold whose Checkout Stripe says was paid is confirmed instead, an
    open Checkout is closed first. Idempotent: a second run finds nothing to do."""
    from joren.tenants.payments.online import sync as online_sync

    now = now or utcnow()
    keep = online_sync.settle_expired_holds(session, now)
    meetup_ids = sorted(set(session.scalars(select(Registration.meetup_id).where(
        Registration.status.in_(HOLDS), Registration.offer_expires_at <= now))))
    expired = 0
    for meetup_id in meetup_ids:
        meetup = lock_meetup(session, meetup_id)
        rows = list(session.scalars(
            select(Registration).where(Registration.meetup_id == meetup_id,
                                       Registration.status.in_(HOLDS),
                                       Registration.offer_expires_at <= now)
            .options(joinedload(Registration.member))
            .execution_options(populate_existing=True)).unique())
        for registration in rows:
            if registration.id in keep:
                continue
            if registration.status == RegistrationStatus.AWAITING_PAYMENT:
                _release(session, registration, now)
            else:
                _release(session, registration, now, note="offer expired",
                         template="meetups/registrations/offer_expired", key="offer-expired")
            expired += 1
        _fill_seats(session, meetup, now)
    return expired


# --- paying online (the Stripe side lives in payments.online) ---------------------------

def _online_fee(session: Session, meetup: Meetup, member: Member) -> int:
    from joren.tenants.payments.online import services as online

    return online.online_fee(session, meetup, member)


def _payment_hold() -> timedelta:
    from joren.tenants.payments.online import services as online

    return online.PAYMENT_HOLD


def _approval_hold(meetup: Meetup, now: datetime) -> datetime:
    """How long an approved person has to pay: like a seat offer (a day, at most until two
    hours before the start), and never less than a fresh registration's hold."""
    return max(offer_deadline(meetup, now) or now, now + _payment_hold())


def _await_payment(session: Session, registration: Registration, meetup: Meetup,
                   now: datetime, until: datetime, notify: bool = False) -> bool:
    """Hold the seat until ``until`` while the person pays online (when that applies: a fee
    above zero and a community taking payments online). Returns whether it did. A guest (no
    account) pays through their confirmation link, which shows the pay button."""
    if _online_fee(session, meetup, registration.member) <= 0:
        return False
    _apply(registration, Decision(RegistrationStatus.AWAITING_PAYMENT), now)
    registration.offer_expires_at = until
    session.flush()
    if notify:
        _send(session, registration, "meetups/registrations/pay_to_confirm",
              f"registration:{registration.id}:pay:{_stamp(registration)}",
              expires_at=until, fee=_online_fee(session, meetup, registration.member),
              pay_url=_pay_url(registration))
    return True


def _pay_url(registration: Registration) -> str:
    """Where the person pays for a held seat: the meetup page for members who sign in, the
    confirmation link (signed, no sign-in) for guests."""
    community = _community(registration)
    if registration.member.account_id is None:
        return external_url("community.registrations.guest_confirm", slug=community.slug,
                            token=guest_confirm_token(registration))
    return external_url("community.meetups.portal_detail", slug=community.slug,
                        meetup_id=registration.meetup_id)


def confirm_paid(session: Session, registration: Registration, now: datetime) -> Registration:
    """The fee was paid online: the registration is going, with the usual email and ticket.
    The meetup must be locked."""
    if registration.status == RegistrationStatus.GOING:
        return registration
    registration.confirmed_at = registration.confirmed_at or now
    _apply(registration, Decision(RegistrationStatus.GOING), now)
    registration.offer_expires_at = None
    session.flush()
    _notify_status(session, registration)
    return registration


def _release(session: Session, registration: Registration, now: datetime, *,
             note: str = "payment not completed",
             template: str = "meetups/registrations/hold_released",
             key: str = "hold-released") -> None:
    """A held seat (being paid for, or offered) lapsed: cancelled, and the person is told."""
    _apply(registration, Decision(RegistrationStatus.CANCELLED), now)
    registration.offer_expires_at = None
    registration.note = note
    session.flush()
    _send(session, registration, template,
          f"registration:{registration.id}:{key}:{_stamp(registration)}")


def release_hold(session: Session, registration: Registration,
                 now: datetime | None = None) -> Registration:
    """The Checkout ended unpaid: the held seat is released (the person is told) and passed on."""
    now = now or utcnow()
    meetup = lock_meetup(session, registration.meetup_id)
    session.refresh(registration)
    if registration.status != RegistrationStatus.AWAITING_PAYMENT:
        return registration
    _release(session, registration, now)
    _fill_seats(session, meetup, now)
    return registration


def _offer_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"joren.{OFFER_PURPOSE}")


def offer_token(registration: Registration) -> str:
    """A one-click link for this offer; it names the offer (its start), so an old link cannot
    accept a later offer."""
    return _offer_serializer().dumps({"r": registration.id, "c": registration.tenant_id,
                                      "t": registration.checkin_token,
                                      "o": _stamp(registration)})


def read_offer_token(token: str) -> dict[str, Any] | None:
    try:
        data = _offer_serializer().loads(token, max_age=7 * 24 * 3600)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def offer_for_token(session: Session, data: dict[str, Any] | None,
                    tenant_id: int | None) -> Registration | None:
    """The registration a (read) token names in this community, or None."""
    if data is None or tenant_id is None or data.get("c") != tenant_id:
        return None
    registration_id = data.get("r")
    if not isinstance(registration_id, int):
        return None
    registration = session.get(Registration, registration_id)
    if registration is None or registration.checkin_token != data.get("t"):
        return None
    return registration


def _stamp(registration: Registration) -> int:
    return int(registration.status_changed_at.timestamp() * 1_000_000)


def promote(session: Session, registration: Registration, actor: Member | None = None,
            now: datetime | None = None) -> Registration:
    """The organizer gives a seat by hand, even over capacity or the industry cap."""
    now = now or utcnow()
    lock_meetup(session, registration.meetup_id)
    if registration.status not in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING):
        raise RegistrationError(_l("Only waitlisted or pending registrations can be promoted."))
    if registration.confirmed_at is None:
        raise RegistrationError(_l("This guest has not confirmed their email address yet."))
    _apply(registration, Decision(RegistrationStatus.GOING), now)
    session.flush()
    _notify_promoted(session, registration)
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
    _apply(registration, _seat_decision(session, meetup, registration.member), now)
    if registration.status == RegistrationStatus.GOING and _await_payment(
            session, registration, meetup, now, _approval_hold(meetup, now), notify=True):
        return registration
    session.flush()
    _notify_status(session, registration)
    return registration


def decline(session: Session, registration: Registration, actor: Member | None = None,
            now: datetime | None = None) -> Registration:
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(_l("Only pending registrations can be declined."))
    return cancel_registration(session, registration, actor, now=now)


# --- series ---------------------------------------------------------------------------------

def register_series(session: Session, series: MeetupSeries, member: Member,
                    now: datetime | None = None) -> SeriesRegistration:
    """Register once for the whole series: every future occurrence, and those materialised
    later (``apply_series_registrations``)."""
    now = now or utcnow()
    if member.status != MemberStatus.MEMBER:
        raise RegistrationError(_l("Only members can register for a whole series."))
    if not series.is_active:
        raise RegistrationError(_l("This series has ended."))
    row = session.scalar(select(SeriesRegistration).where(
        SeriesRegistration.series_id == series.id, SeriesRegistration.member_id == member.id))
    if row is not None and row.cancelled_at is None:
        raise RegistrationError(_l("You are already registered for this series."))
    if row is None:
        row = SeriesRegistration(series_id=series.id, member_id=member.id)
        session.add(row)
    row.cancelled_at = None
    session.flush()
    meetups = session.scalars(select(Meetup).where(
        Meetup.series_id == series.id, Meetup.starts_at > now,
        Meetup.status != MeetupStatus.CANCELLED).order_by(Meetup.starts_at)).all()
    for meetup in meetups:
        _register_for_series(session, meetup, member, row, now)
    _notify_series(session, series, member, row, now)
    return row


def _register_for_series(session: Session, meetup: Meetup, member: Member,
                         row: SeriesRegistration, now: datetime) -> None:
    existing = registration_for(session, meetup.id, member.id)
    if existing is not None and (existing.status in ACTIVE
                                 or existing.status == RegistrationStatus.NOT_GOING):
        if existing.status in ACTIVE and existing.series_registration_id is None:
            existing.series_registration_id = row.id
        return
    closes = meetup.registration_closes_at or meetup.starts_at
    if now >= closes:
        return
    # The window may not be open yet: a series registration is the member's standing intent.
    try:
        register(session, meetup, member, source="series", series_registration=row,
                 now=max(now, meetup.registration_opens_at or now), notify=False)
    except RegistrationError:
        return  # this one date refuses (e.g. just cancelled); the others go ahead


def apply_series_registrations(session: Session, meetup: Meetup,
                               now: datetime | None = None) -> int:
    """Register every active series registrant for a newly materialised occurrence; returns
    how many registrations were made. Called by the materialiser."""
    if meetup.series_id is None or meetup.is_cancelled:
        return 0
    now = now or utcnow()
    rows = session.execute(
        select(SeriesRegistration, Member).join(
            Member, Member.id == SeriesRegistration.member_id)
        .where(SeriesRegistration.series_id == meetup.series_id,
               SeriesRegistration.cancelled_at.is_(None),
               Member.status == MemberStatus.MEMBER)
        .order_by(SeriesRegistration.id)
    ).all()
    made = 0
    for row, member in rows:
        before = registration_for(session, meetup.id, member.id)
        _register_for_series(session, meetup, member, row, now)
        if before is None and registration_for(session, meetup.id, member.id) is not None:
            made += 1
    return made


def cancel_series(session: Session, row: SeriesRegistration, now: datetime | None = None) -> None:
    """Stop the series registration and cancel its future occurrences' registrations."""
    now = now or utcnow()
    row.cancelled_at = now
    future = session.scalars(
        select(Registration).join(Registration.meetup)
        .where(Registration.series_registration_id == row.id, Meetup.starts_at > now,
               Registration.status.in_(ACTIVE))
    ).all()
    for registration in future:
        cancel_registration(session, registration, now=now)


def opt_out(session: Session, meetup: Meetup, member: Member,
            now: datetime | None = None) -> Registration:
    """Skip one occurrence of a series registration (status ``not_going``); frees the seat."""
    now = now or utcnow()
    registration = registration_for(session, meetup.id, member.id)
    if registration is None:
        if meetup.series_id is None or active_series_registration(
                session, meetup.series_id, member.id) is None:
            raise RegistrationError(_l("You are not registered for this meetup."))
        registration = Registration(meetup_id=meetup.id, member_id=member.id,
                                    status=RegistrationStatus.NOT_GOING, source="series",
                                    status_changed_at=now)
        session.add(registration)
        session.flush()
        return registration
    if registration.status == RegistrationStatus.NOT_GOING:
        return registration
    return cancel_registration(session, registration, status=RegistrationStatus.NOT_GOING,
                               now=now)


# --- guests ---------------------------------------------------------------------------------

GUEST_LIMITS = {"family_name": 60, "given_name": 60, "family_name_kana": 60,
                "given_name_kana": 60, "email": 320, "company": 120, "title": 80,
                "industry": 80}


def _clean_guest(fields: dict[str, str]) -> dict[str, str]:
    clean = {k: (fields.get(k) or "").strip() for k in GUEST_LIMITS}
    clean["email"] = clean["email"].lower()
    if not clean["family_name"] or not clean["given_name"]:
        raise RegistrationError(_l("Enter your family name and given name."))
    if not _EMAIL.match(clean["email"]):
        raise RegistrationError(_l("Enter a valid email address."))
    for key, limit in GUEST_LIMITS.items():
        if len(clean[key]) > limit:
            raise RegistrationError(_l("An entry is too long (at most %(limit)s characters).",
                                       limit=limit))
    return clean


def register_guest(session: Session, meetup: Meetup, *, family_name: str, given_name: str,
                   family_name_kana: str = "", given_name_kana: str = "", email: str,
                   company: str = "", title: str = "", industry: str = "",
                   now: datetime | None = None) -> Registration:
    """A visitor registers from the public page: held until they confirm by email link."""
    fields = _clean_guest(dict(
        family_name=family_name, given_name=given_name, family_name_kana=family_name_kana,
        given_name_kana=given_name_kana, email=email, company=company, title=title,
        industry=industry))
    if not meetup.is_public:
        raise RegistrationError(_l("This meetup is for members only."))
    now = now or utcnow()
    _check_open(meetup, now)
    member = session.scalar(select(Member).where(Member.email == fields["email"]))
    if member is None:
        member = Member(status=MemberStatus.GUEST, **fields)
        session.add(member)
        session.flush()
    elif member.status == MemberStatus.GUEST:
        for key, value in fields.items():
            if value:
                setattr(member, key, value)
    registration = register(session, meetup, member, source="guest", now=now,
                            confirmed=False)
    _notify_guest_confirm(session, registration)
    return registration


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"joren.{GUEST_CONFIRM_PURPOSE}")


def guest_confirm_token(registration: Registration) -> str:
    return _serializer().dumps({"r": registration.id, "c": registration.tenant_id,
                                "t": registration.checkin_token})


def read_guest_token(token: str) -> dict[str, Any] | None:
    """The token's payload, or None when forged or expired."""
    try:
        data = _serializer().loads(token, max_age=GUEST_CONFIRM_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def confirm_guest(session: Session, registration: Registration,
                  now: datetime | None = None) -> Registration:
    """The guest clicked the link: the registration now takes a seat (or waits). Idempotent."""
    now = now or utcnow()
    meetup = lock_meetup(session, registration.meetup_id)
    if registration.confirmed_at is not None or registration.status not in ACTIVE:
        return registration
    if meetup.is_cancelled:
        raise RegistrationError(_l("This meetup has been cancelled."))
    registration.confirmed_at = now
    _apply(registration, _decide(session, meetup, registration.member), now)
    if registration.status == RegistrationStatus.GOING:
        # A fee paid online: the seat is held while the guest pays (the page sends them on).
        _await_payment(session, registration, meetup, now, now + _payment_hold())
    session.flush()
    _notify_status(session, registration)
    return registration


# --- emails ---------------------------------------------------------------------------------

def _ticket_url(registration: Registration) -> str:
    return external_url("community.feeds.ticket", slug=_community(registration).slug,
                        token=registration.checkin_token)


def _community(registration: Registration) -> Community:
    session = Session.object_session(registration)
    assert session is not None
    community = session.get(Community, registration.tenant_id)
    assert community is not None
    return community


def _send(session: Session, registration: Registration, template: str, key: str,
          attachments: list[Attachment] | None = None, *, deferred: bool = False,
          **extra: Any) -> None:
    """Queue ``template`` to the registration's member. ``deferred``: store plain values only
    and let the sender render it (for emails queued under the meetup lock: rendering there
    would make every concurrent registration wait for it); ``extra`` must then be plain too."""
    member, meetup = registration.member, registration.meetup
    if not member.email:
        return
    community = _community(registration)
    plain = {
        "community_name": community.name, "member_name": member.display_name,
        # What this member pays (the member price when their dues are paid up).
        "fee": fee_for(session, meetup, member) if meetup.price else 0,
        "meetup_url": external_url("community.meetups.portal_detail", slug=community.slug,
                                   meetup_id=meetup.id),
        "mine_url": external_url("community.registrations.mine", slug=community.slug),
        **extra,
    }
    if deferred:
        context: dict[str, Any] = {**plain, "registration_id": registration.id}
    else:
        context = {**plain, "meetup": meetup, "registration": registration}
    queue_email(session, to=member.email, template=template, context=context,
                language=recipient_language(member, community), idempotency_key=key,
                community_id=community.id, attachments=attachments,
                render_with=DEFERRED_CONTEXT if deferred else None)


DEFERRED_CONTEXT = "joren.tenants.meetups.registrations.services:deferred_email_context"


def deferred_email_context(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The context of an email ``_send`` stored unrendered: its plain values and the
    registration and meetup, read now (``session`` is scoped to the community)."""
    registration = session.scalar(
        select(Registration).where(Registration.id == values["registration_id"])
        .options(joinedload(Registration.meetup)))
    if registration is None:
        raise LookupError(f"registration {values['registration_id']} is gone")
    return {**values, "registration": registration, "meetup": registration.meetup}


def _status_key(registration: Registration) -> str:
    stamp = int(registration.status_changed_at.timestamp() * 1_000_000)
    return f"registration:{registration.id}:{registration.status.value}:{stamp}"


def _notify_status(session: Session, registration: Registration) -> None:
    template = {
        RegistrationStatus.GOING: "meetups/registrations/confirmed",
        RegistrationStatus.WAITLISTED: "meetups/registrations/waitlisted",
        RegistrationStatus.PENDING: "meetups/registrations/pending",
    }.get(registration.status)
    if template is None:
        return
    _send(session, registration, template, _status_key(registration), deferred=True,
          ticket_url=_ticket_url(registration), rank=waitlist_rank(session, registration))


def _notify_promoted(session: Session, registration: Registration) -> None:
    _send(session, registration, "meetups/registrations/promoted",
          _status_key(registration) + ":promoted", deferred=True,
          ticket_url=_ticket_url(registration))


def _notify_offer(session: Session, registration: Registration) -> None:
    community = _community(registration)
    accept_url = external_url("community.registrations.offer_link", slug=community.slug,
                              token=offer_token(registration))
    from joren.tenants.payments import pricing  # payments builds on meetups

    online_fee = _online_fee(session, registration.meetup, registration.member)
    _send(session, registration, "meetups/registrations/offer",
          f"registration:{registration.id}:offer:{_stamp(registration)}",
          accept_url=accept_url, expires_at=registration.offer_expires_at,
          pay_online=online_fee > 0,
          fee=online_fee or pricing.fee_for(session, registration.meetup, registration.member))


def _notify_guest_confirm(session: Session, registration: Registration) -> None:
    community = _community(registration)
    confirm_url = external_url("community.registrations.guest_confirm", slug=community.slug,
                               token=guest_confirm_token(registration))
    # One link per registration and minute: asking again soon after does not flood the inbox.
    minute = int(utcnow().timestamp() // 60)
    _send(session, registration, "meetups/registrations/guest_confirm",
          f"registration:{registration.id}:guest-confirm:{minute}", confirm_url=confirm_url,
          valid_days=GUEST_CONFIRM_MAX_AGE // 86400)


def _notify_series(session: Session, series: MeetupSeries, member: Member,
                   row: SeriesRegistration, now: datetime) -> None:
    """One email for the whole series, listing the booked occurrences (not one per date)."""
    if not member.email:
        return
    booked = list(session.scalars(
        select(Registration).join(Registration.meetup)
        .where(Registration.series_registration_id == row.id, Meetup.starts_at > now,
               Registration.status.in_(ACTIVE))
        .options(joinedload(Registration.meetup)).order_by(Meetup.starts_at)
    ).unique())
    community = session.get(Community, member.tenant_id)
    assert community is not None
    context = {
        "community_name": community.name, "series": series, "member_name": member.display_name,
        "registrations": booked,
        "mine_url": external_url("community.registrations.mine", slug=community.slug),
    }
    stamp = int(now.timestamp() * 1_000_000)
    queue_email(session, to=member.email, template="meetups/registrations/series_confirmed",
                context=context, language=recipient_language(member, community),
                idempotency_key=f"series-registration:{row.id}:{stamp}",
                community_id=community.id)


def notify_cancelled(session: Session, meetup: Meetup) -> int:
    """Email everyone going, waiting or pending that this occurrence is cancelled."""
    registrations = session.scalars(
        select(Registration).where(Registration.meetup_id == meetup.id,
                                   Registration.status.in_(ACTIVE),
                                   Registration.confirmed_at.is_not(None))
        .options(joinedload(Registration.member))
    ).unique().all()
    for registration in registrations:
        _send(session, registration, "meetups/registrations/meetup_cancelled",
              f"meetup-cancelled:{meetup.id}:{registration.id}")
    return len(registrations)
