"""Meetup jobs: materialise each community's series ahead on their rolling horizon."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id
from joren.tenants.meetups.series import services as series_service
from joren.workers.context import tenant_job

MATERIALIZE_JOB = "joren.workers.meetup_jobs.materialize_community"


@tenant_job
def materialize_community(session: Session, period: str | None = None) -> int:
    """Create the occurrences every active series of the community gives up to its horizon
    (idempotent: a rerun for the same period creates nothing); return how many were new.
    A community closing for deletion gets none (if the deletion is cancelled, the next run
    makes them, with the series' registrations)."""
    community = session.get(Community, current_tenant_id(session))
    if community is None or community.is_closing:
        return 0
    return series_service.materialize_community(session, utcnow())
