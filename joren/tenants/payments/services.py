"""Marking meetup fees paid by hand, undoing that, the per-meetup list and its totals.

Services take explicit arguments (session, rows, actor) and never touch the request.
Permissions live here too so that every caller enforces them: payment at the door can be
marked by staff and up (it happens at check-in time); a bank transfer (振込) only by an
organizer. Undo follows the same rule and records a reversal, never a deletion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, cast, func, literal, null, select, union, union_all
from sqlalchemy.orm import Session, aliased, joinedload

from joren.platform.db import utcnow
from joren.platform.identity.community import community_of
from joren.platform.membership.capabilities import Capability, has_capability
from joren.platform.membership.models import Member, Role
from joren.platform.pagination import Page, offset_of
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    Meetup,
    Registration,
    RegistrationStatus,
)
from joren.tenants.members.services import reading_order
from joren.tenants.payments import pricing, tallies
from joren.tenants.payments.models import (
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
)

MANUAL_METHODS = (PaymentMethod.DOOR, PaymentMethod.BANK_TRANSFER)
# Who may mark each manual method; undoing one also needs Capability.REVERSE_PAYMENTS.
MINIMUM_ROLE = {PaymentMethod.DOOR: Role.STAFF, PaymentMethod.BANK_TRANSFER: Role.ORGANIZER}


class PaymentError(Exception):
    """A refused change; ``code`` is turned into a message by the view."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def can_mark(actor: Member | None, method: PaymentMethod) -> bool:
    minimum = MINIMUM_ROLE.get(method)
    return bool(actor is not None and minimum is not None and actor.role.at_least(minimum))


def settings_for(session: Session, *, lock: bool = False,
                 create: bool = True) -> PaymentSettings:
    """The community's payment settings, created on first use (``create=False``: an unsaved
    default for reading, so that a GET writes nothing)."""
    query = select(PaymentSettings)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        row = PaymentSettings(issuer_name="", issuer_address="", registration_number="",
                              receipt_year=0, receipt_sequence=0)
        if create:
            session.add(row)
            session.flush()
    return row


def next_receipt_number(session: Session, year: int) -> str:
    """"R-<year>-<6 digits>", sequential per community and year (the settings row is locked)."""
    settings = settings_for(session, lock=True)
    if settings.receipt_year != year:
        settings.receipt_year = year
        settings.receipt_sequence = 0
    settings.receipt_sequence += 1
    session.flush()
    return f"R-{year}-{settings.receipt_sequence:06d}"


def _due_member_ids(meetup_id: int):  # type: ignore[no-untyped-def]
    """Who owes the fee: registered as going, or recorded as attending."""
    return union(
        select(Registration.member_id).where(Registration.meetup_id == meetup_id,
                                             Registration.status == RegistrationStatus.GOING),
        select(Attendance.member_id).where(Attendance.meetup_id == meetup_id,
                                           Attendance.status.in_(ATTENDED)),
    )


def current_payment(session: Session, meetup: Meetup, member_id: int) -> Payment | None:
    return session.scalar(select(Payment).where(
        Payment.meetup_id == meetup.id, Payment.member_id == member_id,
        Payment.kind == PaymentKind.MEETUP_FEE, Payment.status == PaymentStatus.PAID))


def mark_paid(session: Session, meetup: Meetup, member: Member, method: PaymentMethod,
              actor: Member, *, note: str = "", now: datetime | None = None) -> Payment:
    """Record that ``member`` paid ``meetup``'s fee by ``method``, marked by ``actor``."""
    if method not in MANUAL_METHODS:
        raise PaymentError("bad_method")
    if not can_mark(actor, method):
        raise PaymentError("forbidden")
    if meetup.is_cancelled:
        raise PaymentError("cancelled")
    if not meetup.price or meetup.price <= 0:
        raise PaymentError("free")
    due = set(session.scalars(select(_due_member_ids(meetup.id).subquery().c[0])))
    if member.id not in due:
        raise PaymentError("not_due")
    if current_payment(session, meetup, member.id) is not None:
        raise PaymentError("already_paid")
    amount = pricing.fee_for(session, meetup, member)  # the member price when dues are paid up
    if amount <= 0:
        raise PaymentError("member_free")
    now = now or utcnow()
    year = now.astimezone(community_of(session, meetup.tenant_id).zone).year
    payment = Payment(
        member_id=member.id, meetup_id=meetup.id, kind=PaymentKind.MEETUP_FEE,
        amount_jpy=amount, method=method, status=PaymentStatus.PAID, paid_at=now,
        marked_by_id=actor.id, marked_at=now, note=note[:500],
        receipt_number=next_receipt_number(session, year),
    )
    session.add(payment)
    session.flush()
    return payment


def undo(session: Session, payment: Payment, actor: Member, *,
         now: datetime | None = None) -> None:
    """Reverse a hand-marked payment: kept, marked refunded, with who and when. A fee paid
    online is refunded through Stripe instead (``refunds.request_refund``)."""
    if payment.method == PaymentMethod.STRIPE:
        raise PaymentError("use_refund")
    if payment.method not in MANUAL_METHODS:
        raise PaymentError("not_manual")
    if not can_mark(actor, payment.method) or not has_capability(actor,
                                                                 Capability.REVERSE_PAYMENTS):
        raise PaymentError("forbidden")
    if payment.status != PaymentStatus.PAID:
        raise PaymentError("not_paid")
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = now or utcnow()
    payment.refunded_by_id = actor.id
    session.flush()


@dataclass(frozen=True)
class PaymentRow:
    member: Member
    is_due: bool
    payment: Payment | None  # the latest one (paid, or undone)
    marked_by: Member | None
    refunded_by: Member | None
    fee: int = 0  # what they owe: the member price when their dues are paid up (0: not due)

    @property
    def is_paid(self) -> bool:
        return self.payment is not None and self.payment.is_paid


def meetup_rows(session: Session, meetup: Meetup) -> list[PaymentRow]:
    """Everyone who owes or paid the fee, with their latest payment and what they owe: one
    query (two with a member price)."""
    return _rows(session, meetup, list(session.execute(_rows_query(meetup)).unique()))


# A page of the fee list: each row carries its own forms (paid at the door, by transfer,
# undo), so it is paged as the register is, 50 at a time.
PER_PAGE = 50


def meetup_rows_page(session: Session, meetup: Meetup, page: int,
                     per_page: int | None = None) -> Page[PaymentRow]:
    """One page of ``meetup_rows`` (a large meetup has a thousand people): the page's rows
    carry the count of everyone (a window over the people the page is chosen from, so the
    people are gathered once); one query more with a member price, whose dues are current.
    A page past the end counts first, then reads the last page."""
    per_page = per_page or PER_PAGE
    people = _people(meetup.id)
    page = max(page, 1)
    found = list(session.execute(_rows_query(meetup, people, limit=per_page,
                                             offset=offset_of(page, per_page), counted=True))
                 .unique())
    if found:
        total = found[0][-1]
    else:
        total = session.scalar(select(func.count()).select_from(people)) or 0
        last = max(1, -(-total // per_page))
        if page > last and total:
            page = last
            found = list(session.execute(_rows_query(
                meetup, people, limit=per_page, offset=offset_of(page, per_page),
                counted=True)).unique())
        else:
            page = min(page, last)
    rows = _rows(session, meetup, [row[:-1] for row in found])
    return Page(items=rows, total=total, page=page, per_page=per_page)


# Built once: an alias of a wide model costs milliseconds to build.
_MARKER, _REFUNDER = aliased(Member, name="marker"), aliased(Member, name="refunder")


def _people(meetup_id: int):  # type: ignore[no-untyped-def]
    """The meetup's people, one row each: (member_id, due, payment_id). ``due`` is 1 for those
    who owe the fee (registered as going, or recorded as attending), ``payment_id`` their
    latest fee payment. One UNION ALL grouped once: each source is read once, through its
    (tenant, meetup, status) index, however large the community."""
    no_payment = cast(null(), Integer)
    found = union_all(
        select(Registration.member_id.label("member_id"), literal(1).label("due"),
               no_payment.label("payment_id"))
        .where(Registration.meetup_id == meetup_id,
               Registration.status == RegistrationStatus.GOING),
        select(Attendance.member_id, literal(1), no_payment)
        .where(Attendance.meetup_id == meetup_id, Attendance.status.in_(ATTENDED)),
        select(Payment.member_id, literal(0), Payment.id)
        .where(Payment.meetup_id == meetup_id, Payment.kind == PaymentKind.MEETUP_FEE),
    ).subquery("found")
    return (select(found.c.member_id.label("member_id"), func.max(found.c.due).label("due"),
                   func.max(found.c.payment_id).label("payment_id"))
            .group_by(found.c.member_id).subquery("people"))


def _rows_query(meetup: Meetup, people=None, limit: int | None = None,  # type: ignore[no-untyped-def]
                offset: int = 0, counted: bool = False):
    """The rows' query; ``counted`` adds, last, how many people there are in all."""
    people = people if people is not None else _people(meetup.id)
    total = []
    if limit is not None:
        # The page's people are chosen first (sorted on the reading columns alone); only
        # those are joined to their payment and who marked or refunded it.
        shown = [people] + ([func.count().over().label("total")] if counted else [])
        people = (select(*shown).join(Member, Member.id == people.c.member_id)
                  .order_by(*reading_order()).limit(limit).offset(offset).subquery("shown"))
        total = [people.c.total] if counted else []
    marker, refunder = _MARKER, _REFUNDER
    return (
        select(Member, people.c.due > 0, Payment, marker, refunder, *total)
        .join(people, people.c.member_id == Member.id)
        .outerjoin(Payment, Payment.id == people.c.payment_id)
        .outerjoin(marker, marker.id == Payment.marked_by_id)
        .outerjoin(refunder, refunder.id == Payment.refunded_by_id)
        .order_by(*reading_order())
    )


def _rows(session: Session, meetup: Meetup, found: list[Any]) -> list[PaymentRow]:
    """The fetched rows (member, due, payment, marker, refunder) as PaymentRows."""
    reduced: set[int] = set()
    if meetup.has_member_price:  # one more query: whose dues cover the date
        zone = community_of(session, meetup.tenant_id).zone
        reduced = pricing.dues_current_ids(session, [m.id for m, d, *_ in found if d],
                                           pricing.local_date(meetup.starts_at, zone),
                                           zone=zone)
    price = int(meetup.price or 0)
    return [PaymentRow(member=m, is_due=bool(d), payment=p, marked_by=mk, refunded_by=rf,
                       fee=(int(meetup.member_price or 0) if m.id in reduced else price)
                       if d else 0)
            for m, d, p, mk, rf in found]


@dataclass
class Totals:
    price: int
    due_count: int
    paid_count: int
    expected: int
    collected: int
    outstanding: int
    by_method: dict[PaymentMethod, int] = field(default_factory=dict)
    # Set when the meetup has a member price: how many who owe pay it (dues paid up).
    member_price: int | None = None
    member_count: int = 0


def register_counts(session: Session, meetup: Meetup, member_price: int | None = None
                    ) -> tuple[int, int, int, int]:
    """From the register: how many owe the fee, how many of them have not paid, and (with a
    member price) how many of each owe the member price (dues paid up), in one query.

    Members whose dues cover the meetup's date owe the member price (``pricing``): who they
    are is a subquery of the count, never a query per person."""
    person = _fee_flags(meetup.id)
    due = person.c.due == 1
    unpaid = due & (person.c.paid == 0)
    columns = [func.count().filter(due), func.count().filter(unpaid)]
    query = select(*columns).select_from(person)
    if member_price is not None:
        zone = community_of(session, meetup.tenant_id).zone
        on = pricing.local_date(meetup.starts_at, zone)
        # Who is dues-current is gathered once and joined, not probed once per flag.
        current = pricing.dues_current_select(on, zone).subquery("current")
        is_current = current.c.member_id.is_not(None)
        query = (select(*columns, func.count().filter(due & is_current),
                        func.count().filter(unpaid & is_current))
                 .select_from(person.outerjoin(current,
                                               current.c.member_id == person.c.member_id)))
    counts = session.execute(query).one()
    return (int(counts[0] or 0), int(counts[1] or 0),
            *((int(counts[2] or 0), int(counts[3] or 0)) if member_price is not None
              else (0, 0)))


def _fee_flags(meetup_id: int):  # type: ignore[no-untyped-def]
    """One row a person the meetup's fee concerns: (member_id, due, paid), each 0 or 1.
    ``due``: registered as going or recorded as attending; ``paid``: a paid fee payment. Each
    source is read once, through its (tenant, meetup, ...) index, and grouped once."""
    zero, one = literal(0), literal(1)
    found = union_all(
        select(Registration.member_id.label("member_id"), one.label("due"), zero.label("paid"))
        .where(Registration.meetup_id == meetup_id,
               Registration.status == RegistrationStatus.GOING),
        select(Attendance.member_id, one, zero)
        .where(Attendance.meetup_id == meetup_id, Attendance.status.in_(ATTENDED)),
        select(Payment.member_id, zero, one)
        .where(Payment.meetup_id == meetup_id, Payment.kind == PaymentKind.MEETUP_FEE,
               Payment.status == PaymentStatus.PAID),
    ).subquery("fee_found")
    return (select(found.c.member_id.label("member_id"), func.max(found.c.due).label("due"),
                   func.max(found.c.paid).label("paid"))
            .group_by(found.c.member_id).subquery("fee_person"))


def totals(session: Session, meetup: Meetup) -> Totals:
    """Expected, collected per method and outstanding, aggregated in SQL (two queries).

    Without a member price, who owes and who has not paid are the meetup's stored fee tally
    (``tallies``: one row, where the register's count read every registration, attendance
    and payment of the meetup); with one, the register tells who owes which price."""
    price = int(meetup.price or 0)
    member_price = int(meetup.member_price) if meetup.has_member_price else None
    tally = tallies.stored(session, meetup.id) if member_price is None else None
    if tally is not None:
        (due_count, unpaid_count), members, unpaid_members = tally, 0, 0
    else:
        due_count, unpaid_count, members, unpaid_members = register_counts(
            session, meetup, member_price)
    by_method: dict[PaymentMethod, int] = dict.fromkeys(PaymentMethod, 0)
    paid_count = 0
    for method, amount, count in session.execute(
        select(Payment.method, func.coalesce(func.sum(Payment.amount_jpy), 0), func.count())
        .where(Payment.meetup_id == meetup.id, Payment.kind == PaymentKind.MEETUP_FEE,
               Payment.status == PaymentStatus.PAID)
        .group_by(Payment.method)
    ):
        by_method[PaymentMethod(method)] = int(amount)
        paid_count += int(count)
    reduced = member_price if member_price is not None else price
    return Totals(price=price, due_count=due_count, paid_count=paid_count,
                  expected=price * (due_count - members) + reduced * members,
                  collected=sum(by_method.values()),
                  outstanding=price * (unpaid_count - unpaid_members) + reduced * unpaid_members,
                  by_method=by_method, member_price=member_price, member_count=members)


def member_payments(session: Session, member_id: int) -> list[Payment]:
    """A member's payments, newest first, with their meetups (one query). Online attempts that
    were never paid (a Checkout left open or expired) are not payments and are left out."""
    return list(session.scalars(
        select(Payment).where(Payment.member_id == member_id,
                              Payment.status.in_((PaymentStatus.PAID, PaymentStatus.REFUNDED)))
        .options(joinedload(Payment.meetup))
        .order_by(Payment.paid_at.desc(), Payment.id.desc())
    ).unique())


@dataclass(frozen=True)
class RefundTotals:
    refunded: int  # given back: full refunds and partial ones
    pending: int  # asked for, not confirmed by Stripe yet
    pending_count: int
    application_fees: int  # Joren's fees on the fees still paid
    full_refunds: int = 0  # the part of ``refunded`` whose payments are no longer paid

    def net(self, collected: int) -> int:
        """Collected (paid payments) less what partial refunds gave back."""
        return collected - (self.refunded - self.full_refunds)


def refund_totals(session: Session, meetup: Meetup) -> RefundTotals:
    """Refund figures of one meetup's fees paid online, in one query."""
    paid = Payment.status == PaymentStatus.PAID
    refunded = Payment.status == PaymentStatus.REFUNDED
    pending = paid & Payment.refund_requested_at.is_not(None)
    partial = paid & Payment.refund_requested_at.is_(None)
    row = session.execute(
        select(
            func.coalesce(func.sum(case((refunded, Payment.amount_jpy), else_=0)), 0),
            func.coalesce(func.sum(case((partial, Payment.refund_amount_jpy), else_=0)), 0),
            func.coalesce(func.sum(case((pending, Payment.refund_amount_jpy), else_=0)), 0),
            func.coalesce(func.sum(case((pending, 1), else_=0)), 0),
            func.coalesce(func.sum(case((paid, Payment.application_fee_jpy), else_=0)), 0),
        ).where(Payment.meetup_id == meetup.id, Payment.kind == PaymentKind.MEETUP_FEE,
                Payment.method == PaymentMethod.STRIPE)
    ).one()
    full, part, waiting, waiting_count, fees = (int(v or 0) for v in row)
    return RefundTotals(refunded=full + part, pending=waiting, pending_count=waiting_count,
                        application_fees=fees, full_refunds=full)
