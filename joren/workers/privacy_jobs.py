"""Privacy's periodic work: accounts and communities whose deletion grace period has passed
are deleted (tenants/privacy/accounts.py, closing.py), with what a community's deletion owes
Stripe; what the retention rules no longer keep is emptied (tenants/privacy/retention.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.privacy import accounts, audit_log, closing, erasure, retention
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


def purge_deleted_communities() -> int:
    """For cron, daily: erase each community whose deletion grace period has passed (each in
    its own transaction), then do what deletions still owe Stripe (set the plan to end, undo
    that, cancel it and forget the connected account), recording failures for the next run.
    Idempotent: an erased community is not erased again; a Stripe step done is not redone."""
    now = utcnow()
    with job_session(None) as session:
        due = closing.due_for_deletion(session, now, current_app.config)
    erased = 0
    for tenant_id in due:
        try:
            with job_session(tenant_id) as session:
                community = session.get(Community, tenant_id)
                if community is not None and closing.erase_community(session, community, now):
                    erased += 1
        except CommunityGone:
            continue
        except Exception:  # noqa: BLE001 - one community's failure must not stop the others
            log.exception("community %s: erasure failed; tried again on the next run",
                          tenant_id)
    with job_session(None) as session:
        owed = closing.stripe_owed(session)
    for tenant_id in owed:
        settle_community_stripe(tenant_id)
    with job_session(None) as session:
        closing.empty_late_notices(session)
    return erased


@tenant_job
def settle_community_stripe(session: Session) -> bool:
    """What the community's deletion (or its cancellation) owes Stripe, now (enqueued when
    the owner asks or cancels; the daily job retries)."""
    community = session.get(Community, _tenant(session))
    return community is not None and closing.settle_stripe(session, community)


@tenant_job
def purge_retained(session: Session, day: str) -> int:
    """For cron (fan-out, daily): empty this community's old uploads and emails."""
    periods = retention.community_periods(
        session, retention.installation_periods(current_app.config))
    now = utcnow()
    purged = retention.purge_community(session, _tenant(session), periods, now)
    entries = audit_log.purge(session, _tenant(session),
                              now - timedelta(days=periods.audit_days))
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
