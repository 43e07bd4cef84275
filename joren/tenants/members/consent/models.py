"""The privacy notice's versions and the history of each person's consent.

``privacy_notices`` keeps every version an organizer published (never edited afterwards: a
consent points at the words the person saw). ``consent_records`` is append-only: one row per
answer a person gave, to one purpose, under one version, through one surface (services.py
explains why the current state lives on the existing flags, not here).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, UTCDateTime, intpk, utcnow
from joren.platform.tenancy import TenantScoped

NOTICE_MAX = 20_000  # characters: a notice longer than this is not read by anyone


class PrivacyNotice(TenantScoped, Base):
    """One published version of the community's notice; ``version`` counts from 1."""

    __tablename__ = "privacy_notices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "version"),
        ForeignKeyConstraint(["tenant_id", "published_by_id"],
                             ["members.tenant_id", "members.id"]),
    )

    id: Mapped[intpk]
    version: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None: Joren's default text, published when the first person answered before the
    # organizers wrote their own.
    published_by_id: Mapped[int | None] = mapped_column()


class ConsentRecord(TenantScoped, Base):
    """One answer: ``member_id`` said yes (``granted``) or no to ``purpose`` under notice
    ``notice_id`` at ``recorded_at`` through ``surface``. The purpose ``notice`` means they
    saw (acknowledged) that version."""

    __tablename__ = "consent_records"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "notice_id"],
                             ["privacy_notices.tenant_id", "privacy_notices.id"]),
        Index("ix_consent_records_tenant_member_recorded", "tenant_id", "member_id",
              "recorded_at"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    notice_id: Mapped[int] = mapped_column()
    purpose: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool] = mapped_column()
    surface: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
