"""How an outbox message's status reads on the admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.platform.mail.models import OutboxStatus

OUTBOX_LABELS = {
    OutboxStatus.PENDING: _l("Waiting to be sent"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Delivered"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.SUPPRESSED: _l("Not sent (unsubscribed)"),
}
