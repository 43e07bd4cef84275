"""One multi-row INSERT per chunk for the import job's large writes (members, attendance).

SQLAlchemy's executemany works through every parameter of every row in Python — each of the
members table's 39 columns, defaults included — which costs more than the database's own work,
and on psycopg it sends one INSERT per row unless RETURNING is asked for. Here a chunk is one
statement: the values shared by every row (the community, the clock, the defaults of the
columns the import does not fill) are bound once, and only the rows' own values per row, each
through its column type's bind processor. On PostgreSQL each column's values travel as one
array (``INSERT … SELECT … FROM unnest(…)``); on SQLite, in-process, as ``VALUES (…), (…)``
with the shared values beside them.

The statement goes to the session's connection, past the ORM tenant guard, so it makes the
guard's check itself: the rows belong to the session's community, or nothing is written
(TenantScopeError); on PostgreSQL row-level security checks every row again.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from joren.platform.tenancy import TenantScopeError, current_tenant_id

_COLLATE = re.compile(r' COLLATE "[^"]+"')
MAX_PARAMETERS = 32_000  # SQLite binds at most 32,766 parameters per statement
# (Joren runs on PostgreSQL and SQLite: any other database takes the SQLite path)


def insert_rows(session: Session, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]], *, shared: dict[str, Any],
                returning: Sequence[str] = ()) -> list[Row[Any]]:
    """Insert ``rows`` (values in the order of ``columns``) with ``shared`` values for every
    row, in as few statements as the driver allows; the ``returning`` columns of the rows."""
    tenant_id = current_tenant_id(session)
    if tenant_id is None or shared.get("tenant_id") != tenant_id:
        raise TenantScopeError("bulk INSERT outside the session's community")
    if not rows:
        return []
    connection = session.connection()
    dialect = connection.dialect
    shared = {**_defaults(table, {*columns, *shared}), **shared}
    constants = [_process(_processor(table, name, dialect), value)
                 for name, value in shared.items()]
    processors = [_processor(table, name, dialect) for name in columns]
    if dialect.name == "postgresql":
        # one array per column, unnested by the server: a handful of parameters, not
        # thousands (binding a parameter each costs PostgreSQL more than the row itself)
        sql = _unnest_statement(dialect, table, tuple(columns), tuple(shared), tuple(returning))
        arrays = [[_process(process, row[i]) for row in rows]
                  for i, process in enumerate(processors)]
        result = connection.exec_driver_sql(sql, dict(zip(_names(len(arrays) + len(constants)),
                                                          [*arrays, *constants], strict=True)))
        return result.all() if returning else []
    per_statement = max(1, (MAX_PARAMETERS - len(constants)) // max(1, len(columns)))
    out: list[Row[Any]] = []
    for start in range(0, len(rows), per_statement):
        part = rows[start:start + per_statement]
        sql = _numbered_statement(dialect, table.name, tuple(columns), tuple(shared), len(part),
                                  tuple(returning))
        values = [process(value) if process else value
                  for row in part for process, value in zip(processors, row, strict=True)]
        result = connection.exec_driver_sql(sql, (*values, *constants))
        if returning:
            out += result.all()
    return out


def _defaults(table: Table, given: set[str]) -> dict[str, Any]:
    """Python-side defaults of the columns not given (a callable one, such as the clock,
    evaluated once for the statement); columns with a server default are left to it."""
    values = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:  # type: ignore[attr-defined]
            values[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:  # type: ignore[attr-defined]
            values[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return values


def _process(process: Callable[[Any], Any] | None, value: Any) -> Any:
    return process(value) if process else value


def _processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    return _bind_processor(table.c[name].type, dialect)


@functools.lru_cache(maxsize=256)
def _bind_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    return type_.dialect_impl(dialect).bind_processor(dialect)


@functools.lru_cache(maxsize=16)
def _names(count: int) -> list[str]:
    return [f"p{i}" for i in range(count)]


@functools.lru_cache(maxsize=64)
def _unnest_statement(dialect: Dialect, table: Table, columns: tuple[str, ...],
                      shared: tuple[str, ...], returning: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    names = _names(len(columns) + len(shared))

    def sql_type(name: str) -> str:
        # the type only: a column's collation (COLLATE "C") cannot stand inside a CAST to
        # an array, and the column applies its own on insert
        return _COLLATE.sub("", str(table.c[name].type.compile(dialect=dialect)))

    # the arrays travel in binary: psycopg's text dumper quotes every element in Python
    arrays = [f"CAST(%({n})b AS {sql_type(c)}[])"
              for n, c in zip(names[:len(columns)], columns, strict=True)]
    constants = [f"CAST(%({n})s AS {sql_type(c)})"
                 for n, c in zip(names[len(columns):], shared, strict=True)]
    into = f"{quote(table.name)} ({', '.join(quote(c) for c in (*columns, *shared))})"
    sql = (f"INSERT INTO {into} SELECT rows.*, {', '.join(constants)} "  # noqa: S608
           f"FROM unnest({', '.join(arrays)}) AS rows")
    if returning:
        sql += f" RETURNING {', '.join(quote(c) for c in returning)}"
    return sql


@functools.lru_cache(maxsize=64)
def _numbered_statement(dialect: Dialect, table: str, columns: tuple[str, ...],
                        shared: tuple[str, ...], count: int, returning: tuple[str, ...]) -> str:
    """``SELECT rows.*, shared.* FROM (VALUES (?, …), …) AS rows, (SELECT ?, …) AS shared``:
    the shared values bound once, and only plain ``?`` (SQLite looks named or numbered
    parameters up one by one, slow for thousands)."""
    quote = dialect.identifier_preparer.quote
    row = "(" + ", ".join(["?"] * len(columns)) + ")"
    into = f"{quote(table)} ({', '.join(quote(c) for c in (*columns, *shared))})"
    sql = (f"INSERT INTO {into} SELECT rows.*, shared.* "  # noqa: S608
           f"FROM (VALUES {', '.join([row] * count)}) AS rows, "
           f"(SELECT {', '.join(['?'] * len(shared))}) AS shared")
    if returning:
        sql += f" RETURNING {', '.join(quote(c) for c in returning)}"
    return sql
