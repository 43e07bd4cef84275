"""The two members an organizer introduces by hand: found by a typed name, reading, romaji,
company or email (the search-as-you-type list asks as the organizer types; without
JavaScript the typed text is resolved when the form is sent). Plain columns, never every
member as an object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from joren.platform.identity.account import Account
from joren.platform.inputs import parse_id
from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.members.services import matching_ids, reading_order

PICK_LIMIT = 10
QUERY_LENGTH = 100


@dataclass(frozen=True)
class Candidate:
    """One member who can be introduced, as the picker shows them."""

    id: int
    name: str
    reading: str
    company: str

    @property
    def label(self) -> str:
        return self.name + (f"（{self.company}）" if self.company else "")

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "reading": self.reading,
                "company": self.company, "label": self.label}


def _candidates(session: Session, condition: Any, limit: int) -> list[Candidate]:
    rows = session.execute(
        select(Member.id, Member.family_name, Member.given_name, Member.family_name_kana,
               Member.given_name_kana, Member.company, Member.email, Account.display_name)
        .outerjoin(Account, Account.id == Member.account_id)
        .where(condition, Member.status != MemberStatus.INACTIVE, Member.email.is_not(None))
        .order_by(*reading_order()).limit(limit))
    return [Candidate(id=row.id,
                      name=(f"{row.family_name} {row.given_name}".strip()
                            or row.display_name or row.email or ""),
                      reading=f"{row.family_name_kana} {row.given_name_kana}".strip(),
                      company=row.company or "")
            for row in rows]


def find_candidates(session: Session, query: str, limit: int = PICK_LIMIT) -> list[Candidate]:
    """Up to ``limit`` members who can be introduced (active, with an email address) whose
    name, reading, romaji or company contains ``query``, or whose email is ``query``;
    sorted by reading. One statement."""
    query = (query or "").strip()[:QUERY_LENGTH]
    matching = matching_ids(query)
    if matching is None:
        return []
    condition = Member.id.in_(matching)
    if "@" in query:
        condition = or_(condition, func.lower(Member.email) == query.lower())
    return _candidates(session, condition, limit)


@dataclass(frozen=True)
class Resolved:
    """What a side of the form named: one member, or the members its text could mean."""

    member: Candidate | None
    choices: list[Candidate]
    query: str


def resolve(session: Session, member_id: Any, query: str) -> Resolved:
    """The member a side of the manual form names: the id the picker set, else the one
    member the typed text finds (an exact email address wins over name matches)."""
    query = (query or "").strip()[:QUERY_LENGTH]
    wanted = parse_id(str(member_id or ""))
    if wanted is not None:
        found = _candidates(session, Member.id == wanted, 1)
        if found:
            return Resolved(found[0], [], query)
    if "@" in query:
        exact = _candidates(session, func.lower(Member.email) == query.lower(), 1)
        if exact:
            return Resolved(exact[0], [], query)
    choices = find_candidates(session, query, PICK_LIMIT + 1)
    if len(choices) == 1:
        return Resolved(choices[0], [], query)
    return Resolved(None, choices[:PICK_LIMIT], query)
