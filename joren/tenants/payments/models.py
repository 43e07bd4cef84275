"""Money members pay the organizer: meetup fees and dues, marked by hand or (later) by Stripe.

Amounts are JPY integers (a zero-decimal currency: ¥3,000 is ``3000``). A payment is never
deleted: undoing one records a reversal (status ``refunded`` with who and when), so the
history and the receipt numbers stay intact.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.db import value_enum as _enum
from joren.platform.tenancy import TenantScoped
from joren.tenants.meetups.models import Meetup
from joren.tenants.members.models import Member

# 適格請求書発行事業者登録番号: "T" followed by the 13-digit corporate/individual number.
REGISTRATION_NUMBER = re.compile(r"^T\d{13}$")


class PaymentKind(enum.StrEnum):
    MEETUP_FEE = "meetup_fee"
    DUES = "dues"


class PaymentMethod(enum.StrEnum):
    DOOR = "door"
    BANK_TRANSFER = "bank_transfer"
    STRIPE = "stripe"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"


def _member_fk(column: str) -> ForeignKeyConstraint:
    # No cascade: a payment is an accounting record and outlives nothing silently.
    return ForeignKeyConstraint(["tenant_id", column], ["members.tenant_id", "members.id"])


class Payment(TenantScoped, Timestamped, Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "receipt_number"),
        _member_fk("member_id"),
        _member_fk("marked_by_id"),
        _member_fk("refunded_by_id"),
        ForeignKeyConstraint(["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"]),
        CheckConstraint("amount_jpy >= 0", name="amount_not_negative"),
        Index("ix_payments_tenant_meetup_member", "tenant_id", "meetup_id", "member_id"),
        Index("ix_payments_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    meetup_id: Mapped[int | None] = mapped_column()  # None for dues
    kind: Mapped[PaymentKind] = mapped_column(_enum(PaymentKind))
    amount_jpy: Mapped[int] = mapped_column()
    method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod))
    status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Marked by hand (door, bank transfer): the organizer or staff member, and when.
    marked_by_id: Mapped[int | None] = mapped_column()
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(500), default="")
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(String(255))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    # e.g. "R-2026-000123": sequential per community, assigned when paid, never reused.
    receipt_number: Mapped[str | None] = mapped_column(String(32))
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_by_id: Mapped[int | None] = mapped_column()

    member: Mapped[Member] = relationship(
        primaryjoin="and_(Payment.tenant_id == Member.tenant_id, Payment.member_id == Member.id)",
        foreign_keys=[member_id], viewonly=True,
    )
    meetup: Mapped[Meetup | None] = relationship(
        primaryjoin="and_(Payment.tenant_id == Meetup.tenant_id, Payment.meetup_id == Meetup.id)",
        foreign_keys=[meetup_id], viewonly=True,
    )
    marked_by: Mapped[Member | None] = relationship(
        primaryjoin="and_(Payment.tenant_id == Member.tenant_id, "
        "Payment.marked_by_id == Member.id)", foreign_keys=[marked_by_id], viewonly=True,
    )
    refunded_by: Mapped[Member | None] = relationship(
        primaryjoin="and_(Payment.tenant_id == Member.tenant_id, "
        "Payment.refunded_by_id == Member.id)", foreign_keys=[refunded_by_id], viewonly=True,
    )

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.PAID


class PaymentSettings(TenantScoped, Timestamped, Base):
    """What receipts show about the issuer, and the community's receipt counter."""

    __tablename__ = "payment_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    issuer_address: Mapped[str] = mapped_column(String(300), default="")
    # "" when the organizer is not a registered qualified-invoice issuer.
    registration_number: Mapped[str] = mapped_column(String(14), default="")
    receipt_year: Mapped[int] = mapped_column(default=0)
    receipt_sequence: Mapped[int] = mapped_column(default=0)
