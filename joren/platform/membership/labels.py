"""Words for roles, statuses and invitation states, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from joren.platform.membership.models import MemberStatus, Role

K = TypeVar("K")

ROLE_LABELS = {
    Role.OWNER: _l("Owner"),
    Role.ORGANIZER: _l("Organizer"),
    Role.STAFF: _l("Check-in staff"),
    Role.MEMBER: _l("Member"),
}

STATUS_LABELS = {
    MemberStatus.GUEST: _l("Guest"),
    MemberStatus.MEMBER: _l("Active member"),
    MemberStatus.INACTIVE: _l("Inactive"),
}

INVITATION_STATE_LABELS = {
    "pending": _l("Pending"),
    "accepted": _l("Accepted"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}


def in_language(labels: Mapping[K, object]) -> dict[K, str]:
    """``labels`` translated once, for a page that shows them on every row: a lazy string
    looks its catalog up again each time it is rendered."""
    return {key: str(label) for key, label in labels.items()}
