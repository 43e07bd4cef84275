"""Pages that are not recomputed on every view: a community's computed results, kept under a
key that changes whenever anything the community holds changes (issue 14).

The heavy console pages (a meetup of 1,600 people, its register, the printable list, the door,
payments) read lean statements, yet the database spends 15-25 ms a view on them and the app as
much again turning rows into HTML, for a page that mostly shows the same thing as a moment ago.
This module keeps a page's computed result (data or an HTML fragment without per-request parts)
and serves it again while it is still true.

**When is a result still true?** Two ways were weighed:

(a) a fingerprint of the rows a page reads (counts, ``max(updated_at)``), checked every view:
    no invalidation code, but ``updated_at`` is written by the app servers' clocks (two servers
    a few milliseconds apart, or a frozen clock in a test, leave the maximum unchanged after a
    write) or by the database's transaction start (a transaction that started earlier commits
    later with the smaller time), so "the maximum did not move" does not prove "nothing
    changed"; every page must also name exactly the tables it reads, and forgetting one (the
    account whose name a member row falls back to) is a stale page nobody notices.
(b) a version bumped by every write: one counter row per community is a row lock every
    check-in at the door waits on; a counter in Redis bumped after the commit is stale for
    good when the process dies between the two.

What is built takes the good half of each. **Every transaction that writes a community's rows
appends one row to ``data_changes``** (``tenant_id``, ``weight`` 1, a random ``token``) *in the
same transaction* (a session ``before_flush`` hook: it cannot be forgotten by a feature, and it
commits or rolls back with the data). Appending takes no lock another writer waits on (two
volunteers at the door insert two rows). A view first reads the community's fingerprint,
``sum(weight), sum(token)`` over its ``data_changes`` rows (one indexed statement over a few
dozen rows), then computes. The key holds the fingerprint, so a change never has to reach the
cache: the next view simply asks for another key.

- Correct under concurrency: the weight sum counts committed writing transactions, so it grows
  with every commit, in whatever order transactions commit (a ``max(id)`` would not: ids are
  handed out before commit). The fingerprint is read *before* the page's data (PostgreSQL's
  READ COMMITTED gives each statement a fresh snapshot): data newer than its key is harmless
  (that key is already outdated), data older than its key cannot happen.
- The request's own writes: a session that has written in its open transaction neither reads
  nor stores cached results (it would see, or store, what others cannot).
- The rows stay few: a mark whose id is a multiple of ``COMPACT_EVERY`` folds the community's
  older marks into itself (their weights and tokens summed, so the fingerprint does not move),
  taking only rows nobody else holds (``FOR UPDATE SKIP LOCKED``: nobody waits).
- The random token tells apart states the weight alone cannot: a test's rolled-back
  transaction, a database restored from a backup or built anew beside the same Redis.
- Rows outside the community's tables that pages show: a community's own row (name, time zone)
  and an account's name and address (a member's name falls back to them) mark the
  communities concerned (``shows_in_communities``, registered by the layers that know them).
- Bulk UPDATE/DELETE/INSERT through the session (ORM entities or Core tables) mark too
  (``do_orm_execute``): the communities an INSERT's rows name, else the session's; one run
  outside any community (a purge over all of them) marks every community.
- A community's table that no kept page shows (the audit log, read only by pages computed
  on every view) is registered as such (``shown_on_no_kept_page``): writing its rows marks
  nothing, so a download, which records itself in the log, leaves the community's kept
  pages as they were.
- Rows that no write of a community marks yet a page shows (an email's delivery state, which
  the mail worker moves; an address's unsubscribes, made through a link outside any
  community): the page keeps what it read of them beside its result and reads them again
  on every view (one statement); ``cached(..., still_true=...)`` computes the result anew
  when they differ.
- What a page shows may also depend on the clock (no-shows once a meetup has ended, the
  dashboard's "next meetup"): such a page puts that moment (ended or not, the minute, the
  day) in its ``parts``.
- Code and templates: the key's prefix is a digest of the package's source, templates,
  translations and migrations, so a deploy (or a data migration) never meets results of the
  code before it.

Granularity is the whole community: any write in it recomputes its cached pages once. That
errs on the side of correctness (no page has to declare what it reads); a meetup night at the
door recomputes the door's figures after each check-in, which it must anyway.

**Tenant isolation** is in the mechanism, not in the pages: ``cached()`` takes the community
from the session the edge bound to the URL's community (a page cannot pass another), the
fingerprint names that community and is read under row-level security set to it, and every
stored value carries its community, checked when read. A session bound to no community, or
unscoped, never uses the cache.

**The store**: Redis when ``REDIS_URL`` is set (shared by the gunicorn workers; short
timeouts), with a bounded in-process LRU in front of it; when Redis does not answer, and in
the embedded mode, the LRU alone. Since the key alone decides whether a result is true,
either store is always correct; Redis only shares the work. Values are JSON (never pickles):
data and HTML strings.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, g, has_app_context, has_request_context, request
from markupsafe import escape
from sqlalchemy import (
    BigInteger,
    Integer,
    bindparam,
    delete,
    event,
    func,
    literal,
    select,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from joren.platform.db import Base, intpk, utcnow
from joren.platform.i18n import locale_code, timezone_code
from joren.platform.templating import KeptHTML, signed_csrf_token
from joren.platform.tenancy import (
    TENANT_KEY,
    UNSCOPED_KEY,
    TenantScoped,
    tenant_tables,
    unscoped,
)
from joren.platform.tenant_guard import sync_database_scope

log = logging.getLogger("joren.pagecache")

T = TypeVar("T")

TOKEN_RANGE = 2**40  # sums of a few thousand tokens stay far inside a 64-bit integer
COMPACT_EVERY = 32
TTL_SECONDS = 3600
LOCAL_MAX_BYTES = 32 * 1024 * 1024
REDIS_RETRY_SECONDS = 10.0
_WROTE = "joren_pagecache_wrote"  # session.info: communities marked in the open transaction
_DIRTY = "joren_pagecache_dirty"  # session.info: the open transaction wrote
_MARKING = "joren_pagecache_marking"  # session.info: writing marks (they mark nothing)
_READ = "joren_pagecache_read"  # session.info: (community, weight, token) read with sign-in
_ALL = -1


class DataChange(TenantScoped, Base):
    """One writing transaction of a community (or, folded, many): the fingerprint's rows."""

    __tablename__ = "data_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[intpk]
    weight: Mapped[int] = mapped_column(Integer, default=1)
    token: Mapped[int] = mapped_column(BigInteger, default=0)


# -- what marks a community --------------------------------------------------------------

# A platform row's type -> (columns that pages show, or None for all; the communities it shows in)
_shown: dict[type, tuple[frozenset[str] | None, Callable[[Session, Any], Iterable[int]]]] = {}


def shows_in_communities(cls: type, communities: Callable[[Session, Any], Iterable[int]],
                         columns: Iterable[str] | None = None) -> None:
    """Register a row type outside the communities' tables that their pages show: a change to
    ``columns`` (any column when None) of such a row marks ``communities(session, row)``."""
    _shown[cls] = (None if columns is None else frozenset(columns), communities)


# Tables of the communities that no kept page shows: writing their rows marks nothing.
_unshown: set[str] = set()


def shown_on_no_kept_page(cls: type) -> None:
    """Register a community's row type that no cached result shows (pages that show it
    compute on every view): writing such rows alone marks no community. A page that comes to
    keep what it shows must drop the registration, or read those rows' state again on every
    view itself (``still_true``, as the audit log's page does)."""
    _unshown.add(cls.__table__.name)  # type: ignore[attr-defined]


def _changed(obj: Any, columns: frozenset[str] | None) -> bool:
    """Whether a column (of ``columns``, or any) of ``obj`` holds an unsaved change (read
    from the loaded state only: nothing is loaded to find out)."""
    state = sa_inspect(obj)
    return any(state.attrs[a.key].history.has_changes()
               for a in state.mapper.column_attrs if columns is None or a.key in columns)


def _insert_marks(session: Session, tenants: set[int], flushing: bool) -> None:
    """One row each, written now, in the session's transaction. The session's own community's
    row goes through the guard like any row; another community's (an account's change marks
    every community it belongs to) or every community's go in unscoped, and the database's
    scope is set back at once to what the flush or the statement under way runs with (the
    bypass never outlives the marks)."""
    table = DataChange.__table__
    scope = session.info.get(TENANT_KEY)
    own = (scope is not None and not session.info.get(UNSCOPED_KEY) and tenants == {scope})
    session.info[_MARKING] = True
    try:
        with session.no_autoflush, (nullcontext() if own else unscoped(session)):
            if _ALL in tenants:
                communities = Base.metadata.tables["communities"]
                session.execute(table.insert().from_select(
                    ["tenant_id", "weight", "token"],
                    select(communities.c.id, literal(1), literal(secrets.randbelow(TOKEN_RANGE)))))
                return
            for tenant_id in sorted(tenants):
                mark = session.execute(table.insert().values(
                    tenant_id=tenant_id, weight=1, token=secrets.randbelow(TOKEN_RANGE))
                    .returning(table.c.id)).scalar_one()
                if mark % COMPACT_EVERY == 0:
                    _compact(session, tenant_id, mark)
    finally:
        session.info.pop(_MARKING, None)
        if not own:
            # As the guard's own hooks set it: a flush in a session bound to no community
            # writes objects already loaded (tenant_guard._stamp_tenant); a statement, not.
            sync_database_scope(session, follows_object=flushing and scope is None)


def _compact(session: Session, tenant_id: int, mark: int) -> None:
    """Fold the community's marks older than ``mark`` into it (sums kept, so the fingerprint
    does not move); rows another transaction holds are skipped, nobody waits."""
    table = DataChange.__table__
    older = (select(table.c.id).where(table.c.tenant_id == tenant_id, table.c.id < mark)
             .with_for_update(skip_locked=True))
    folded = session.execute(delete(table).where(table.c.id.in_(older))
                             .returning(table.c.weight, table.c.token)).all()
    if folded:
        weight = sum(row[0] for row in folded)
        token = sum(row[1] for row in folded) % TOKEN_RANGE
        session.execute(update(table).where(table.c.id == mark).values(
            weight=table.c.weight + weight, token=(table.c.token + token) % TOKEN_RANGE))


def _mark(session: Session, tenants: set[Any], flushing: bool) -> None:
    tenants.discard(None)
    wrote: set[int] = session.info.setdefault(_WROTE, set())
    if _ALL in wrote:
        return
    fresh = {_ALL} if _ALL in tenants else tenants - wrote
    if fresh:
        _insert_marks(session, fresh, flushing)
        wrote |= fresh
        session.info[_DIRTY] = True


@event.listens_for(Session, "before_flush")
def _mark_written_communities(session: Session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
    if session.info.get(_MARKING):
        return
    scope = session.info.get(TENANT_KEY)
    tenants: set[Any] = set()
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, TenantScoped):
            if obj.__table__.name not in _unshown:
                tenants.add(obj.tenant_id if obj.tenant_id is not None else scope)
        elif type(obj) in _shown and obj in session.deleted:  # a new one is shown nowhere yet
            with session.no_autoflush, unscoped(session):
                tenants.update(_shown[type(obj)][1](session, obj))
    for obj in session.dirty:
        if isinstance(obj, TenantScoped):
            if obj.__table__.name not in _unshown and _changed(obj, None):
                tenants.add(obj.tenant_id)
            continue
        shown = _shown.get(type(obj))
        if shown is not None and _changed(obj, shown[0]):
            with session.no_autoflush, unscoped(session):
                tenants.update(shown[1](session, obj))
    if tenants:
        _mark(session, tenants, flushing=True)


@event.listens_for(Session, "do_orm_execute")
def _mark_bulk_writes(state: ORMExecuteState) -> None:
    """Bulk INSERT/UPDATE/DELETE through the session (ORM entities or Core tables): the
    communities its rows name (an INSERT's ``tenant_id`` values), else the session's
    community, else (a statement run outside any community) every community."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    session = state.session
    if session.info.get(_MARKING):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if (name is None or name == DataChange.__tablename__ or name not in tenant_tables()
            or name in _unshown):
        return
    scope = session.info.get(TENANT_KEY)
    tenants: set[Any] = set()
    if state.is_insert:
        rows = state.parameters
        for row in rows if isinstance(rows, list | tuple) else [rows or {}]:
            if isinstance(row, dict) and row.get("tenant_id") is not None:
                tenants.add(row["tenant_id"])
    if not tenants:
        tenants = {_ALL if scope is None or session.info.get(UNSCOPED_KEY) else scope}
    _mark(session, tenants, flushing=False)


@event.listens_for(Session, "after_transaction_end")
def _forget_marks(session: Session, transaction) -> None:  # type: ignore[no-untyped-def]
    # A savepoint rolled back takes its mark with it: the next write marks again (a savepoint
    # released only costs a second mark). The transaction has written until it ends.
    session.info.pop(_WROTE, None)
    if transaction.parent is None:
        session.info.pop(_DIRTY, None)
        session.info.pop(_READ, None)  # a new transaction reads the fingerprint anew


# -- the fingerprint and the key ---------------------------------------------------------

# Built once. It names its community itself and is run on the session's connection as a
# Core statement (``fingerprint``): the ORM's execution path (its context, the guard's
# statement rewriting, which would only repeat the same ``tenant_id`` filter) costs several
# times what the statement does, on every view of a cached page. The database's own scope
# (row-level security) is set to the session's community first, as the guard sets it for
# any statement.
_CHANGES = DataChange.__table__
_FINGERPRINT = (select(func.coalesce(func.sum(_CHANGES.c.weight), 0),
                       func.coalesce(func.sum(_CHANGES.c.token), 0))
                .where(_CHANGES.c.tenant_id == bindparam("pagecache_tenant")))


def fingerprint_columns(community_id: Any) -> list[Any]:
    """The fingerprint of the community whose id is ``community_id`` (a column of another
    statement) as two columns, the sums of the weights and of the tokens, for a
    statement that reads it beside other things (accounts.signed_in: the sign-in statement,
    which spares a cached page its own round trip). On PostgreSQL the statement must set
    the transaction's community to the same id in an earlier column: row-level security
    then admits that community's rows; evaluated before it, no row is admitted, the sums
    are 0 and the page is computed, never served from another community's key."""
    changes = _CHANGES.alias("pagecache_changes")
    return [select(func.coalesce(func.sum(changes.c[name]), 0))
            .where(changes.c.tenant_id == community_id)
            .scalar_subquery() for name in ("weight", "token")]


def fingerprint_read(session: Session, tenant_id: int, weight: Any, token: Any) -> None:
    """Keep what ``fingerprint_columns`` read for ``tenant_id``: the session's
    ``fingerprint`` answers with it (until its transaction ends) instead of reading it."""
    session.info[_READ] = (tenant_id, int(weight), int(token))


def fingerprint(session: Session) -> tuple[int, int] | None:
    """The session's community's (sum of weights, sum of tokens), or None when no cached
    result may be used (no community, unscoped, or this transaction wrote)."""
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None or session.info.get(UNSCOPED_KEY) or session.info.get(_DIRTY):
        return None
    if session.new or session.dirty or session.deleted:
        return None
    read = session.info.get(_READ)
    if read is not None and read[0] == tenant_id:
        weight, token = read[1:]  # read before any of the page's data, as below
    else:
        sync_database_scope(session)  # the transaction's community is the session's
        weight, token = session.connection().execute(
            _FINGERPRINT, {"pagecache_tenant": tenant_id}).one()
    if not weight:
        return None  # a community that never wrote: nothing worth keeping, no key to reuse
    return int(weight), int(token) % TOKEN_RANGE


_stamp: str | None = None


def code_stamp() -> str:
    """A digest of the code, templates, translations and migrations this process runs."""
    global _stamp
    if _stamp is None:
        root = Path(__file__).resolve().parents[2]
        digest = hashlib.sha256()
        files = [*sorted((root / "joren").rglob("*")), *sorted((root / "migrations").rglob("*.py"))]
        for path in files:
            if path.suffix in {".py", ".html", ".txt", ".po", ".js", ".css"} and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
        _stamp = digest.hexdigest()[:16]
    return _stamp


def _key(tenant_id: int, name: str, print_: tuple[int, int], parts: tuple[Any, ...]) -> str:
    about = hashlib.sha256(json.dumps(parts, default=str, ensure_ascii=False).encode())
    return (f"joren:pc:{code_stamp()}:{tenant_id}:{name}:{print_[0]}:{print_[1]}:"
            f"{about.hexdigest()[:24]}")


# -- the stores ----------------------------------------------------------------------------

class LocalStore:
    """A bounded LRU of JSON strings for one process (thread-safe)."""

    def __init__(self, max_bytes: int = LOCAL_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: str) -> None:
        if len(value) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = value
            self._bytes += len(value)
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_local = LocalStore()


class DecodedStore:
    """A bounded LRU of results already decoded, for one process (thread-safe): a page kept
    and served again here is not parsed from its JSON text again (for a page of 50–100 kB
    that parse was 0.1–0.6 ms of every view). The same object is handed to every reader, so
    only results no caller changes are kept here (``cached(shared=True)``)."""

    def __init__(self, max_bytes: int = LOCAL_MAX_BYTES // 2) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def set(self, key: str, value: Any, size: int) -> None:
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_decoded = DecodedStore()


class _Redis:
    """Redis with short timeouts; after a failure it rests a while (the LRU stands in).

    This process's LRU also sits in front of Redis: a key names one result for good (its
    community's fingerprint, the code, the parts), so a value once read or written here is
    served from memory next time, without a round trip to Redis. Redis shares the work
    between processes; the LRU only spares this one asking again."""

    def __init__(self, url: str) -> None:
        import redis
        self.client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self.down_until = 0.0

    def _usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def _failed(self, error: Exception) -> None:
        log.warning("page cache: Redis did not answer (%s); using this process's memory",
                    type(error).__name__)
        self.down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def get(self, key: str) -> str | None:
        kept = _local.get(key)
        if kept is not None or not self._usable():
            return kept
        try:
            value = self.client.get(key)
        except Exception as error:  # noqa: BLE001 - any failure of the store is a miss
            self._failed(error)
            return None
        if value is None:
            return None
        text = value.decode()
        _local.set(key, text)
        return text

    def set(self, key: str, value: str) -> None:
        _local.set(key, value)
        if not self._usable():
            return
        try:
            self.client.set(key, value, ex=TTL_SECONDS)
        except Exception as error:  # noqa: BLE001
            self._failed(error)


def _store() -> Any:
    if not has_app_context():
        return _local
    app = current_app
    store = app.extensions.get("joren_pagecache")
    if store is None:
        url = app.config.get("PAGE_CACHE_REDIS_URL", app.config.get("REDIS_URL"))
        store = _Redis(url) if url else _local
        app.extensions["joren_pagecache"] = store
    return store


def _language() -> str:
    """The request's language: results hold translated words and formatted dates."""
    if not has_request_context():
        return ""
    return locale_code() or ""  # str(get_locale()), written out once per request


def _reads() -> bool:
    """False while statements are counted (tests): every view then computes, as on a miss."""
    return not has_app_context() or bool(current_app.config.get("PAGE_CACHE_READS", True))


def enabled() -> bool:
    return not has_app_context() or bool(current_app.config.get("PAGE_CACHE", True))


# -- the API --------------------------------------------------------------------------------

def cached(session: Session, name: str, parts: tuple[Any, ...], compute: Callable[[], T],
           still_true: Callable[[T], bool] | None = None, *, shared: bool = False) -> T:
    """``compute()`` (JSON-able: dicts, lists, strings, numbers), or the result it gave for the
    same ``name`` and ``parts`` in this community while nothing in the community changed.

    The community is the session's (the edge bound it to the URL's community); ``parts`` name
    everything else the result depends on (the meetup's id, the page number, the language).
    A result that also shows rows no write of the community marks (an email's delivery state,
    which the mail worker moves) is checked by ``still_true(kept)`` on every view: when it
    answers False the result is computed again and kept in its place.

    ``shared``: the caller never changes the result, so this process may hand the same
    decoded object to every view of it (``DecodedStore``) instead of parsing it again."""
    return _cached(session, name, parts, compute, still_true, shared=shared)[0]


def _cached(session: Session, name: str, parts: tuple[Any, ...], compute: Callable[[], T],
            still_true: Callable[[T], bool] | None = None, *,
            shared: bool = False) -> tuple[T, bool]:
    """``cached``, and whether the result is kept (read from a store, or stored now)."""
    if not enabled():
        return compute(), False
    print_ = fingerprint(session)
    if print_ is None:
        return compute(), False
    tenant_id = session.info[TENANT_KEY]
    key = _key(tenant_id, name, print_, (_language(), *parts))
    reads = _reads()
    if shared and reads:
        # Stored only after the checks below passed for this key, which names one result of
        # one community for good; ``still_true`` is asked on every view all the same.
        value = _decoded.get(key)
        if value is not None and (still_true is None or still_true(value)):
            return value, True
    store = _store()
    raw = store.get(key) if reads else None
    if raw is not None:
        try:
            kept = json.loads(raw)
        except ValueError:
            kept = None
        if (isinstance(kept, dict) and kept.get("tenant") == tenant_id and "value" in kept
                and (still_true is None or still_true(kept["value"]))):
            if shared:
                _decoded.set(key, kept["value"], len(raw))
            return kept["value"], True
    value = compute()
    if not fingerprint_unchanged(session):
        return value, False
    text = json.dumps({"tenant": tenant_id, "value": value}, ensure_ascii=False)
    store.set(key, text)
    if shared:
        _decoded.set(key, value, len(text))
    return value, True


def cached_html(session: Session, name: str, parts: tuple[Any, ...],
                render: Callable[[], str]) -> KeptHTML:
    """A piece of HTML (``render()``: a Jinja template's output) kept like ``cached``.

    Forms in it carry the reader's form token: it is rendered with a random stand-in for the
    token (``csrf_token()`` answers from ``g``), and each view writes its reader's own token in
    its place. Anything else of the reader's (their role, what they may do) must be in
    ``parts``."""
    return cached_html_about(session, name, parts, render)[0]


def cached_html_about(session: Session, name: str, parts: tuple[Any, ...],
                      render: Callable[[], str], about: Callable[[], Any] | None = None,
                      still_true: Callable[[Any], bool] | None = None) -> tuple[KeptHTML, Any]:
    """``cached_html``, and beside the HTML what ``about()`` (called just after ``render()``,
    JSON-able) said of it: what the view needs besides the HTML (whether the figures were
    computed from the register), or what ``still_true(about)`` checks on every view (rows
    no write of the community marks)."""
    def compute() -> dict[str, Any]:
        html, stand_in = _with_stand_in(render)
        return {"html": html, "stand_in": stand_in,
                "about": about() if about is not None else None}

    kept, is_kept = _cached(session, name, parts, compute,
                            None if still_true is None else lambda value: bool(
                                isinstance(value, dict) and still_true(value.get("about"))),
                            shared=True)
    about_value = kept.get("about")
    if isinstance(about_value, dict | list):  # the view's own copy: the kept one is shared
        about_value = copy.deepcopy(about_value)
    # The stand-in is new with every computed result: it names the kept HTML for good.
    return _with_token(kept["html"], kept["stand_in"],
                       kept["stand_in"] if is_kept else None), about_value


def _with_token(html: str, stand_in: str, kept_id: str | None) -> KeptHTML:
    if stand_in in html:
        # The reader's token as the layout's forms get it (the one signed for this session's
        # secret within the last minute, templating.signed_csrf_token), not signed anew.
        html = html.replace(stand_in, str(escape(signed_csrf_token())))
    return KeptHTML(html, kept_id=kept_id)


def _with_stand_in(render: Callable[[], str]) -> tuple[str, str]:
    """``render()`` with a random stand-in for the reader's form token; both."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    stand_in = f"csrf-stand-in-{secrets.token_hex(16)}"
    missing = object()
    real = g.get(field, missing)
    setattr(g, field, stand_in)
    try:
        html = str(render())
    finally:
        if real is missing:
            g.pop(field, None)
        else:
            setattr(g, field, real)
    return html, stand_in


_by_inputs = DecodedStore()


def html_by_inputs(name: str, inputs: tuple[Any, ...], render: Callable[[], str]) -> KeptHTML:
    """A piece of HTML that shows nothing but ``inputs``, read on every view (a page outside
    any community, such as the account page, whose data the request reads anyway): rendered
    once per distinct ``inputs`` (and language, time zone and mount point) in this process,
    then handed out again with the reader's form token written in, as ``cached_html`` does.

    ``inputs`` must hold everything ``render()`` reads, written out in full (``repr`` of
    plain data classes, ids, the account's own fields): two views with equal inputs get
    the same HTML. No database state is trusted here; nothing is shared between processes.
    Templates that reload (debug) are rendered every time."""
    if not enabled() or not has_request_context() or current_app.jinja_env.auto_reload:
        html, stand_in = _with_stand_in(render)
        return _with_token(html, stand_in, None)
    about = json.dumps([name, _language(), timezone_code(), request.script_root, inputs],
                       default=repr, ensure_ascii=False)
    key = hashlib.sha256(about.encode()).hexdigest()[:32]
    kept = _by_inputs.get(key)
    if kept is None:
        kept = _with_stand_in(render)
        _by_inputs.set(key, kept, len(kept[0]) + len(about))
    return _with_token(kept[0], kept[1], f"inputs-{key}")


def not_yet(moment: str | None) -> bool:
    """A ``still_true`` for a result that holds until ``moment`` (an ISO time the result noted
    beside itself: when the first thing it shows as open closes; None: never)."""
    return moment is None or utcnow() < datetime.fromisoformat(moment)


def fingerprint_unchanged(session: Session) -> bool:
    """Whether computing wrote nothing in this transaction (then the result may be kept)."""
    return not session.info.get(_DIRTY) and not (session.new or session.dirty or session.deleted)


def clear_local() -> None:
    """Empty this process's stores (tests)."""
    _local.clear()
    _decoded.clear()
    _by_inputs.clear()
