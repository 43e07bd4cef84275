"""The organizer registers someone by hand (a phone call, a LINE message, at the office):
an existing member or a new guest, with where the registration came from.

The seat rules are the same as everyone's (capacity, industry cap, the waitlist, the
registration window); only the approval step is skipped, since the organizer is the one who
approves. Nothing is paid online: a fee is collected at the door or by transfer. The
confirmation email is sent only when the organizer asks and the person has an address.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.meetups.models import ACTIVE, Meetup, Registration
from joren.tenants.meetups.registrations.guests import GUEST_LIMITS
from joren.tenants.meetups.registrations.reading import registration_for
from joren.tenants.meetups.registrations.seats import RegistrationError
from joren.tenants.meetups.registrations.services import register

# Where a registration taken by hand came from (stored in ``Registration.source``).
MANUAL_SOURCES = ("phone", "line", "email", "in_person", "other")


def _new_guest(session: Session, fields: dict[str, str]) -> Member:
    """A guest from what the organizer typed: found by email when one is given, else new."""
    clean = {k: (fields.get(k) or "").strip() for k in GUEST_LIMITS}
    clean["email"] = clean["email"].lower()
    if not clean["family_name"] or not clean["given_name"]:
        raise RegistrationError(_l("Enter the family name and given name."))
    if clean["email"] and ("@" not in clean["email"] or " " in clean["email"]):
        raise RegistrationError(_l("Enter a valid email address."))
    for key, limit in GUEST_LIMITS.items():
        if len(clean[key]) > limit:
            raise RegistrationError(_l("An entry is too long (at most %(limit)s characters).",
                                       limit=limit))
    if clean["email"]:
        found = session.scalar(select(Member).where(Member.email == clean["email"]))
        if found is not None:
            return found
    values = {k: v for k, v in clean.items() if k != "email"}
    member = Member(status=MemberStatus.GUEST, email=clean["email"] or None, **values)
    session.add(member)
    session.flush()
    return member


def register_by_hand(session: Session, meetup: Meetup, *, source: str,
                     member: Member | None = None, guest: dict[str, str] | None = None,
                     notify: bool = False, note: str = "",
                     now: datetime | None = None) -> Registration:
    """Register ``member`` (or a guest made from ``guest``) for ``meetup`` as taken by
    ``source``; raises ``RegistrationError`` saying why not."""
    if source not in MANUAL_SOURCES:
        raise RegistrationError(_l("Choose where the registration came from."))
    if (member is None) == (guest is None):
        raise RegistrationError(_l("Choose a member or enter a new guest."))
    now = now or utcnow()
    person = member if member is not None else _new_guest(session, guest or {})
    existing = registration_for(session, meetup.id, person.id) if person.id else None
    if existing is not None and existing.status in ACTIVE:
        raise RegistrationError(_l("%(name)s is already registered for this meetup.",
                                   name=person.display_name))
    registration = register(session, meetup, person, source=source, now=now, notify=notify,
                            approved=True)
    registration.note = note.strip()[:500]
    session.flush()
    return registration
