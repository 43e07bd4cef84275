"""The outbox of email messages and the list of addresses that unsubscribed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class OutboxMessage(Timestamped, Base):
    """One email to one recipient. Platform-level: verification mail belongs to no community."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_created", "status", "created_at"),
        Index("ix_outbox_messages_community", "community_id", "created_at"),
    )

    id: Mapped[intpk]
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE")
    )
    category: Mapped[str] = mapped_column(String(40), default="transactional")
    template: Mapped[str] = mapped_column(String(120))
    to_email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Files sent with the message: [{"filename", "content_type", "content_b64"}, ...].
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Stored for rendering at send time ("pending render"): {"builder": "module:function",
    # "values": {plain JSON values}}; None once rendered (subject and bodies are then set).
    render_context: Mapped[dict[str, object] | None] = mapped_column(JSON, default=None)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(200), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailUnsubscribe(Timestamped, Base):
    """An address that asked for no more mail of one category (optionally from one community)."""

    __tablename__ = "email_unsubscribes"
    __table_args__ = (UniqueConstraint("email", "category", "community_id"),)

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(320))
    category: Mapped[str] = mapped_column(String(40))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE")
    )
