"""Fail-closed tenant scoping for the ORM (the second of the three layers in DESIGN.md).

A session is bound to at most one community through ``session.info``. Every SELECT, UPDATE
and DELETE that touches a tenant-owned model is filtered to that community; new rows are
stamped with it; and a statement on a tenant-owned model with no community in scope raises.
``unscoped(session)`` is the one explicit escape hatch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ForeignKey, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

TENANT_KEY = "joren_tenant_id"
UNSCOPED_KEY = "joren_unscoped"


class TenantScopeError(RuntimeError):
    """A tenant-owned model was queried or written with no community in scope."""


class TenantScoped:
    """Mixin for every tenant-owned model: carries ``tenant_id`` and is guarded."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(
            ForeignKey("communities.id", ondelete="CASCADE"), nullable=False, index=True
        )


def set_tenant(session: Session, tenant_id: int) -> None:
    """Bind ``session`` to one community for its whole life."""
    current = session.info.get(TENANT_KEY)
    if current is not None and current != tenant_id:
        raise TenantScopeError("one session never serves two communities")
    session.info[TENANT_KEY] = tenant_id


def current_tenant_id(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


@contextmanager
def unscoped(session: Session) -> Iterator[Session]:
    """Run statements across communities (platform admin, job fan-out, account-wide reads)."""
    previous = session.info.get(UNSCOPED_KEY, False)
    session.info[UNSCOPED_KEY] = True
    try:
        yield session
    finally:
        session.info[UNSCOPED_KEY] = previous


def _touches_tenant_model(state: ORMExecuteState) -> bool:
    return any(issubclass(m.class_, TenantScoped) for m in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    session = state.session
    if session.info.get(UNSCOPED_KEY):
        return
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        if state.is_relationship_load or state.is_column_load:
            # Loads that follow an object already fetched inside a scope stay safe.
            return
        if _touches_tenant_model(state):
            raise TenantScopeError(
                "query on a tenant-owned model with no community in scope; "
                "use set_tenant() or, deliberately, unscoped()"
            )
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
    tenant_id = session.info.get(TENANT_KEY)
    unscoped_now = session.info.get(UNSCOPED_KEY, False)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} with no community in scope")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id and not unscoped_now:
            raise TenantScopeError(
                f"{type(obj).__name__} belongs to another community than this session's"
            )
    for obj in session.deleted:
        if (
            isinstance(obj, TenantScoped)
            and tenant_id is not None
            and obj.tenant_id != tenant_id
            and not unscoped_now
        ):
            raise TenantScopeError("cannot delete another community's row")
