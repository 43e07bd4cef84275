"""Fail-closed tenant scoping: the session's community and the one escape hatch.

A session is bound to at most one community through ``session.info``. Every statement that
touches a tenant table, whatever its shape (entities, bare columns, aggregates, scalar
subqueries, EXISTS, CTEs, UNIONs, Core tables and joins, bulk UPDATE/DELETE/INSERT), is
scoped to that community; new rows are stamped with it; ``Session.get`` and the identity map
never hand back another community's row; and anything the guard cannot scope (textual SQL
naming a tenant table, an INSERT from a SELECT, a join without an ON clause) raises.

This module is the API features use (``TenantScoped``, ``set_tenant``, ``unscoped``); the
guard that enforces it is joren/platform/tenant_guard.py (session events, PostgreSQL's
row-level security settings) with joren/platform/tenant_statements.py (statement rewriting).

``unscoped(session)`` is the one explicit escape hatch; it is logged with its caller.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column
from sqlalchemy.sql.selectable import TableClause

log = logging.getLogger("joren.tenancy")

TENANT_KEY = "joren_tenant_id"
UNSCOPED_KEY = "joren_unscoped"
DB_SCOPE_KEY = "joren_db_scope"
TENANT_SETTING = "joren.tenant_id"
BYPASS_SETTING = "joren.bypass"

_tables: dict[str, TableClause] = {}


class TenantScopeError(RuntimeError):
    """A tenant table was touched with no community in scope, or in a way the guard cannot
    scope."""


class TenantScoped:
    """Mixin for every tenant-owned model: carries ``tenant_id`` and is guarded."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _tables.clear()

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(
            ForeignKey("communities.id", ondelete="CASCADE"), nullable=False, index=True
        )


def tenant_tables() -> dict[str, TableClause]:
    """Every tenant-owned table by name (rebuilt when a model is added)."""
    if not _tables:
        pending: list[type] = [TenantScoped]
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            table = cls.__dict__.get("__table__")
            if table is not None:
                _tables[table.name] = table
    return _tables


def set_tenant(session: Session, tenant_id: int) -> None:
    """Bind ``session`` to one community for its whole life.

    Rows of other communities loaded earlier (through ``unscoped``) leave the identity map,
    so nothing can hand them back inside this community's scope.
    """
    current = session.info.get(TENANT_KEY)
    if current is not None and current != tenant_id:
        raise TenantScopeError("one session never serves two communities")
    session.info[TENANT_KEY] = tenant_id
    for obj in list(session.identity_map.values()):
        if isinstance(obj, TenantScoped) and obj.tenant_id != tenant_id:
            if obj in session.dirty:
                raise TenantScopeError("unsaved changes to another community's row")
            session.expunge(obj)


def current_tenant_id(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


@contextmanager
def unscoped(session: Session) -> Iterator[Session]:
    """Run statements across communities (platform admin, job fan-out, account-wide reads)."""
    log.debug("tenant guard bypassed (unscoped)", stacklevel=3)
    previous = session.info.get(UNSCOPED_KEY, False)
    session.info[UNSCOPED_KEY] = True
    try:
        yield session
    finally:
        session.info[UNSCOPED_KEY] = previous
