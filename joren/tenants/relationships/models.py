"""The relationship ledger and what feeds it: logged contacts, referrals, the three things a
member means to give at a meetup, and their private journal.

``Relationship`` is one stored row per pair who has had any contact (lower member id first),
refreshed by ``relationships.services`` from the sources (attendance, introductions, contacts,
referrals) so that the portal and the matching loader read it without aggregating.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.db import value_enum as _enum
from joren.platform.tenancy import TenantScoped


def _member_fk(column: str, ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["members.tenant_id", "members.id"],
                                ondelete=ondelete)


class ContactKind(enum.StrEnum):
    TALKED = "talked"              # talked at a meetup
    CARD_EXCHANGE = "card"         # exchanged business cards (名刺交換)
    ONE_ON_ONE = "one_on_one"      # a 1:1 meeting
    CALL = "call"                  # a call or video call
    OTHER = "other"


class ReferralStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED_WON = "won"            # business closed: the "thank you for closed business"
    CLOSED_LOST = "lost"


class Relationship(TenantScoped, Timestamped, Base):
    __tablename__ = "relationships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_low_id", "member_high_id"),
        CheckConstraint("member_low_id < member_high_id", name="ck_relationships_pair_order"),
        _member_fk("member_low_id"),
        _member_fk("member_high_id"),
        Index("ix_relationships_tenant_high", "tenant_id", "member_high_id"),
    )

    id: Mapped[intpk]
    member_low_id: Mapped[int] = mapped_column()
    member_high_id: Mapped[int] = mapped_column()
    meetups_together: Mapped[int] = mapped_column(default=0)
    introductions: Mapped[int] = mapped_column(default=0)
    introduction_status: Mapped[str] = mapped_column(String(12), default="")
    contacts: Mapped[int] = mapped_column(default=0)
    referrals_low_to_high: Mapped[int] = mapped_column(default=0)
    referrals_high_to_low: Mapped[int] = mapped_column(default=0)
    referral_value: Mapped[int] = mapped_column(default=0)  # JPY of closed business, both ways
    last_contact_on: Mapped[date | None] = mapped_column(Date)

    @property
    def depth(self) -> int:
        """Contacts toward the 5–7 milestone: logged contacts plus introductions accepted."""
        return self.contacts


class Contact(TenantScoped, Timestamped, Base):
    """One logged contact between two members, logged by one of them."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("member_id <> other_id", name="ck_contacts_two_people"),
        _member_fk("member_id"),
        _member_fk("other_id"),
        ForeignKeyConstraint(["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"],
                             ondelete="SET NULL"),
        Index("ix_contacts_tenant_member", "tenant_id", "member_id", "other_id"),
        Index("ix_contacts_tenant_other", "tenant_id", "other_id"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()   # who logged it
    other_id: Mapped[int] = mapped_column()
    kind: Mapped[ContactKind] = mapped_column(_enum(ContactKind, 12))
    happened_on: Mapped[date] = mapped_column(Date)
    meetup_id: Mapped[int | None] = mapped_column()
    note: Mapped[str] = mapped_column(String(500), default="")


class Referral(TenantScoped, Timestamped, Base):
    """Business one member passed to another, and its value once closed (JPY, integer)."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("giver_id <> receiver_id", name="ck_referrals_two_people"),
        CheckConstraint("value_jpy IS NULL OR value_jpy >= 0", name="ck_referrals_value"),
        _member_fk("giver_id"),
        _member_fk("receiver_id"),
        Index("ix_referrals_tenant_giver", "tenant_id", "giver_id"),
        Index("ix_referrals_tenant_receiver", "tenant_id", "receiver_id"),
    )

    id: Mapped[intpk]
    giver_id: Mapped[int] = mapped_column()
    receiver_id: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[ReferralStatus] = mapped_column(_enum(ReferralStatus, 8),
                                                   default=ReferralStatus.OPEN)
    value_jpy: Mapped[int | None] = mapped_column()
    given_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)


class MeetupGives(TenantScoped, Timestamped, Base):
    """The three things a member means to give at one meetup (written before it)."""

    __tablename__ = "meetup_gives"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id", "meetup_id"),
        _member_fk("member_id"),
        ForeignKeyConstraint(["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"],
                             ondelete="CASCADE"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    meetup_id: Mapped[int] = mapped_column()
    give_1: Mapped[str] = mapped_column(String(200), default="")
    give_2: Mapped[str] = mapped_column(String(200), default="")
    give_3: Mapped[str] = mapped_column(String(200), default="")
    # The "people to meet" this member was sent before the meetup (member ids, best first),
    # recalled in the next day's follow-up.
    people_to_meet: Mapped[list] = mapped_column(JSON, default=list)


class JournalEntry(TenantScoped, Timestamped, Base):
    """A private note a member keeps (one insight from an evening); only they see it."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        _member_fk("member_id"),
        ForeignKeyConstraint(["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"],
                             ondelete="SET NULL"),
        Index("ix_journal_entries_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    meetup_id: Mapped[int | None] = mapped_column()
    body: Mapped[str] = mapped_column(Text, default="")
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
