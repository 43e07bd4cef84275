"""Privacy's periodic work: accounts whose deletion grace period has passed are deleted
(tenants/privacy/accounts.py); what the retention rules no longer keep is emptied
(tenants/privacy/retention.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.privacy import accounts, audit_log, erasure, retention
from joren.workers.context import CommunityGone, job_session, platform_job, tenant_job

log = logging.getLogger("joren.privacy")


def purge_deleted_accounts() -> int:
    """For cron, daily: erase each due account's memberships, one community at a time (each
    in its own session, bound to that community), then delete the account. Idempotent: a
    job killed half-way leaves the rest for the next run."""
    now = utcnow()
    with job_session(None) as session:
        due = accounts.due_for_deletion(session, now)
    deleted = 0
    for account_id in due:
        with job_session(None) as session:
            memberships = accounts.memberships_of(session, account_id)
        for tenant_id, member_id in memberships:
            try:
                with job_session(tenant_id) as session:
                    member = session.get(Member, member_id)
                    if member is not None and member.account_id == account_id:
                        erasure.erase_member(session, member, actor=None, now=now, force=True)
            except CommunityGone:
                continue
        with job_session(None) as session:
            if accounts.delete_account(session, account_id, now):
                deleted += 1
                log.info("account %s deleted after its grace period", account_id)
    return deleted


@tenant_job
def purge_retained(session: Session, day: str) -> int:
    """For cron (fan-out, daily): empty this community's old uploads and emails."""
    periods = retention.community_periods(
        session, retention.installation_periods(current_app.config))
    now = utcnow()
    purged = retention.purge_community(session, _tenant(session), periods, now)
    entries = audit_log.purge(session, _tenant(session), now - _audit_period())
    return purged.import_files + purged.emails + entries


@platform_job
def purge_retained_installation(session: Session) -> int:
    """For cron, daily: Stripe's old payloads, old emails of no community, and old audit
    entries of no community (operators' actions on accounts and the installation)."""
    now = utcnow()
    purged = retention.purge_installation(session, current_app.config, now)
    entries = audit_log.purge(session, None, now - _audit_period())
    return purged.webhook_payloads + purged.emails + entries


def _audit_period() -> timedelta:
    return timedelta(days=int(current_app.config["RETENTION_AUDIT_DAYS"]))


def _tenant(session: Session) -> int:
    return int(current_tenant_id(session))  # type: ignore[arg-type]
