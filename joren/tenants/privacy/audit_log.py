"""Reading the audit log (audit.py writes it): the owner's filters, a page, the CSV; the
operators' page of their own entries (every community's and none); the retention purge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    cast,
    delete,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from joren.platform.pagination import Page, offset_of
from joren.platform.rls import allow_purge
from joren.platform.tenancy import TENANT_KEY, TENANT_SETTING, unscoped
from joren.platform.tenant_guard import statements_alone
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


def log_state_alone(session: Session) -> list[int]:
    """``log_state`` as a statement of its own when the request has no transaction open yet
    (tenant_guard.statements_alone): the kept audit page checks it on every view, and
    through the ORM that one statement would open a transaction, set its community and roll
    it back (four round trips). The log is the community's rows (row-level security): the
    statement sets the community itself in its first column, before the columns that read
    the log (as the sign-in statement does, accounts.signed_in), and names it in their
    filter too; the setting ends with the statement. Inside an open transaction it is read
    as ``log_state`` is."""
    tenant_id = session.info.get(TENANT_KEY)
    connection = session.connection()
    if tenant_id is None or connection.dialect.name != "postgresql":
        return log_state(session)
    with statements_alone(connection) as alone:
        row = (connection.execute(_STATE_ALONE, {"audit_tenant": tenant_id}).one()
               if alone else None)
    if row is None:
        return log_state(session)
    return [int(row[2] or 0), int(row[3] or 0)]


def _state_alone() -> Any:
    entries = AuditEntry.__table__.alias("audit_state")
    tenant = bindparam("audit_tenant", type_=Integer)
    # The first column names the statement (a statement that begins with set_config is
    # taken for the guard's own by the statement counters of the tests and the benchmark).
    return select(literal_column("'audit_state'"),
                  func.set_config(TENANT_SETTING, cast(tenant, String), True),
                  select(func.count()).select_from(entries)
                  .where(entries.c.tenant_id == tenant).scalar_subquery(),
                  select(func.max(entries.c.id))
                  .where(entries.c.tenant_id == tenant).scalar_subquery())


_STATE_ALONE = _state_alone()


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
