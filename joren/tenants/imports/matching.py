"""What the community already has, read once per import: its members (by email and by name),
its meetups (by local day) and its attendance pairs.

One query per table whatever the size of the file, so neither the dry run nor the import
reads per row (tests/perf/test_import_perf.py counts the statements).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member
from joren.tenants.imports.rows import NameKey, Person, name_key
from joren.tenants.meetups.models import Attendance, Meetup

# blanks of an existing member that an import may fill in (it never overwrites)
FILLABLE = ("email", "family_name_kana", "given_name_kana", "company", "title", "industry")


@dataclass
class MemberIndex:
    """The community's members by lower-cased email and by name key, with the columns an
    import may fill in (so writing the blanks reads nothing more)."""

    by_email: dict[str, int] = field(default_factory=dict)
    by_name: dict[NameKey, int] = field(default_factory=dict)
    has_email: set[int] = field(default_factory=set)
    fillable: dict[int, tuple[str | None, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> MemberIndex:
        """One query. Among members with the same name key the oldest is kept."""
        index = cls()
        for m in session.execute(select(Member.id, Member.family_name, Member.given_name,
                                        *(getattr(Member, k) for k in FILLABLE))
                                 .order_by(Member.id)):
            if m.email:
                index.by_email[m.email.lower()] = m.id
                index.has_email.add(m.id)
            key = name_key(m.family_name, m.given_name, m.family_name_kana,
                           m.given_name_kana, m.company)
            index.by_name.setdefault(key, m.id)
            index.fillable[m.id] = tuple(getattr(m, k) for k in FILLABLE)
        return index

    def existing(self, person: Person) -> int | None:
        """The member a row is about: by email, else by name, reading and company unless
        that member already has another email address."""
        found = self.by_email.get(person.email) if person.email else None
        if found is not None:
            return found
        candidate = self.by_name.get(person.name_key())
        if candidate is not None and not (person.email and candidate in self.has_email):
            return candidate
        return None


def local_day(when: datetime, tz: ZoneInfo) -> date:
    return when.astimezone(tz).date()


def meetups_by_day(session: Session, tz: ZoneInfo) -> dict[date, int]:
    """The first meetup of each local day (a file names meetups by their date)."""
    by_day: dict[date, int] = {}
    for mt in session.execute(select(Meetup.id, Meetup.starts_at).order_by(Meetup.id)):
        by_day.setdefault(local_day(mt.starts_at, tz), mt.id)
    return by_day


def attendance_pairs(session: Session) -> set[tuple[int, int]]:
    """Every (meetup id, member id) already in the register."""
    return {(a.meetup_id, a.member_id)
            for a in session.execute(select(Attendance.meetup_id, Attendance.member_id))}
