"""The analytics rollups: one state row per community, one row per counted meetup, one per
member who has attended, and the retention grid by calendar month.

Every figure here depends only on the register, the thresholds and the community's zone, never
on today's date: what does depend on the date (which meetups have started or ended, the last
twelve months, whether a cohort can still change) is worked out when the page is read. Each
member row keeps the member's ``contribution`` to the aggregate rows, so a change to one
member's attendance updates the aggregates by difference (``store.update_members``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, UTCDateTime, intpk, utcnow
from joren.platform.tenancy import TenantScoped


class RollupState(TenantScoped, Base):
    """What the community's rollups were built for: the thresholds and zone they assume and
    how many occurrences they count. Writers lock this row, so they run one at a time."""

    __tablename__ = "engagement_rollup_states"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    regular_min: Mapped[int] = mapped_column()
    regular_window: Mapped[int] = mapped_column()
    zone: Mapped[str] = mapped_column(String(64))
    occurrences: Mapped[int] = mapped_column(default=0)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetupRollup(TenantScoped, Base):
    """One counted occurrence (started, not cancelled): its place in the community's order,
    who came classified by their history up to it, and — once it has ended — its no-shows."""

    __tablename__ = "engagement_meetup_rollups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "meetup_id"),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        Index("ix_engagement_meetup_rollups_tenant_position", "tenant_id", "position"),
    )

    id: Mapped[intpk]
    meetup_id: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column()  # 1 = the community's first counted occurrence
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The no-shows are counted once the meetup has ended (registrations are final then).
    ended: Mapped[bool] = mapped_column(default=False)
    first_timers: Mapped[int] = mapped_column(default=0)
    returners: Mapped[int] = mapped_column(default=0)
    regulars: Mapped[int] = mapped_column(default=0)
    going: Mapped[int] = mapped_column(default=0)
    no_shows: Mapped[int] = mapped_column(default=0)


class MemberRollup(TenantScoped, Base):
    """One member who has attended a counted occurrence: their first two visits, and what
    they add to the meetup and cohort rows (``contribution``)."""

    __tablename__ = "engagement_member_rollups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id"),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        Index("ix_engagement_member_rollups_tenant_first_month", "tenant_id", "first_month"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Local calendar months as year * 12 + month - 1 (in the state's zone).
    first_month: Mapped[int | None] = mapped_column()
    first_position: Mapped[int | None] = mapped_column()
    second_position: Mapped[int | None] = mapped_column()
    first_walk_in: Mapped[bool] = mapped_column(default=False)
    contribution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CohortRollup(TenantScoped, Base):
    """How many people whose first visit fell in ``first_month`` came in ``month``."""

    __tablename__ = "engagement_cohort_rollups"
    __table_args__ = (UniqueConstraint("tenant_id", "first_month", "month"),)

    id: Mapped[intpk]
    first_month: Mapped[int] = mapped_column()
    month: Mapped[int] = mapped_column()
    people: Mapped[int] = mapped_column(default=0)
