"""The plan of an import: what each row will do (create, merge into a member, or reject) and,
in an attendance file, whether its attendance is new.

The dry run and the import compute the same plan, so the preview is exactly what the job then
writes. A person who appears twice in the file is created once; the second row merges into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from joren.platform.billing.plans import PlanLimitReached, check_limit
from joren.platform.identity.community import community_of
from joren.tenants.imports.columns import FIELDS, MAX_LENGTH, MEMBER_FIELDS, mapping_problems
from joren.tenants.imports.matching import (
    FILLABLE,
    MemberIndex,
    attendance_pairs,
    meetups_by_day,
)
from joren.tenants.imports.models import ImportBatch, ImportKind
from joren.tenants.imports.rows import (
    NameKey,
    Person,
    batch_rows,
    parse_date,
    parse_status,
    read_person,
    row_values,
)
from joren.tenants.meetups.models import AttendanceStatus


class ImportError_(ValueError):  # noqa: N801 - "ImportError" is a builtin
    """The import cannot go on; ``str(error)`` is the message for the organizer."""


@dataclass(slots=True)
class RowPlan:
    line: int
    action: str  # create / merge / reject
    reason: str = ""
    person: Person | None = None
    member_id: int | None = None  # existing member (merge)
    new_key: int | None = None  # index into Plan.new_people (create, or repeat of a new one)
    meetup_date: date | None = None
    meetup_title: str = ""
    status: AttendanceStatus | None = None
    attendance: str = ""  # new / exists (attendance files)


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    new_people: list[Person] = field(default_factory=list)
    merges: dict[int, Person] = field(default_factory=dict)  # member id -> values to fill
    # what the plan read, kept for the job that writes it (so it reads nothing twice)
    members: MemberIndex = field(default_factory=MemberIndex)
    meetup_by_day: dict[date, int] = field(default_factory=dict)
    attended: set[tuple[int, int]] = field(default_factory=set)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action == "reject"]


def build_plan(session: Session, batch: ImportBatch) -> Plan:
    """What each row will do. Reads existing members, meetups and attendance once each."""
    _header, rows = batch_rows(batch)
    mapping = batch.mapping or []
    problems = mapping_problems(batch.kind, mapping)
    if problems:
        raise ImportError_(" ".join(problems))
    planner = _Planner(batch.kind, MemberIndex.load(session), mapping)
    if batch.kind == ImportKind.ATTENDANCE:
        planner.meetup_by_day = meetups_by_day(session, community_of(session, batch.tenant_id).zone)
        planner.attended = attendance_pairs(session)
    for line, record in rows:
        planner.add(line, row_values(record, mapping))
    plan = planner.plan
    plan.members, plan.meetup_by_day, plan.attended = (
        planner.members, planner.meetup_by_day, planner.attended)
    return plan


def blanks_to_fill(plan: Plan) -> dict[int, dict[str, str]]:
    """For each existing member whose blanks the file fills: the columns and their values
    (members the file would not change are left out, so a re-import writes nothing)."""
    fills = {}
    for member_id, fill in plan.merges.items():
        current = plan.members.fillable.get(member_id)
        if current is None:
            continue
        values = {k: getattr(fill, k) for k, now in zip(FILLABLE, current, strict=True)
                  if getattr(fill, k) and not now}
        if values:
            fills[member_id] = values
    return fills


def beyond_plan(session: Session, batch: ImportBatch, plan: Plan) -> str:
    """The upgrade message if the new members would go beyond the community's plan."""
    if batch.kind != ImportKind.MEMBERS or not plan.new_people:
        return ""  # attendance files add guests, which no plan limits
    try:
        check_limit(session, batch.tenant_id, "members", adding=len(plan.new_people))
    except PlanLimitReached as exc:
        return str(exc)
    return ""


def _read_attendance(row: RowPlan, values: dict[str, str]) -> str:
    """Fill in the row's meetup date, title and status; the reason to reject it, if any."""
    row.meetup_date = parse_date(values.get("meetup_date", ""))
    if row.meetup_date is None:
        return _("“%(value)s” is not a date (use e.g. 2024-04-15).",
                 value=values.get("meetup_date", "")[:40])
    row.meetup_title = values.get("meetup_title", "")
    if len(row.meetup_title) > MAX_LENGTH["meetup_title"]:
        return _("“%(field)s” is longer than %(max)d characters.",
                 field=FIELDS["meetup_title"], max=MAX_LENGTH["meetup_title"])
    row.status = parse_status(values.get("attendance_status", ""))
    if row.status is None:
        return _("“%(value)s” is not an attendance status we know.",
                 value=values.get("attendance_status", "")[:40])
    return ""


class _Planner:
    """Plans rows one by one, remembering the new people and attendance seen so far."""

    def __init__(self, kind: ImportKind, members: MemberIndex, mapping: list[str]) -> None:
        self.kind = kind
        self.members = members
        self.meetup_by_day: dict[date, int] = {}
        self.attended: set[tuple[int, int]] = set()
        self.plan = Plan()
        self._new_by_email: dict[str, int] = {}
        self._new_by_name: dict[NameKey, int] = {}
        # new people not yet in _new_by_name: only a row without an email looks a new person
        # up by name, so a file where everyone has one never computes their name keys
        self._unnamed: list[int] = []
        self._seen_pairs: set[tuple[Any, Any]] = set()
        # an attendance file repeats each person once per meetup: read each person once
        self._people: dict[tuple[str, ...], tuple[Person | None, str]] = {}
        self._person_cells = [key for key in mapping if key in MEMBER_FIELDS]
        self._own_fills: set[int] = set()

    def add(self, line: int, values: dict[str, str]) -> None:
        cells = tuple(map(values.__getitem__, self._person_cells))
        found = self._people.get(cells)
        if found is None:
            found = self._people[cells] = read_person(values)
        person, reason = found
        row = RowPlan(line=line, action="reject", reason=reason, person=person)
        self.plan.rows.append(row)
        if person is None:
            return
        if self.kind == ImportKind.ATTENDANCE:
            row.reason = _read_attendance(row, values)
            if row.reason:
                return
        who = self._match(row, person)
        if self.kind == ImportKind.ATTENDANCE:
            self._mark_attendance(row, who)

    def _match(self, row: RowPlan, person: Person) -> tuple[str, int]:
        """Merge into an existing member, or create (once) a new one; who the row is."""
        existing = self.members.existing(person)
        if existing is not None:
            row.action, row.member_id = "merge", existing
            self._fill_from(existing, person)
            return ("m", existing)
        idx = (self._new_by_email.get(person.email) if person.email else
               self._new_by_name_index().get(person.name_key()))
        if idx is None:
            idx = len(self.plan.new_people)
            self.plan.new_people.append(person)
            if person.email:
                self._new_by_email[person.email] = idx
            self._unnamed.append(idx)
            row.action = "create"
        else:
            row.action = "merge"  # the same person earlier in this file
        row.new_key = idx
        return ("n", idx)

    def _new_by_name_index(self) -> dict[NameKey, int]:
        """The new people so far by name key (the first of each key)."""
        if self._unnamed:
            people = self.plan.new_people
            for idx in self._unnamed:
                self._new_by_name.setdefault(people[idx].name_key(), idx)
            self._unnamed.clear()
        return self._new_by_name

    def _fill_from(self, member_id: int, person: Person) -> None:
        """Remember the first value the file gives for each fillable column of a member."""
        fill = self.plan.merges.get(member_id)
        if fill is None:
            self.plan.merges[member_id] = person  # the first row's values, as they are
            return
        if fill is person:  # the same row again (an attendance file): nothing new
            return
        if member_id not in self._own_fills:  # never change a person read from a row
            fill = self.plan.merges[member_id] = replace(fill)
            self._own_fills.add(member_id)
        for key in FILLABLE:
            if getattr(person, key) and not getattr(fill, key):
                setattr(fill, key, getattr(person, key))

    def _mark_attendance(self, row: RowPlan, who: tuple[str, int]) -> None:
        """New, or already in the register (or earlier in this file)."""
        meetup_id = self.meetup_by_day.get(row.meetup_date)  # type: ignore[arg-type]
        pair = (meetup_id or row.meetup_date, who)
        if (meetup_id is not None and row.member_id is not None
                and (meetup_id, row.member_id) in self.attended) or pair in self._seen_pairs:
            row.attendance = "exists"
        else:
            row.attendance = "new"
        self._seen_pairs.add(pair)
