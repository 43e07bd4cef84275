"""Engagement jobs: refresh stored levels after attendance changes, and in full."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.tenants.engagement import services
from joren.workers.context import tenant_job


@tenant_job
def recompute_member(session: Session, member_id: int) -> str | None:
    """Refresh one member's engagement (after a check-in or a change to the register)."""
    row = services.recompute_member(session, member_id)
    return row.level.value if row else None


@tenant_job
def recompute_community(session: Session, period: str | None = None) -> int:
    """Refresh every member of the community (settings changed; or daily, as meetups end)."""
    return services.recompute_community(session)
