"""Seat offers (paid meetups' waitlist): every 5 minutes a fan-out enqueues one job per
community that expires the offers past their deadline and passes the seats on."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.tenants.meetups import registrations
from joren.workers.context import platform_job, tenant_job

EXPIRE_OFFERS_JOB = "joren.workers.offer_jobs.expire_offers"
EVERY_MINUTES = 5
UNIQUE_FOR = 3600


def period_key(now: datetime | None = None) -> str:
    """The current 5-minute slot in UTC, e.g. '2026-11-22T06-05' (used in job ids)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    minute = now.minute - now.minute % EVERY_MINUTES
    return now.strftime("%Y-%m-%dT%H-") + f"{minute:02d}"


@platform_job
def fan_out_expire_offers(session: Session) -> int:
    """For cron: enqueue ``expire_offers(tenant_id, slot)`` once per community."""
    return len(platform_jobs.fan_out(session, EXPIRE_OFFERS_JOB, period_key(),
                                     unique_for=UNIQUE_FOR))


@tenant_job
def expire_offers(session: Session, period: str = "") -> int:
    """Cancel this community's expired seat offers and offer the seats to the next people."""
    return registrations.expire_offers(session)
