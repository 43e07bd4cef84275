"""Relationship ledger jobs: refresh one member's rows after a check-in, and rebuild daily."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.tenants.relationships import services
from joren.workers.context import tenant_job


@tenant_job
def refresh_member(session: Session, member_id: int) -> None:
    """Refresh every ledger row of one member (after a change to the attendance register)."""
    services.refresh_member(session, member_id)


@tenant_job
def rebuild(session: Session, period: str | None = None) -> int:
    """Recompute the community's whole ledger from its sources (daily, as a safety net)."""
    return services.rebuild(session)
