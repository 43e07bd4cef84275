"""Scoping statements so that every tenant table is filtered to one community (the
statement half of the ORM tenant guard, joren/platform/tenant_guard.py).

``scope_statement`` marks a statement (``SCOPE``); when SQLAlchemy compiles a marked statement,
every SELECT in it filters each tenant table of its FROM (WHERE for a table it selects from,
the ON clause for a table it joins), and a bulk UPDATE/DELETE its tables, to the community
given as the ``joren_tenant_id`` parameter of each execution. The compiled form is cached
with SQLAlchemy's own, once per statement shape, so scoping costs an execution almost
nothing. ``scope_rows_update`` scopes an UPDATE run once per row of parameters (the ORM's
UPDATE by primary key) in the statement itself; ``check_insert`` refuses an INSERT for another
community or from a SELECT; textual SQL that names a tenant table cannot be scoped and is
refused. Kept apart from the session API because it is about SQLAlchemy's statement trees,
not about sessions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Integer, and_, bindparam, inspect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.orm.util import _ORMJoin
from sqlalchemy.sql import visitors
from sqlalchemy.sql.cache_key import HasCacheKey
from sqlalchemy.sql.dml import Delete, Update
from sqlalchemy.sql.elements import ColumnClause, TextClause
from sqlalchemy.sql.lambdas import StatementLambdaElement
from sqlalchemy.sql.selectable import Alias, CompoundSelect, Join, Select, TableClause

from joren.platform.tenancy import TenantScopeError, tenant_tables

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


# Whether a statement names a tenant table depends on its shape alone, which SQLAlchemy's
# cache key spells out (bound values apart) and keeps on the statement for compiling it: a
# page outside any community (the account page) asks this of the same few shapes on every
# request, and walking each statement's tree cost more than running it.
_REFERENCES_LIMIT = 4096
_references: dict[tuple[Any, ...], bool] = {}


def references_tenant_table(statement: Any) -> bool:
    make_key = getattr(statement, "_generate_cache_key", None)
    cache_key = make_key() if make_key is not None else None
    if cache_key is None:  # a statement SQLAlchemy does not cache is walked every time
        return _walk_for_tenant_table(statement)
    key = (len(tenant_tables()), cache_key.key)  # a model added later is a new key
    found = _references.get(key)
    if found is None:
        found = _walk_for_tenant_table(statement)
        if len(_references) >= _REFERENCES_LIMIT:
            _references.clear()
        _references[key] = found
    return found


def _walk_for_tenant_table(statement: Any) -> bool:
    for element in visitors.iterate(statement):
        if isinstance(element, TextClause):
            if names_tenant_table(element.text):
                return True
        elif _tenant_from(element) is not None or (
            isinstance(element, ColumnClause) and _tenant_from(element.table) is not None
        ):
            return True
    return False


_word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def names_tenant_table(sql: str) -> bool:
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
#
# The criteria are added while a statement is COMPILED, not to each statement executed: the
# SQL that SQLAlchemy caches for a statement's shape then already holds them, and an execution
# costs a marker option and one parameter. The community is the named parameter
# ``joren_tenant_id``, given with each execution (never a literal of the compiled form), and
# every other parameter of the statement is SQLAlchemy's own, so a cached form never carries
# an earlier execution's values. A statement with the marker (``SCOPE``) and no value for the
# parameter does not run: the parameter is required.

TENANT_PARAM = "joren_tenant_id"


class TenantScope(HasCacheKey, ORMOption):
    """The marker of a statement whose compiled form filters every tenant table to the
    community named by the ``joren_tenant_id`` parameter. Part of the statement's cache key,
    so scoped and unscoped forms of one statement are cached apart."""

    _cache_key_traversal = ()


SCOPE = TenantScope()


def _tenant_param() -> Any:
    return bindparam(TENANT_PARAM, type_=Integer(), required=True)


def _criterion(from_element: Any) -> Any:
    if isinstance(from_element, TableClause) and from_element.name in tenant_tables():
        return tenant_tables()[from_element.name].c.tenant_id == _tenant_param()
    column = from_element.c.get("tenant_id") if hasattr(from_element, "c") else None
    if column is None:
        raise TenantScopeError(f"cannot scope {from_element!r}: it has no tenant_id column")
    return column == _tenant_param()


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


def _scope_select(select: Select) -> None:
    """Filter, in ``select`` itself (a copy), each tenant table of its own FROM: nested
    statements are scoped when the compiler reaches them."""
    targets: set[Any] = set()
    for target, onclause, _left, _flags in select._setup_joins:  # noqa: SLF001
        joined = _join_target(target)
        if joined is not None and _tenant_from(joined) is not None:
            # Scoped in the ON clause of the join the compiler builds (``_compile_join``).
            targets.add(_key(joined))
            if onclause is None and _tenant_from(target) is not None:
                raise TenantScopeError("cannot scope a join to a tenant table without ON")
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
        added.append(_criterion(element))
    if added:
        select._where_criteria += tuple(added)  # noqa: SLF001


def _scope_dml(statement: Update | Delete) -> None:
    tables = [statement.table, *getattr(statement, "_extra_froms", ())]
    added = [_criterion(t) for t in tables if _tenant_from(t) is not None]
    if added:
        statement._where_criteria += tuple(added)  # noqa: SLF001


def _is_scoped(compiler: Any) -> bool:
    """Whether the statement being compiled carries the marker (decided once per compile)."""
    scoped = compiler.__dict__.get("_joren_scoped")
    if scoped is None:
        options = getattr(compiler.statement, "_with_options", ())
        scoped = compiler._joren_scoped = any(o is SCOPE for o in options)  # noqa: SLF001
    return scoped


@compiles(Select)
def _compile_select(select: Select, compiler: Any, **kw: Any) -> Any:
    if _is_scoped(compiler):
        select = select._generate()  # noqa: SLF001 - a shallow copy, only for this compile
        _scope_select(select)
    return compiler.visit_select(select, **kw)


def _compile_join(join: Join, compiler: Any, **kw: Any) -> Any:
    if _is_scoped(compiler):
        right = _tenant_from(_leftmost(join.right))  # a nested join scopes its own joins
        if right is not None:
            join = join._clone()  # noqa: SLF001
            join.onclause = and_(join.onclause, _criterion(right))
    return compiler.visit_join(join, **kw)


compiles(Join)(_compile_join)
compiles(_ORMJoin)(_compile_join)


def _compile_dml(statement: Update | Delete, compiler: Any, **kw: Any) -> Any:
    if _is_scoped(compiler):
        statement = statement._generate()  # noqa: SLF001
        _scope_dml(statement)
    visit = compiler.visit_update if isinstance(statement, Update) else compiler.visit_delete
    return visit(statement, **kw)


compiles(Update)(_compile_dml)
compiles(Delete)(_compile_dml)


@compiles(TextClause)
def _compile_text(clause: TextClause, compiler: Any, **kw: Any) -> Any:
    if _is_scoped(compiler) and names_tenant_table(clause.text):
        raise TenantScopeError("textual SQL on a tenant table cannot be scoped")
    return compiler.visit_textclause(clause, **kw)


def scope_statement(statement: Any, *options: Any) -> Any:
    """``statement`` with ``options``; with ``SCOPE`` among them, its compiled form filters
    every tenant table (of every SELECT in it, every join's ON, a bulk UPDATE's or DELETE's
    table) to the community of the ``joren_tenant_id`` parameter."""
    if isinstance(statement, StatementLambdaElement):
        statement = statement._resolved  # noqa: SLF001
    return statement.options(*options)


def scope_rows_update(statement: Any, tenant_id: int) -> Any:
    """An UPDATE or DELETE run once per row of parameters, filtered to ``tenant_id`` in the
    statement itself (a value of its own, as any literal of a statement)."""
    if not isinstance(statement, Update | Delete) or _has_nested(statement):
        raise TenantScopeError("a statement run for many rows must be a flat UPDATE or DELETE")
    tables = [statement.table, *getattr(statement, "_extra_froms", ())]
    added = [tenant_tables()[t.name].c.tenant_id == bindparam(None, tenant_id, type_=Integer())
             if isinstance(t, TableClause) else t.c.tenant_id == bindparam(
                 None, tenant_id, type_=Integer())
             for t in tables if _tenant_from(t) is not None]
    return statement.where(*added) if added else statement


def _has_nested(statement: Any) -> bool:
    return any(element is not statement and isinstance(element, Select | Join | CompoundSelect)
               for element in visitors.iterate(statement))


def check_insert(state: ORMExecuteState, tenant_id: int) -> None:
    statement = state.statement
    if _tenant_from(statement.table) is None:
        return
    if statement.select is not None:
        raise TenantScopeError("INSERT … SELECT into a tenant table: use unscoped() on purpose")
    # Every row is checked on its own: ``.values([...])`` gives one dict (or one tuple in
    # column order) per row, and merging them would let an earlier row's community through.
    table_columns = [column.key for column in statement.table.columns]
    rows_given: list[dict[Any, Any]] = [dict(statement._values or {})]  # noqa: SLF001
    for multi in statement._multi_values or ():  # noqa: SLF001
        for item in multi:
            if isinstance(item, dict):
                rows_given.append(item)
            else:
                rows_given.append(dict(zip(table_columns, item, strict=False)))
    for given in rows_given:
        for column, value in given.items():
            name = getattr(column, "key", column)
            if name == "tenant_id" and getattr(value, "value", value) != tenant_id:
                raise TenantScopeError("INSERT of a row for another community")
    params = state.parameters
    rows = params if isinstance(params, list | tuple) else [params] if params else []
    for row in rows:
        if row.setdefault("tenant_id", tenant_id) != tenant_id:
            raise TenantScopeError("INSERT of a row for another community")
