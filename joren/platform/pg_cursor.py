"""psycopg's cursor with a ``description`` whose columns are described when first read.

psycopg builds a ``Column`` object for every column of a result as soon as
``cursor.description`` is asked for (its name decoded, its type looked up). SQLAlchemy asks
for it after every statement, yet reads it only to see whether rows came back, once the
statement's result layout is known (its compiled form is cached): the columns it described
were thrown away. The signed-in lookup alone returns some fifty columns (the session, the
account, the community and the membership), so every signed-in page paid for about a
hundred of them. Here ``description`` is a sequence of the same columns, built on first read
from the result it was asked for (a later statement on the cursor does not change it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import Column, Cursor
from psycopg.pq import ExecStatus

_DESCRIBED = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _Result:
    """What ``Column`` reads of its cursor, as it was when ``description`` was asked for."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: Cursor[Any]) -> None:
        self.pgresult = cursor.pgresult
        self._encoding = cursor._encoding  # noqa: SLF001 - what Column itself reads
        self.adapters = cursor.adapters


class LazyDescription(Sequence[Column]):
    """``cursor.description``: its length known at once, its ``Column`` objects built when
    one of them is first read."""

    __slots__ = ("_columns", "_count", "_result")

    def __init__(self, cursor: Cursor[Any], count: int) -> None:
        self._result = _Result(cursor)
        self._count = count
        self._columns: list[Column] | None = None

    def columns(self) -> list[Column]:
        if self._columns is None:
            result = self._result
            self._columns = [Column(result, i) for i in range(self._count)]  # type: ignore[arg-type]
        return self._columns

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.columns()[index]

    def __iter__(self) -> Any:
        return iter(self.columns())

    def __eq__(self, other: object) -> bool:
        return self.columns() == (other.columns() if isinstance(other, LazyDescription)
                                  else other)

    __hash__ = None  # type: ignore[assignment] - a list's equality, not hashable

    def __repr__(self) -> str:
        return repr(self.columns())


class LazyDescriptionCursor(Cursor):  # type: ignore[type-arg]
    """psycopg's ``Cursor``, ``description`` aside (see the module's docstring)."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        res = self.pgresult
        if res and (res.nfields or res.status in _DESCRIBED):
            return LazyDescription(self, res.nfields)
        return None


def install(dbapi_connection: Any) -> None:
    """Make ``dbapi_connection`` (a psycopg connection) open such cursors."""
    if dbapi_connection.cursor_factory is Cursor:
        dbapi_connection.cursor_factory = LazyDescriptionCursor
