"""Who is asking, in one statement: the signed-in session and its account, the community of
the URL with the person's membership in it, and every community they belong to (the navbar's
switcher).

A signed-in page used to spend four statements (and a second connection, for the switcher)
before its view ran. This reads them together: one row per community the person belongs to,
each carrying the session, the account, the community named by the URL's slug and the
membership there. The read crosses communities (the switcher lists them all), so it runs
``unscoped``; it names the community only through the slug and the membership only through
the community and the account, exactly as the edge asks for them, and the edge binds the
request's session to that community straight after (joren/platform/membership/edge.py).

On PostgreSQL the statement is the request's only round trip beside BEGIN and ROLLBACK: the
memberships come through ``joren_session_members`` (platform/rls.py: the rows of this one
session's account, so the policies need no bypass), and the statement itself sets the
transaction's community to the URL's, which the edge would otherwise send separately.

Plain functions on an explicit session and ``now``: no Flask here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import String, and_, bindparam, case, cast, column, func, select
from sqlalchemy.orm import Session, aliased, lazyload

from joren.platform.accounts.memberships import Membership
from joren.platform.accounts.sessions import digest, is_live
from joren.platform.identity.account import Account, AccountSession
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.platform.rls import SESSION_MEMBERS_FUNCTION
from joren.platform.tenancy import TENANT_SETTING, unscoped
from joren.platform.tenant_guard import NO_DATABASE_BYPASS, tenant_set_by_statement


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


_RECORD_COLUMNS = (AccountSession.id, AccountSession.token_hash, AccountSession.created_at,
                   AccountSession.last_seen_at, AccountSession.revoked_at,
                   AccountSession.is_remembered)


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


def _session_members(name: str):  # type: ignore[no-untyped-def]
    """``Member`` read through rls.SESSION_MEMBERS_FUNCTION: the session's account's rows."""
    rows = getattr(func, SESSION_MEMBERS_FUNCTION)(bindparam("record_id"),
                                                    bindparam("token_hash"))
    table = rows.table_valued(*(column(c.name, c.type) for c in Member.__table__.c), name=name)
    return aliased(Member, table, name=name, adapt_on_names=True)


@cache
def _statement(with_community: bool, postgresql: bool):  # type: ignore[no-untyped-def]
    """Built once per process (aliases are costly to build); the ids are bound parameters."""
    if postgresql:
        here, mine = _session_members("here"), _session_members("mine")
    else:
        here = aliased(Member, name="here")  # the membership in the URL's community
        mine = aliased(Member, name="mine")  # each of the account's memberships
    theirs = aliased(Community, name="theirs")
    heads: tuple = (*_RECORD_COLUMNS, Account)  # type: ignore[type-arg]
    if with_community:
        heads = (*heads, Community, here)
        if postgresql:  # the edge's tenant, set here rather than in a round trip of its own
            live = and_(Community.id.is_not(None), Community.deleted_at.is_(None))
            heads = (*heads, case((live, func.set_config(
                TENANT_SETTING, cast(Community.id, String), True))).label("tenant_set"))
    stmt = (
        select(*heads, theirs.id, theirs.slug, theirs.name, mine.id, mine.role, mine.status)
        .select_from(AccountSession)
        .join(Account, Account.id == AccountSession.account_id)
    )
    if with_community:
        stmt = (
            stmt.outerjoin(Community, Community.slug == bindparam("slug"))
            .outerjoin(here, and_(here.tenant_id == Community.id,
                                  here.account_id == Account.id))
            # The member's account is the one in this row: no second join for it.
            .options(lazyload(here.account))
        )
    # The secret's hash is matched here too (and again in Python, in constant time): a
    # statement for a wrong secret returns nothing and sets nothing.
    return (
        stmt.outerjoin(mine, mine.account_id == Account.id)
        .outerjoin(theirs, theirs.id == mine.tenant_id)
        .where(AccountSession.id == bindparam("record_id"),
               AccountSession.token_hash == bindparam("token_hash"))
        .order_by(theirs.name, theirs.id)
        .execution_options(**{NO_DATABASE_BYPASS: postgresql})
    )


def load_signed_in(session: Session, login_id: str, *, slug: str | None, now: datetime,
                   remember_for: timedelta, idle_for: timedelta) -> SignedIn | None:
    """The live session a cookie's ``"id:secret"`` names, with what a page shows about the
    person (see the module's docstring), or None when the cookie names no live session."""
    record_id, _, secret = (login_id or "").partition(":")
    if not record_id.isdigit() or len(record_id) > 18 or not secret:
        return None
    postgresql = session.get_bind().dialect.name == "postgresql"
    hashed = digest(secret)
    with unscoped(session):
        params = {"record_id": int(record_id), "token_hash": hashed} | (
            {} if slug is None else {"slug": slug})
        rows = session.execute(_statement(slug is not None, postgresql), params).all()
    if not rows:
        return None
    first, heads = rows[0], len(_RECORD_COLUMNS)
    record, account = SessionRecord(*first[:heads]), first[heads]
    if postgresql and slug is not None and first.tenant_set is not None:
        tenant_set_by_statement(session, first[heads + 1].id)
    if not secrets.compare_digest(record.token_hash, hashed):
        return None
    if not is_live(record, now, remember_for=remember_for, idle_for=idle_for):
        return None
    account.login_id, account.current_session_id = login_id, record.id
    community = membership = None
    if slug is not None:
        community, membership = first[heads + 1], first[heads + 2]
    memberships = [
        Membership(community_id=cid, slug=cslug, name=name, member_id=mid, role=role,
                   status=status)
        for *_, cid, cslug, name, mid, role, status in rows if mid is not None
    ]
    return SignedIn(account=account, record=record, community=community,
                    membership=membership, memberships=memberships)
