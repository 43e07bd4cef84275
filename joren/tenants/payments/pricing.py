"""Member pricing: what a member owes for a meetup, and whose membership dues (会費) are paid up.

A member is *dues-current* on a date (in the community's timezone) when
- a paid DUES payment (marked by hand or from a Stripe invoice) covers it: ``period_start <=
  date <= period_end`` (both inclusive, local dates), or
- their dues subscription on the organizer's Stripe account is ``active``/``trialing`` and its
  current period ends after that date (the end instant falls on a later local day).

A dues-current member pays the meetup's ``member_price`` when one is set; everyone else (and
guests) pays ``price``. The meetup's date is the community's local date of ``starts_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from joren.platform.identity.community import community_of
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import Meetup
from joren.tenants.payments.models import (
    DuesSubscription,
    Payment,
    PaymentKind,
    PaymentStatus,
)

# Subscription statuses that count as paid up (Stripe's own words).
CURRENT_SUBSCRIPTION_STATUSES = ("active", "trialing")


def local_date(value: datetime, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date()


def meetup_date(session: Session, meetup: Meetup) -> date:
    """The community's local date of the meetup's start."""
    return local_date(meetup.starts_at, community_of(session, meetup.tenant_id).zone)


def _day_after_starts(on: date, zone: ZoneInfo) -> datetime:
    """The instant the local day after ``on`` begins: a subscription period ending at or after
    it covers the whole of ``on``."""
    return datetime.combine(on + timedelta(days=1), time(0), tzinfo=zone)


def dues_current_select(on: date, zone: ZoneInfo,
                        member_ids: Iterable[int] | None = None) -> Select:
    """SELECT of the member ids that are dues-current on ``on`` (usable as a subquery)."""
    paid = select(Payment.member_id.label("member_id")).where(
        Payment.kind == PaymentKind.DUES, Payment.status == PaymentStatus.PAID,
        Payment.period_start <= on, Payment.period_end >= on)
    subscribed = select(DuesSubscription.member_id.label("member_id")).where(
        DuesSubscription.status.in_(CURRENT_SUBSCRIPTION_STATUSES),
        DuesSubscription.current_period_end >= _day_after_starts(on, zone))
    if member_ids is not None:
        ids = list(member_ids)
        paid = paid.where(Payment.member_id.in_(ids))
        subscribed = subscribed.where(DuesSubscription.member_id.in_(ids))
    combined = union(paid, subscribed).subquery()
    return select(combined.c.member_id)


def dues_current_ids(session: Session, member_ids: Iterable[int], on: date, *,
                     zone: ZoneInfo | None = None) -> set[int]:
    """Which of ``member_ids`` are dues-current on ``on`` (one query; the community's timezone
    comes from the session's identity map when it is loaded, or pass ``zone``)."""
    ids = {int(i) for i in member_ids if i is not None}
    if not ids:
        return set()
    zone = zone or community_of(session).zone
    return {int(m) for m in session.scalars(dues_current_select(on, zone, ids))}


def is_dues_current(session: Session, member_id: int, on: date, *,
                    zone: ZoneInfo | None = None) -> bool:
    return member_id in dues_current_ids(session, [member_id], on, zone=zone)


def fee_for(session: Session, meetup: Meetup, member: Member | None) -> int:
    """What ``member`` owes for ``meetup`` (JPY): the member price when one is set and their dues
    cover the meetup's date, else the price. A guest (``None``) pays the price."""
    price = int(meetup.price or 0)
    if member is None or not meetup.has_member_price:
        return price
    zone = community_of(session, meetup.tenant_id).zone
    on = local_date(meetup.starts_at, zone)
    if is_dues_current(session, member.id, on, zone=zone):
        return int(meetup.member_price)
    return price


def dues_current_filter(member_id_column, on: date, zone: ZoneInfo):  # type: ignore[no-untyped-def]
    """A SQL condition: ``member_id_column`` is dues-current on ``on`` (for aggregates)."""
    return member_id_column.in_(dues_current_select(on, zone))
