"""Registering once for a whole series: every future occurrence, those materialised later,
skipping one date (``not_going``) and stopping."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.meetups.models import (
    ACTIVE,
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
)
from joren.tenants.meetups.questions.services import carry_series_answers
from joren.tenants.meetups.registrations import emails
from joren.tenants.meetups.registrations.reading import (
    active_series_registration,
    registration_for,
)
from joren.tenants.meetups.registrations.seats import RegistrationError, check_community_open
from joren.tenants.meetups.registrations.services import (
    cancel_own_registration,
    cancel_registration,
    is_checked_in,
    register,
)


def register_series(session: Session, series: MeetupSeries, member: Member,
                    now: datetime | None = None) -> SeriesRegistration:
    """Register once for the whole series: every future occurrence, and those materialised
    later (``apply_series_registrations``)."""
    now = now or utcnow()
    check_community_open(session, series.tenant_id)
    if member.status != MemberStatus.MEMBER:
        raise RegistrationError(_l("Only members can register for a whole series."))
    if not series.is_active:
        raise RegistrationError(_l("This series has ended."))
    row = session.scalar(select(SeriesRegistration).where(
        SeriesRegistration.series_id == series.id, SeriesRegistration.member_id == member.id))
    if row is not None and row.cancelled_at is None:
        raise RegistrationError(_l("You are already registered for this series."))
    if row is None:
        row = SeriesRegistration(series_id=series.id, member_id=member.id)
        session.add(row)
    row.cancelled_at = None
    session.flush()
    meetups = session.scalars(select(Meetup).where(
        Meetup.series_id == series.id, Meetup.starts_at > now,
        Meetup.status != MeetupStatus.CANCELLED).order_by(Meetup.starts_at)).all()
    for meetup in meetups:
        _register_for_series(session, meetup, member, row, now)
    emails.notify_series(session, series, member, row, now)
    return row


def _register_for_series(session: Session, meetup: Meetup, member: Member,
                         row: SeriesRegistration, now: datetime) -> None:
    existing = registration_for(session, meetup.id, member.id)
    if existing is not None and (existing.status in ACTIVE
                                 or existing.status == RegistrationStatus.NOT_GOING):
        if existing.status in ACTIVE and existing.series_registration_id is None:
            existing.series_registration_id = row.id
        return
    closes = meetup.registration_closes_at or meetup.starts_at
    if now >= closes:
        return
    # The window may not be open yet: a series registration is the member's standing intent.
    try:
        made = register(session, meetup, member, source="series", series_registration=row,
                        now=max(now, meetup.registration_opens_at or now), notify=False)
    except RegistrationError:
        return  # this one date refuses (e.g. just cancelled); the others go ahead
    # What the member answered to the series' questions when signing up holds here too.
    carry_series_answers(session, made)


def apply_series_registrations(session: Session, meetup: Meetup,
                               now: datetime | None = None) -> int:
    """Register every active series registrant for a newly materialised occurrence; returns
    how many registrations were made. Called by the materialiser."""
    if meetup.series_id is None or meetup.is_cancelled:
        return 0
    now = now or utcnow()
    rows = session.execute(
        select(SeriesRegistration, Member).join(
            Member, Member.id == SeriesRegistration.member_id)
        .where(SeriesRegistration.series_id == meetup.series_id,
               SeriesRegistration.cancelled_at.is_(None),
               Member.status == MemberStatus.MEMBER)
        .order_by(SeriesRegistration.id)
    ).all()
    made = 0
    for row, member in rows:
        before = registration_for(session, meetup.id, member.id)
        _register_for_series(session, meetup, member, row, now)
        if before is None and registration_for(session, meetup.id, member.id) is not None:
            made += 1
    return made


def cancel_series(session: Session, row: SeriesRegistration, now: datetime | None = None) -> None:
    """Stop the series registration and cancel its future occurrences' registrations."""
    now = now or utcnow()
    row.cancelled_at = now
    future = session.scalars(
        select(Registration).join(Registration.meetup)
        .where(Registration.series_registration_id == row.id, Meetup.starts_at > now,
               Registration.status.in_(ACTIVE))
    ).all()
    for registration in future:
        if not is_checked_in(session, registration):  # already at the door: it stands
            cancel_registration(session, registration, now=now)


def opt_out(session: Session, meetup: Meetup, member: Member,
            now: datetime | None = None) -> Registration:
    """Skip one occurrence of a series registration (status ``not_going``); frees the seat."""
    now = now or utcnow()
    registration = registration_for(session, meetup.id, member.id)
    if registration is None:
        if meetup.series_id is None or active_series_registration(
                session, meetup.series_id, member.id) is None:
            raise RegistrationError(_l("You are not registered for this meetup."))
        registration = Registration(meetup_id=meetup.id, member_id=member.id,
                                    status=RegistrationStatus.NOT_GOING, source="series",
                                    status_changed_at=now)
        session.add(registration)
        session.flush()
        return registration
    if registration.status == RegistrationStatus.NOT_GOING:
        return registration
    return cancel_own_registration(session, registration, member,
                                   status=RegistrationStatus.NOT_GOING, now=now)
