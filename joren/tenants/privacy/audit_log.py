"""Reading the audit log (audit.py writes it): the owner's filters, a page, the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from joren.platform.pagination import Page, offset_of
from joren.tenants.privacy.models import AuditEntry

PER_PAGE = 50
ACTIONS = ("create", "update", "delete", "bulk", "export")
MAX_CSV_ROWS = 50_000


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    action: str = ""
    entity: str = ""
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list[Any]:
        out: list[Any] = []
        if self.actor:
            out.append(func.lower(AuditEntry.actor_name).contains(self.actor.lower(),
                                                                  autoescape=True))
        if self.action in ACTIONS:
            out.append(AuditEntry.action == self.action)
        if self.entity:
            out.append(AuditEntry.entity == self.entity)
        if self.since is not None:
            out.append(AuditEntry.created_at >= datetime.combine(self.since, time(), UTC))
        if self.until is not None:
            out.append(AuditEntry.created_at < datetime.combine(self.until, time(), UTC)
                       + timedelta(days=1))
        return out


def page(session: Session, filters: Filters, number: int) -> Page[AuditEntry]:
    """One page of the session's community's entries, newest first (two statements)."""
    conditions = filters.conditions()
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    rows = list(session.scalars(
        select(AuditEntry).where(*conditions)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset(offset_of(number, PER_PAGE)).limit(PER_PAGE)))
    return Page(items=rows, total=total or 0, page=number, per_page=PER_PAGE)


def entities(session: Session) -> list[str]:
    """The kinds of things the log names, for the filter."""
    return [e for e in session.scalars(select(AuditEntry.entity).distinct()
                                       .order_by(AuditEntry.entity)) if e]


def rows_for_csv(session: Session, filters: Filters) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(*filters.conditions())
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(MAX_CSV_ROWS)))


def purge(session: Session, tenant_id: int, before: datetime) -> int:
    """The community's entries older than the retention period go (the nightly purge, in an
    unscoped session: the append-only policy lets only the bypass delete)."""
    return session.execute(delete(AuditEntry).where(
        AuditEntry.tenant_id == tenant_id, AuditEntry.created_at < before)).rowcount or 0
