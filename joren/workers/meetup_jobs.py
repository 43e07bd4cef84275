"""Meetup jobs: materialise each community's series ahead on their rolling horizon."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.tenants.meetups.series import services as series_service
from joren.workers.context import tenant_job

MATERIALIZE_JOB = "joren.workers.meetup_jobs.materialize_community"


@tenant_job
def materialize_community(session: Session, period: str | None = None) -> int:
    """Create the occurrences every active series of the community gives up to its horizon
    (idempotent: a rerun for the same period creates nothing); return how many were new."""
    return series_service.materialize_community(session, utcnow())
