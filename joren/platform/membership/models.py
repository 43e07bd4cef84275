"""A person inside one community, and the invitations that bring people in."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship
from sqlalchemy.orm.attributes import get_history

from joren.platform import pagecache
from joren.platform.db import Base, Timestamped, UTCDateTime, intpk, utcnow
from joren.platform.db import value_enum as _enum
from joren.platform.identity.account import Account
from joren.platform.names import company_key, door_romaji_keys, member_search_key
from joren.platform.tenancy import TenantScoped


class Role(enum.StrEnum):
    OWNER = "owner"
    ORGANIZER = "organizer"
    STAFF = "staff"
    MEMBER = "member"

    @property
    def rank(self) -> int:
        return {"owner": 3, "organizer": 2, "staff": 1, "member": 0}[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class MemberStatus(enum.StrEnum):
    GUEST = "guest"
    MEMBER = "member"
    INACTIVE = "inactive"


class ProfileVisibility(enum.StrEnum):
    """Who, besides the member and the organizers, sees one group of profile fields."""

    MEMBERS = "members"
    ORGANIZERS = "organizers"


SEARCH_KEY_PARTS = ("family_name", "given_name", "family_name_kana", "given_name_kana",
                    "name_romaji", "company")


def _search_key_default(context: DefaultExecutionContext) -> str:
    values = context.get_current_parameters()
    return member_search_key(*(values.get(part) or "" for part in SEARCH_KEY_PARTS))


def _romaji_default(context: DefaultExecutionContext) -> str:
    return door_romaji_keys(context.get_current_parameters().get("name_romaji") or "")[0]


def _romaji_given_default(context: DefaultExecutionContext) -> str:
    return door_romaji_keys(context.get_current_parameters().get("name_romaji") or "")[1]


def _company_default(context: DefaultExecutionContext) -> str:
    return company_key(context.get_current_parameters().get("company") or "")


def door_keys(name_romaji: str, company: str) -> dict[str, str]:
    """The door's prefix keys of one person (besides ``search_key``, the email and the
    reading, which the door reads as they are): the columns below, by name."""
    family_first, given_first = door_romaji_keys(name_romaji)
    return {"search_romaji": family_first, "search_romaji_given": given_first,
            "search_company": company_key(company)}


def c_collated(length: int) -> String:
    """A string compared in code-point order on PostgreSQL (``COLLATE "C"``), whatever the
    database's collation: what a prefix range on an index needs (SQLite's BINARY is that)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")  # type: ignore[return-value]


class Member(TenantScoped, Timestamped, Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "account_id"),
        UniqueConstraint("tenant_id", "email"),
        Index("ix_members_tenant_reading", "tenant_id", "family_name_kana", "given_name_kana"),
        # Door search: the LIKE reads this index instead of the wide rows (see names.py for
        # why it is a btree and not a trigram index on PostgreSQL).
        Index("ix_members_tenant_search", "tenant_id", "search_key"),
        # Door search by prefix (joren/tenants/meetups/checkin/lists.py): the name through
        # the key above, the reading through ix_members_tenant_reading, the email through the
        # unique (tenant_id, email), and these three.
        Index("ix_members_tenant_search_romaji", "tenant_id", "search_romaji"),
        Index("ix_members_tenant_search_romaji_given", "tenant_id", "search_romaji_given"),
        Index("ix_members_tenant_search_company", "tenant_id", "search_company"),
        Index("ix_members_tenant_status_role", "tenant_id", "status", "role"),
        # One status's members in reading order, chosen from the index alone (0029).
        Index("ix_members_tenant_status_reading", "tenant_id", "status", "family_name_kana",
              "given_name_kana", "family_name", "id"),
        Index("ix_members_tenant_role", "tenant_id", "role"),
    )

    id: Mapped[intpk]
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MEMBER)
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus), default=MemberStatus.MEMBER)
    email: Mapped[str | None] = mapped_column(c_collated(320))
    family_name: Mapped[str] = mapped_column(String(60), default="")
    given_name: Mapped[str] = mapped_column(String(60), default="")
    family_name_kana: Mapped[str] = mapped_column(c_collated(60), default="")
    given_name_kana: Mapped[str] = mapped_column(c_collated(60), default="")
    name_romaji: Mapped[str] = mapped_column(String(300), default="")
    company: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(80), default="")
    industry: Mapped[str] = mapped_column(String(80), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Every way of finding the person, folded (names.member_search_key): written on insert,
    # also by bulk Core inserts (its default), and on every ORM update of its parts.
    search_key: Mapped[str] = mapped_column(
        Text().with_variant(Text(collation="C"), "postgresql"), default=_search_key_default,
        server_default="", deferred=True)
    # The door's prefix keys (names.door_romaji_keys, names.company_key): written like
    # search_key, on insert (also by bulk Core inserts) and on every ORM update of their parts.
    search_romaji: Mapped[str] = mapped_column(c_collated(120), default=_romaji_default,
                                               server_default="", deferred=True)
    search_romaji_given: Mapped[str] = mapped_column(
        c_collated(120), default=_romaji_given_default, server_default="", deferred=True)
    search_company: Mapped[str] = mapped_column(c_collated(120), default=_company_default,
                                                server_default="", deferred=True)
    # Signed into the personal calendar feed link; raising it makes the old link answer 404.
    calendar_feed_version: Mapped[int] = mapped_column(default=0, server_default="0")

    # The profile (see members.profiles): codes from members.industries, free text capped.
    department: Mapped[str] = mapped_column(String(80), default="")
    industry_code: Mapped[str] = mapped_column(String(1), default="")
    business_description: Mapped[str] = mapped_column(String(1000), default="")
    company_size: Mapped[str] = mapped_column(String(10), default="")
    prefecture: Mapped[str] = mapped_column(String(2), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    offer_1: Mapped[str] = mapped_column(String(200), default="")
    offer_2: Mapped[str] = mapped_column(String(200), default="")
    offer_3: Mapped[str] = mapped_column(String(200), default="")
    ask_industries: Mapped[str] = mapped_column(String(60), default="")  # "E,G"
    ask_company_sizes: Mapped[str] = mapped_column(String(60), default="")  # "20-49,50-99"
    # Concepts of members.vocabulary the member picked ("bookkeeping,tax"), what they offer
    # and what they need; the introductions engine counts them as strong signals.
    offer_concepts: Mapped[str] = mapped_column(String(200), default="", server_default="")
    need_concepts: Mapped[str] = mapped_column(String(200), default="", server_default="")
    ask_description: Mapped[str] = mapped_column(String(1000), default="")
    challenges: Mapped[str] = mapped_column(String(1000), default="")
    goal_meetup: Mapped[str] = mapped_column(String(500), default="")
    goal_midterm: Mapped[str] = mapped_column(String(500), default="")
    goal_year: Mapped[str] = mapped_column(String(500), default="")
    seeks_same_industry: Mapped[bool] = mapped_column(Boolean, default=False)
    accepts_introductions: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_visibility: Mapped[ProfileVisibility] = mapped_column(
        _enum(ProfileVisibility, 12), default=ProfileVisibility.ORGANIZERS)
    work_visibility: Mapped[ProfileVisibility] = mapped_column(
        _enum(ProfileVisibility, 12), default=ProfileVisibility.MEMBERS)
    give_ask_visibility: Mapped[ProfileVisibility] = mapped_column(
        _enum(ProfileVisibility, 12), default=ProfileVisibility.MEMBERS)
    goals_visibility: Mapped[ProfileVisibility] = mapped_column(
        _enum(ProfileVisibility, 12), default=ProfileVisibility.ORGANIZERS)

    account: Mapped[Account | None] = relationship(lazy="joined")

    @property
    def display_name(self) -> str:
        name = f"{self.family_name} {self.given_name}".strip()
        if name:
            return name
        if self.account and self.account.display_name:
            return self.account.display_name
        # A member removed from the community (tenants/privacy/erasure.py) has no name left.
        return self.email or f"#{self.id}"

    @property
    def reading(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    @property
    def is_staff(self) -> bool:
        return self.role.at_least(Role.STAFF)

    @property
    def is_organizer(self) -> bool:
        return self.role.at_least(Role.ORGANIZER)

    def __repr__(self) -> str:
        return f"<Member {self.id} of community {self.tenant_id}>"


@event.listens_for(Member, "before_update")
def _refresh_search_key(_mapper: Mapper, _connection: Connection, member: Member) -> None:
    if any(get_history(member, part).has_changes() for part in SEARCH_KEY_PARTS):
        member.search_key = member_search_key(
            *(getattr(member, part) or "" for part in SEARCH_KEY_PARTS))
        for column, value in door_keys(member.name_romaji or "", member.company or "").items():
            setattr(member, column, value)



class Invitation(TenantScoped, Timestamped, Base):
    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "invited_by_id"], ["members.tenant_id", "members.id"]
        ),
        Index("ix_invitations_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    invited_by_id: Mapped[int | None] = mapped_column()
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MEMBER)
    message: Mapped[str] = mapped_column(String(1000), default="")
    nonce: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_count: Mapped[int] = mapped_column(default=0)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(
        foreign_keys=[member_id], primaryjoin="and_(Invitation.tenant_id == Member.tenant_id, "
        "Invitation.member_id == Member.id)", lazy="joined", overlaps="invited_by"
    )
    invited_by: Mapped[Member | None] = relationship(
        foreign_keys=[invited_by_id], primaryjoin="and_(Invitation.tenant_id == Member.tenant_id, "
        "Invitation.invited_by_id == Member.id)", overlaps="member"
    )


def _communities_of_account(session, account: Account):  # type: ignore[no-untyped-def]
    return session.scalars(select(Member.tenant_id).where(Member.account_id == account.id))


# A member's name falls back to their account's name and address: a change to those is a
# change to every community the account belongs to (joren/platform/pagecache.py).
pagecache.shows_in_communities(Account, _communities_of_account,
                               columns=("display_name", "email"))
