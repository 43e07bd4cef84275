"""How long Joren keeps what it no longer needs (issue 17), and the purge that enforces it.

- Uploaded CSV files (an import batch's text, names and addresses included): emptied after
  ``RETENTION_IMPORT_DAYS`` (default 30). The batch's counts and mapping stay.
- Sent, failed or suppressed emails: subject, bodies, headers, attachments and address
  emptied after ``RETENTION_OUTBOX_DAYS`` (default 90). The row and its idempotency key stay,
  so a purged email is never sent again. Emails still waiting are never touched.
- Stripe's event payloads (which carry customers' names and addresses): emptied after
  ``RETENTION_WEBHOOK_DAYS`` (default 90), once processed.
- A deleted account's leftovers: the account deletion job (accounts.py) removes them when the
  grace period ends.
- Audit log entries (audit.py): deleted after ``RETENTION_AUDIT_DAYS`` (default 730), by
  ``audit_log.purge`` (each community's, and once for those of no community), the only path
  that may delete one. Until then an entry keeps the values it recorded, the changed fields
  before and after, which may name a person, also after that person is removed from the
  community (erasure.py): the log is the community's and Joren's record of who did what with
  members' data, and rewriting it on erasure would defeat it. The removal itself adds one entry
  without the erased values. Besides uploaded files and Stripe's payloads (above, until their
  own periods end), these entries are the only place an erased member's name may still be
  found (tests/tenants/privacy/test_erasure.py checks exactly that).

The first two and the audit period a community may set for itself (``RetentionSettings``; the
audit log a year at least); the installation's values apply otherwise. The purge runs daily
(joren/workers/privacy_jobs.py): per community for the first two and its audit entries, once
for the installation for Stripe's payloads, the emails of no community and the operators'
audit entries of no community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from joren.platform.billing.models import StripeEvent
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.tenants.imports.models import ImportBatch
from joren.tenants.privacy.models import RetentionSettings

MIN_DAYS, MAX_DAYS = 1, 3650
# An owner may keep the audit log longer than the installation does, or shorter, but never
# less than a year: the log is how organizers show who did what, also to their own members.
MIN_AUDIT_DAYS = 365
FINISHED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SUPPRESSED)
EMPTY_EMAIL = {"subject": "", "text_body": "", "html_body": "", "headers": {},
               "attachments": [], "render_context": None, "to_email": ""}


@dataclass(frozen=True)
class Periods:
    import_days: int
    outbox_days: int
    audit_days: int


def installation_periods(config: dict[str, object]) -> Periods:
    return Periods(import_days=int(config["RETENTION_IMPORT_DAYS"]),  # type: ignore[call-overload]
                   outbox_days=int(config["RETENTION_OUTBOX_DAYS"]),  # type: ignore[call-overload]
                   audit_days=int(config["RETENTION_AUDIT_DAYS"]))  # type: ignore[call-overload]


def community_periods(session: Session, defaults: Periods) -> Periods:
    """The session's community's periods: its own where it set them, else the installation's."""
    return periods_of(session.scalar(select(RetentionSettings)), defaults)


def periods_of(own: RetentionSettings | None, defaults: Periods) -> Periods:
    """The periods of the community whose settings row is ``own`` (None: it has none)."""
    if own is None:
        return defaults
    return Periods(import_days=own.import_days or defaults.import_days,
                   outbox_days=own.outbox_days or defaults.outbox_days,
                   audit_days=own.audit_days or defaults.audit_days)


def save_periods(session: Session, import_days: int | None, outbox_days: int | None,
                 audit_days: int | None = None) -> None:
    """Store the community's own periods (None: the installation's)."""
    for value, low in ((import_days, MIN_DAYS), (outbox_days, MIN_DAYS),
                       (audit_days, MIN_AUDIT_DAYS)):
        if value is not None and not low <= value <= MAX_DAYS:
            raise ValueError(value)
    own = session.scalar(select(RetentionSettings))
    if own is None:
        own = RetentionSettings()
        session.add(own)
    own.import_days, own.outbox_days, own.audit_days = import_days, outbox_days, audit_days
    session.flush()


@dataclass(frozen=True)
class Purged:
    import_files: int = 0
    emails: int = 0
    webhook_payloads: int = 0


def _empty_emails(session: Session, before: datetime, community_id: int | None) -> int:
    owner = (OutboxMessage.community_id.is_(None) if community_id is None
             else OutboxMessage.community_id == community_id)
    result = session.execute(
        update(OutboxMessage)
        .where(owner, OutboxMessage.status.in_(FINISHED), OutboxMessage.created_at < before,
               or_(OutboxMessage.to_email != "", OutboxMessage.text_body != ""))
        .values(**EMPTY_EMAIL))
    return result.rowcount or 0


def purge_community(session: Session, tenant_id: int, periods: Periods,
                    now: datetime) -> Purged:
    """Empty the session's community's files and emails older than its periods."""
    files = session.execute(
        update(ImportBatch)
        .where(ImportBatch.created_at < now - timedelta(days=periods.import_days),
               ImportBatch.text != "")
        .values(text=""))
    emails = _empty_emails(session, now - timedelta(days=periods.outbox_days), tenant_id)
    return Purged(import_files=files.rowcount or 0, emails=emails)


def purge_installation(session: Session, config: dict[str, object], now: datetime) -> Purged:
    """Stripe's payloads and the emails of no community (sign-up, sign-in, account mail)."""
    days = int(config["RETENTION_WEBHOOK_DAYS"])  # type: ignore[call-overload]
    payloads = session.execute(
        update(StripeEvent)
        .where(StripeEvent.processed_at.is_not(None),
               StripeEvent.received_at < now - timedelta(days=days), StripeEvent.payload != "")
        .values(payload=""))
    emails = _empty_emails(session, now - timedelta(
        days=installation_periods(config).outbox_days), None)
    return Purged(emails=emails, webhook_payloads=payloads.rowcount or 0)
