"""What introductions led to, for the organizer: by month, in a constant number of statements.

- **made**: introductions sent to both people (sent, connected, declined or expired), counted
  in the month they were sent (community time zone);
- **connected**: of those, both accepted;
- **led to a contact**: connected, and the two logged a contact (either side) on or after the
  day they connected;
- **led to a referral**: connected, and one passed business to the other on or after that day.

Rates are shares of the introductions made that month. The value of closed business is the
sum of referrals closed as won, by the month they closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.identity.community import community_of
from joren.platform.membership.models import Member
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.relationships.models import Contact, Referral, ReferralStatus
from joren.tenants.relationships.services import TOLD

MONTHS = 12
TOP_CONNECTORS = 5


@dataclass
class MonthOutcome:
    month: str                # "2026-11"
    made: int = 0
    connected: int = 0
    contacted: int = 0
    referred: int = 0

    def rate(self, part: int) -> int | None:
        """A whole percentage of the introductions made, or None when none were made."""
        return round(100 * part / self.made) if self.made else None


@dataclass
class ValueMonth:
    month: str
    value: int = 0
    count: int = 0


@dataclass
class Connector:
    member: Member
    count: int
    value: int


@dataclass
class Outcomes:
    months: list[MonthOutcome]
    total: MonthOutcome
    values: list[ValueMonth]
    total_value: int
    connectors: list[Connector]

    @property
    def most_made(self) -> int:
        return max((m.made for m in self.months), default=0)

    @property
    def most_value(self) -> int:
        return max((v.value for v in self.values), default=0)


def month_keys(today: date, count: int = MONTHS) -> list[str]:
    """The last ``count`` months up to ``today``'s, oldest first."""
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def _key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _local(value: datetime | None, zone: ZoneInfo) -> date | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).date()


def _last_by_pair(session: Session, a, b, day, since: date) -> dict[tuple[int, int], Any]:  # type: ignore[no-untyped-def]
    """The last ``day`` on or after ``since`` per unordered pair ``(a, b)``, keyed like an
    introduction (``low``, ``high``): one grouped pass over the table.

    The introductions are matched to it here, by key, not joined in SQL: SQLite joined the
    grouped rows as a materialized subquery it scanned once per introduction (90 ms of CPU
    at 2,000 introductions and 2,400 contacts, the page's p95 above 300 ms), and a
    correlated subquery per introduction, matching either order, cost PostgreSQL a scan of
    the table per introduction."""
    low = case((a < b, a), else_=b)
    high = case((a < b, b), else_=a)
    return {(lo, hi): last for lo, hi, last in session.execute(
        select(low, high, func.max(day)).where(day >= since).group_by(low, high))}


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])


def outcomes(session: Session, now: datetime | None = None, months: int = MONTHS) -> Outcomes:
    """The community's outcomes over the last ``months`` months (six statements)."""
    zone = community_of(session).zone
    now = now or utcnow()
    keys = month_keys(now.astimezone(zone).date(), months)
    first_day = date.fromisoformat(f"{keys[0]}-01")
    by_month, total = _introductions_by_month(session, keys, first_day, zone)
    won = (Referral.status == ReferralStatus.CLOSED_WON, Referral.closed_on >= first_day)
    value_list = _value_by_month(session, keys, won)
    return Outcomes(months=by_month, total=total, values=value_list,
                    total_value=sum(v.value for v in value_list),
                    connectors=_top_connectors(session, won))


def _introductions_by_month(session: Session, keys: list[str], first_day: date,
                            zone: ZoneInfo) -> tuple[list[MonthOutcome], MonthOutcome]:
    """Introductions told per month sent, and of those how many connected, then had a
    contact, then a referral (after connecting); three statements."""
    since = datetime(first_day.year, first_day.month, 1, tzinfo=zone).astimezone(UTC)
    # Only a contact or referral on or after the day the two connected counts, and they
    # connected after the introduction was sent, in the window: earlier days never matter.
    contacts = _last_by_pair(session, Contact.member_id, Contact.other_id,
                             Contact.happened_on, first_day)
    referrals = _last_by_pair(session, Referral.giver_id, Referral.receiver_id,
                              Referral.given_on, first_day)
    by_month = {key: MonthOutcome(key) for key in keys}
    for status, sent_at, connected_at, low, high in session.execute(
            select(Introduction.status, Introduction.sent_at, Introduction.connected_at,
                   Introduction.member_low_id, Introduction.member_high_id)
            .where(Introduction.status.in_(TOLD), Introduction.sent_at >= since)):
        sent_on = _local(sent_at, zone)
        bucket = by_month.get(_key(sent_on)) if sent_on else None
        if bucket is not None:
            _count(bucket, status, sent_on, connected_at, contacts.get((low, high)),
                   referrals.get((low, high)), zone)
    months = [by_month[key] for key in keys]
    total = MonthOutcome("total")
    for month in months:
        total.made += month.made
        total.connected += month.connected
        total.contacted += month.contacted
        total.referred += month.referred
    return months, total


def _count(bucket: MonthOutcome, status: IntroductionStatus, sent_on: date,
           connected_at: datetime | None, contacted_on: object, referred_on: object,
           zone: ZoneInfo) -> None:
    """Add one introduction sent on ``sent_on`` to its month."""
    bucket.made += 1
    if status != IntroductionStatus.CONNECTED:
        return
    bucket.connected += 1
    if contacted_on is None and referred_on is None:
        return
    connected_on = _local(connected_at, zone) or sent_on
    contacted, referred = _as_date(contacted_on), _as_date(referred_on)
    bucket.contacted += int(contacted is not None and contacted >= connected_on)
    bucket.referred += int(referred is not None and referred >= connected_on)


def _value_by_month(session: Session, keys: list[str], won: tuple[Any, ...]
                    ) -> list[ValueMonth]:
    """Referrals won and their value per month closed; one statement."""
    values = {key: ValueMonth(key) for key in keys}
    for closed_on, value, count in session.execute(
            select(Referral.closed_on, func.sum(func.coalesce(Referral.value_jpy, 0)),
                   func.count(Referral.id))
            .where(*won).group_by(Referral.closed_on)):
        bucket = values.get(_key(_as_date(closed_on)))  # type: ignore[arg-type]
        if bucket is not None:
            bucket.value += int(value or 0)
            bucket.count += int(count or 0)
    return [values[key] for key in keys]


def _top_connectors(session: Session, won: tuple[Any, ...]) -> list[Connector]:
    """The members whose won referrals are worth most; two statements."""
    value_sum = func.sum(func.coalesce(Referral.value_jpy, 0))
    top = session.execute(
        select(Referral.giver_id, func.count(Referral.id), value_sum)
        .where(*won).group_by(Referral.giver_id)
        .order_by(value_sum.desc(), Referral.giver_id).limit(TOP_CONNECTORS)).all()
    members = {m.id: m for m in session.scalars(
        select(Member).where(Member.id.in_([row[0] for row in top]))).unique()} if top else {}
    return [Connector(members[giver], int(count), int(value or 0))
            for giver, count, value in top if giver in members]
