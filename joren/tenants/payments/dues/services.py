"""Membership dues (会費): the organizer's settings, each member's state, dues marked paid by
hand (bank transfer or cash), and dues paid online by a Stripe subscription on the organizer's
connected account (Checkout, cancel at period end, and the Connect webhooks that record one
payment per paid invoice).

A payment covers a period of local dates, both inclusive: a year from 2026/04/01 runs to
2027/03/31. Marked by hand, it is kept forever; undone, it becomes a reversal (status refunded,
with who and when), like meetup fees. Whether a member's dues are paid up on a date is
``pricing.dues_current_ids``; this module says what the console and the portal show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from joren.platform.billing import stripe_client
from joren.platform.db import utcnow
from joren.platform.identity.community import Community, community_of
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.pagination import PER_PAGE, Page, offset_of
from joren.tenants.members.services import reading_order
from joren.tenants.payments import pricing
from joren.tenants.payments.connect import services as connect
from joren.tenants.payments.models import (
    DuesInterval,
    DuesSettings,
    DuesSubscription,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from joren.tenants.payments.services import next_receipt_number

PURPOSE = "dues"
MANUAL_METHODS = (PaymentMethod.BANK_TRANSFER, PaymentMethod.DOOR)
MAX_AMOUNT = 10_000_000
MAX_INSTRUCTIONS = 2000
# A subscription in one of these states is still running (a new Checkout would be a second).
RUNNING_STATUSES = ("active", "trialing", "past_due", "unpaid", "incomplete")


class DuesError(Exception):
    """A refused dues action; ``code`` is turned into a message by the view."""

    def __init__(self, code: str, **info: Any) -> None:
        super().__init__(code)
        self.code = code
        self.info = info


# -- settings ---------------------------------------------------------------------------

def settings_for(session: Session, *, create: bool = False) -> DuesSettings:
    """The community's dues settings (an unsaved default when there are none and not
    ``create``, so a GET writes nothing)."""
    row = session.scalar(select(DuesSettings))
    if row is None:
        row = DuesSettings(enabled=False, name="", amount_jpy=0, interval=DuesInterval.YEAR,
                           instructions="")
        if create:
            session.add(row)
            session.flush()
    return row


def save_settings(session: Session, *, enabled: bool, name: str, amount_jpy: int,
                  interval: DuesInterval | str, instructions: str = "") -> DuesSettings:
    name = (name or "").strip()
    instructions = (instructions or "").strip()
    if len(instructions) > MAX_INSTRUCTIONS:
        raise DuesError("instructions_too_long")
    if enabled and not name:
        raise DuesError("name_required")
    if len(name) > 100:
        raise DuesError("name_too_long")
    if not isinstance(amount_jpy, int) or not 0 <= amount_jpy <= MAX_AMOUNT:
        raise DuesError("bad_amount")
    if enabled and amount_jpy <= 0:
        raise DuesError("bad_amount")
    try:
        interval = DuesInterval(interval)
    except ValueError as exc:
        raise DuesError("bad_interval") from exc
    row = settings_for(session, create=True)
    row.enabled, row.name, row.amount_jpy, row.interval = enabled, name, amount_jpy, interval
    row.instructions = instructions
    session.flush()
    return row


def period_end_for(start: date, interval: DuesInterval | str) -> date:
    """The last day (inclusive) of one interval from ``start``: 04/01 + a year → 03/31."""
    step = relativedelta(years=1) if DuesInterval(interval) == DuesInterval.YEAR \
        else relativedelta(months=1)
    return start + step - timedelta(days=1)


# -- each member's state ------------------------------------------------------------------

@dataclass(frozen=True)
class DuesState:
    member: Member
    paid_through: date | None  # the last day covered (by a payment or the subscription)
    current: bool  # dues paid up today
    subscription: DuesSubscription | None
    ever_paid: bool

    @property
    def state(self) -> str:
        """"paid", "lapsed" (paid before, not now) or "not_paid" (never)."""
        if self.current:
            return "paid"
        return "lapsed" if self.ever_paid else "not_paid"

    @property
    def payment_failed(self) -> bool:
        return self.subscription is not None and self.subscription.status in ("past_due",
                                                                               "unpaid")

    @property
    def subscribed(self) -> bool:
        return self.subscription is not None and self.subscription.status in RUNNING_STATUSES


def _subscription_through(sub: DuesSubscription | None, zone: Any) -> date | None:
    """The last local day a running subscription covers (its period ends the day after)."""
    if (sub is None or sub.current_period_end is None
            or sub.status not in pricing.CURRENT_SUBSCRIPTION_STATUSES):
        return None
    return pricing.local_date(sub.current_period_end, zone) - timedelta(days=1)


def _state(member: Member, through: date | None, started_through: date | None,
           sub: DuesSubscription | None, today: date, zone: Any) -> DuesState:
    sub_through = _subscription_through(sub, zone)
    current = bool((started_through and started_through >= today)
                   or (sub_through and sub_through >= today))
    ends = [d for d in (through, sub_through) if d is not None]
    ever = bool(ends) or bool(sub is not None and sub.stripe_subscription_id)
    return DuesState(member=member, paid_through=max(ends) if ends else None, current=current,
                     subscription=sub, ever_paid=ever)


def _paid_through(today: date, member_ids: Any = None):  # type: ignore[no-untyped-def]
    """Per member (of ``member_ids``, a select of ids, when given): the last day paid for,
    and the last day of periods already started."""
    dues = (Payment.kind == PaymentKind.DUES) & (Payment.status == PaymentStatus.PAID)
    if member_ids is not None:
        dues = dues & Payment.member_id.in_(member_ids)
    return (select(Payment.member_id.label("member_id"),
                   func.max(Payment.period_end).label("through"),
                   func.max(case((Payment.period_start <= today, Payment.period_end)))
                   .label("started_through"))
            .where(dues).group_by(Payment.member_id).subquery())


def member_states(session: Session, today: date, zone: Any | None = None) -> list[DuesState]:
    """Every member with their dues state, in reading order: one query."""
    zone = zone or community_of(session).zone
    rows = session.execute(_states_query(today))
    return [_state(m, through, started, sub, today, zone)
            for m, through, started, sub in rows]


def member_states_page(session: Session, today: date, page: int, zone: Any | None = None,
                       per_page: int | None = None) -> Page[DuesState]:
    """One page of ``member_states``: the count, then the page's members."""
    zone = zone or community_of(session).zone
    per_page = per_page or PER_PAGE
    total = session.scalar(select(func.count(Member.id))
                           .where(Member.status == MemberStatus.MEMBER)) or 0
    page = min(page, max(1, -(-total // per_page)))
    # The page's members are chosen first (sorted on the reading columns alone); only their
    # dues payments are summed, not every member's.
    shown = (select(Member.id.label("id")).where(Member.status == MemberStatus.MEMBER)
             .order_by(*reading_order()).limit(per_page).offset(offset_of(page, per_page))
             .cte("shown"))  # read twice, chosen once
    rows = session.execute(_states_query(today, select(shown.c.id))
                           .join(shown, shown.c.id == Member.id))
    return Page(items=[_state(m, through, started, sub, today, zone)
                       for m, through, started, sub in rows],
                total=total, page=page, per_page=per_page)


def _states_query(today: date, member_ids: Any = None):  # type: ignore[no-untyped-def]
    paid = _paid_through(today, member_ids)
    return (select(Member, paid.c.through, paid.c.started_through, DuesSubscription)
            .outerjoin(paid, paid.c.member_id == Member.id)
            .outerjoin(DuesSubscription, DuesSubscription.member_id == Member.id)
            .where(Member.status == MemberStatus.MEMBER)
            .order_by(*reading_order()))


def state_for(session: Session, member: Member, today: date,
              zone: Any | None = None) -> DuesState:
    zone = zone or community_of(session).zone
    paid = _paid_through(today)
    through, started = session.execute(
        select(paid.c.through, paid.c.started_through).where(paid.c.member_id == member.id)
    ).first() or (None, None)
    sub = subscription_of(session, member.id)
    return _state(member, through, started, sub, today, zone)


def subscription_of(session: Session, member_id: int) -> DuesSubscription | None:
    return session.scalar(select(DuesSubscription).where(DuesSubscription.member_id == member_id))


def dues_payments(session: Session, member_id: int) -> list[Payment]:
    """A member's dues payments (paid and undone), newest period first."""
    return list(session.scalars(
        select(Payment).where(Payment.member_id == member_id, Payment.kind == PaymentKind.DUES)
        .options(joinedload(Payment.marked_by), joinedload(Payment.refunded_by))
        .order_by(Payment.period_start.desc(), Payment.id.desc())).unique())


# -- marked by hand ---------------------------------------------------------------------

def can_manage(actor: Member | None) -> bool:
    return bool(actor is not None and actor.role.at_least(Role.ORGANIZER))


def default_period_start(session: Session, member: Member, today: date) -> date:
    """The day after the member's paid periods end, or today when they ended before."""
    through = session.scalar(select(func.max(Payment.period_end)).where(
        Payment.member_id == member.id, Payment.kind == PaymentKind.DUES,
        Payment.status == PaymentStatus.PAID))
    if through is not None and through >= today - timedelta(days=1):
        return through + timedelta(days=1)
    return today


def mark_paid(session: Session, member: Member, actor: Member, method: PaymentMethod, *,
              period_start: date | None = None, note: str = "",
              now: datetime | None = None) -> Payment:
    """Record that ``member`` paid one interval of dues by bank transfer or cash, marked by
    ``actor`` (an organizer). The period must not overlap one already paid."""
    if not can_manage(actor):
        raise DuesError("forbidden")
    if method not in MANUAL_METHODS:
        raise DuesError("bad_method")
    settings = settings_for(session)
    if not settings.enabled or settings.amount_jpy <= 0:
        raise DuesError("disabled")
    if member.status != MemberStatus.MEMBER:
        raise DuesError("not_member")
    now = now or utcnow()
    zone = community_of(session, member.tenant_id).zone
    today = pricing.local_date(now, zone)
    start = period_start or default_period_start(session, member, today)
    end = period_end_for(start, settings.interval)
    overlap = session.scalar(select(Payment).where(
        Payment.member_id == member.id, Payment.kind == PaymentKind.DUES,
        Payment.status == PaymentStatus.PAID, Payment.period_start <= end,
        Payment.period_end >= start).limit(1))
    if overlap is not None:
        raise DuesError("overlap", start=overlap.period_start, end=overlap.period_end)
    payment = Payment(
        member_id=member.id, meetup_id=None, kind=PaymentKind.DUES,
        amount_jpy=int(settings.amount_jpy), method=method, status=PaymentStatus.PAID,
        paid_at=now, marked_by_id=actor.id, marked_at=now, note=(note or "")[:500],
        period_start=start, period_end=end,
        receipt_number=next_receipt_number(session, today.year),
    )
    session.add(payment)
    session.flush()
    return payment


def undo(session: Session, payment: Payment, actor: Member, *,
         now: datetime | None = None) -> Payment:
    """Reverse hand-marked dues: kept, marked refunded, with who and when."""
    if not can_manage(actor):
        raise DuesError("forbidden")
    if payment.kind != PaymentKind.DUES or payment.method not in MANUAL_METHODS:
        raise DuesError("not_manual")
    if payment.status != PaymentStatus.PAID:
        raise DuesError("not_paid")
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = now or utcnow()
    payment.refunded_by_id = actor.id
    session.flush()
    return payment


# -- paid online (Stripe subscription on the connected account) ---------------------------

def online_ready(session: Session) -> bool:
    return bool(connect.online_payments_ready(session))


def fee_percent(session: Session, community: Community) -> int | float:
    """Joren's application fee as Stripe's ``application_fee_percent`` (500 bps → 5)."""
    bps = int(connect.fee_bps(session, community) or 0)
    return bps // 100 if bps % 100 == 0 else bps / 100


def product_name(settings: DuesSettings, community: Community) -> str:
    return f"{settings.name} – {community.name}"[:250]


def _ensure_subscription_row(session: Session, member_id: int) -> DuesSubscription:
    row = subscription_of(session, member_id)
    if row is None:
        row = DuesSubscription(member_id=member_id, status="", checkout_generation=0,
                               cancel_at_period_end=False)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # two clicks at once: the other request made it
            row = subscription_of(session, member_id)
            assert row is not None
    return row


@dataclass(frozen=True)
class Redirect:
    url: str
    stripe_id: str


def start_checkout(session: Session, community: Community, member: Member, *, email: str,
                   success_url: str, cancel_url: str, language: str = "ja") -> Redirect:
    """A Checkout Session (subscription mode) on the organizer's account for the member's dues.
    The view commits after this, so the subscription row (and its generation) is kept."""
    settings = settings_for(session)
    if not settings.enabled or settings.amount_jpy <= 0:
        raise DuesError("disabled")
    if member.status != MemberStatus.MEMBER:
        raise DuesError("not_member")
    account = connect.account_for(session)
    if account is None or not online_ready(session):
        raise DuesError("offline")
    row = _ensure_subscription_row(session, member.id)
    if row.stripe_subscription_id and row.status in RUNNING_STATUSES:
        raise DuesError("already_subscribed")
    metadata = {"purpose": PURPOSE, "community_id": str(community.id),
                "member_id": str(member.id)}
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{
            "price_data": {
                "currency": "jpy", "unit_amount": int(settings.amount_jpy),
                "recurring": {"interval": DuesInterval(settings.interval).value},
                "product_data": {"name": product_name(settings, community)},
            },
            "quantity": 1,
        }],
        "client_reference_id": f"dues-{member.id}",
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": "ja" if language == "ja" else ("en" if language == "en" else "auto"),
        "metadata": metadata,
        "subscription_data": {"application_fee_percent": fee_percent(session, community),
                              "metadata": dict(metadata)},
    }
    if email:
        params["customer_email"] = email
    # Sessions live 24 hours; keyed by the day and the generation (bumped when one completes
    # or expires), a retry gets the same session back, never a second one.
    key = stripe_client.idempotency_key(
        "community", community.id, "dues", member.id, "checkout", row.checkout_generation,
        utcnow().date().isoformat(), params=params)
    checkout = stripe_client.plain(stripe_client.client().v1.checkout.sessions.create(
        params, {"stripe_account": account.stripe_account_id, "idempotency_key": key}))
    return Redirect(url=checkout["url"], stripe_id=checkout["id"])


def member_state_now(session: Session, member: Member, community: Community,
                     now: datetime) -> DuesState | None:
    """The member's dues state today, in the community's timezone (None when the community
    has no dues): what "My payments" shows."""
    if not settings_for(session).enabled:
        return None
    zone = community.zone
    return state_for(session, member, pricing.local_date(now, zone), zone)
