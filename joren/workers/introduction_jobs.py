"""Introduction jobs: matching cycles by each community's cadence, and the expiry sweep."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id, unscoped
from joren.tenants.introductions import cycles, services, verdicts
from joren.tenants.introductions.models import (
    Cadence,
    Introduction,
    IntroductionSettings,
    IntroductionStatus,
)
from joren.workers.context import platform_job, tenant_job

RUN_CYCLE_JOB = "joren.workers.introduction_jobs.run_introduction_cycle"
EXPIRE_JOB = "joren.workers.introduction_jobs.expire_introductions"
# A period's job id is remembered longer than the longest period (a month) plus slack.
CYCLE_UNIQUE_FOR = platform_jobs.unique_for_period("month")
EXPIRE_UNIQUE_FOR = platform_jobs.unique_for_period("hour")


def due_cycles(session: Session, now: datetime) -> list[tuple[int, str]]:
    """(community id, period) of every community whose cadence is due now."""
    with unscoped(session):
        # A community closing for deletion (or deleted) runs no cycle.
        communities = list(session.scalars(
            select(Community.id).where(Community.deletion_requested_at.is_(None),
                                       Community.deleted_at.is_(None))
            .order_by(Community.id)))
        cadences = {tenant_id: cadence for tenant_id, cadence in session.execute(
            select(IntroductionSettings.tenant_id, IntroductionSettings.cadence))}
        last = cycles.last_scheduled_starts(session)
    due = []
    for tenant_id in communities:
        cadence = cadences.get(tenant_id, Cadence.MONTHLY)
        period = cycles.due_period(cadence, now, last.get(tenant_id))
        if period is not None:
            due.append((tenant_id, period))
    return due


@platform_job
def fan_out_introduction_cycles(session: Session) -> int:
    """For cron (daily): enqueue a cycle for each community whose cadence is due."""
    due = due_cycles(session, utcnow())
    for tenant_id, period in due:
        platform_jobs.enqueue_after_commit(
            session, RUN_CYCLE_JOB, tenant_id, period,
            job_id=platform_jobs.fan_out_job_id(RUN_CYCLE_JOB, tenant_id, period),
            unique_for=CYCLE_UNIQUE_FOR)
    return len(due)


@tenant_job
def run_introduction_cycle(session: Session, period: str, actor_id: int | None = None) -> int:
    """Run the matching engine for this community and period (nothing new if already run);
    nothing for a community closing for deletion."""
    community = session.get(Community, current_tenant_id(session))
    if community is None or community.is_closing:
        return 0
    return cycles.run_cycle(session, period, actor_id=actor_id).suggested


@tenant_job
def judge_profiles(session: Session, member_ids: list[int]) -> int:
    """The trained verifier's verdicts on these members' new profile sentences (after a
    profile change), stored for the next cycles; returns the tags judged."""
    return verdicts.judge_members(session, member_ids)


@platform_job
def fan_out_expire_introductions(session: Session) -> int:
    """For cron (hourly): enqueue the expiry for each community with overdue introductions."""
    now = utcnow()
    with unscoped(session):
        tenant_ids = list(session.scalars(
            select(Introduction.tenant_id).distinct()
            .where(Introduction.status == IntroductionStatus.SENT,
                   Introduction.expires_at <= now)
            .order_by(Introduction.tenant_id)))
    hour = platform_jobs.period_key("hour", now)
    for tenant_id in tenant_ids:
        platform_jobs.enqueue_after_commit(
            session, EXPIRE_JOB, tenant_id, hour,
            job_id=platform_jobs.fan_out_job_id(EXPIRE_JOB, tenant_id, hour),
            unique_for=EXPIRE_UNIQUE_FOR)
    return len(tenant_ids)


@tenant_job
def expire_introductions(session: Session, period: str = "") -> int:
    """Close this community's introductions that were not answered in time."""
    return services.expire_due(session)
