"""Test data for reminders, calendar feeds and tickets: registrations made directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from joren.models import Community, Member
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from tests.tenants.helpers import meetup


def registration(session: Session, meetup: Meetup, member: Member,
                 status: RegistrationStatus = RegistrationStatus.GOING,
                 **fields) -> Registration:  # type: ignore[no-untyped-def]
    unconfirmed = "confirmed_at" in fields and fields["confirmed_at"] is None
    with unscoped(session):
        row = Registration(tenant_id=meetup.tenant_id, meetup_id=meetup.id, member_id=member.id,
                           status=status, **fields)
        session.add(row)
        session.flush()
        if unconfirmed:  # the column default fills an explicit None on insert
            row.confirmed_at = None
            session.flush()
    return row


def meetup_at(session: Session, community: Community, starts_at: datetime,
              title: str = "定例会", **fields) -> Meetup:  # type: ignore[no-untyped-def]
    fields.setdefault("venue_name", "梅田スカイビル 会議室A")
    fields.setdefault("venue_address", "大阪市北区大淀中1-1-88")
    return meetup(session, community, title, starts_at=starts_at, **fields)


def in_(days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return datetime.now(UTC) + timedelta(days=days, hours=hours, minutes=minutes)
