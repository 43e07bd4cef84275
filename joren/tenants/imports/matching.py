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
    has_email: set[int] = field(default_factory=set)
    fillable: dict[int, tuple[str | None, ...]] = field(default_factory=dict)
    names: dict[int, tuple[str, str]] = field(default_factory=dict)
    # (id, family name, given name, readings, company) until a row needs the names
    _names: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    _by_name: dict[NameKey, int] | None = None
    _by_name_without_email: dict[NameKey, int] | None = None

    @classmethod
    def load(cls, session: Session) -> MemberIndex:
        """One query. Among members with the same name key the oldest is kept."""
        index = cls()
        for m in session.execute(select(Member.id, Member.family_name, Member.given_name,
                                        *(getattr(Member, k) for k in FILLABLE))
                                 .order_by(Member.id)):
            member_id, family, given, email, family_kana, given_kana, company = m[:7]
            if email:
                index.by_email[email.lower()] = member_id
                index.has_email.add(member_id)
            index._names.append((member_id, family, given,
                                 (family_kana or "") + (given_kana or ""), company))
            index.fillable[member_id] = m[3:]
            index.names[member_id] = (family or "", given or "")
        return index

    @property
    def by_name(self) -> dict[NameKey, int]:
        """Members by name key, built when first asked (a re-import that matches everyone
        by email never needs it)."""
        if self._by_name is None:
            self._by_name = {}
            for member_id, family, given, readings, company in self._names:
                self._by_name.setdefault(name_key(family, given, readings, "", company),
                                         member_id)
        return self._by_name

    @property
    def by_name_without_email(self) -> dict[NameKey, int]:
        """The entries of ``by_name`` whose member has no email: the only ones a row with an
        email may match by name (so when every member has one, such a row needs no name key).
        """
        if self._by_name_without_email is None:
            self._by_name_without_email = (
                {} if len(self.has_email) == len(self.fillable) else
                {k: m for k, m in self.by_name.items() if m not in self.has_email})
        return self._by_name_without_email

    def existing(self, person: Person) -> int | None:
        """The member a row is about: by email, else by name, reading and company unless
        that member already has another email address."""
        if not person.email:
            return self.by_name.get(person.name_key())
        found = self.by_email.get(person.email)
        if found is not None:
            return found
        by_name = self.by_name_without_email
        return by_name.get(person.name_key()) if by_name else None


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
