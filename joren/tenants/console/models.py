"""What the console keeps of its own: the organizer's notes on a member (a call made, a
LINE message sent, anything worth remembering before the next meetup)."""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joren.platform.db import Base, Timestamped, intpk
from joren.platform.membership.models import Member
from joren.platform.tenancy import TenantScoped


class MemberNote(TenantScoped, Timestamped, Base):
    """A note an organizer wrote about a member; ``contacted`` notes record a follow-up
    (the dashboard's "guests to follow up" leaves out those contacted since their visit)."""

    __tablename__ = "member_notes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "author_id"], ["members.tenant_id", "members.id"], ondelete="SET NULL"
        ),
        Index("ix_member_notes_tenant_member_created", "tenant_id", "member_id", "created_at"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column()
    author_id: Mapped[int | None] = mapped_column()
    body: Mapped[str] = mapped_column(String(1000), default="")
    contacted: Mapped[bool] = mapped_column(default=False)

    author: Mapped[Member | None] = relationship(
        primaryjoin="and_(MemberNote.tenant_id == Member.tenant_id, "
        "MemberNote.author_id == Member.id)", foreign_keys=[author_id],
    )
