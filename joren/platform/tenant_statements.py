"""Rewriting statements so that every tenant table is filtered to one community (the
statement half of the ORM tenant guard, joren/platform/tenant_guard.py).

``scope_statement`` rewrites a statement so that every SELECT in it filters each tenant table
of its FROM (WHERE for a table it selects from, the ON clause for a table it joins), and bulk
UPDATE/DELETE their tables; ``check_insert`` refuses an INSERT for another community or from a
SELECT; textual SQL that names a tenant table cannot be scoped and is refused. Kept apart from
the session API because it is about SQLAlchemy's statement trees, not about sessions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Integer, and_, bindparam, inspect
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql import visitors
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


def references_tenant_table(statement: Any) -> bool:
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
            if names_tenant_table(element.text):
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
