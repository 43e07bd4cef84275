"""One multi-row INSERT per chunk for the import job's large writes (members, attendance).

SQLAlchemy's executemany works through every parameter of every row in Python — each of the
members table's 39 columns, defaults included — which costs more than the database's own work,
and on psycopg it sends one INSERT per row unless RETURNING is asked for. Here a chunk is one
statement: the values shared by every row (the community, the clock, the defaults of the
columns the import does not fill) are bound once, and only the rows' own values per row, each
through its column type's bind processor. On PostgreSQL each column's values travel as one
array (``INSERT … SELECT … FROM unnest(…)``, sent in binary); on SQLite, in-process, as
``VALUES (…), (…)`` with the shared values beside them.

PostgreSQL's COPY is the other way (``POSTGRES_PATH = "copy"``): COPY straight into a tenant
table is refused under row-level security, so the rows go by COPY into a temporary table and
one ``INSERT … SELECT`` moves them, checked by the policy like any INSERT. Through the job it
costs the same CPU, client and server, as the binary arrays (the benchmark times both): what a
file costs is the rows' checks and search keys in Python and the table's indexes in the server.

The statement goes to the session's connection, past the ORM tenant guard, so it makes the
guard's check itself: the rows belong to the session's community, or nothing is written
(TenantScopeError); on PostgreSQL row-level security checks every row again.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from joren.platform.tenancy import TenantScopeError, current_tenant_id

_COLLATE = re.compile(r' COLLATE "[^"]+"')
# How rows reach PostgreSQL: "unnest" (arrays, one statement) or "copy" (COPY into a temporary
# table, then INSERT … SELECT). Measured the same through the job (tests/perf/test_import_perf.py
# times both); "unnest" needs no temporary table, so it is the one in use.
POSTGRES_PATH = "unnest"
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
    if dialect.name == "postgresql" and POSTGRES_PATH == "copy":
        return _copy_rows(connection, table, tuple(columns), rows, processors,
                          tuple(shared), constants, tuple(returning))
    if dialect.name == "postgresql":
        # one array per column, unnested by the server: a handful of parameters, not
        # thousands (binding a parameter each costs PostgreSQL more than the row itself)
        sql = _unnest_statement(dialect, table, tuple(columns), tuple(shared), tuple(returning))
        arrays = [list(column) if process is None else list(map(process, column))
                  for process, column in zip(processors, zip(*rows, strict=True), strict=True)]
        result = connection.exec_driver_sql(sql, dict(zip(_names(len(arrays) + len(constants)),
                                                          [*arrays, *constants], strict=True)))
        return result.all() if returning else []
    per_statement = max(1, (MAX_PARAMETERS - len(constants)) // max(1, len(columns)))
    out: list[Row[Any]] = []
    for start in range(0, len(rows), per_statement):
        part = rows[start:start + per_statement]
        sql = _numbered_statement(dialect, table.name, tuple(columns), tuple(shared), len(part),
                                  tuple(returning))
        if any(processors):
            values = [process(value) if process else value
                      for row in part for process, value in zip(processors, row, strict=True)]
        else:  # each row as it is, one after the other
            values = list(itertools.chain.from_iterable(part))
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


def _copy_rows(connection: Connection, table: Table, columns: tuple[str, ...],
               rows: Sequence[Sequence[Any]], processors: list[Callable[[Any], Any] | None],
               shared: tuple[str, ...], constants: list[Any],
               returning: tuple[str, ...]) -> list[Row[Any]]:
    """PostgreSQL: the rows go by COPY into a temporary table of this connection, then one
    INSERT … SELECT moves them (emptying it) into the table, so row-level security checks
    every row as on any INSERT (COPY straight into a table with a policy is refused)."""
    dialect = connection.dialect
    create, copy, move = _copy_statements(dialect, table, columns, shared, returning)
    connection.exec_driver_sql(create)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(copy) as pipe:
            if any(processors):
                for row in rows:
                    pipe.write_row([_process(process, value)
                                    for process, value in zip(processors, row, strict=True)])
            else:
                for row in rows:
                    pipe.write_row(row)
    finally:
        cursor.close()
    result = connection.exec_driver_sql(move, tuple(constants))
    return result.all() if returning else []


@functools.lru_cache(maxsize=64)
def _copy_statements(dialect: Dialect, table: Table, columns: tuple[str, ...],
                     shared: tuple[str, ...], returning: tuple[str, ...]) -> tuple[str, str, str]:
    """The temporary table's CREATE (once per connection: IF NOT EXISTS), the COPY into it
    and the INSERT that empties it into ``table`` (a data-modifying WITH: nothing stays for
    the next chunk, committed or not)."""
    quote = dialect.identifier_preparer.quote
    digest = hashlib.blake2s(",".join(columns).encode(), digest_size=4).hexdigest()
    stage = quote(f"joren_copy_{table.name}_{digest}")
    names = ", ".join(quote(c) for c in columns)
    create = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ("
              + ", ".join(f"{quote(c)} {_sql_type(dialect, table, c)}" for c in columns)
              + ") ON COMMIT DELETE ROWS")
    copy = f"COPY {stage} ({names}) FROM STDIN"
    constants = [f"CAST(%s AS {_sql_type(dialect, table, c)})" for c in shared]
    into = f"{quote(table.name)} ({', '.join(quote(c) for c in (*columns, *shared))})"
    move = (f"WITH rows AS (DELETE FROM {stage} RETURNING {names}) "  # noqa: S608
            f"INSERT INTO {into} SELECT rows.*, {', '.join(constants)} FROM rows")
    if returning:
        move += f" RETURNING {', '.join(quote(c) for c in returning)}"
    return create, copy, move


def _sql_type(dialect: Dialect, table: Table, name: str) -> str:
    # the type only: a column's collation (COLLATE "C") belongs to the table's column, which
    # applies it on insert
    return _COLLATE.sub("", str(table.c[name].type.compile(dialect=dialect)))
