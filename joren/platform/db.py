"""The declarative base, shared column types and the Flask glue (Flask-SQLAlchemy-Lite)."""

from __future__ import annotations

import enum
import inspect
import select
import time
from datetime import UTC, datetime
from typing import Annotated
from weakref import WeakKeyDictionary

from flask import Flask, request
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy import DateTime, Enum, Integer, MetaData, String, TypeDecorator, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import Pool

from joren.platform.rls import APP_FUNCTIONS
from joren.platform.tenant_guard import TenantSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Above this many ids, a filter on ids is applied in Python rather than as SQL IN (...): a
# longer list makes a statement slow to plan (and hits SQLite's bound-parameter limit).
IN_LIMIT = 500


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite drops offsets on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
str40 = Annotated[str, mapped_column(String(40))]
str80 = Annotated[str, mapped_column(String(80))]
str200 = Annotated[str, mapped_column(String(200))]
str320 = Annotated[str, mapped_column(String(320))]
utc_datetime = Annotated[datetime, mapped_column(UTCDateTime())]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


@event.listens_for(Base.metadata, "before_drop")
def _drop_functions_over_tables(target, connection, **kw):  # type: ignore[no-untyped-def]
    """A function that returns a table's rows depends on its row type: it goes first."""
    if connection.dialect.name == "postgresql":
        for function in APP_FUNCTIONS:
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}")


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


db = SQLAlchemy(session_options={"class_": TenantSession})


def init_app(app: Flask) -> None:
    """Bind ``db`` to the app, without the extension's teardown for async sessions.

    Joren has no async engines, yet Flask runs an ``async`` teardown through asgiref on every
    request, which starts a thread and an event loop each time (a few milliseconds, more than
    the rest of the request's bookkeeping). With no async engine configured there is nothing
    for it to close, so it is left out.
    """
    db.init_app(app)
    if not app.config.get("SQLALCHEMY_ASYNC_ENGINES"):
        app.teardown_appcontext_funcs[:] = [
            func for func in app.teardown_appcontext_funcs
            if not inspect.iscoroutinefunction(func)
        ]
    app.before_request(_requests_that_write_lock_first)


# Requests that only read (RFC 9110's safe methods).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BEGIN = "joren_sqlite_begin"
_immediate_engines: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def write_first(session: Session) -> None:
    """On SQLite, the session's transactions from now on take the write lock when they begin
    (``BEGIN IMMEDIATE``); elsewhere, or once a transaction is under way, nothing changes.

    In WAL mode a transaction that read first and writes later cannot write at all when
    another connection committed since its first read: its snapshot is stale, and SQLite
    answers "database is locked" at once, without waiting out the busy timeout (a lost race
    between two volunteers at the door, or a sign-in beside a check-in, was a 500). A
    transaction that begins with the lock waits its turn instead and reads the rows as they
    are. Reads keep beginning DEFERRED: they never wait for a writer nor hold one back. Only
    the session given takes the lock (another session opened meanwhile, the navbar's or a
    job's, still reads at once), and a session joined to an outer connection (the tests')
    is left as it is."""
    bind = session.bind
    if (not isinstance(bind, Engine) or bind.dialect.name != "sqlite"
            or session.in_transaction()):
        return
    immediate = _immediate_engines.get(bind)
    if immediate is None:
        immediate = _immediate_engines[bind] = bind.execution_options(**{_BEGIN: "IMMEDIATE"})
    session.bind = immediate


def _requests_that_write_lock_first() -> None:
    """A request that changes something (any method but GET, HEAD, OPTIONS) writes in the
    request's session's transactions: they begin with the write lock (``write_first``)."""
    if request.method not in READING_METHODS:
        write_first(db.session)


def _is_sqlite(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
    """SQLite ignores foreign keys unless each connection asks, and pysqlite's own transaction
    handling breaks SAVEPOINT; SQLAlchemy then emits BEGIN itself (see ``_sqlite_begin``).

    A database file runs in WAL mode: readers no longer hold a writer back (in the default
    rollback journal a slow page kept every sign-in, check-in and outbox write waiting until
    "database is locked"), and with ``synchronous=NORMAL`` a commit is a write to the log, not
    an fsync: a committed transaction survives a killed process (the mail worker's guarantee
    rests on that), only a power cut may lose the last ones."""
    if _is_sqlite(dbapi_connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "connect")
def _psycopg_connect(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
    """A PostgreSQL connection's cursors describe their columns only when asked (pg_cursor)."""
    if _is_psycopg(dbapi_connection):
        from joren.platform import pg_cursor

        pg_cursor.install(dbapi_connection)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_BEGIN)
                             else "BEGIN")


# A PostgreSQL connection back from the pool is pinged (a round trip) only when it is in doubt:
# when it sat idle this long, or when the server has spoken on it since it was checked in.
# A server that restarts, fails over or terminates the backend (pg_terminate_backend,
# PgBouncer's idle timeouts) sends a FATAL message and closes the socket, which is then
# readable at once; a connection dropped silently (a firewall, a NAT table) is caught by the
# idle time, since such drops take minutes. A busy process reuses its connections within
# milliseconds and pings none of them: the pool's own pre-ping cost one round trip per request.
PING_AFTER_IDLE = 10.0
_IDLE_SINCE = "joren_idle_since"


def _is_psycopg(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    return type(dbapi_connection).__module__.startswith("psycopg")


@event.listens_for(Pool, "checkin")
def _note_idle(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
    if dbapi_connection is not None and connection_record is not None:
        connection_record.info[_IDLE_SINCE] = time.monotonic()


def _server_spoke(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    """Whether the connection is closed or has unread input (nothing arrives on an idle
    connection but a termination, or a notice nobody asked for: either is worth a ping)."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    fd = dbapi_connection.fileno()
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


def _ping(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
    """An empty query outside any transaction, as SQLAlchemy's own pre-ping sends it."""
    before = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute(";")
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = before


@event.listens_for(Pool, "checkout")
def _ping_when_in_doubt(dbapi_connection, connection_record, connection_proxy):  # type: ignore[no-untyped-def]
    """Ping a PostgreSQL connection that is in doubt (see PING_AFTER_IDLE); a failed ping
    makes the pool replace the connection (DisconnectionError) before the request uses it."""
    if not _is_psycopg(dbapi_connection):
        return
    idle_since = connection_record.info.get(_IDLE_SINCE)
    if idle_since is None:
        return  # connected just now
    try:
        if time.monotonic() - idle_since >= PING_AFTER_IDLE or _server_spoke(dbapi_connection):
            _ping(dbapi_connection)
    except Exception as error:  # noqa: BLE001 - any failure means: use another connection
        raise exc.DisconnectionError(f"pooled connection lost: {error}") from error


def value_enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    """A Python enum stored as its values in a VARCHAR (no native ENUM type to migrate)."""
    return Enum(cls, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])
