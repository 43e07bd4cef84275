"""Test data for membership dues and member pricing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from joren.platform.tenancy import unscoped
from joren.tenants.payments.models import (
    DuesInterval,
    DuesSettings,
    DuesSubscription,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)

TOKYO = ZoneInfo("Asia/Tokyo")
DUES_URL = "/c/osaka-mixer/admin/payments/dues"


def tokyo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Tokyo wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def enable_dues(session: Session, community: Any, amount: int = 12000,
                interval: DuesInterval = DuesInterval.YEAR, name: str = "年会費") -> DuesSettings:
    with unscoped(session):
        row = DuesSettings(tenant_id=community.id, enabled=True, name=name, amount_jpy=amount,
                           interval=interval)
        session.add(row)
        session.flush()
    return row


def paid_dues(session: Session, member: Any, start: date, end: date, *,
              status: PaymentStatus = PaymentStatus.PAID,
              method: PaymentMethod = PaymentMethod.BANK_TRANSFER,
              amount: int = 12000) -> Payment:
    """A dues payment covering [start, end] (inclusive local dates)."""
    with unscoped(session):
        payment = Payment(tenant_id=member.tenant_id, member_id=member.id, meetup_id=None,
                          kind=PaymentKind.DUES, amount_jpy=amount, method=method,
                          status=status, paid_at=datetime.now(UTC), period_start=start,
                          period_end=end)
        session.add(payment)
        session.flush()
    return payment


def subscribed(session: Session, member: Any, status: str, period_end: datetime,
               sub_id: str = "sub_test_1") -> DuesSubscription:
    with unscoped(session):
        row = DuesSubscription(tenant_id=member.tenant_id, member_id=member.id,
                               stripe_subscription_id=sub_id, status=status,
                               current_period_end=period_end,
                               subscription_created_at=datetime.now(UTC) - timedelta(days=1))
        session.add(row)
        session.flush()
    return row
