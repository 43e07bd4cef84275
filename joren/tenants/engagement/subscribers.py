"""Engagement reacts to what the features below it announce.

Imported once by ``joren.app.configure_subscribers``; importing connects the receivers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from joren.tenants.engagement.services import request_member_recompute
from joren.tenants.meetups.signals import attendance_changed


@attendance_changed.connect
def recompute_after_attendance(session: Session, *, tenant_id: int, member_ids: list[int],
                               **_: Any) -> None:
    """A member's level depends on attendance: recompute each changed member after commit."""
    for member_id in member_ids:
        request_member_recompute(session, tenant_id, member_id)
