"""The stored per-meetup fee tallies (``MeetupFeeTally``), kept current by the code that
changes registrations, attendance and payments, whatever that code is.

Every session records which meetups its writes touched: the objects it flushes (a
registration, a check-in, a payment marked, refunded or cancelled) name their meetup; an ORM
bulk INSERT names the meetups of its rows; any other bulk UPDATE or DELETE of those tables
that sets a column the tallies depend on marks the whole community; rows written around the
ORM (the CSV import's multi-row INSERTs) are announced by the ``attendance_imported`` signal
(joren/tenants/payments/subscribers.py). Before the session commits, the
touched meetups are counted again from the register (a few hundred rows each) in the same
transaction, so a tally is never committed out of step with the rows it counts. A rollback
forgets the marks with the writes.

``recount`` counts again on purpose (every meetup of the session's community, or the given
ones); migration 0030 filled the table from the rows that existed before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, event, func, insert, inspect, select, union
from sqlalchemy.orm import ORMExecuteState, Session

from joren.platform.tenancy import TENANT_KEY, UNSCOPED_KEY, unscoped
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    Registration,
    RegistrationStatus,
)
from joren.tenants.payments.models import MeetupFeeTally, Payment, PaymentKind, PaymentStatus

_TOUCHED = "joren.fee_tallies.touched"  # session.info: meetup ids, or ALL
ALL = "all"
_WATCHED = (Registration, Attendance, Payment)
_TABLES = {model.__table__.name for model in _WATCHED}
# The columns a tally depends on; a write that sets none of them changes no tally.
_COUNTED = {"meetup_id", "member_id", "status", "kind", "tenant_id"}


def due_members(meetup_ids: Iterable[int] | None = None):  # type: ignore[no-untyped-def]
    """(tenant_id, meetup_id, member_id) of each person owing a meetup's fee: registered as
    going or recorded as attending (the dashboard's definition)."""
    def pairs(table, *where):  # type: ignore[no-untyped-def]
        stmt = select(table.tenant_id.label("tenant_id"), table.meetup_id.label("meetup_id"),
                      table.member_id.label("member_id")).where(*where)
        if meetup_ids is not None:
            stmt = stmt.where(table.meetup_id.in_(meetup_ids))
        return stmt

    return union(pairs(Registration, Registration.status == RegistrationStatus.GOING),
                 pairs(Attendance, Attendance.status.in_(ATTENDED))).subquery("due")


def paid_members(meetup_ids: Iterable[int] | None = None):  # type: ignore[no-untyped-def]
    """(meetup_id, member_id) of each paid meetup fee."""
    stmt = (select(Payment.meetup_id.label("meetup_id"), Payment.member_id.label("member_id"))
            .where(Payment.kind == PaymentKind.MEETUP_FEE, Payment.status == PaymentStatus.PAID,
                   Payment.meetup_id.is_not(None)).distinct())
    if meetup_ids is not None:
        stmt = stmt.where(Payment.meetup_id.in_(meetup_ids))
    return stmt.subquery("paid")


def counted(meetup_ids: Iterable[int] | None = None) -> Any:
    """(tenant_id, meetup_id, due, unpaid) from the register, for these meetups or all."""
    ids = None if meetup_ids is None else sorted(set(meetup_ids))
    due, paid = due_members(ids), paid_members(ids)
    return (select(due.c.tenant_id, due.c.meetup_id, func.count().label("due"),
                   (func.count() - func.count(paid.c.member_id)).label("unpaid"))
            .select_from(due)
            .outerjoin(paid, (paid.c.meetup_id == due.c.meetup_id)
                       & (paid.c.member_id == due.c.member_id))
            .group_by(due.c.tenant_id, due.c.meetup_id))


def recount(session: Session, meetup_ids: Iterable[int] | None = None) -> int:
    """Count these meetups' tallies again from the register (every meetup of the session's
    community when None; of every community in an unscoped session); return how many
    meetups owe anything."""
    ids = None if meetup_ids is None else sorted(set(meetup_ids))
    if ids == []:
        return 0
    rows = session.execute(counted(ids)).all()
    gone = delete(MeetupFeeTally)
    if ids is not None:
        gone = gone.where(MeetupFeeTally.meetup_id.in_(ids))
    session.execute(gone)
    if rows:
        session.execute(insert(MeetupFeeTally), [
            {"tenant_id": tenant_id, "meetup_id": meetup_id, "due": due, "unpaid": unpaid}
            for tenant_id, meetup_id, due, unpaid in rows])
    return len(rows)


def stored(session: Session, meetup_id: int) -> tuple[int, int] | None:
    """(due, unpaid) of one meetup from its stored tally ((0, 0) when it has none: nobody owes
    anything), or None while this session holds writes to it that are not counted yet (they
    are counted when it commits): then only the register has the answer."""
    row = session.execute(select(MeetupFeeTally.due, MeetupFeeTally.unpaid)
                          .where(MeetupFeeTally.meetup_id == meetup_id)).first()
    touched = session.info.get(_TOUCHED)  # read after the query's autoflush
    if touched == ALL or (touched and meetup_id in touched):
        return None
    return (int(row.due), int(row.unpaid)) if row is not None else (0, 0)


# -- keeping them current -------------------------------------------------------------------

def touch(session: Session, meetup_ids: Iterable[int | None] | str) -> None:
    """Count these meetups' tallies (``ALL``: the community's) again before ``session``
    commits: for writes the session's own events cannot see (rows inserted around the ORM)."""
    touched = session.info.get(_TOUCHED)
    if touched == ALL:
        return
    if meetup_ids == ALL:
        session.info[_TOUCHED] = ALL
        return
    found = {m for m in meetup_ids if m is not None}
    if found:
        session.info[_TOUCHED] = (touched or set()) | found


def _flushed(session: Session, flush_context: Any) -> None:
    touched: set[int | None] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, _WATCHED):
            touched.add(obj.meetup_id)
    for obj in session.dirty:
        if not isinstance(obj, _WATCHED):
            continue
        state = inspect(obj)
        changed = [state.attrs[name].history for name in _COUNTED if name in state.attrs]
        if any(h.has_changes() for h in changed):
            history = state.attrs.meetup_id.history
            touched.update((obj.meetup_id, *history.deleted))
    touch(session, touched)


def _bulk_write(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in _TABLES:
        return
    params = state.parameters
    rows = params if isinstance(params, list | tuple) else [params] if params else []
    values = dict(getattr(state.statement, "_values", None) or {})
    if state.is_insert and rows and not values and all("meetup_id" in r for r in rows):
        touch(state.session, (r["meetup_id"] for r in rows))
        return
    if state.is_update and values:
        names = {getattr(k, "key", k) for k in values}
        if not names & _COUNTED:
            return  # free text blanked (erasure), times: no tally changes
    touch(state.session, ALL)


def _before_commit(session: Session) -> None:
    if session.info.get(_TOUCHED) is None:
        return
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if touched is None:
        return
    ids = None if touched == ALL else touched
    if session.info.get(TENANT_KEY) is not None and not session.info.get(UNSCOPED_KEY):
        recount(session, ids)
        return
    # A session bound to no community (a bulk load, the platform's own work) counts the
    # meetups it touched wherever they are.
    with unscoped(session):
        recount(session, ids)


def _rolled_back(session: Session, previous_transaction: Any = None) -> None:
    session.info.pop(_TOUCHED, None)


_installed = False


def install() -> None:
    """Listen to every session's writes (once per process; ``create_app`` calls it)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _flushed)
    event.listen(Session, "do_orm_execute", _bulk_write)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _rolled_back)
    _installed = True
