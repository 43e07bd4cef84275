"""The ORM layer of the tenant guard (DESIGN.md) and the database's own scope (RLS).

Two mechanisms work together. ``with_loader_criteria`` scopes what the ORM itself builds
(relationship and column loads, eager joins, joined entities), and ``scope_statement``
(joren/platform/tenant_statements.py) marks each statement so that, when it is compiled, every
SELECT in it filters each tenant table of its FROM to the community passed as the
``joren_tenant_id`` parameter of the execution (the compiled form is cached per statement
shape, not rebuilt per execution). A predicate added by both is merely repeated. New rows
are stamped with the session's community before a flush; ``TenantSession.get`` never hands
back another community's row from the identity map.

On PostgreSQL each transaction also carries the scope as settings that the row-level security
policies read (``joren.tenant_id``, and ``joren.bypass`` inside ``unscoped()``), set with
``set_config(..., true)`` so they end with the transaction and never leak through the pool.

The listeners below are registered on every SQLAlchemy Session when this module is imported;
joren/platform/db.py imports it for ``TenantSession``, so no session exists without them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import TextClause

from joren.platform.tenancy import (
    BYPASS_SETTING,
    DB_SCOPE_KEY,
    TENANT_KEY,
    TENANT_SETTING,
    UNSCOPED_KEY,
    TenantScoped,
    TenantScopeError,
)
from joren.platform.tenant_statements import (
    SCOPE,
    TENANT_PARAM,
    check_insert,
    names_tenant_table,
    references_tenant_table,
    scope_rows_update,
    scope_statement,
)

_orm_guard_enabled = True


@contextmanager
def without_orm_guard() -> Iterator[None]:
    """Test-only: switch the ORM layer off, to prove the database's row-level security alone."""
    global _orm_guard_enabled
    if "PYTEST_CURRENT_TEST" not in os.environ:
        raise RuntimeError("the ORM tenant guard can only be switched off inside the tests")
    _orm_guard_enabled = False
    try:
        yield
    finally:
        _orm_guard_enabled = True


class TenantSession(Session):
    """A Session whose ``get`` never answers another community's row from the identity map."""

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        obj = super().get(entity, ident, **kwargs)
        tenant_id = self.info.get(TENANT_KEY)
        if (
            obj is not None
            and isinstance(obj, TenantScoped)
            and tenant_id is not None
            and not self.info.get(UNSCOPED_KEY)
            and obj.tenant_id != tenant_id
        ):
            return None
        return obj


@event.listens_for(Session, "do_orm_execute")
def _guard_statement(state: ORMExecuteState) -> None:
    session = state.session
    tenant_id = session.info.get(TENANT_KEY)
    loader = state.is_relationship_load or state.is_column_load
    # A load that follows an object fetched earlier (inside a scope, or unscoped) may reach
    # its rows in a session bound to no community; the database trusts that judgement.
    # A statement may decline the database's bypass (NO_DATABASE_BYPASS): it only narrows.
    _sync_database_scope(session, follows_object=loader and tenant_id is None,
                         bypass=not state.execution_options.get(NO_DATABASE_BYPASS))
    if session.info.get(UNSCOPED_KEY) or not _orm_guard_enabled:
        return
    if tenant_id is None:
        if loader:
            # Loads that follow an object already fetched inside a scope stay safe.
            return
        if references_tenant_table(state.statement):
            raise TenantScopeError(
                "statement on a tenant table with no community in scope; "
                "use set_tenant() or, deliberately, unscoped()"
            )
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        if names_tenant_table(statement.text):
            raise TenantScopeError("textual SQL on a tenant table cannot be scoped")
        return
    if isinstance(statement, Insert):
        check_insert(state, tenant_id)
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    _scope(state, statement, tenant_id, loader)


def _scope(state: ORMExecuteState, statement: Any, tenant_id: int, loader: bool) -> None:
    if isinstance(state.parameters, list | tuple) and not loader:
        # UPDATE by primary key (the ORM's executemany): its rows are the ORM's own
        # parameters, so the community goes into the statement itself.
        state.statement = scope_rows_update(statement, tenant_id).options(
            _loader_criteria(tenant_id))
        return
    # Loads the ORM emits for a statement (selectin) inherit its options, the marker too:
    # every statement in scope carries the community's parameter.
    state.parameters = _with_tenant_param(state.parameters, tenant_id)
    options = getattr(statement, "_with_options", ())
    marked = any(o is SCOPE for o in options)
    added = []
    if not marked and not loader:
        added.append(SCOPE)
        marked = True
    # The marker scopes everything a SELECT's compiled form holds, the ORM's eager joins too.
    # The ORM's lazy and column loads carry loader criteria instead; so do a bulk UPDATE and
    # DELETE, whose synchronisation of loaded objects evaluates them in Python.
    if not marked or not state.is_select:
        criteria = _loader_criteria(tenant_id)
        if not any(o is criteria for o in options):
            added.append(criteria)
    if added:
        state.statement = scope_statement(statement, *added)


def _with_tenant_param(params: Any, tenant_id: int) -> Any:
    """The execution's parameters with the community of the scoped statement's criteria (it
    wins over a caller's value of the same name)."""
    return {**(params or {}), TENANT_PARAM: tenant_id}


_loader_criteria_by_tenant: dict[int, Any] = {}


def _loader_criteria(tenant_id: int) -> Any:
    """What the ORM itself builds (relationship and column loads, eager and joined entities),
    filtered to ``tenant_id``: one immutable option per community, built once."""
    option = _loader_criteria_by_tenant.get(tenant_id)
    if option is None:
        if len(_loader_criteria_by_tenant) > 10_000:
            _loader_criteria_by_tenant.clear()
        option = _loader_criteria_by_tenant[tenant_id] = with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    return option


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
    tenant_id = session.info.get(TENANT_KEY)
    lenient = session.info.get(UNSCOPED_KEY, False) or not _orm_guard_enabled
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} with no community in scope")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id and not lenient:
            raise TenantScopeError(
                f"{type(obj).__name__} belongs to another community than this session's"
            )
    for obj in session.deleted:
        if (
            isinstance(obj, TenantScoped)
            and tenant_id is not None
            and obj.tenant_id != tenant_id
            and not lenient
        ):
            raise TenantScopeError("cannot delete another community's row")
    # A flush writes objects already loaded or explicitly stamped: in a session bound to no
    # community the database trusts that, as the guard above does.
    _sync_database_scope(session, follows_object=tenant_id is None)


@event.listens_for(Session, "after_flush_postexec")
def _end_flush_scope(session: Session, flush_context) -> None:  # type: ignore[no-untyped-def]
    _sync_database_scope(session)


# -- the database's own scope (PostgreSQL row-level security) -------------------------------

# An execution option: this statement, though run inside ``unscoped()`` for the ORM's guard,
# needs no bypass of the database's policies (it reads the rows of other communities only
# through a function that answers for itself, rls.SESSION_MEMBERS_FUNCTION).
NO_DATABASE_BYPASS = "joren_no_database_bypass"
# What a transaction starts with: settings made with set_config(..., true) end with the
# transaction before, and nothing sets them for a whole connection (DESIGN.md), so a new
# transaction has neither a community nor the bypass, and need not be told so.
_FRESH = ("", "off")
_WANTED_KEY = "joren_wanted_db_scope"


def _wanted_scope(session: Session, follows_object: bool = False,
                  bypass: bool = True) -> tuple[str, str]:
    tenant_id = session.info.get(TENANT_KEY)
    unscoped = bypass and (session.info.get(UNSCOPED_KEY) or follows_object)
    return ("" if tenant_id is None else str(tenant_id), "on" if unscoped else "off")


def _apply_scope(connection: Connection, wanted: tuple[str, str]) -> None:
    if connection.dialect.name != "postgresql" or connection.info.get(DB_SCOPE_KEY) == wanted:
        return
    connection.exec_driver_sql(
        "SELECT set_config(%(t_name)s, %(t)s, true), set_config(%(b_name)s, %(b)s, true)",
        {"t_name": TENANT_SETTING, "t": wanted[0], "b_name": BYPASS_SETTING, "b": wanted[1]},
    )
    connection.info[DB_SCOPE_KEY] = wanted


def _sync_database_scope(session: Session, follows_object: bool = False,
                         bypass: bool = True) -> None:
    """Make the transaction's settings match the session's scope (PostgreSQL only)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    wanted = _wanted_scope(session, follows_object, bypass)
    session.info[_WANTED_KEY] = wanted  # for after_begin, should this start the transaction
    try:
        connection = session.connection()
    finally:
        session.info.pop(_WANTED_KEY, None)
    _apply_scope(connection, wanted)


def sync_database_scope(session: Session, follows_object: bool = False) -> None:
    """Set the transaction's scope back to the session's own (after statements run
    ``unscoped`` in the middle of a flush or of another statement: joren/platform/pagecache.py)."""
    _sync_database_scope(session, follows_object)


def tenant_set_by_statement(session: Session, tenant_id: int) -> None:
    """Record that a statement just run on ``session`` set the transaction's community to
    ``tenant_id`` itself (set_config(..., true), the bypass off), so that binding the session
    to that community (``set_tenant``) sends nothing more (PostgreSQL only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().info[DB_SCOPE_KEY] = (str(tenant_id), "off")


@contextmanager
def statements_alone(connection: Connection) -> Iterator[bool]:
    """On PostgreSQL, when no transaction is open on ``connection`` yet (a request's first
    statement): each statement run inside the block is a transaction of its own (psycopg's
    autocommit), so a request that runs nothing else sends neither BEGIN nor ROLLBACK.

    Whatever such a statement sets with ``set_config(..., true)`` ends with it, so nothing
    outlives it on the pooled connection: the connection's scope is the fresh one again, and
    the next statement outside the block begins a transaction and is given its scope as any
    first statement is. Yields whether the statements run alone (False when a transaction
    is open, as in the tests' shared connection, and on other databases)."""
    raw = connection.connection.driver_connection
    if (connection.dialect.name != "postgresql" or raw.autocommit
            or raw.info.transaction_status != TransactionStatus.IDLE):
        yield False
        return
    raw.autocommit = True
    try:
        yield True
    finally:
        raw.autocommit = False
        connection.info[DB_SCOPE_KEY] = _FRESH


@event.listens_for(Session, "after_begin")
def _scope_new_transaction(session: Session, transaction, connection: Connection) -> None:  # type: ignore[no-untyped-def]
    _apply_scope(connection, session.info.get(_WANTED_KEY) or _wanted_scope(session))


def _fresh_scope(connection: Connection, *args: Any) -> None:
    connection.info[DB_SCOPE_KEY] = _FRESH


def _forget_scope(connection: Connection, *args: Any) -> None:
    # Settings made with set_config(..., true) end with the transaction, and a savepoint that
    # rolls back takes its own back: the next statement sets them again.
    connection.info.pop(DB_SCOPE_KEY, None)


event.listen(Engine, "begin", _fresh_scope)
for _name in ("commit", "rollback", "rollback_savepoint"):
    event.listen(Engine, _name, _forget_scope)
