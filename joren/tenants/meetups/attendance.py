"""The attendance register: check-in at the door, walk-ins, self check-in (出席コード),
statuses after the meetup, and the history of every change.

Every function takes the session (bound to the community), the meetup and the acting member
explicitly. Each change to a person's attendance writes one ``AttendanceChange``.
"""

from __future__ import annotations

import enum
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.names import romaji_search_key, to_katakana
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Meetup,
    Registration,
    RegistrationStatus,
)
from joren.tenants.meetups.signals import attendance_changed

LATE_GRACE = timedelta(minutes=15)
SELF_CHECKIN_LEAD = timedelta(minutes=30)
CODE_DIGITS = 4
VIAS = ("door", "qr", "self", "console", "walk_in")
NAME_LIMITS = {"family_name": 60, "given_name": 60, "family_name_kana": 60,
               "given_name_kana": 60, "company": 120, "title": 80, "email": 320}


# The door opens this long before the start and closes this long after the end: "the
# meetup's day". Checking someone in outside it needs a confirmation.
DOOR_OPENS_BEFORE = timedelta(hours=6)
DOOR_CLOSES_AFTER = timedelta(hours=6)


class CheckinError(ValueError):
    """A check-in or register change was refused; ``code`` says why (views turn it into words)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class NeedsConfirmation(CheckinError):
    """The check-in is unusual; ``reasons`` say why. Repeat it with ``confirmed=True``."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("confirm")
        self.reasons = reasons


class DoorStatus(enum.StrEnum):
    """Who a person at the door is, for this meetup."""

    CHECKED_IN = "checked_in"
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"          # a freed seat is held for them (paid meetups)
    UNCONFIRMED = "unconfirmed"  # awaiting approval, email confirmation or payment
    CANCELLED = "cancelled"      # cancelled, or skipped this occurrence of a series
    WALK_IN_GUEST = "walk_in_guest"
    NOT_REGISTERED = "not_registered"


_REGISTRATION_DOOR_STATUS = {
    RegistrationStatus.GOING: DoorStatus.REGISTERED,
    RegistrationStatus.WAITLISTED: DoorStatus.WAITLISTED,
    RegistrationStatus.OFFERED: DoorStatus.OFFERED,
    RegistrationStatus.PENDING: DoorStatus.UNCONFIRMED,
    RegistrationStatus.AWAITING_PAYMENT: DoorStatus.UNCONFIRMED,
    RegistrationStatus.CANCELLED: DoorStatus.CANCELLED,
    RegistrationStatus.NOT_GOING: DoorStatus.CANCELLED,
}
# What a check-in of each needs confirmed (DoorStatus -> reason).
UNUSUAL_AT_DOOR = {
    DoorStatus.WAITLISTED: "waitlisted",
    DoorStatus.OFFERED: "offered",
    DoorStatus.UNCONFIRMED: "unconfirmed",
    DoorStatus.CANCELLED: "cancelled",
}


def door_status(member: Member, registration: Registration | None,
                attendance: Attendance | None) -> DoorStatus:
    """Checked in, or what their registration says; without one, a walk-in guest or not
    registered."""
    if attendance is not None and attendance.status in ATTENDED:
        return DoorStatus.CHECKED_IN
    if registration is not None:
        if registration.status == RegistrationStatus.GOING and registration.confirmed_at is None:
            return DoorStatus.UNCONFIRMED
        return _REGISTRATION_DOOR_STATUS[registration.status]
    if member.status == MemberStatus.GUEST:
        return DoorStatus.WALK_IN_GUEST
    return DoorStatus.NOT_REGISTERED


def within_door_window(meetup: Meetup, now: datetime) -> bool:
    return meetup.starts_at - DOOR_OPENS_BEFORE <= now <= meetup.ends_at + DOOR_CLOSES_AFTER


def unusual_check_in(meetup: Meetup, status: DoorStatus, now: datetime) -> list[str]:
    """Why checking in a person of ``status`` now needs a confirmation (empty: it does not)."""
    reasons = [UNUSUAL_AT_DOOR[status]] if status in UNUSUAL_AT_DOOR else []
    if not within_door_window(meetup, now):
        reasons.append("before_day" if now < meetup.starts_at else "after_day")
    return reasons


# -- changes -----------------------------------------------------------------------------

def attendance_of(session: Session, meetup: Meetup, member: Member) -> Attendance | None:
    return session.scalar(select(Attendance).where(Attendance.meetup_id == meetup.id,
                                                   Attendance.member_id == member.id))


def _record(session: Session, meetup: Meetup, member: Member, actor: Member | None,
            old: str | None, new: str | None, via: str, note: str = "") -> AttendanceChange:
    change = AttendanceChange(meetup_id=meetup.id, member_id=member.id,
                              changed_by_id=actor.id if actor else None, old_status=old,
                              new_status=new, via=via if via in VIAS else "console",
                              note=note[:500], changed_at=utcnow())
    session.add(change)
    attendance_changed.send(session, tenant_id=meetup.tenant_id, meetup_id=meetup.id,
                            member_ids=[member.id])
    return change


def _open_meetup(meetup: Meetup) -> None:
    if meetup.is_cancelled:
        raise CheckinError("cancelled")


def arrival_status(meetup: Meetup, now: datetime) -> AttendanceStatus:
    """Late once the grace period after the start has passed."""
    if now > meetup.starts_at + LATE_GRACE:
        return AttendanceStatus.LATE
    return AttendanceStatus.PRESENT


def check_in(session: Session, meetup: Meetup, member: Member, actor: Member | None,
             via: str = "door", now: datetime | None = None,
             confirmed: bool = False) -> Attendance:
    """Mark ``member`` as arrived (present, or late after the grace period).

    Checking in someone already checked in changes nothing. Someone who is not registered
    as going (waitlisted, offered a seat, unconfirmed, cancelled), or a check-in outside the
    meetup's day, raises ``NeedsConfirmation`` unless ``confirmed``.
    """
    _open_meetup(meetup)
    now = now or utcnow()
    attendance = attendance_of(session, meetup, member)
    if attendance is not None and attendance.status in ATTENDED:
        return attendance
    if not confirmed:
        registration = session.scalar(select(Registration).where(
            Registration.meetup_id == meetup.id, Registration.member_id == member.id))
        reasons = unusual_check_in(meetup, door_status(member, registration, attendance), now)
        if reasons:
            raise NeedsConfirmation(reasons)
    status = arrival_status(meetup, now)
    old = attendance.status.value if attendance else None
    if attendance is None:
        attendance = _insert_attendance(session, meetup, member, status, now)
        if attendance is None:  # another phone at the door was a moment quicker
            return check_in(session, meetup, member, actor, via, now, confirmed=True)
    attendance.status = status
    attendance.checked_in_at = now
    _record(session, meetup, member, actor, old, status.value, via)
    session.flush()
    return attendance


def _insert_attendance(session: Session, meetup: Meetup, member: Member,
                       status: AttendanceStatus, now: datetime) -> Attendance | None:
    """A new attendance row, or None when a concurrent request inserted it first."""
    row = Attendance(meetup_id=meetup.id, member_id=member.id, status=status, checked_in_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def undo_check_in(session: Session, meetup: Meetup, member: Member, actor: Member | None,
                  via: str = "door") -> None:
    """Take back a check-in made by mistake (the history keeps it)."""
    attendance = attendance_of(session, meetup, member)
    if attendance is None:
        raise CheckinError("not_checked_in")
    _record(session, meetup, member, actor, attendance.status.value, None, via)
    session.delete(attendance)
    session.flush()


def _clean(value: str | None, limit: int) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise CheckinError("too_long")
    return value


def walk_in(session: Session, meetup: Meetup, actor: Member | None, *, family_name: str,
            given_name: str = "", family_name_kana: str = "", given_name_kana: str = "",
            company: str = "", title: str = "", email: str | None = None,
            now: datetime | None = None) -> Attendance:
    """Someone who did not register turns up: a guest is created on the spot (or the member
    with that email is used) and recorded as a walk-in."""
    _open_meetup(meetup)
    fields = {
        "family_name": _clean(family_name, 60), "given_name": _clean(given_name, 60),
        "family_name_kana": to_katakana(_clean(family_name_kana, 60)),
        "given_name_kana": to_katakana(_clean(given_name_kana, 60)),
        "company": _clean(company, 120), "title": _clean(title, 80),
    }
    if not fields["family_name"]:
        raise CheckinError("name_required")
    address = _clean(email, 320).lower() or None
    if address and ("@" not in address or " " in address):
        raise CheckinError("bad_email")
    member = None
    if address:
        member = session.scalar(select(Member).where(Member.email == address))
    if member is None:
        member = Member(role=Role.MEMBER, status=MemberStatus.GUEST, email=address, **fields)
        member.name_romaji = romaji_search_key(member.family_name_kana, member.given_name_kana)
        session.add(member)
        session.flush()
    now = now or utcnow()
    attendance = attendance_of(session, meetup, member)
    old = attendance.status.value if attendance else None
    if attendance is not None and attendance.status in ATTENDED:
        return attendance
    if attendance is None:
        attendance = Attendance(meetup_id=meetup.id, member_id=member.id,
                                status=AttendanceStatus.WALK_IN)
        session.add(attendance)
    attendance.status = AttendanceStatus.WALK_IN
    attendance.checked_in_at = now
    _record(session, meetup, member, actor, old, AttendanceStatus.WALK_IN.value, "walk_in")
    session.flush()
    return attendance


def set_status(session: Session, meetup: Meetup, member: Member, status: AttendanceStatus,
               actor: Member | None, note: str = "", substitute: Member | None = None,
               substitute_name: str = "", via: str = "console",
               now: datetime | None = None) -> Attendance:
    """Set a person's status in the register (organizers correct it here afterwards).

    A substitute needs who came instead: a member of the community or a free-text name.
    Nothing is recorded when nothing changes.
    """
    status = AttendanceStatus(status)
    note = _clean(note, 500)
    substitute_name = _clean(substitute_name, 120)
    if status == AttendanceStatus.SUBSTITUTE:
        if substitute is not None and substitute.id == member.id:
            raise CheckinError("substitute_self")
        if substitute is None and not substitute_name:
            raise CheckinError("substitute_required")
    else:
        substitute, substitute_name = None, ""
    attendance = attendance_of(session, meetup, member)
    old = attendance.status if attendance else None
    substitute_id = substitute.id if substitute else None
    if attendance is not None and (attendance.status, attendance.note,
                                   attendance.substitute_member_id,
                                   attendance.substitute_name) == (
            status, note, substitute_id, "" if substitute else substitute_name):
        return attendance
    if attendance is None:
        attendance = Attendance(meetup_id=meetup.id, member_id=member.id, status=status)
        session.add(attendance)
    attendance.status = status
    attendance.note = note
    attendance.substitute_member_id = substitute_id
    attendance.substitute_name = "" if substitute else substitute_name
    if status in ATTENDED and attendance.checked_in_at is None:
        attendance.checked_in_at = now or utcnow()
    if status not in ATTENDED:
        attendance.checked_in_at = None
    detail = note
    if status == AttendanceStatus.SUBSTITUTE:
        who = substitute.display_name if substitute else substitute_name
        detail = f"{who}: {note}" if note else who
    _record(session, meetup, member, actor, old.value if old else None, status.value, via,
            detail)
    session.flush()
    return attendance


def find_member_by_name(session: Session, text: str) -> Member | None:
    """The one active member whose full name (kanji or reading, spaces ignored) is ``text``."""
    compact = "".join(to_katakana(text or "").split())
    if not compact:
        return None
    rows = session.scalars(select(Member).where(
        Member.status != MemberStatus.INACTIVE,
        or_(Member.family_name + Member.given_name == compact,
            Member.family_name_kana + Member.given_name_kana == compact),
    ).limit(2)).unique().all()
    return rows[0] if len(rows) == 1 else None


# -- QR and self check-in ----------------------------------------------------------------

def scan(session: Session, meetup: Meetup, token: str, actor: Member | None,
         now: datetime | None = None) -> tuple[Member, Attendance]:
    """Check in the holder of a registration's QR code.

    A code of another meetup or another community (the session cannot see those) is
    refused with the same answer, and nothing changes.
    """
    token = (token or "").strip()
    if "/" in token:  # a ticket URL instead of the bare token
        token = token.rstrip("/").rsplit("/", 1)[-1].split("?")[0].removesuffix(".svg")
    if not token or len(token) > 40:
        raise CheckinError("wrong_meetup")
    registration = session.scalar(select(Registration).where(Registration.checkin_token == token))
    if registration is None or registration.meetup_id != meetup.id:
        raise CheckinError("wrong_meetup")
    if registration.status != RegistrationStatus.GOING or registration.confirmed_at is None:
        raise CheckinError("not_going")
    member = registration.member
    return member, check_in(session, meetup, member, actor, via="qr", now=now)


def open_self_checkin(session: Session, meetup: Meetup, actor: Member,
                      opens_at: datetime | None = None, closes_at: datetime | None = None,
                      code: str | None = None) -> str:
    """Start the 出席コード window (by default from 30 minutes before the start to the end)."""
    _open_meetup(meetup)
    opens_at = opens_at or meetup.starts_at - SELF_CHECKIN_LEAD
    closes_at = closes_at or meetup.ends_at
    if closes_at <= opens_at:
        raise CheckinError("bad_window")
    if code is not None and not (code.isascii() and code.isdigit() and 4 <= len(code) <= 6):
        raise CheckinError("bad_code")
    meetup.checkin_code = code or f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    meetup.checkin_opens_at = opens_at
    meetup.checkin_closes_at = closes_at
    session.flush()
    return meetup.checkin_code


def close_self_checkin(session: Session, meetup: Meetup, actor: Member) -> None:
    meetup.checkin_code = ""
    meetup.checkin_opens_at = None
    meetup.checkin_closes_at = None
    session.flush()


def self_checkin_state(meetup: Meetup, now: datetime | None = None) -> str:
    """"off" (no code), "before", "open" or "after" the window."""
    now = now or utcnow()
    if not meetup.checkin_code or meetup.is_cancelled:
        return "off"
    if meetup.checkin_opens_at and now < meetup.checkin_opens_at:
        return "before"
    if meetup.checkin_closes_at and now > meetup.checkin_closes_at:
        return "after"
    return "open"


def self_check_in(session: Session, meetup: Meetup, member: Member, code: str,
                  now: datetime | None = None) -> Attendance:
    """A member types the code shown in the room."""
    now = now or utcnow()
    state = self_checkin_state(meetup, now)
    if state != "open":
        raise CheckinError(f"window_{state}")
    typed = "".join((code or "").split())
    if not hmac.compare_digest(typed.encode(), meetup.checkin_code.encode()):
        raise CheckinError("wrong_code")
    # The organizer's code window decides when; who may check in is the member's own answer.
    return check_in(session, meetup, member, member, via="self", now=now, confirmed=True)
