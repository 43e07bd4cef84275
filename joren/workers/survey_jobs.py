"""The after-meetup survey: hourly, each community queues the surveys due (each at most once:
the emails carry idempotency keys, and the fan-out's job ids are unique per hour)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id
from joren.tenants.meetups.survey import services as survey
from joren.workers.context import tenant_job


@tenant_job
def send_surveys(session: Session, period: str | None = None) -> int:
    """Queue the survey emails due now in this community."""
    community = session.get(Community, current_tenant_id(session))
    if community is None or community.is_closing:
        return 0  # a community closing for deletion sends no scheduled email
    return survey.send_due_surveys(session, community)
