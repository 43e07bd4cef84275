"""What the account page reads beside the sign-in, in one statement of its own (issue 14).

The page lists the account's devices (its live sessions) and the communities that invited it
(invitations waiting for an answer, read across communities). Through the ORM that was two
statements in a transaction of their own: BEGIN, the devices, the bypass of row-level
security set for the invitations (``unscoped()``), the invitations, ROLLBACK; five round
trips and two ORM executions, about as much CPU again as the rest of the page. The page has
no community, so the page cache cannot keep it.

On PostgreSQL, when the request has no transaction open yet (tenant_guard.statements_alone,
as after the sign-in statement), both are read in one statement that runs as a transaction
of its own: the devices are its rows (``account_sessions`` is no community's table), and
each row carries the invitations, read with the bypass set for this statement's
transaction alone (``set_config(..., true)``: it ends with the statement), as one JSON
array: a sub-select that reads the bypass's own column (``_BYPASS``), so it cannot run before
the bypass is set. The invitations' conditions are
``offers.pending_offers``'s. Elsewhere (SQLite, a transaction already open as in the tests'
shared connection, no device row to carry the invitations) the two ORM reads run as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from joren.platform.accounts import sessions
from joren.platform.identity.account import Account, AccountSession
from joren.platform.identity.community import Community
from joren.platform.membership.models import Invitation, Member, Role
from joren.platform.membership.offers import Offer, pending_offers
from joren.platform.tenancy import BYPASS_SETTING
from joren.platform.tenant_guard import statements_alone

_SESSIONS = AccountSession.__table__
_INVITATIONS, _COMMUNITIES, _MEMBERS = (Invitation.__table__, Community.__table__,
                                        Member.__table__)

# The bypass, set first: a sub-select whose column calls a volatile function is never
# merged into the statement around it, so it is computed (once: one row) before anything
# that reads its column, and the invitations' sub-select reads it (``b.bypass = 'on'``):
# PostgreSQL cannot run that sub-select before the bypass is set, whatever the plan (an
# order of columns alone would not hold: a sort or a window evaluates volatile columns
# after the others).
_BYPASS = select(func.set_config(BYPASS_SETTING, literal("on"), true()).label("bypass")
                 ).subquery("b")

_OFFERS = (
    select(func.coalesce(func.json_agg(aggregate_order_by(
        func.json_build_array(_INVITATIONS.c.id, _COMMUNITIES.c.name, _COMMUNITIES.c.slug,
                              cast(_INVITATIONS.c.role, String)),
        _COMMUNITIES.c.name, _INVITATIONS.c.id)), func.json_build_array()))
    .select_from(_INVITATIONS)
    .join(_COMMUNITIES, _COMMUNITIES.c.id == _INVITATIONS.c.tenant_id)
    .join(_MEMBERS, (_MEMBERS.c.tenant_id == _INVITATIONS.c.tenant_id)
          & (_MEMBERS.c.id == _INVITATIONS.c.member_id))
    .where(_BYPASS.c.bypass == "on",
           _INVITATIONS.c.email == bindparam("email"), _INVITATIONS.c.accepted_at.is_(None),
           _INVITATIONS.c.revoked_at.is_(None), _INVITATIONS.c.expires_at > bindparam("now"),
           _MEMBERS.c.account_id.is_(None), bindparam("verified") == true())
    .correlate(_BYPASS)
    .scalar_subquery()
)

_DEVICES = (
    select(_SESSIONS.c.id, _SESSIONS.c.user_agent, _SESSIONS.c.ip_address,
           _SESSIONS.c.created_at, _SESSIONS.c.last_seen_at, _SESSIONS.c.is_remembered,
           func.count().over().label("total"), _OFFERS.label("offers"))
    .select_from(_BYPASS)
    .join(_SESSIONS, true())
    .where(_SESSIONS.c.account_id == bindparam("account_id"),
           _SESSIONS.c.revoked_at.is_(None),
           _SESSIONS.c.created_at > bindparam("created_after"),
           or_(_SESSIONS.c.is_remembered.is_(True),
               _SESSIONS.c.last_seen_at > bindparam("seen_after")))
    .order_by(case((_SESSIONS.c.id == bindparam("current_id"), 0), else_=1),
              _SESSIONS.c.last_seen_at.desc(), _SESSIONS.c.id.desc())
    .limit(bindparam("limit"))
)


def devices_and_offers(session: Session, account: Account, *, now: datetime,
                       remember_for: timedelta, idle_for: timedelta,
                       current_id: int | None = None,
                       limit: int = sessions.DEVICES_SHOWN,
                       ) -> tuple[sessions.Devices, list[Offer]]:
    """``sessions.recent_sessions`` and ``offers.pending_offers`` for the account page."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        with statements_alone(connection) as alone:
            rows = connection.execute(_DEVICES, {
                "account_id": account.id, "current_id": current_id or 0,
                "created_after": now - remember_for, "seen_after": now - idle_for,
                "limit": limit, "email": (account.email or "").lower(), "now": now,
                "verified": bool(account.is_verified),
            }).all() if alone else []
        if rows:
            shown = [sessions.ActiveSession(
                id=r.id, device=r.user_agent, ip_address=r.ip_address,
                created_at=r.created_at, last_seen_at=r.last_seen_at,
                is_remembered=r.is_remembered, is_current=r.id == current_id) for r in rows]
            return (sessions.Devices(shown=shown, total=rows[0].total),
                    _offers(rows[0].offers))
    devices = sessions.recent_sessions(session, account, now=now, current_id=current_id,
                                       limit=limit, remember_for=remember_for,
                                       idle_for=idle_for)
    return devices, pending_offers(session, account, now)


def _offers(found: list[list[object]]) -> list[Offer]:
    """The invitations as ``pending_offers`` lists them: one per community."""
    seen: set[str] = set()
    offers = []
    for invitation_id, name, slug, role in found:
        if slug not in seen:
            seen.add(str(slug))
            offers.append(Offer(int(invitation_id), str(name), str(slug),  # type: ignore[call-overload]
                                Role(role)))
    return offers
