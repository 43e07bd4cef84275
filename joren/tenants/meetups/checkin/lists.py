"""Who is at the door and who came (read only): the door list with its search, the counts,
the register after the meetup with its no-shows, and the register's history. Each is one
statement, sorted by reading (あいうえお順).

Door search (issue 14): the organizer types the start of a name, a reading (hiragana or
katakana, any width), romaji (either order, long vowels written or not), a company or an
email, and the door answers from btree indexes, whatever the size of the community.

- Why prefixes on btree indexes, not trigrams: under row-level security PostgreSQL evaluates
  the tenant policy before any operator that is not LEAKPROOF, and LIKE and pg_trgm's
  operators are not, so the app's role never gets a trigram or LIKE index scan (measured).
  Text ``=``, ``<``, ``>=`` are leakproof (pg_proc.proleakproof): ``key >= q AND key <
  prefix_upper(q)`` on a column collated "C" is "starts with q" and is an index condition
  under the policy. SQLite has no RLS and reads the same ranges from the same indexes.
- Why key columns on ``members`` and not a table of keys (one row per token): a CSV import
  must keep its pace (tests/perf/test_import_perf.py), and on PostgreSQL every row of a key
  table costs a heap tuple, its primary key entry and two foreign-key checks (measured about
  10–38 µs a key row under load, against ~160 µs for the member row itself: eight keys a
  member would have doubled the import, as the trigger-maintained gram table did). A key on
  the member row costs one index entry and nothing else, is written by the same INSERT (and
  by Core inserts through its column default, and by every ORM update of its parts), is
  blanked with the row when the member is erased, and needs no separate isolation: it is the
  members table's policy and the tenant guard's scope.
- Which keys: most are indexes the members table already has. The folded name without
  spaces is the start of ``search_key`` (佐藤太郎, found by 佐藤 or 佐藤太); the reading is
  ``ix_members_tenant_reading`` — the family reading by prefix, and a whole reading typed
  without its space (さとうたろう) as "family reading equal to the query's start, given
  reading starting with the rest" for each possible split; the email is the unique
  (tenant_id, email). Three new ones: romaji family name first and given name first (long
  vowels folded, ``names.romaji_key``) and the company without its legal form (株式会社…).
  Those columns, ``search_key``, the readings and the email are collated "C" on PostgreSQL.
- Substring matches ("藤太", "テック", a given name alone) are kept for the people the door is
  about: those going or already in the register (``_expected_ids``, a few hundred reached
  through the registrations' and attendances' meetup indexes), where the LIKE on
  ``search_key`` runs over those rows only. A walk-in who is not registered is found by the
  start of a name, reading, romaji, company or email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, case, func, literal, or_, select, union, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from joren.platform.db import utcnow
from joren.platform.identity.account import Account
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.names import (
    company_key,
    escape_like,
    normalise,
    prefix_key,
    prefix_upper,
    romaji_key,
    search_key_patterns,
)
from joren.tenants.meetups.attendance import UNUSUAL_AT_DOOR, DoorStatus, door_status
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Meetup,
    Registration,
    RegistrationStatus,
)

SEARCH_LIMIT = 60
DOOR_PER_PAGE = 50  # the door shows the list a page at a time: search first, then browse
RECENT_CHECK_INS = 5


def reading_order() -> tuple:  # type: ignore[type-arg]
    """あいうえお順: by reading (セイ, メイ); people without a reading come last."""
    return (
        case((Member.family_name_kana == "", 1), else_=0),
        Member.family_name_kana, Member.given_name_kana, Member.family_name, Member.id,
    )




# -- the door ----------------------------------------------------------------------------

@dataclass
class DoorRow:
    member: Member
    registration: Registration | None
    attendance: Attendance | None

    @property
    def is_going(self) -> bool:
        registration = self.registration
        return registration is not None and registration.status == RegistrationStatus.GOING

    @property
    def is_checked_in(self) -> bool:
        return self.attendance is not None and self.attendance.status in ATTENDED

    @property
    def status(self) -> DoorStatus:
        """Who the person is for this meetup (registered, waitlisted, ..., checked in)."""
        return door_status(self.member, self.registration, self.attendance)

    @property
    def is_unusual(self) -> bool:
        """Checking them in asks first (not registered as going)."""
        return self.status in UNUSUAL_AT_DOOR


def _door_statement(meetup: Meetup):  # type: ignore[no-untyped-def]
    return (
        select(Member, Registration, Attendance)
        .outerjoin(Registration, and_(Registration.member_id == Member.id,
                                      Registration.meetup_id == meetup.id))
        .outerjoin(Attendance, and_(Attendance.member_id == Member.id,
                                    Attendance.meetup_id == meetup.id))
    )


def _expected_ids(meetup: Meetup):  # type: ignore[no-untyped-def]
    """The ids of everyone going to ``meetup`` or recorded in its register: the door and the
    register start from these (a few hundred), never from every member."""
    return union(
        select(Registration.member_id).where(Registration.meetup_id == meetup.id,
                                             Registration.status == RegistrationStatus.GOING),
        select(Attendance.member_id).where(Attendance.meetup_id == meetup.id),
    )


def door_list(session: Session, meetup: Meetup, query: str = "",
              limit: int | None = SEARCH_LIMIT, page: int | None = None,
              per_page: int = DOOR_PER_PAGE) -> list[DoorRow]:
    """People for the door, sorted by reading, in one statement.

    Without a query: everyone going or already checked in (with ``page``, that page of
    ``per_page`` only). With one: those people and every active member whose name, reading,
    romaji or company matches (at most ``limit``).
    """
    stmt = _door_statement(meetup)
    matching = door_matching_ids(meetup, query)
    if matching is not None:
        stmt = stmt.where(Member.id.in_(matching),
                          or_(Member.status != MemberStatus.INACTIVE, Attendance.id.is_not(None)))
    elif page is not None:  # the page's ids are already people going or recorded
        stmt = stmt.where(Member.id.in_(_page_ids(meetup, page, per_page)))
        limit = None
    else:
        stmt = stmt.where(Member.id.in_(_expected_ids(meetup)),
                          or_(Registration.status == RegistrationStatus.GOING,
                              Attendance.id.is_not(None)))
        limit = None
    stmt = stmt.order_by(*reading_order())
    if limit:
        stmt = stmt.limit(limit)
    return [DoorRow(m, r, a) for m, r, a in session.execute(stmt).unique()]


MAX_SPLITS = 12  # a whole reading typed without its space: splits tried after each kana
_KANA = re.compile("[\u30a1-\u30ff]+")  # a folded reading: katakana (ー included)


def _starts_with(column, key: str):  # type: ignore[no-untyped-def]
    """``column`` starts with ``key``, as a range an index can answer under the policy."""
    return and_(column >= key, column < prefix_upper(key))


def door_matching_ids(meetup: Meetup, query: str) -> Select | None:  # type: ignore[type-arg]
    """The ids of the members the door finds for ``query`` (None for an empty query): by
    prefix through indexes, among every member of the community, and by substring among the
    people going to ``meetup`` or in its register (see the module's docstring)."""
    key = prefix_key(query)
    if not key:
        return None
    email = "".join(normalise(query).split())
    # each index is asked only what it can hold: readings are kana, romaji and addresses
    # are ASCII (fewer ranges, fewer index probes)
    prefixes = [_starts_with(Member.search_key, key)]
    if _KANA.fullmatch(key):
        prefixes.append(_starts_with(Member.family_name_kana, key))
        prefixes += [and_(Member.family_name_kana == key[:cut],
                          _starts_with(Member.given_name_kana, key[cut:]))
                     for cut in range(1, min(len(key), MAX_SPLITS + 1))]
    if email.isascii():
        prefixes.append(_starts_with(Member.email, email))
        if romaji := romaji_key(query):
            prefixes += [_starts_with(Member.search_romaji, romaji),
                         _starts_with(Member.search_romaji_given, romaji)]
    if company := company_key(query):
        prefixes.append(_starts_with(Member.search_company, company))
    # one SELECT per range, not one OR: SQLite's planner, without statistics, would walk the
    # community's members by tenant_id and test the OR on each; a range alone always goes
    # to its index (PostgreSQL plans either form as index scans)
    by_prefix = [select(Member.id).where(condition) for condition in prefixes]
    patterns = search_key_patterns(query)
    by_substring = (select(Member.id)
                    .where(Member.id.in_(_expected_ids(meetup)),
                           or_(*(Member.search_key.like(p, escape="\\") for p in patterns),
                               Member.email.like(f"%{escape_like(email)}%", escape="\\"))))
    return union(*by_prefix, by_substring)


def _page_ids(meetup: Meetup, page: int, per_page: int):  # type: ignore[no-untyped-def]
    """The ids of one page of the door list: only the readings are sorted, and only the
    page's people are then joined with their registration and attendance."""
    return (select(Member.id).where(Member.id.in_(_expected_ids(meetup)))
            .order_by(*reading_order())
            .offset((max(page, 1) - 1) * per_page).limit(per_page))


def recent_check_ins(session: Session, meetup: Meetup,
                     limit: int = RECENT_CHECK_INS) -> list[DoorRow]:
    """The people checked in last, newest first (one statement: the last ``limit``
    attendance rows first, then their people)."""
    last = (select(Attendance.id)
            .where(Attendance.meetup_id == meetup.id, Attendance.status.in_(ATTENDED),
                   Attendance.checked_in_at.is_not(None))
            .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc())
            .limit(limit))
    stmt = (
        select(Member, Registration, Attendance)
        .join(Attendance, Attendance.member_id == Member.id)
        .outerjoin(Registration, and_(Registration.member_id == Member.id,
                                      Registration.meetup_id == meetup.id))
        .where(Attendance.id.in_(last))
        .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc())
    )
    return [DoorRow(m, r, a) for m, r, a in session.execute(stmt).unique()]


class SheetRow(NamedTuple):
    """One person of the printable list and its CSV: plain values, no objects."""

    member_id: int
    name: str
    reading: str
    company: str
    title: str
    is_guest: bool
    is_going: bool
    is_checked_in: bool


def sheet(session: Session, meetup: Meetup) -> list[SheetRow]:
    """The whole door list (going or recorded), by reading, as the paper list and the CSV
    show it: one statement of the few columns they print, read as rows, not objects (a
    thousand people would otherwise be four thousand objects)."""
    person = _people_flags(meetup)  # each source read once (no second join to each)
    stmt = (
        select(Member.id, Member.family_name, Member.given_name, Account.display_name,
               Member.email, Member.family_name_kana, Member.given_name_kana, Member.company,
               Member.title, Member.status, person.c.going, person.c.attended)
        .join(person, person.c.member_id == Member.id)
        .outerjoin(Account, Account.id == Member.account_id)
        .order_by(*reading_order())
    )
    rows = []
    for (mid, family, given, account_name, email, family_kana, given_kana, company, title,
         status, going, attended) in session.execute(stmt):
        # Member.display_name, from the columns
        name = f"{family} {given}".strip() or account_name or email or f"#{mid}"
        rows.append(SheetRow(mid, name, f"{family_kana} {given_kana}".strip(), company, title,
                             status == MemberStatus.GUEST,
                             bool(going), bool(attended)))
    return rows


def door_row(session: Session, meetup: Meetup, member_id: int) -> DoorRow | None:
    found = session.execute(_door_statement(meetup).where(Member.id == member_id)).unique().first()
    return DoorRow(*found) if found else None


def _people_flags(meetup: Meetup):  # type: ignore[no-untyped-def]
    """One row a person of the door list and the register: (member_id, going, recorded,
    attended, absent), each 0 or 1. The meetup's going registrations and its attendance rows
    are each read once, through their (tenant, meetup, status, member) indexes, and grouped
    once: every figure below is a sum over these rows, not a scan of its own."""
    zero, one = literal(0), literal(1)
    found = union_all(
        select(Registration.member_id.label("member_id"), one.label("going"),
               zero.label("recorded"), zero.label("attended"), zero.label("absent"))
        .where(Registration.meetup_id == meetup.id,
               Registration.status == RegistrationStatus.GOING),
        select(Attendance.member_id, zero, one,
               case((Attendance.status.in_(ATTENDED), 1), else_=0),
               case((Attendance.status == AttendanceStatus.ABSENT, 1), else_=0))
        .where(Attendance.meetup_id == meetup.id),
    ).subquery("found")
    return (select(found.c.member_id, func.max(found.c.going).label("going"),
                   func.max(found.c.recorded).label("recorded"),
                   func.max(found.c.attended).label("attended"),
                   func.max(found.c.absent).label("absent"))
            .group_by(found.c.member_id).subquery("person"))


def _figures(session: Session, meetup: Meetup) -> tuple[int, int, int, int]:
    """(going, checked in, listed, going but never present) in one statement."""
    person = _people_flags(meetup)
    no_show = case((and_(person.c.going == 1,
                         or_(person.c.recorded == 0, person.c.absent == 1)), 1), else_=0)
    row = session.execute(select(func.sum(person.c.going), func.sum(person.c.attended),
                                 func.count(), func.sum(no_show))).one()
    going, checked_in, listed, no_shows = (int(value or 0) for value in row)
    return going, checked_in, listed, no_shows


def counts(session: Session, meetup: Meetup) -> dict[str, int]:
    """How many are going, how many are checked in and how many the door lists (one
    statement)."""
    going, checked_in, listed, _no_shows = _figures(session, meetup)
    return {"going": going, "checked_in": checked_in, "listed": listed}


# -- the register after the meetup -------------------------------------------------------

@dataclass
class RegisterRow:
    member: Member
    registration: Registration | None
    attendance: Attendance | None
    substitute: Member | None
    is_no_show: bool


REGISTER_PER_PAGE = 50
# Built once: an alias of the wide Member model costs milliseconds to build (per request, it
# was a tenth of the register page's CPU time).
_SUBSTITUTE, _ACTOR = aliased(Member, name="substitute"), aliased(Member, name="actor")


def register_counts(session: Session, meetup: Meetup,
                    now: datetime | None = None) -> dict[str, int]:
    """The register's figures in one statement: going, checked in, its rows (going or
    recorded) and, once the meetup has ended, the no-shows (going, never present)."""
    ended = (now or utcnow()) >= meetup.ends_at
    going, checked_in, total, absent = _figures(session, meetup)
    return {"going": going, "checked_in": checked_in, "rows": total,
            "no_shows": absent if ended else 0}


def register(session: Session, meetup: Meetup, now: datetime | None = None,
             page: int | None = None, per_page: int = REGISTER_PER_PAGE) -> list[RegisterRow]:
    """Everyone going or recorded, sorted by reading, with no-shows marked (one statement);
    with ``page``, that page of ``per_page`` rows only."""
    now = now or utcnow()
    ended = now >= meetup.ends_at
    substitute = _SUBSTITUTE
    stmt = (
        _door_statement(meetup)
        .add_columns(substitute)
        .outerjoin(substitute, substitute.id == Attendance.substitute_member_id)
        .order_by(*reading_order())
    )
    if page is not None:
        # The page's people are chosen on the reading columns alone (as the door's page is);
        # only those are joined with their registration, attendance and substitute, not the
        # whole register's wide rows before the sort.
        stmt = stmt.where(Member.id.in_(_page_ids(meetup, page, per_page)))
    else:
        stmt = stmt.where(Member.id.in_(_expected_ids(meetup)),
                          or_(Registration.status == RegistrationStatus.GOING,
                              Attendance.id.is_not(None)))
    rows = []
    for member, registration, attendance, sub in session.execute(stmt).unique():
        going = registration is not None and registration.status == RegistrationStatus.GOING
        absent = attendance is None or attendance.status == AttendanceStatus.ABSENT
        rows.append(RegisterRow(member, registration, attendance, sub,
                                is_no_show=ended and going and absent))
    return rows


def no_shows(session: Session, meetup: Meetup, now: datetime | None = None) -> list[Member]:
    """Going but absent (or never checked in) once the meetup has ended."""
    return [row.member for row in register(session, meetup, now) if row.is_no_show]


@dataclass
class HistoryEntry:
    change: AttendanceChange
    member: Member
    actor: Member | None


def history(session: Session, meetup: Meetup, member: Member | None = None,
            limit: int | None = None) -> list[HistoryEntry]:
    """Changes to the register, newest first, with who and by whom (one statement); the
    newest ``limit`` when given."""
    actor = _ACTOR
    stmt = (
        select(AttendanceChange, Member, actor)
        .join(Member, Member.id == AttendanceChange.member_id)
        .outerjoin(actor, actor.id == AttendanceChange.changed_by_id)
        .where(AttendanceChange.meetup_id == meetup.id)
        .order_by(AttendanceChange.changed_at.desc(), AttendanceChange.id.desc())
    )
    if member is not None:
        stmt = stmt.where(AttendanceChange.member_id == member.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [HistoryEntry(c, m, a) for c, m, a in session.execute(stmt).unique()]
