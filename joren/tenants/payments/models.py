"""Money members pay the organizer: meetup fees and dues, marked by hand or paid through Stripe
(Checkout on the organizer's own Stripe account, connected to Joren with Stripe Connect).

Amounts are JPY integers (a zero-decimal currency: ¥3,000 is ``3000``). A payment is never
deleted: undoing one records a reversal (status ``refunded`` with who and when), so the
history and the receipt numbers stay intact.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.db import value_enum as _enum
from joren.platform.membership.models import Member
from joren.platform.tenancy import TenantScoped
from joren.tenants.meetups.models import Meetup

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
    PENDING = "pending"  # a Stripe Checkout is open and not paid yet
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"  # the Checkout expired or was abandoned: nothing was charged


class DuesInterval(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"


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
        _member_fk("refund_requested_by_id"),
        ForeignKeyConstraint(["tenant_id", "registration_id"],
                             ["registrations.tenant_id", "registrations.id"]),
        ForeignKeyConstraint(["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"]),
        CheckConstraint("amount_jpy >= 0", name="amount_not_negative"),
        Index("ix_payments_tenant_meetup_member", "tenant_id", "meetup_id", "member_id"),
        Index("ix_payments_tenant_member", "tenant_id", "member_id"),
        Index("ix_payments_checkout_session", "stripe_checkout_session_id"),
        Index("ix_payments_payment_intent", "stripe_payment_intent_id"),
        UniqueConstraint("tenant_id", "stripe_invoice_id"),
        # The refund sweep looks only at pending requests: a partial index stays tiny.
        Index("ix_payments_refund_pending", "tenant_id", "refund_requested_at",
              postgresql_where=text("refund_requested_at IS NOT NULL"),
              sqlite_where=text("refund_requested_at IS NOT NULL")),
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
    # Paid through Stripe (method STRIPE): the connected account, the Checkout Session, the
    # PaymentIntent, and Joren's application fee taken from it.
    registration_id: Mapped[int | None] = mapped_column()
    stripe_account_id: Mapped[str | None] = mapped_column(String(255))
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(String(255))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    application_fee_jpy: Mapped[int] = mapped_column(default=0)
    # Dues paid through a Stripe subscription: one payment per paid invoice.
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    # Dues: the period this payment covers (dates in the community's timezone, inclusive).
    period_start: Mapped[date | None] = mapped_column()
    period_end: Mapped[date | None] = mapped_column()
    # A refund asked for (by the policy, the organizer, or a cancelled meetup) and not yet
    # confirmed by Stripe; the refund job and its sweep work from these columns.
    refund_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refund_requested_by_id: Mapped[int | None] = mapped_column()
    refund_reason: Mapped[str] = mapped_column(String(40), default="")
    refund_amount_jpy: Mapped[int | None] = mapped_column()
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255))
    # e.g. "R-2026-000123": sequential per community, assigned when paid, never reused.
    receipt_number: Mapped[str | None] = mapped_column(String(32))
    # The receipt's 宛名 when it is not the member's own name (a company, say), with its
    # honorific: "sama" (様, a person) or "onchu" (御中, a company or department).
    receipt_addressee: Mapped[str] = mapped_column(String(200), default="", server_default="")
    receipt_honorific: Mapped[str] = mapped_column(String(8), default="sama",
                                                   server_default="sama")
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

    @property
    def refund_pending(self) -> bool:
        return self.status == PaymentStatus.PAID and self.refund_requested_at is not None


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


class ConnectAccount(TenantScoped, Timestamped, Base):
    """The organizer's own Stripe account, connected to Joren (Stripe Connect), as Stripe last
    described it. Members' fees and dues are paid into it; Joren keeps an application fee."""

    __tablename__ = "connect_accounts"
    __table_args__ = (UniqueConstraint("tenant_id"), UniqueConstraint("stripe_account_id"))

    id: Mapped[intpk]
    stripe_account_id: Mapped[str] = mapped_column(String(255))
    charges_enabled: Mapped[bool] = mapped_column(default=False)
    payouts_enabled: Mapped[bool] = mapped_column(default=False)
    details_submitted: Mapped[bool] = mapped_column(default=False)
    # Stripe's requirements.currently_due, comma-separated (what onboarding still needs).
    requirements_due: Mapped[str] = mapped_column(Text, default="")
    disabled_reason: Mapped[str] = mapped_column(String(100), default="")
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def ready(self) -> bool:
        return self.charges_enabled


class DuesSettings(TenantScoped, Timestamped, Base):
    """Membership dues (会費): the amount and interval, paid online or marked by hand."""

    __tablename__ = "dues_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),
                      CheckConstraint("amount_jpy >= 0", name="dues_amount_not_negative"))

    id: Mapped[intpk]
    enabled: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(100), default="")
    amount_jpy: Mapped[int] = mapped_column(default=0)
    interval: Mapped[DuesInterval] = mapped_column(_enum(DuesInterval), default=DuesInterval.YEAR)
    # How to pay by bank transfer (振込先) or in cash, shown to members.
    instructions: Mapped[str] = mapped_column(Text, default="")


class DuesSubscription(TenantScoped, Timestamped, Base):
    """A member's dues paid by a Stripe subscription on the connected account, as Stripe last
    described it (one row per member; a new subscription replaces an ended one)."""

    __tablename__ = "dues_subscriptions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id"),
        _member_fk("member_id"),
        Index("ix_dues_subscriptions_stripe", "stripe_subscription_id"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    subscription_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(30), default="")
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    checkout_generation: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(
        primaryjoin="and_(DuesSubscription.tenant_id == Member.tenant_id, "
        "DuesSubscription.member_id == Member.id)",
        foreign_keys=[member_id], viewonly=True,
    )


class MeetupFeeTally(TenantScoped, Base):
    """How many people owe one meetup's fee (registered as going or recorded as attending)
    and how many of them have no paid fee: the console's "unpaid fees" read these few rows
    instead of every registration, attendance and payment (``joren.tenants.payments.tallies``
    keeps them current)."""

    __tablename__ = "meetup_fee_tallies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "meetup_id"),
        ForeignKeyConstraint(["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"],
                             ondelete="CASCADE"),
    )

    id: Mapped[intpk]
    meetup_id: Mapped[int] = mapped_column()
    due: Mapped[int] = mapped_column(default=0)
    unpaid: Mapped[int] = mapped_column(default=0)
