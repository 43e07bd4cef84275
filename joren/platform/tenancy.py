"""Fail-closed tenant scoping (the ORM layer of DESIGN.md) and the database's own scope (RLS).

A session is bound to at most one community through ``session.info``. Every statement that
touches a tenant table, whatever its shape (entities, bare columns, aggregates, scalar
subqueries, EXISTS, CTEs, UNIONs, Core tables and joins, bulk UPDATE/DELETE/INSERT), is
scoped to that community; new rows are stamped with it; ``Session.get`` and the identity map
never hand back another community's row; and anything the guard cannot scope (textual SQL
naming a tenant table, an INSERT from a SELECT, a join without an ON clause) raises.

Two mechanisms work together. ``with_loader_criteria`` scopes what the ORM itself builds
(relationship and column loads, eager joins, joined entities), and ``_scope_statement``
rewrites the statement so that every SELECT in it filters each tenant table of its FROM
(WHERE for a table it selects from, the ON clause for a table it joins). A predicate added by
both is merely repeated.

On PostgreSQL each transaction also carries the scope as settings that the row-level security
policies read (``joren.tenant_id``, and ``joren.bypass`` inside ``unscoped()``), set with
``set_config(..., true)`` so they end with the transaction and never leak through the pool.

``unscoped(session)`` is the one explicit escape hatch; it is logged with its caller.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ForeignKey, Integer, and_, bindparam, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import ColumnClause, TextClause
from sqlalchemy.sql.lambdas import StatementLambdaElement
from sqlalchemy.sql.selectable import Alias, CompoundSelect, Join, Select, TableClause

log = logging.getLogger("joren.tenancy")

TENANT_KEY = "joren_tenant_id"
UNSCOPED_KEY = "joren_unscoped"
DB_SCOPE_KEY = "joren_db_scope"
TENANT_SETTING = "joren.tenant_id"
BYPASS_SETTING = "joren.bypass"

_tables: dict[str, TableClause] = {}
_orm_guard_enabled = True


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


# -- finding tenant tables in a statement ---------------------------------------------------

def _tenant_from(element: Any) -> Any | None:
    """The FROM element itself when it is a tenant table or an alias of one, else None."""
    if isinstance(element, TableClause):
        return element if element.name in tenant_tables() else None
    if isinstance(element, Alias) and isinstance(element.element, TableClause):
        return element if element.element.name in tenant_tables() else None
    return None


def _key(element: Any) -> Any:
    # Annotated copies (the ORM's) of one table or alias share its name, not its identity.
    if isinstance(element, TableClause):
        return element.name
    return ("alias", str(element.name))


def _references_tenant_table(statement: Any) -> bool:
    for element in visitors.iterate(statement):
        if isinstance(element, TextClause):
            if _names_tenant_table(element.text):
                return True
        elif _tenant_from(element) is not None or (
            isinstance(element, ColumnClause) and _tenant_from(element.table) is not None
        ):
            return True
    return False


_word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _names_tenant_table(sql: str) -> bool:
    names = tenant_tables()
    return any(word.lower() in names for word in _word.findall(sql))


def _join_target(target: Any) -> Any | None:
    """The selectable that an ORM or Core join target stands for."""
    if _tenant_from(target) is not None:
        return target
    info = inspect(target, raiseerr=False)
    if info is None:
        return None
    prop = getattr(info, "property", None)
    if prop is not None and hasattr(prop, "entity"):  # a relationship attribute
        of_type = getattr(info, "_of_type", None)
        info = inspect(of_type) if of_type is not None else prop.entity
    return getattr(info, "selectable", None)


# -- scoping a statement ---------------------------------------------------------------------

_criteria: dict[tuple[str, int], Any] = {}


def _criterion(from_element: Any, tenant_id: int) -> Any:
    if isinstance(from_element, TableClause) and from_element.name in tenant_tables():
        # A table's criterion is immutable: build it once per table and community.
        key = (from_element.name, tenant_id)
        found = _criteria.get(key)
        if found is None:
            if len(_criteria) > 50_000:
                _criteria.clear()
            table = tenant_tables()[from_element.name]
            found = _criteria[key] = table.c.tenant_id == bindparam(
                None, tenant_id, type_=Integer())
        return found
    column = from_element.c.get("tenant_id") if hasattr(from_element, "c") else None
    if column is None:
        raise TenantScopeError(f"cannot scope {from_element!r}: it has no tenant_id column")
    return column == bindparam(None, tenant_id, type_=Integer())


def _joined_sides(element: Any) -> Iterator[Any]:
    """The tenant tables joined (not selected from) in a Core join tree."""
    while isinstance(element, Join):
        right = _tenant_from(_leftmost(element.right))
        if right is not None:
            yield right
        yield from _joined_sides(element.right)
        element = element.left


def _leftmost(element: Any) -> Any:
    while isinstance(element, Join):
        element = element.left
    return element


def _from_objects(clauses: Iterable[Any]) -> Iterator[Any]:
    for clause in clauses:
        yield from clause._from_objects  # noqa: SLF001 - the tables a clause refers to


def _scope_select(select: Select, tenant_id: int) -> None:
    targets: set[Any] = set()
    setup_joins = []
    for target, onclause, left, flags in select._setup_joins:  # noqa: SLF001
        joined = _join_target(target)
        if joined is not None and _tenant_from(joined) is not None:
            targets.add(_key(joined))
            if _tenant_from(target) is not None:  # Core: the ORM adds nothing for it
                if onclause is None:
                    raise TenantScopeError("cannot scope a join to a tenant table without ON")
                onclause = and_(onclause, _criterion(target, tenant_id))
        setup_joins.append((target, onclause, left, flags))
    select._setup_joins = tuple(setup_joins)  # noqa: SLF001
    for from_element in select._from_obj:  # noqa: SLF001 - Core joins: scoped in their ON
        targets.update(_key(right) for right in _joined_sides(from_element))

    candidates = [
        *select.columns_clause_froms,
        *select._from_obj,  # noqa: SLF001
        *(left for _t, _o, left, _f in select._setup_joins if left is not None),  # noqa: SLF001
        *_from_objects(select._where_criteria),  # noqa: SLF001
        *_from_objects(select._having_criteria),  # noqa: SLF001
    ]
    seen: set[Any] = set()
    added = []
    for candidate in candidates:
        element = _tenant_from(_leftmost(candidate))
        if element is None:
            continue
        key = _key(element)
        if key in targets or key in seen:
            continue
        seen.add(key)
        added.append(_criterion(element, tenant_id))
    if added:
        select._where_criteria += tuple(added)  # noqa: SLF001


def _scope_join(join: Join, tenant_id: int) -> None:
    right = _tenant_from(_leftmost(join.right))  # a nested join's own joins scope the rest
    if right is not None:
        join.onclause = and_(join.onclause, _criterion(right, tenant_id))


def _scope_dml(statement: Update | Delete, tenant_id: int) -> None:
    tables = [statement.table, *getattr(statement, "_extra_froms", ())]
    added = [_criterion(t, tenant_id) for t in tables if _tenant_from(t) is not None]
    if added:
        statement._where_criteria += tuple(added)  # noqa: SLF001


def _has_nested_statements(statement: Any) -> bool:
    """Whether anything below the statement holds its own FROM (a subquery, a Core join);
    raises on textual SQL that names a tenant table, which cannot be scoped."""
    nested = False
    for element in visitors.iterate(statement):
        if isinstance(element, TextClause):
            if _names_tenant_table(element.text):
                raise TenantScopeError("textual SQL on a tenant table cannot be scoped")
        elif element is not statement and isinstance(element, Select | Join | CompoundSelect):
            nested = True
    return nested


def scope_statement(statement: Any, tenant_id: int) -> Any:
    """A copy of ``statement`` in which every tenant table is filtered to ``tenant_id``."""
    if isinstance(statement, StatementLambdaElement):
        statement = statement._resolved  # noqa: SLF001
    nested = _has_nested_statements(statement)
    if isinstance(statement, Select | Update | Delete) and not nested:
        # The common case, one flat statement: a shallow copy is enough (and much cheaper).
        flat = statement._generate()  # noqa: SLF001
        if isinstance(flat, Select):
            _scope_select(flat, tenant_id)
        else:
            _scope_dml(flat, tenant_id)
        return flat
    # Loader options are not clonable (and hold no tables): set them aside while copying.
    options = getattr(statement, "_with_options", ())
    if options:
        statement = statement._generate()  # noqa: SLF001
        statement._with_options = ()  # noqa: SLF001
    scoped = visitors.cloned_traverse(statement, {}, {
        "select": lambda s: _scope_select(s, tenant_id),
        "join": lambda j: _scope_join(j, tenant_id),
        "update": lambda u: _scope_dml(u, tenant_id),
        "delete": lambda d: _scope_dml(d, tenant_id),
    })
    if options:
        scoped._with_options = options  # noqa: SLF001
    return scoped


def _check_insert(state: ORMExecuteState, tenant_id: int) -> None:
    statement = state.statement
    if _tenant_from(statement.table) is None:
        return
    if statement.select is not None:
        raise TenantScopeError("INSERT … SELECT into a tenant table: use unscoped() on purpose")
    values = dict(statement._values or {})  # noqa: SLF001
    for row in statement._multi_values or ():  # noqa: SLF001
        for item in row:
            values.update(item if isinstance(item, dict) else {})
    for column, value in values.items():
        name = getattr(column, "key", column)
        if name == "tenant_id" and getattr(value, "value", value) != tenant_id:
            raise TenantScopeError("INSERT of a row for another community")
    params = state.parameters
    rows = params if isinstance(params, list | tuple) else [params] if params else []
    for row in rows:
        if row.setdefault("tenant_id", tenant_id) != tenant_id:
            raise TenantScopeError("INSERT of a row for another community")


@event.listens_for(Session, "do_orm_execute")
def _guard_statement(state: ORMExecuteState) -> None:
    session = state.session
    tenant_id = session.info.get(TENANT_KEY)
    loader = state.is_relationship_load or state.is_column_load
    # A load that follows an object fetched earlier (inside a scope, or unscoped) may reach
    # its rows in a session bound to no community; the database trusts that judgement.
    _sync_database_scope(session, follows_object=loader and tenant_id is None)
    if session.info.get(UNSCOPED_KEY) or not _orm_guard_enabled:
        return
    if tenant_id is None:
        if loader:
            # Loads that follow an object already fetched inside a scope stay safe.
            return
        if _references_tenant_table(state.statement):
            raise TenantScopeError(
                "statement on a tenant table with no community in scope; "
                "use set_tenant() or, deliberately, unscoped()"
            )
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        if _names_tenant_table(statement.text):
            raise TenantScopeError("textual SQL on a tenant table cannot be scoped")
        return
    if isinstance(statement, Insert):
        _check_insert(state, tenant_id)
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if not loader:
        statement = scope_statement(statement, tenant_id)
    state.statement = statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


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

def _wanted_scope(session: Session, follows_object: bool = False) -> tuple[str, str]:
    tenant_id = session.info.get(TENANT_KEY)
    bypass = "on" if session.info.get(UNSCOPED_KEY) or follows_object else "off"
    return ("" if tenant_id is None else str(tenant_id), bypass)


def _apply_scope(connection: Connection, wanted: tuple[str, str]) -> None:
    if connection.dialect.name != "postgresql" or connection.info.get(DB_SCOPE_KEY) == wanted:
        return
    connection.exec_driver_sql(
        "SELECT set_config(%(t_name)s, %(t)s, true), set_config(%(b_name)s, %(b)s, true)",
        {"t_name": TENANT_SETTING, "t": wanted[0], "b_name": BYPASS_SETTING, "b": wanted[1]},
    )
    connection.info[DB_SCOPE_KEY] = wanted


def _sync_database_scope(session: Session, follows_object: bool = False) -> None:
    """Make the transaction's settings match the session's scope (PostgreSQL only)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _apply_scope(session.connection(), _wanted_scope(session, follows_object))


@event.listens_for(Session, "after_begin")
def _scope_new_transaction(session: Session, transaction, connection: Connection) -> None:  # type: ignore[no-untyped-def]
    _apply_scope(connection, _wanted_scope(session))


def _forget_scope(connection: Connection, *args: Any) -> None:
    # Settings made with set_config(..., true) end with the transaction, and a savepoint that
    # rolls back takes its own back: the next statement sets them again.
    connection.info.pop(DB_SCOPE_KEY, None)


for _name in ("begin", "commit", "rollback", "rollback_savepoint"):
    event.listen(Engine, _name, _forget_scope)
