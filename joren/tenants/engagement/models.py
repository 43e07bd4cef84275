"""Engagement: each community's thresholds, and each member's stored figures for fast reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, Float, ForeignKeyConstraint, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk, utcnow
from joren.platform.tenancy import TenantScoped
from joren.tenants.engagement.levels import DEFAULTS, Level, Thresholds


class EngagementSettings(TenantScoped, Timestamped, Base):
    """The community's thresholds; a community without a row uses the defaults."""

    __tablename__ = "engagement_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    regular_min: Mapped[int] = mapped_column(default=DEFAULTS.regular_min)
    regular_window: Mapped[int] = mapped_column(default=DEFAULTS.regular_window)
    one_time_misses: Mapped[int] = mapped_column(default=DEFAULTS.one_time_misses)
    lapsed_misses: Mapped[int] = mapped_column(default=DEFAULTS.lapsed_misses)

    def thresholds(self) -> Thresholds:
        return Thresholds(regular_min=self.regular_min, regular_window=self.regular_window,
                          one_time_misses=self.one_time_misses,
                          lapsed_misses=self.lapsed_misses)


class MemberEngagement(TenantScoped, Base):
    """One member's level, streaks and rates as last computed (see engagement.services)."""

    __tablename__ = "member_engagements"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id"),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        Index("ix_member_engagements_tenant_level", "tenant_id", "level"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    level: Mapped[Level] = mapped_column(
        Enum(Level, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    attended_count: Mapped[int] = mapped_column(default=0)
    attended_in_window: Mapped[int] = mapped_column(default=0)
    window_size: Mapped[int] = mapped_column(default=0)
    current_streak: Mapped[int] = mapped_column(default=0)
    longest_streak: Mapped[int] = mapped_column(default=0)
    attendance_rate: Mapped[float | None] = mapped_column(Float)
    no_show_count: Mapped[int] = mapped_column(default=0)
    going_count: Mapped[int] = mapped_column(default=0)
    no_show_rate: Mapped[float | None] = mapped_column(Float)
    first_attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
