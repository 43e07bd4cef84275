"""Engagement reacts to (and answers) what the features below it announce (and ask).

Imported once by ``joren.app.configure_subscribers``; importing connects the receivers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.tenants.engagement import member_pages
from joren.tenants.engagement.services import request_member_recompute
from joren.tenants.meetups.models import Registration
from joren.tenants.meetups.signals import attendance_changed, registration_cancelled
from joren.tenants.members.signals import (
    ExportColumns,
    MemberLevels,
    export_columns_wanted,
    member_levels_wanted,
)


@attendance_changed.connect
def recompute_after_attendance(session: Session, *, tenant_id: int, member_ids: list[int],
                               **_: Any) -> None:
    """A member's level depends on attendance: recompute each changed member after commit."""
    for member_id in member_ids:
        request_member_recompute(session, tenant_id, member_id)


@registration_cancelled.connect
def recompute_after_cancellation(session: Session, *, registration_id: int, **_: Any) -> None:
    """A going registration counts towards no-shows (the member's figures and the analytics
    rollups) once its meetup has ended: recompute the member after commit."""
    registration = session.get(Registration, registration_id)
    if registration is not None:
        request_member_recompute(session, registration.tenant_id, registration.member_id)


@member_levels_wanted.connect
def levels_for_the_directory(session: Session, **_: Any) -> MemberLevels:
    """The directory shows and filters by the engagement level."""
    return member_pages.member_levels()


@export_columns_wanted.connect
def export_engagement(session: Session, *, community: Community, **_: Any) -> ExportColumns:
    """The members CSV carries each member's level, attendance rate and last attendance."""
    return member_pages.export_columns(session, community)
