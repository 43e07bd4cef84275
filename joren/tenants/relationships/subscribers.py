"""Relationships react to what the features below them announce.

Imported once by ``joren.app.configure_subscribers``; importing connects the receivers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from joren.tenants.meetups.signals import attendance_changed
from joren.tenants.relationships.services import request_member_refresh


@attendance_changed.connect
def refresh_after_attendance(session: Session, *, tenant_id: int, member_ids: list[int],
                             **_: Any) -> None:
    """The ledger counts meetups attended together: refresh each changed member after commit."""
    for member_id in member_ids:
        request_member_refresh(session, tenant_id, member_id)

