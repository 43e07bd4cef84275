"""Guests: a visitor registers from the public page and confirms by an emailed link; only then
does the registration take a seat (or wait for one)."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.names import romaji_search_key, to_katakana
from joren.tenants.meetups.models import ACTIVE, Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import emails
from joren.tenants.meetups.registrations.holds import PAYMENT_HOLD, await_payment
from joren.tenants.meetups.registrations.seats import (
    RegistrationError,
    apply_decision,
    check_community_open,
    check_open,
    decide,
    lock_meetup,
)
from joren.tenants.meetups.registrations.services import register

GUEST_LIMITS = {"family_name": 60, "given_name": 60, "family_name_kana": 60,
                "given_name_kana": 60, "email": 320, "company": 120, "title": 80,
                "industry": 80}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _clean_guest(fields: dict[str, str]) -> dict[str, str]:
    clean = {k: " ".join((fields.get(k) or "").split()) for k in GUEST_LIMITS}
    clean["email"] = clean["email"].lower()
    # Readings are stored in katakana whatever the guest typed, so the door finds them by
    # katakana, hiragana or romaji like every other member.
    for key in ("family_name_kana", "given_name_kana"):
        clean[key] = to_katakana(clean[key])
    if not clean["family_name"] or not clean["given_name"]:
        raise RegistrationError(_l("Enter your family name and given name."))
    if not _EMAIL.match(clean["email"]):
        raise RegistrationError(_l("Enter a valid email address."))
    for key, limit in GUEST_LIMITS.items():
        if len(clean[key]) > limit:
            raise RegistrationError(_l("An entry is too long (at most %(limit)s characters).",
                                       limit=limit))
    return clean


def _guest_member(session: Session, fields: dict[str, str]) -> Member:
    """The guest's member row: found by email (a guest's details are refreshed), or new."""
    member = session.scalar(select(Member).where(Member.email == fields["email"]))
    if member is None:
        member = Member(status=MemberStatus.GUEST, **fields,
                        name_romaji=romaji_search_key(fields["family_name_kana"],
                                                      fields["given_name_kana"]))
        session.add(member)
        session.flush()
    elif member.status == MemberStatus.GUEST:
        for key, value in fields.items():
            if value:
                setattr(member, key, value)
        # The search key (Member.search_key) follows these on flush.
        member.name_romaji = romaji_search_key(member.family_name_kana, member.given_name_kana)
    return member


def register_guest(session: Session, meetup: Meetup, *, family_name: str, given_name: str,
                   family_name_kana: str = "", given_name_kana: str = "", email: str,
                   company: str = "", title: str = "", industry: str = "",
                   now: datetime | None = None) -> Registration:
    """A visitor registers from the public page: held until they confirm by email link."""
    fields = _clean_guest(dict(
        family_name=family_name, given_name=given_name, family_name_kana=family_name_kana,
        given_name_kana=given_name_kana, email=email, company=company, title=title,
        industry=industry))
    if not meetup.is_public:
        raise RegistrationError(_l("This meetup is for members only."))
    now = now or utcnow()
    check_community_open(session, meetup.tenant_id)
    check_open(meetup, now)
    member = _guest_member(session, fields)
    registration = register(session, meetup, member, source="guest", now=now,
                            confirmed=False)
    emails.notify_guest_confirm(session, registration)
    return registration


def confirm_guest(session: Session, registration: Registration,
                  now: datetime | None = None) -> Registration:
    """The guest clicked the link: the registration now takes a seat (or waits). Idempotent."""
    now = now or utcnow()
    meetup = lock_meetup(session, registration.meetup_id)
    if registration.confirmed_at is not None or registration.status not in ACTIVE:
        return registration
    if meetup.is_cancelled:
        raise RegistrationError(_l("This meetup has been cancelled."))
    registration.confirmed_at = now
    apply_decision(registration, decide(session, meetup, registration.member), now)
    if registration.status == RegistrationStatus.GOING:
        # A fee paid online: the seat is held while the guest pays (the page sends them on).
        await_payment(session, registration, meetup, now, now + PAYMENT_HOLD)
    session.flush()
    emails.notify_status(session, registration)
    return registration
