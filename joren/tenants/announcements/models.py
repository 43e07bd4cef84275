"""An announcement and the people it goes to (each one's email is an outbox row)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.db import value_enum as _enum
from joren.platform.tenancy import TenantScoped


class Segment(enum.StrEnum):
    EVERYONE = "everyone"
    REGULARS = "regulars"
    LAPSED_REGULARS = "lapsed_regulars"
    REGISTERED = "registered"  # for the chosen meetup
    NOT_REGISTERED = "not_registered"  # members not (yet) registered for the chosen meetup
    GUESTS = "guests"

    @property
    def needs_meetup(self) -> bool:
        return self in (Segment.REGISTERED, Segment.NOT_REGISTERED)


class AnnouncementStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class Announcement(TenantScoped, Timestamped, Base):
    __tablename__ = "announcements"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        Index("ix_announcements_tenant_status_send", "tenant_id", "status", "send_at"),
    )

    id: Mapped[intpk]
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    segment: Mapped[Segment] = mapped_column(_enum(Segment))
    meetup_id: Mapped[int | None] = mapped_column()
    status: Mapped[AnnouncementStatus] = mapped_column(_enum(AnnouncementStatus),
                                                       default=AnnouncementStatus.DRAFT)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_by_name: Mapped[str] = mapped_column(String(200), default="")


class AnnouncementRecipient(TenantScoped, Base):
    """A member the announcement goes to, fixed when sending starts; ``outbox_message_id``
    once their email is queued (its row holds the delivery state)."""

    __tablename__ = "announcement_recipients"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "announcement_id", "member_id"),
        ForeignKeyConstraint(
            ["tenant_id", "announcement_id"], ["announcements.tenant_id", "announcements.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        Index("ix_announcement_recipients_tenant_queue", "tenant_id", "announcement_id",
              "outbox_message_id"),
    )

    id: Mapped[intpk]
    announcement_id: Mapped[int] = mapped_column()
    member_id: Mapped[int] = mapped_column()
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))
