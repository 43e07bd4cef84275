"""How registration and attendance statuses read on the pages, beside their enums."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.tenants.meetups.models import AttendanceStatus, RegistrationStatus

STATUS_LABELS = {
    RegistrationStatus.GOING: _l("Going"),
    RegistrationStatus.WAITLISTED: _l("Waitlisted"),
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.CANCELLED: _l("Registration cancelled"),
    RegistrationStatus.NOT_GOING: _l("Not going"),
    RegistrationStatus.OFFERED: _l("Seat offered"),
    RegistrationStatus.AWAITING_PAYMENT: _l("Awaiting payment"),
}

SOURCE_LABELS = {
    "portal": _l("Member portal"),
    "series": _l("Whole series"),
    "guest": _l("Guest form"),
    # Taken by hand by an organizer (registrations.manual.MANUAL_SOURCES).
    "phone": _l("Phone (by the organizer)"),
    "line": _l("LINE (by the organizer)"),
    "email": _l("Email (by the organizer)"),
    "in_person": _l("In person (by the organizer)"),
    "other": _l("Other (by the organizer)"),
}

ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: _l("Attended"),
    AttendanceStatus.LATE: _l("Attended (late)"),
    AttendanceStatus.ABSENT: _l("Absent"),
    AttendanceStatus.EXCUSED: _l("Excused"),
    AttendanceStatus.SUBSTITUTE: _l("Substitute came"),
    AttendanceStatus.WALK_IN: _l("Walk-in"),
}
