"""Names of segments, statuses and delivery states, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.tenants.announcements.models import AnnouncementStatus, Segment

SEGMENT_LABELS = {
    Segment.EVERYONE.value: _l("Everyone (members and guests)"),
    Segment.REGULARS.value: _l("Regulars"),
    Segment.LAPSED_REGULARS.value: _l("Lapsed regulars"),
    Segment.REGISTERED.value: _l("Registered for a meetup"),
    Segment.NOT_REGISTERED.value: _l("Members not yet registered for a meetup"),
    Segment.GUESTS.value: _l("Guests"),
}
STATUS_LABELS = {
    AnnouncementStatus.DRAFT.value: _l("Draft"),
    AnnouncementStatus.SCHEDULED.value: _l("Scheduled"),
    AnnouncementStatus.SENDING.value: _l("Sending"),
    AnnouncementStatus.SENT.value: _l("Sent out"),
    AnnouncementStatus.CANCELLED.value: _l("Cancelled"),
}
# Delivery states of one recipient, from their outbox row.
DELIVERY_LABELS = {
    "waiting": _l("Not queued yet"),
    "queued": _l("Waiting to be sent"),
    "sent": _l("Email sent"),
    "failed": _l("Failed"),
    "unsubscribed": _l("Skipped (unsubscribed)"),
}
