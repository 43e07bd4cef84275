"""Hand-built histories for the ledger tests: meetups, attendance, contacts, referrals and
introductions written straight into the tables (no services), so the ledger is checked
against sources it did not write itself."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from joren.models import Attendance, AttendanceStatus, Meetup
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.relationships.models import Contact, ContactKind, Referral, ReferralStatus


def past_meetup(session: Session, community, days_ago: int, **fields) -> Meetup:  # type: ignore[no-untyped-def]
    """A meetup that started ``days_ago`` days ago at 10:00 UTC (19:00 in Tokyo)."""
    starts = (utcnow() - timedelta(days=days_ago)).replace(hour=10, minute=0, second=0,
                                                           microsecond=0)
    with unscoped(session):
        row = Meetup(tenant_id=community.id, title=f"定例会 {days_ago}", starts_at=starts,
                     ends_at=starts + timedelta(hours=2), **fields)
        session.add(row)
        session.flush()
    return row


def attended(session: Session, meetup: Meetup, *members,  # type: ignore[no-untyped-def]
             status: AttendanceStatus = AttendanceStatus.PRESENT) -> None:
    with unscoped(session):
        for member in members:
            session.add(Attendance(tenant_id=meetup.tenant_id, meetup_id=meetup.id,
                                   member_id=member.id, status=status))
        session.flush()


def contact(session: Session, by, other, on: date, kind: ContactKind = ContactKind.TALKED,  # type: ignore[no-untyped-def]
            meetup: Meetup | None = None, created_at: datetime | None = None) -> Contact:
    with unscoped(session):
        row = Contact(tenant_id=by.tenant_id, member_id=by.id, other_id=other.id, kind=kind,
                      happened_on=on, meetup_id=meetup.id if meetup else None)
        if created_at is not None:
            row.created_at = created_at
        session.add(row)
        session.flush()
    return row


def referral(session: Session, giver, receiver, *, status: ReferralStatus = ReferralStatus.OPEN,  # type: ignore[no-untyped-def]
             value: int | None = None, on: date | None = None,
             closed_on: date | None = None) -> Referral:
    with unscoped(session):
        row = Referral(tenant_id=giver.tenant_id, giver_id=giver.id, receiver_id=receiver.id,
                       description="見込み客のご紹介", status=status, value_jpy=value,
                       given_on=on or utcnow().date(), closed_on=closed_on)
        session.add(row)
        session.flush()
    return row


def introduction(session: Session, a, b, status: IntroductionStatus,  # type: ignore[no-untyped-def]
                 *, sent_at: datetime | None = None,
                 connected_at: datetime | None = None) -> Introduction:
    low, high = sorted((a.id, b.id))
    with unscoped(session):
        row = Introduction(tenant_id=a.tenant_id, member_low_id=low, member_high_id=high,
                           source=IntroductionSource.ORGANIZER, status=status,
                           sent_at=sent_at, connected_at=connected_at)
        session.add(row)
        session.flush()
    return row
