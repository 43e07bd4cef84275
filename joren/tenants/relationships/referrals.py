"""Referrals: business one member passes to another, and its value once closed — the BNI
"thank you for closed business". Both sides see it in their network; either side closes it.

Values are Japanese yen, whole numbers (shown with the ``yen`` template filter: ¥1,200,000).
``parse_jpy`` accepts what people type ("1,200,000", "¥1,200,000", "1200000円", full-width
digits); "120万" is refused with a clear message.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.relationships.models import Referral, ReferralStatus
from joren.tenants.relationships.services import (
    LedgerError,
    community_today,
    ordered,
    refresh_pairs,
)

DESCRIPTION_LENGTH = 500
# ¥1,000,000,000 (10億円): far above any referral between members, and inside the INTEGER
# column (whose ceiling is 2,147,483,647) with room to spare.
MAX_VALUE_JPY = 1_000_000_000
OLDEST = timedelta(days=3650)


def parse_jpy(text: str | int | None) -> int:
    """A yen amount from what someone typed; raises ``LedgerError`` with code
    ``value_required``, ``value_not_a_number``, ``value_negative`` or ``value_too_large``."""
    if isinstance(text, bool):
        raise LedgerError("value_not_a_number")
    if isinstance(text, int):
        digits = str(text)
    else:
        digits = unicodedata.normalize("NFKC", text or "").strip()
        for ignored in ("¥", "￥", "円", ",", "、", " ", "_"):
            digits = digits.replace(ignored, "")
        digits = digits.replace("JPY", "").replace("jpy", "")
    if not digits:
        raise LedgerError("value_required")
    negative = digits.startswith(("-", "−"))
    body = digits[1:] if negative or digits.startswith("+") else digits
    if not body.isascii() or not body.isdigit():
        raise LedgerError("value_not_a_number")
    if negative and int(body) != 0:
        raise LedgerError("value_negative")
    if len(body) > 12 or int(body) > MAX_VALUE_JPY:
        raise LedgerError("value_too_large")
    return int(body)


def _clean_description(text: str | None) -> str:
    value = "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n"))
    value = value.strip()
    if not value:
        raise LedgerError("description_required")
    if len(value) > DESCRIPTION_LENGTH:
        raise LedgerError("description_too_long")
    return value


def _check_day(session: Session, day: date | None) -> date:
    today = community_today(session)
    day = day or today
    if day > today:
        raise LedgerError("future")
    if day < today - OLDEST:
        raise LedgerError("too_old")
    return day


def record_referral(session: Session, giver_id: int, receiver_id: int, description: str, *,
                    given_on: date | None = None) -> Referral:
    """``giver_id`` passes business to ``receiver_id``; refreshes the pair's ledger row."""
    ordered(giver_id, receiver_id)
    description = _clean_description(description)
    given_on = _check_day(session, given_on)
    found = set(session.scalars(select(Member.id).where(
        Member.id.in_([giver_id, receiver_id]), Member.status != MemberStatus.INACTIVE)))
    if found != {giver_id, receiver_id}:
        raise LedgerError("unknown_member")
    referral = Referral(giver_id=giver_id, receiver_id=receiver_id, description=description,
                        given_on=given_on, status=ReferralStatus.OPEN)
    session.add(referral)
    session.flush()
    refresh_pairs(session, [(giver_id, receiver_id)])
    return referral


def may_close(referral: Referral, member_id: int) -> bool:
    return member_id in (referral.giver_id, referral.receiver_id)


def close_referral(session: Session, referral: Referral, actor_id: int, *, won: bool,
                   value: str | int | None = None, closed_on: date | None = None) -> Referral:
    """Mark a referral closed: won with its value in yen, or lost. Either side may do it, and
    may correct it later; the ledger follows."""
    if not may_close(referral, actor_id):
        raise LedgerError("not_yours")
    closed_on = _check_day(session, closed_on)
    if closed_on < referral.given_on:
        raise LedgerError("closed_before_given")
    if won:
        referral.value_jpy = parse_jpy(value)
        referral.status = ReferralStatus.CLOSED_WON
    else:
        referral.value_jpy = None
        referral.status = ReferralStatus.CLOSED_LOST
    referral.closed_on = closed_on
    session.flush()
    refresh_pairs(session, [(referral.giver_id, referral.receiver_id)])
    return referral


def referrals_of(session: Session, member_id: int, limit: int = 200
                 ) -> list[tuple[Referral, Member]]:
    """The member's referrals both ways, newest first, each with the other member (one
    statement)."""
    other = case((Referral.giver_id == member_id, Referral.receiver_id),
                 else_=Referral.giver_id)
    rows = session.execute(
        select(Referral, Member).join(Member, Member.id == other)
        .where(or_(Referral.giver_id == member_id, Referral.receiver_id == member_id))
        .order_by(Referral.given_on.desc(), Referral.id.desc()).limit(limit)
    ).unique().all()
    return [(referral, member) for referral, member in rows]
