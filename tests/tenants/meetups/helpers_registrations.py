"""Test data for the registration tests (E2): meetups with seats, members with industries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.models import Community, Member, OutboxMessage
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Meetup, MeetupSeries, Registration
from tests import factories
from tests.tenants.helpers import meetup


def seated_meetup(session: Session, community: Community, capacity: int | None = 2,
                  **fields) -> Meetup:  # type: ignore[no-untyped-def]
    """A public meetup a week from now with ``capacity`` seats."""
    return meetup(session, community, fields.pop("title", "定例会"), capacity=capacity,
                  **fields)


def people_in(session: Session, community: Community, n: int,
              **fields) -> list[Member]:  # type: ignore[no-untyped-def]
    return [factories.member(session, community, **fields) for _ in range(n)]


def series_with_occurrences(session: Session, community: Community, n: int = 3,
                            capacity: int | None = 10) -> tuple[MeetupSeries, list[Meetup]]:
    """A weekly series with ``n`` materialised occurrences from next week on."""
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    with unscoped(session):
        series = MeetupSeries(tenant_id=community.id, title="朝活セミナー",
                              rrule="FREQ=WEEKLY", dtstart_local="2026-01-06T06:30:00",
                              capacity=capacity)
        session.add(series)
        session.flush()
    occurrences = [meetup(session, community, "朝活セミナー",
                          starts_at=first + timedelta(weeks=i), series_id=series.id,
                          recurrence_id=first + timedelta(weeks=i), capacity=capacity)
                   for i in range(n)]
    return series, occurrences


def outbox(session: Session, template: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    session.expire_all()
    return list(session.scalars(stmt))


def registrations_of(session: Session, meetup_id: int) -> list[Registration]:
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(Registration).where(
            Registration.meetup_id == meetup_id).order_by(Registration.id)))


def later(days: float = 0, **kwargs: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days, **kwargs)
