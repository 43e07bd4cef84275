"""The relationship ledger: logging contacts, and keeping each pair's ``Relationship`` row in
step with its sources.

What the ledger holds (decided here, relied on by the portal, the outcomes page and the
matching loader):

- A ``Relationship`` row exists for every pair with a real tie: a logged contact (either side
  logged it), a referral (either direction), or an introduction the two were told about
  (sent, connected, declined or expired; one still in the organizer's queue or skipped is
  not theirs to see). Merely being in the same room is not a tie: a 5,000-member community
  would otherwise store millions of rows of strangers. Who met whom at a meetup comes from
  the attendance register itself (``pairs_spoken`` says who has spoken).
- ``meetups_together``: non-cancelled meetups both attended (present, late or walk-in).
- ``contacts``: days with a logged contact, from either side. Both people logging the same
  conversation count it once; a 1:1 one day and a call the next count twice. This is the
  depth measured against the 5–7 contact milestone.
- ``introductions`` / ``introduction_status``: 0 or 1 (one introduction per pair, ever) and
  its status.
- ``referrals_low_to_high`` / ``referrals_high_to_low``: referrals in each direction (any
  status); ``referral_value``: JPY of closed (won) business, both ways.
- ``last_contact_on``: the latest of a logged contact's day and a meetup attended together
  (its day in the community's time zone). A connection by email is not a contact.

``rebuild`` recomputes the community in five reads (three aggregates of contacts, referrals and
introductions; the meetups, and the attendance register intersected per pair), one delete and
one bulk insert; ``refresh_pairs`` and ``refresh_member`` run the same reads restricted to a
few members, so they always agree with ``rebuild``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_app_context
from sqlalchemy import and_, case, delete, func, insert, or_, select, true, union
from sqlalchemy.orm import Session

from joren.platform.db import IN_LIMIT, utcnow
from joren.platform.identity.community import community_of
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.meetups.models import ATTENDED, Attendance, Meetup, MeetupStatus
from joren.tenants.relationships.models import (
    Contact,
    ContactKind,
    Referral,
    ReferralStatus,
    Relationship,
)

REFRESH_MEMBER_JOB = "joren.workers.relationship_jobs.refresh_member"
# Introductions the two people were told about: these make a pair part of the ledger.
TOLD = (IntroductionStatus.SENT, IntroductionStatus.CONNECTED, IntroductionStatus.DECLINED,
        IntroductionStatus.EXPIRED)
NOTE_LENGTH = 500
FIGURES = ("meetups_together", "introductions", "introduction_status", "contacts",
           "referrals_low_to_high", "referrals_high_to_low", "referral_value",
           "last_contact_on")
# The ledger's INTEGER columns hold at most this; a pair's total value is capped there.
INT_MAX = 2_147_483_647


class LedgerError(ValueError):
    """A contact or referral was refused; ``code`` says why (views turn it into words)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def ordered(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise LedgerError("same_person")
    return (a, b) if a < b else (b, a)


def _tenant(session: Session) -> int:
    tenant_id = current_tenant_id(session)
    if tenant_id is None:
        raise LedgerError("no_community")
    return tenant_id


def community_today(session: Session, now: datetime | None = None) -> date:
    """Today in the community's time zone."""
    return (now or utcnow()).astimezone(community_of(session, _tenant(session)).zone).date()


def request_member_refresh(session: Session, tenant_id: int, member_id: int) -> None:
    """After the attendance register changes: refresh the member's ledger rows once the change
    is committed. Without an application (scripts) the daily rebuild catches up."""
    if has_app_context():
        enqueue_after_commit(session, REFRESH_MEMBER_JOB, tenant_id, member_id)


# -- computing the figures ---------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Which pairs to compute: all (``ids`` None), pairs with both members in ``ids``
    (``both``), or pairs with at least one member in ``ids`` (``either``)."""

    ids: frozenset[int] | None = None
    both: bool = True

    def where(self, a: Any, b: Any) -> Any:
        if self.ids is None or len(self.ids) > IN_LIMIT:
            return true()
        ids = sorted(self.ids)
        if self.both:
            return and_(a.in_(ids), b.in_(ids))
        return or_(a.in_(ids), b.in_(ids))

    def keeps(self, low: int, high: int) -> bool:
        if self.ids is None:
            return True
        if self.both:
            return low in self.ids and high in self.ids
        return low in self.ids or high in self.ids


def _low(a: Any, b: Any) -> Any:
    return case((a < b, a), else_=b)


def _high(a: Any, b: Any) -> Any:
    return case((a < b, b), else_=a)


Row = dict[str, Any]
RowOf = Callable[[int, int], Row]


def compute(session: Session, scope: Scope = Scope()) -> dict[tuple[int, int], Row]:
    """Every figure of every tied pair in ``scope``, in five statements."""
    tenant_id = _tenant(session)
    zone = community_of(session, _tenant(session)).zone
    rows: dict[tuple[int, int], Row] = {}

    def row(low: int, high: int) -> Row:
        found = rows.get((low, high))
        if found is None:
            found = rows[(low, high)] = {
                "member_low_id": low, "member_high_id": high, "meetups_together": 0,
                "introductions": 0, "introduction_status": "", "contacts": 0,
                "referrals_low_to_high": 0, "referrals_high_to_low": 0, "referral_value": 0,
                "last_contact_on": None}
        return found

    _add_contacts(session, tenant_id, scope, row)
    _add_referrals(session, tenant_id, scope, row)
    _add_introductions(session, tenant_id, scope, row)
    # Meetups attended together, for the tied pairs only: one read of the register (of the
    # members concerned), then a set intersection per pair. Each member attends a handful of
    # meetups, so this is linear in the register and in the pairs, with no plan to go wrong:
    # a self-join of the register would be quadratic in each meetup's size, and its plan
    # hinges on statistics the planner often does not have.
    if rows:
        _meetups_together(session, tenant_id, scope, rows, zone)
    return rows


def _add_contacts(session: Session, tenant_id: int, scope: Scope, row: RowOf) -> None:
    """Days with a logged contact (either side) and the last one, per pair."""
    low = _low(Contact.member_id, Contact.other_id)
    high = _high(Contact.member_id, Contact.other_id)
    for a, b, days, last in session.execute(
            select(low, high, func.count(func.distinct(Contact.happened_on)),
                   func.max(Contact.happened_on))
            .where(Contact.tenant_id == tenant_id,
                   scope.where(Contact.member_id, Contact.other_id))
            .group_by(low, high)):
        if scope.keeps(a, b):
            found = row(a, b)
            found["contacts"] = days
            found["last_contact_on"] = _as_date(last)


def _add_referrals(session: Session, tenant_id: int, scope: Scope, row: RowOf) -> None:
    """Referrals each way and the value of those won (capped at ``INT_MAX``), per pair."""
    low = _low(Referral.giver_id, Referral.receiver_id)
    high = _high(Referral.giver_id, Referral.receiver_id)
    won = Referral.status == ReferralStatus.CLOSED_WON
    for a, b, up, down, value in session.execute(
            select(low, high,
                   func.sum(case((Referral.giver_id < Referral.receiver_id, 1), else_=0)),
                   func.sum(case((Referral.giver_id > Referral.receiver_id, 1), else_=0)),
                   func.sum(case((won, func.coalesce(Referral.value_jpy, 0)), else_=0)))
            .where(Referral.tenant_id == tenant_id,
                   scope.where(Referral.giver_id, Referral.receiver_id))
            .group_by(low, high)):
        if scope.keeps(a, b):
            found = row(a, b)
            found.update(referrals_low_to_high=int(up or 0), referrals_high_to_low=int(down or 0),
                         referral_value=min(int(value or 0), INT_MAX))


def _add_introductions(session: Session, tenant_id: int, scope: Scope, row: RowOf) -> None:
    """The introduction the two were told about, and its status, per pair."""
    for a, b, status in session.execute(
            select(Introduction.member_low_id, Introduction.member_high_id, Introduction.status)
            .where(Introduction.tenant_id == tenant_id, Introduction.status.in_(TOLD),
                   scope.where(Introduction.member_low_id, Introduction.member_high_id))):
        if scope.keeps(a, b):
            found = row(a, b)
            found.update(introductions=1, introduction_status=IntroductionStatus(status).value)


def _meetups_together(session: Session, tenant_id: int, scope: Scope,
                      rows: dict[tuple[int, int], dict[str, Any]], zone: ZoneInfo) -> None:
    if scope.ids is None:
        involved = None
    elif scope.both:
        involved = set(scope.ids)
    else:
        involved = set(scope.ids) | {member for pair in rows for member in pair}
    starts = dict(session.execute(
        select(Meetup.id, Meetup.starts_at)
        .where(Meetup.tenant_id == tenant_id, Meetup.status != MeetupStatus.CANCELLED)).all())
    stmt = (select(Attendance.member_id, Attendance.meetup_id)
            .where(Attendance.tenant_id == tenant_id, Attendance.status.in_(ATTENDED)))
    if involved is not None and len(involved) <= IN_LIMIT:
        stmt = stmt.where(Attendance.member_id.in_(sorted(involved)))
    attended: dict[int, set[int]] = defaultdict(set)
    for member_id, meetup_id in session.execute(stmt):
        if meetup_id in starts:
            attended[member_id].add(meetup_id)
    for (low, high), found in rows.items():
        mine, theirs = attended.get(low), attended.get(high)
        if not mine or not theirs:
            continue
        together = mine & theirs
        if not together:
            continue
        found["meetups_together"] = len(together)
        met_on = _local_date(max(starts[meetup_id] for meetup_id in together), zone)
        if met_on and (found["last_contact_on"] is None or met_on > found["last_contact_on"]):
            found["last_contact_on"] = met_on


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _local_date(value: Any, zone: ZoneInfo) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).date()


# -- writing the ledger ------------------------------------------------------------------

def rebuild(session: Session) -> int:
    """Recompute the whole community's ledger from the sources; return how many rows."""
    tenant_id = _tenant(session)
    rows = compute(session)
    session.execute(delete(Relationship).where(Relationship.tenant_id == tenant_id))
    if rows:
        # Core executemany: one statement for every row (the ORM's bulk insert would split
        # it wherever a row's None columns differ from the previous row's).
        now = utcnow()
        session.execute(insert(Relationship.__table__),
                        [{"tenant_id": tenant_id, "created_at": now, **values}
                         for values in rows.values()])
    session.expire_all()
    return len(rows)


def _store(session: Session, scope: Scope, existing: Iterable[Relationship]) -> None:
    rows = compute(session, scope)
    for relationship in existing:
        key = (relationship.member_low_id, relationship.member_high_id)
        if not scope.keeps(*key):
            continue
        values = rows.pop(key, None)
        if values is None:
            session.delete(relationship)
            continue
        for name in FIGURES:
            if getattr(relationship, name) != values[name]:
                setattr(relationship, name, values[name])
    session.flush()
    if rows:
        # Core executemany, as in ``rebuild``: one statement however many pairs are new (the
        # ORM inserts row by row on SQLite, which cannot batch an INSERT ... RETURNING).
        now = utcnow()
        session.execute(insert(Relationship.__table__),
                        [{"tenant_id": _tenant(session), "created_at": now, **values}
                         for values in rows.values()])


def refresh_pairs(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the ledger rows of these pairs (and of any other pair among the same members,
    which costs nothing more) from the sources."""
    ids = frozenset(member for pair in pairs for member in ordered(*pair))
    if not ids:
        return
    scope = Scope(ids, both=True)
    existing = session.scalars(select(Relationship).where(
        scope.where(Relationship.member_low_id, Relationship.member_high_id))).all()
    _store(session, scope, existing)


def refresh_member(session: Session, member_id: int) -> None:
    """Recompute every ledger row of one member (after a check-in or a register change)."""
    scope = Scope(frozenset([member_id]), both=False)
    existing = session.scalars(select(Relationship).where(
        or_(Relationship.member_low_id == member_id,
            Relationship.member_high_id == member_id))).all()
    _store(session, scope, existing)


# -- contacts ----------------------------------------------------------------------------

def log_contact(session: Session, member_id: int, other_id: int, kind: ContactKind, *,
                happened_on: date | None = None, meetup_id: int | None = None,
                note: str = "") -> Contact:
    """``member_id`` logs a contact with ``other_id``; refreshes the pair's ledger row.

    Logging the same (member, other, kind, meetup, day) again returns the first row and
    changes nothing. Raises ``LedgerError`` for a bad kind, a day in the future, an unknown
    member or meetup (another community's ids are unknown here), or a note that is too long.
    """
    ordered(member_id, other_id)
    try:
        kind = ContactKind(kind)
    except ValueError:
        raise LedgerError("bad_kind") from None
    note = " ".join((note or "").split())
    if len(note) > NOTE_LENGTH:
        raise LedgerError("note_too_long")
    today = community_today(session)
    happened_on = happened_on or today
    if happened_on > today:
        raise LedgerError("future")
    found = set(session.scalars(select(Member.id).where(Member.id.in_([member_id, other_id]))))
    if found != {member_id, other_id}:
        raise LedgerError("unknown_member")
    if meetup_id is not None and session.scalar(
            select(Meetup.id).where(Meetup.id == meetup_id)) is None:
        raise LedgerError("unknown_meetup")
    meetup_match = Contact.meetup_id.is_(None) if meetup_id is None else (
        Contact.meetup_id == meetup_id)
    existing = session.scalar(select(Contact).where(
        Contact.member_id == member_id, Contact.other_id == other_id, Contact.kind == kind,
        Contact.happened_on == happened_on, meetup_match).order_by(Contact.id).limit(1))
    if existing is not None:
        return existing
    contact = Contact(member_id=member_id, other_id=other_id, kind=kind,
                      happened_on=happened_on, meetup_id=meetup_id, note=note)
    session.add(contact)
    session.flush()
    refresh_pairs(session, [(member_id, other_id)])
    return contact


def pairs_spoken(session: Session, member_ids: Iterable[int] | None = None
                 ) -> set[tuple[int, int]]:
    """(low, high) pairs with a logged contact (either side) or a connected introduction.

    With ``member_ids``, only pairs whose two members are both among them.
    """
    tenant_id = _tenant(session)
    ids = frozenset(member_ids) if member_ids is not None else None
    scope = Scope(ids, both=True)
    contacts = (select(_low(Contact.member_id, Contact.other_id),
                       _high(Contact.member_id, Contact.other_id))
                .where(Contact.tenant_id == tenant_id,
                       scope.where(Contact.member_id, Contact.other_id)))
    connected = (select(Introduction.member_low_id, Introduction.member_high_id)
                 .where(Introduction.tenant_id == tenant_id,
                        Introduction.status == IntroductionStatus.CONNECTED,
                        scope.where(Introduction.member_low_id, Introduction.member_high_id)))
    return {(a, b) for a, b in session.execute(union(contacts, connected)) if scope.keeps(a, b)}


def relationship_of(session: Session, a: int, b: int) -> Relationship | None:
    low, high = ordered(a, b)
    return session.scalar(select(Relationship).where(Relationship.member_low_id == low,
                                                     Relationship.member_high_id == high))
