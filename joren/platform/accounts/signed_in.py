"""Who is asking, in one statement: the signed-in session and its account, the community of
the URL with the person's membership in it, and every community they belong to (the navbar's
switcher).

A signed-in page used to spend four statements (and a second connection, for the switcher)
before its view ran. This reads them together: one row per community the person belongs to,
each carrying the session, the account, the community named by the URL's slug and the
membership there. The read crosses communities (the switcher lists them all); it names the
community only through the slug and the membership only through the community and the
account, exactly as the edge asks for them, and the edge binds the request's session to that
community straight after (joren/platform/membership/edge.py).

On PostgreSQL the memberships come through ``joren_session_members`` (platform/rls.py: the
rows of this one session's account, so the policies need no bypass), called once (a CTE
read for the membership here and for every membership), and the statement
itself sets the transaction's community to the URL's before it reads the community's
page-cache fingerprint (pagecache.fingerprint_columns). As a request's first statement it
runs as a transaction of its own (tenant_guard.statements_alone): a page that runs nothing
else (a page served from the page cache, a form) costs this one round trip, without BEGIN
and ROLLBACK; a page that reads more begins its transaction with its next statement, and
the guard gives that transaction the community's scope (one round trip more than when this
statement set it for the whole transaction, two fewer for the pages that need no other).

It is a Core statement, run on the session's connection: the ORM's execution and loading of
three entities cost a signed-in request more than the statement itself (issue 14: 0.9 of
1.2 ms, measured on PostgreSQL as the app role). The account, the community and the
membership are then made ORM objects of the request's session as a query would have loaded
them (``_as_loaded``): every column set, nothing pending, in the identity map, so views read
and change them as before. No guard is bypassed by not using the ORM: the guard scopes what
a session's ORM executes, and this statement reads other communities' rows only as the
ORM's ``unscoped()`` read did before it (the session's account's memberships, through the
security-definer function on PostgreSQL, whose row-level security applies).

Plain functions on an explicit session and ``now``: no Flask here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from joren.platform import pagecache
from joren.platform.accounts.memberships import Membership
from joren.platform.accounts.sessions import digest, is_live
from joren.platform.identity.account import Account, AccountSession
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.platform.rls import SESSION_MEMBERS_FUNCTION
from joren.platform.tenancy import TENANT_SETTING
from joren.platform.tenant_guard import statements_alone, tenant_set_by_statement


@dataclass(frozen=True)
class SessionRecord:
    """What a request needs of its ``AccountSession`` row (read as columns: the page never
    changes it through the ORM, so it need not be an object of the request's session)."""

    id: int
    token_hash: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    is_remembered: bool


_RECORD_FIELDS = ("id", "token_hash", "created_at", "last_seen_at", "revoked_at",
                  "is_remembered")


@dataclass(frozen=True)
class SignedIn:
    """A live session's account; with a slug, that community (None: no such community) and
    the account's membership there (None: not a member); and all the account's communities."""

    account: Account
    record: SessionRecord
    community: Community | None
    membership: Member | None
    memberships: list[Membership]

    @property
    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.is_active]


@dataclass(frozen=True)
class _Entity:
    """One mapped class read as columns: the attribute key of each, in the table's order."""

    cls: type
    keys: tuple[str, ...]
    primary_key: tuple[int, ...]  # positions in ``keys``

    @classmethod
    def of(cls, mapped: type) -> _Entity:
        mapper = mapped.__mapper__  # type: ignore[attr-defined]
        columns = list(mapper.local_table.c)
        return cls(mapped, tuple(mapper.get_property_by_column(c).key for c in columns),
                   tuple(columns.index(c) for c in mapper.primary_key))

    def columns(self, source: Any) -> list[Any]:
        """``source``'s columns (a table, an alias or a function's rows), in order. They
        are read by position, not by label: without the labels the statement stays short
        enough for psycopg to keep its conversion and prepare it (4,096 characters)."""
        return list(source.c)


_ACCOUNT = _Entity.of(Account)
_COMMUNITY = _Entity.of(Community)
_MEMBER = _Entity.of(Member)


_SESSION_MEMBERS_ROWS = "SELECT * FROM joren_session_members(:record_id, :token_hash)"
assert SESSION_MEMBERS_FUNCTION + "(" in _SESSION_MEMBERS_ROWS  # noqa: S101 - the same function


def _session_members() -> Any:
    """The members rows of rls.SESSION_MEMBERS_FUNCTION (the session's account's rows), as
    a CTE the statement reads twice (the membership here, and every membership).

    The function is called once: PostgreSQL materialises a CTE that is read twice, while a
    function named twice in FROM runs twice, and one run costs the server more than the
    rest of the statement (a SECURITY DEFINER SQL function with SET clauses is never
    inlined, so its body is parsed and planned on every call: measured 0.21 ms of the
    server's CPU a call, the whole statement 0.49 ms with two calls and 0.35 ms with one).
    The CTE is ``SELECT *``: its columns are referenced by name, and listing them would make
    the statement longer than psycopg prepares (4,096 characters)."""
    rows = text(_SESSION_MEMBERS_ROWS).bindparams(bindparam("record_id"), bindparam("token_hash"))
    return rows.columns(*(column(c.name, c.type) for c in Member.__table__.c)).cte(
        "session_members")


@cache
def _statement(with_community: bool, postgresql: bool) -> Select[Any]:
    """Built once per process; the ids are bound parameters."""
    sessions, accounts = AccountSession.__table__, Account.__table__
    communities, members = Community.__table__, Member.__table__
    if postgresql:
        rows = _session_members()
        here, mine = rows.alias("here"), rows.alias("mine")
    else:
        here = members.alias("here")  # the membership in the URL's community
        mine = members.alias("mine")  # each of the account's memberships
    theirs = communities.alias("theirs")
    # In the order the ``_AT_...`` positions below read them.
    heads = [sessions.c[name] for name in _RECORD_FIELDS] + _ACCOUNT.columns(accounts)
    if with_community:
        heads += _COMMUNITY.columns(communities) + _MEMBER.columns(here)
        # On PostgreSQL, the edge's tenant, set here rather than in a round trip of its own.
        live = and_(communities.c.id.is_not(None), communities.c.deleted_at.is_(None))
        heads.append(case((live, func.set_config(
            TENANT_SETTING, cast(communities.c.id, String), True))) if postgresql
            else literal(None))
        # After the scope (PostgreSQL evaluates the columns in order): a cached page then
        # needs no statement of its own for its key (pagecache.fingerprint_columns).
        heads += pagecache.fingerprint_columns(communities.c.id)
    stmt = (
        select(*heads, theirs.c.id, theirs.c.slug, theirs.c.name, mine.c.id, mine.c.role,
               mine.c.status)
        .select_from(sessions)
        .join(accounts, accounts.c.id == sessions.c.account_id)
    )
    if with_community:
        stmt = (
            stmt.outerjoin(communities, communities.c.slug == bindparam("slug"))
            .outerjoin(here, and_(here.c.tenant_id == communities.c.id,
                                  here.c.account_id == accounts.c.id))
        )
    # The secret's hash is matched here too (and again in Python, in constant time): a
    # statement for a wrong secret returns nothing and sets nothing.
    return (
        stmt.outerjoin(mine, mine.c.account_id == accounts.c.id)
        .outerjoin(theirs, theirs.c.id == mine.c.tenant_id)
        .where(sessions.c.id == bindparam("record_id"),
               sessions.c.token_hash == bindparam("token_hash"))
        .order_by(theirs.c.name, theirs.c.id)
    )


def _as_loaded(session: Session, entity: _Entity, row: Any, at: int) -> Any:
    """The object of ``entity`` whose columns ``row`` holds from position ``at``, in
    ``session`` as a query would have loaded it: the object already in the session's
    identity map (its unloaded attributes filled in from the row, as the ORM's loading
    does), else a new persistent one with every column set and no change pending."""
    values = dict(zip(entity.keys, row[at:at + len(entity.keys)], strict=True))
    mapper = entity.cls.__mapper__  # type: ignore[attr-defined]
    identity = mapper.identity_key_from_primary_key(
        [row[at + i] for i in entity.primary_key])
    found = session.identity_map.get(identity)
    if found is not None:
        for key in instance_state(found).unloaded:
            if key in values:
                set_committed_value(found, key, values[key])
        return found
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)  # a persistent identity, its values the loaded state
    session.add(obj)
    return obj


# Where each part starts in a row of ``_statement(True, ...)``.
_AT_ACCOUNT = len(_RECORD_FIELDS)
_AT_COMMUNITY = _AT_ACCOUNT + len(_ACCOUNT.keys)
_AT_MEMBER = _AT_COMMUNITY + len(_COMMUNITY.keys)
_AT_TENANT_SET = _AT_MEMBER + len(_MEMBER.keys)


def load_signed_in(session: Session, login_id: str, *, slug: str | None, now: datetime,
                   remember_for: timedelta, idle_for: timedelta) -> SignedIn | None:
    """The live session a cookie's ``"id:secret"`` names, with what a page shows about the
    person (see the module's docstring), or None when the cookie names no live session."""
    record_id, _, secret = (login_id or "").partition(":")
    if not record_id.isdigit() or len(record_id) > 18 or not secret:
        return None
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    hashed = digest(secret)
    params = {"record_id": int(record_id), "token_hash": hashed} | (
        {} if slug is None else {"slug": slug})
    with statements_alone(connection) as alone:
        rows = connection.execute(_statement(slug is not None, postgresql), params).all()
    if not rows:
        return None
    first = rows[0]
    record = SessionRecord(*first[:_AT_ACCOUNT])
    community_id = None if slug is None else first[_AT_COMMUNITY]
    if (postgresql and not alone and community_id is not None
            and first[_AT_TENANT_SET] is not None):
        tenant_set_by_statement(session, community_id)
    if not secrets.compare_digest(record.token_hash, hashed):
        return None
    if not is_live(record, now, remember_for=remember_for, idle_for=idle_for):
        return None
    account = _as_loaded(session, _ACCOUNT, first, _AT_ACCOUNT)
    account.login_id, account.current_session_id = login_id, record.id
    community = membership = None
    if community_id is not None:
        community = _as_loaded(session, _COMMUNITY, first, _AT_COMMUNITY)
        pagecache.fingerprint_read(session, community_id,
                                   *first[_AT_TENANT_SET + 1:_AT_TENANT_SET + 3])
        if first[_AT_MEMBER] is not None:
            membership = _as_loaded(session, _MEMBER, first, _AT_MEMBER)
    memberships = [
        Membership(community_id=cid, slug=cslug, name=name, member_id=mid, role=role,
                   status=status)
        for *_, cid, cslug, name, mid, role, status in rows if mid is not None
    ]
    return SignedIn(account=account, record=record, community=community,
                    membership=membership, memberships=memberships)
