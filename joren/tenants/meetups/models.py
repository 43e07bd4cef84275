"""A meetup occurrence and who attended it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.tenancy import TenantScoped
from joren.tenants.members.models import Member


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"
    WALK_IN = "walk_in"

    @property
    def attended(self) -> bool:
        return self in ATTENDED


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.WALK_IN)


class Meetup(TenantScoped, Timestamped, Base):
    __tablename__ = "meetups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_meetups_tenant_starts", "tenant_id", "starts_at"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None]
    price: Mapped[int] = mapped_column(default=0)
    is_public: Mapped[bool] = mapped_column(default=True)


class Attendance(TenantScoped, Timestamped, Base):
    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("tenant_id", "meetup_id", "member_id"),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        Index("ix_attendances_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[intpk]
    meetup_id: Mapped[int] = mapped_column()
    member_id: Mapped[int] = mapped_column()
    status: Mapped[AttendanceStatus] = mapped_column(
        Enum(AttendanceStatus, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e])
    )

    meetup: Mapped[Meetup] = relationship(
        primaryjoin="and_(Attendance.tenant_id == Meetup.tenant_id, "
        "Attendance.meetup_id == Meetup.id)", foreign_keys=[meetup_id], overlaps="member"
    )
    member: Mapped[Member] = relationship(
        primaryjoin="and_(Attendance.tenant_id == Member.tenant_id, "
        "Attendance.member_id == Member.id)", foreign_keys=[member_id], overlaps="meetup"
    )
