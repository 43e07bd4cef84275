"""How engagement reads on the pages: the words for each level (beside the ``Level`` enum, for
every page that shows one), an attendance and an email's status on the member pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.platform.mail.models import OutboxStatus
from joren.tenants.engagement.levels import Level
from joren.tenants.meetups.models import AttendanceStatus

LEVEL_LABELS = {
    Level.NONE: _l("Not attended yet"),
    Level.FIRST_TIMER: _l("First-timer"),
    Level.ONE_TIME: _l("One-time"),
    Level.RETURNING: _l("Returning"),
    Level.REGULAR: _l("Regular"),
    Level.LAPSED_REGULAR: _l("Lapsed regular"),
}


SENT_LABELS = {
    OutboxStatus.PENDING: _l("Sending"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Email sent"),
    OutboxStatus.FAILED: _l("Could not be delivered"),
    OutboxStatus.SUPPRESSED: _l("Unsubscribed: not sent"),
}

STATUS_LABELS = {
    AttendanceStatus.PRESENT: _l("Attended"),
    AttendanceStatus.LATE: _l("Attended (late)"),
    AttendanceStatus.WALK_IN: _l("Attended (walk-in)"),
    AttendanceStatus.ABSENT: _l("Absent"),
    AttendanceStatus.EXCUSED: _l("Excused"),
    AttendanceStatus.SUBSTITUTE: _l("Sent a substitute"),
    None: _l("Not recorded"),
}
