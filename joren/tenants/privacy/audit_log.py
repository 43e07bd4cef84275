"""Reading the audit log (audit.py writes it): the owner's filters, a page, the CSV; the
operators' page of their own entries (every community's and none); the retention purge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from joren.platform.pagination import Page, offset_of
from joren.platform.rls import allow_purge
from joren.platform.tenancy import unscoped
from joren.tenants.privacy.audit import PURGING
from joren.tenants.privacy.models import ActorKind, AuditEntry

PER_PAGE = 50
ACTIONS = ("create", "update", "delete", "bulk", "export", "erase")
OPERATOR_KINDS = (ActorKind.OPERATOR, ActorKind.CLI)
MAX_CSV_ROWS = 50_000


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    action: str = ""
    entity: str = ""
    since: date | None = None
    until: date | None = None

    # The operators' page only: the community (None: any; 0: entries of no community).
    community_id: int | None = None

    def conditions(self, operators: bool = False) -> list[Any]:
        out: list[Any] = []
        if self.actor:
            out.append(func.lower(AuditEntry.actor_name).contains(self.actor.lower(),
                                                                  autoescape=True))
            if not operators:  # an owner searches their members, never an operator's name
                out.append(AuditEntry.actor_kind == ActorKind.MEMBER)
        if self.action in ACTIONS:
            out.append(AuditEntry.action == self.action)
        if self.entity:
            out.append(AuditEntry.entity == self.entity)
        if self.since is not None:
            out.append(AuditEntry.created_at >= datetime.combine(self.since, time(), UTC))
        if self.until is not None:
            out.append(AuditEntry.created_at < datetime.combine(self.until, time(), UTC)
                       + timedelta(days=1))
        if operators:
            out.append(AuditEntry.actor_kind.in_(OPERATOR_KINDS))
            if self.community_id == 0:
                out.append(AuditEntry.tenant_id.is_(None))
            elif self.community_id is not None:
                out.append(AuditEntry.tenant_id == self.community_id)
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


def log_state(session: Session) -> list[int]:
    """The session's community's log as (entries, newest id), one statement. The log is
    appended to and its oldest entries purged, never changed: while both stay the same,
    nothing in it changed (the audit page keeps what it showed while they do)."""
    count, newest = session.execute(select(func.count(), func.max(AuditEntry.id))
                                    .select_from(AuditEntry)).one()
    return [int(count or 0), int(newest or 0)]


def entities(session: Session) -> list[str]:
    """The kinds of things the log names, for the filter."""
    return [e for e in session.scalars(select(AuditEntry.entity).distinct()
                                       .order_by(AuditEntry.entity)) if e]


# What the CSV files show of an entry: its columns as plain rows (attributes of the same
# names), not entities the session would track.
CSV_COLUMNS = (AuditEntry.tenant_id, AuditEntry.created_at, AuditEntry.actor_kind,
               AuditEntry.actor_member_id, AuditEntry.actor_name, AuditEntry.ip,
               AuditEntry.method, AuditEntry.path, AuditEntry.action, AuditEntry.entity,
               AuditEntry.entity_id, AuditEntry.changes)


def rows_for_csv(session: Session, filters: Filters) -> list[Any]:
    return list(session.execute(
        select(*CSV_COLUMNS).where(*filters.conditions())
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(MAX_CSV_ROWS)))


def operator_page(session: Session, filters: Filters, number: int) -> Page[AuditEntry]:
    """One page of the operators' entries, every community's and none, newest first (two
    statements; the platform admin's deliberate read across communities)."""
    conditions = filters.conditions(operators=True)
    with unscoped(session):
        total = session.scalar(select(func.count()).select_from(AuditEntry)
                               .where(*conditions))
        rows = list(session.scalars(
            select(AuditEntry).where(*conditions)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .offset(offset_of(number, PER_PAGE)).limit(PER_PAGE)))
    return Page(items=rows, total=total or 0, page=number, per_page=PER_PAGE)


def operator_rows_for_csv(session: Session, filters: Filters) -> list[Any]:
    with unscoped(session):
        return list(session.execute(
            select(*CSV_COLUMNS).where(*filters.conditions(operators=True))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(MAX_CSV_ROWS)))


def operator_entities(session: Session) -> list[str]:
    with unscoped(session):
        return [e for e in session.scalars(
            select(AuditEntry.entity).where(AuditEntry.actor_kind.in_(OPERATOR_KINDS))
            .distinct().order_by(AuditEntry.entity)) if e]


def purge(session: Session, tenant_id: int | None, before: datetime) -> int:
    """The entries of one community (None: of no community) older than ``before`` go: the
    nightly retention purge (RETENTION_AUDIT_DAYS), the one path that deletes an entry. On
    PostgreSQL the append-only policy lets a transaction delete only after ``allow_purge``."""
    owner = (AuditEntry.tenant_id.is_(None) if tenant_id is None
             else AuditEntry.tenant_id == tenant_id)
    session.info[PURGING] = True
    try:
        with unscoped(session):
            allow_purge(session.connection())
            return session.execute(delete(AuditEntry).where(
                owner, AuditEntry.created_at < before)).rowcount or 0
    finally:
        session.info.pop(PURGING, None)
