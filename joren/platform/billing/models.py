"""A community's plan (its Stripe subscription) and the Stripe events received, stored once."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk, utcnow
from joren.platform.tenancy import TenantScoped


class PlanCode(enum.StrEnum):
    FREE = "free"
    PRO = "pro"


# Stripe subscription statuses that keep the paid plan outright, and those that keep it only
# during the grace period after a failed payment.
PAID_STATUSES = frozenset({"active", "trialing"})
GRACE_STATUSES = frozenset({"past_due", "unpaid"})
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


class Subscription(TenantScoped, Timestamped, Base):
    """The community's plan as Stripe last told us; a community without a row is on Free.

    ``checkout_generation`` grows when a Checkout completes, so the idempotency key of the next
    Checkout differs while retries of the same attempt reuse theirs.
    """

    __tablename__ = "billing_subscriptions"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    plan: Mapped[PlanCode] = mapped_column(
        Enum(PlanCode, native_enum=False, length=10,
             values_callable=lambda e: [m.value for m in e]),
        default=PlanCode.FREE,
    )
    status: Mapped[str] = mapped_column(String(30), default="")
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    subscription_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkout_generation: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Subscription {self.plan} {self.status or '-'} of community {self.tenant_id}>"


class StripeEvent(Base):
    """One Stripe event, stored when the webhook receives it and processed once by a job.

    Platform-level: the community is known only once the event has been read
    (``community_id`` is filled in then, for the record).
    """

    __tablename__ = "stripe_events"
    __table_args__ = (Index("ix_stripe_events_unprocessed", "processed_at", "received_at"),)

    id: Mapped[intpk]
    stripe_event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    event_created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    livemode: Mapped[bool] = mapped_column(default=False)
    # Connect events (part 2) name the connected account.
    account: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL")
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")

