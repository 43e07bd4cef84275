"""Engagement jobs: refresh stored levels and the analytics rollups after attendance changes,
and in full."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.tenants.engagement import services
from joren.tenants.engagement.rollups import store
from joren.workers.context import tenant_job


@tenant_job
def recompute_member(session: Session, member_id: int) -> str | None:
    """Refresh one member's engagement and their part of the analytics rollups (after a
    check-in or a change to the register)."""
    row = services.recompute_member(session, member_id)
    store.update_members(session, [member_id])
    return row.level.value if row else None


@tenant_job
def recompute_community(session: Session, period: str | None = None) -> int:
    """Refresh every member of the community and rebuild the analytics rollups (settings
    changed, an import, or daily, as meetups end)."""
    count = services.recompute_community(session)
    store.rebuild(session)
    return count


@tenant_job
def refresh_rollups(session: Session, period: str | None = None) -> bool:
    """Rebuild the analytics rollups if a meetup started, ended or moved since they were
    built (the page asks for this when it finds them out of date; hourly as a safety net)."""
    return store.refresh(session)
