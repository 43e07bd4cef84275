"""Meetups: recurring series, their occurrences, registrations and the attendance register."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk, utcnow
from joren.platform.db import value_enum as _enum
from joren.platform.membership.models import Member
from joren.platform.tenancy import TenantScoped


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"


class MeetupStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class MeetupSeries(TenantScoped, Timestamped, Base):
    """A recurring meetup: an RFC 5545 rule in the community's local time, and the defaults
    its occurrences are materialised with."""

    __tablename__ = "meetup_series"
    __table_args__ = (UniqueConstraint("tenant_id", "id"),)

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # RRULE body without DTSTART, e.g. "FREQ=MONTHLY;BYDAY=2TU"; empty for a one-off.
    rrule: Mapped[str] = mapped_column(String(500), default="")
    # First occurrence as local wall-clock time in ``timezone`` (naive ISO string keeps SQLite
    # and PostgreSQL identical and DST-correct: the rule is expanded in local time).
    dtstart_local: Mapped[str] = mapped_column(String(19))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Tokyo")
    duration_minutes: Mapped[int] = mapped_column(default=120)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    price: Mapped[int] = mapped_column(default=0)
    # The fee for members whose dues are paid up (None: the same fee for everyone).
    member_price: Mapped[int | None] = mapped_column(default=None)
    # Refund policy for fees paid online: a member who cancels at least this many hours before
    # the start is refunded in full; later, nothing (None: no refund on a member's cancellation).
    # A meetup the organizer cancels is always refunded in full.
    refund_cutoff_hours: Mapped[int | None] = mapped_column(default=None)
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility), default=Visibility.PUBLIC)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    industry_cap: Mapped[int | None]
    # Registration window relative to each occurrence's start.
    registration_opens_days: Mapped[int | None]
    registration_closes_minutes: Mapped[int] = mapped_column(default=0)
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [2])
    reminder_morning_of: Mapped[bool] = mapped_column(default=True)
    horizon_days: Mapped[int] = mapped_column(default=120)
    materialized_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(default=True)


class Meetup(TenantScoped, Timestamped, Base):
    """One occurrence (of a series, or a one-off). Edited individually, it is ``is_detached``
    and later changes to the series leave it alone."""

    __tablename__ = "meetups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "series_id", "recurrence_id"),
        ForeignKeyConstraint(
            ["tenant_id", "series_id"], ["meetup_series.tenant_id", "meetup_series.id"],
            ondelete="CASCADE",
        ),
        Index("ix_meetups_tenant_starts", "tenant_id", "starts_at"),
    )

    id: Mapped[intpk]
    series_id: Mapped[int | None] = mapped_column()
    # The start the rule gave this occurrence (UTC), its identity even after it is moved.
    recurrence_id: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_detached: Mapped[bool] = mapped_column(default=False)
    # The series changed and no longer gives this occurrence, but people registered for it:
    # it is kept and the organizer decides (move, cancel, or leave it).
    needs_review: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MeetupStatus] = mapped_column(_enum(MeetupStatus),
                                                 default=MeetupStatus.SCHEDULED)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    price: Mapped[int] = mapped_column(default=0)
    member_price: Mapped[int | None] = mapped_column(default=None)
    refund_cutoff_hours: Mapped[int | None] = mapped_column(default=None)
    is_public: Mapped[bool] = mapped_column(default=True)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    industry_cap: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Self check-in (出席コード): members type the code during the window.
    checkin_code: Mapped[str] = mapped_column(String(12), default="")
    checkin_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkin_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    series: Mapped[MeetupSeries | None] = relationship(
        primaryjoin="and_(Meetup.tenant_id == MeetupSeries.tenant_id, "
        "Meetup.series_id == MeetupSeries.id)", foreign_keys=[series_id],
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetupStatus.CANCELLED

    @property
    def has_member_price(self) -> bool:
        """A member price lower than the fee is set (one that is not lower changes nothing)."""
        return self.member_price is not None and self.member_price < (self.price or 0)


class RegistrationStatus(enum.StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    PENDING = "pending"  # awaiting the organizer's approval
    CANCELLED = "cancelled"
    NOT_GOING = "not_going"  # opted out of one occurrence of a series registration
    OFFERED = "offered"  # paid meetup: a freed seat is held until offer_expires_at
    # Paid online: the seat is held (until offer_expires_at) while the member pays in Stripe
    # Checkout; the webhook makes it going.
    AWAITING_PAYMENT = "awaiting_payment"


# A registration that still counts (it may yet come).
ACTIVE = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING,
          RegistrationStatus.OFFERED, RegistrationStatus.AWAITING_PAYMENT)
# Holding a seat: an offered person's seat is held until they accept or it expires; a person
# paying online holds theirs while the Checkout is open.
SEATED = (RegistrationStatus.GOING, RegistrationStatus.OFFERED,
          RegistrationStatus.AWAITING_PAYMENT)
# A seat held until a deadline (``offer_expires_at``).
HOLDS = (RegistrationStatus.OFFERED, RegistrationStatus.AWAITING_PAYMENT)


class Registration(TenantScoped, Timestamped, Base):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "meetup_id", "member_id"),
        UniqueConstraint("checkin_token"),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "series_registration_id"],
            ["series_registrations.tenant_id", "series_registrations.id"], ondelete="SET NULL",
        ),
        # member_id last: who is going to a meetup is read from the index alone (0026)
        Index("ix_registrations_tenant_meetup_status", "tenant_id", "meetup_id", "status",
              "member_id"),
        Index("ix_registrations_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[intpk]
    meetup_id: Mapped[int] = mapped_column()
    member_id: Mapped[int] = mapped_column()
    series_registration_id: Mapped[int | None] = mapped_column()
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus))
    # Position in the waitlist (lower goes first); None when not waitlisted.
    waitlist_position: Mapped[int | None]
    # Waiting for a seat because the industry cap, not the capacity, is reached.
    waitlisted_for_industry: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(20), default="portal")
    # Guests confirm by email link before the registration counts.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    checkin_token: Mapped[str] = mapped_column(String(40), default=new_token)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")
    # OFFERED only: the seat is held for this person until then (paid meetups' waitlist).
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    meetup: Mapped[Meetup] = relationship(
        primaryjoin="and_(Registration.tenant_id == Meetup.tenant_id, "
        "Registration.meetup_id == Meetup.id)", foreign_keys=[meetup_id], overlaps="member",
    )
    member: Mapped[Member] = relationship(
        primaryjoin="and_(Registration.tenant_id == Member.tenant_id, "
        "Registration.member_id == Member.id)", foreign_keys=[member_id], overlaps="meetup",
    )


class SeriesRegistration(TenantScoped, Timestamped, Base):
    """Registered once for every occurrence of a series (each can be opted out of)."""

    __tablename__ = "series_registrations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "series_id", "member_id"),
        ForeignKeyConstraint(
            ["tenant_id", "series_id"], ["meetup_series.tenant_id", "meetup_series.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[intpk]
    series_id: Mapped[int] = mapped_column()
    member_id: Mapped[int] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"
    SUBSTITUTE = "substitute"  # someone came in the member's place
    WALK_IN = "walk_in"

    @property
    def attended(self) -> bool:
        return self in ATTENDED


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.WALK_IN)


class Attendance(TenantScoped, Timestamped, Base):
    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "meetup_id", "member_id"),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "substitute_member_id"], ["members.tenant_id", "members.id"],
            ondelete="SET NULL",
        ),
        Index("ix_attendances_tenant_member", "tenant_id", "member_id"),
        # member_id last: who came to a meetup is read from the index alone (0026)
        Index("ix_attendances_tenant_meetup_status", "tenant_id", "meetup_id", "status",
              "member_id"),
    )

    id: Mapped[intpk]
    meetup_id: Mapped[int] = mapped_column()
    member_id: Mapped[int] = mapped_column()
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    substitute_member_id: Mapped[int | None] = mapped_column()
    substitute_name: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(500), default="")

    meetup: Mapped[Meetup] = relationship(
        primaryjoin="and_(Attendance.tenant_id == Meetup.tenant_id, "
        "Attendance.meetup_id == Meetup.id)", foreign_keys=[meetup_id],
        overlaps="member,substitute",
    )
    member: Mapped[Member] = relationship(
        primaryjoin="and_(Attendance.tenant_id == Member.tenant_id, "
        "Attendance.member_id == Member.id)", foreign_keys=[member_id],
        overlaps="meetup,substitute",
    )
    substitute: Mapped[Member | None] = relationship(
        primaryjoin="and_(Attendance.tenant_id == Member.tenant_id, "
        "Attendance.substitute_member_id == Member.id)", foreign_keys=[substitute_member_id],
        overlaps="meetup,member",
    )


class AttendanceChange(TenantScoped, Base):
    """Every change to the attendance register, kept: who changed what, when, from and to."""

    __tablename__ = "attendance_changes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "changed_by_id"], ["members.tenant_id", "members.id"],
            ondelete="SET NULL",
        ),
        Index("ix_attendance_changes_tenant_meetup", "tenant_id", "meetup_id", "changed_at"),
    )

    id: Mapped[intpk]
    meetup_id: Mapped[int] = mapped_column()
    member_id: Mapped[int] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column()
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str | None] = mapped_column(String(20))
    via: Mapped[str] = mapped_column(String(20), default="console")
    note: Mapped[str] = mapped_column(String(500), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
