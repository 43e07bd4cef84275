"""The community: one organizer's meetup community, and the tenant of everything inside it."""

from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from joren.platform import pagecache
from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.i18n import DEFAULT_TIMEZONE
from joren.platform.tenancy import current_tenant_id


class CommunityKind(enum.StrEnum):
    REGIONAL_MIXER = "regional_mixer"
    SEMINAR_MIXER = "seminar_mixer"
    SAME_INDUSTRY = "same_industry"
    CROSS_INDUSTRY = "cross_industry"
    STUDY_GROUP = "study_group"
    REFERRAL_CHAPTER = "referral_chapter"


class Community(Timestamped, Base):
    __tablename__ = "communities"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[CommunityKind] = mapped_column(
        Enum(CommunityKind, native_enum=False, length=30,
             values_callable=lambda e: [m.value for m in e])
    )
    description: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    default_language: Mapped[str] = mapped_column(String(5), default="ja")
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    is_public: Mapped[bool] = mapped_column(default=True)
    # The owner asked for the community to be deleted (tenants/privacy/closing.py): it closes
    # (no new registrations, no scheduled emails) until the grace period ends, then it is
    # erased and the row stays as a tombstone (``deleted_at``), its slug never reused.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The account that asked: a plain id, no foreign key (the account may be deleted later).
    deletion_requested_by_id: Mapped[int | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # What Joren still has to tell Stripe about the deletion ("" nothing, see closing.py),
    # and the last failure, kept until the daily job's retry succeeds.
    deletion_stripe_step: Mapped[str] = mapped_column(String(20), default="")
    deletion_stripe_error: Mapped[str] = mapped_column(String(500), default="")

    @property
    def zone(self) -> ZoneInfo:
        """The community's time zone, the one every local date and time is shown and counted
        in; Asia/Tokyo when none is set or the name is unknown to this machine."""
        try:
            return ZoneInfo(self.timezone or DEFAULT_TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIMEZONE)

    @property
    def is_closing(self) -> bool:
        """Scheduled for deletion, or deleted: it takes no new registrations or members,
        and its scheduled emails are not sent."""
        return self.deletion_requested_at is not None or self.deleted_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Community {self.slug}>"


def community_of(session: Session, tenant_id: int | None = None) -> Community:
    """The community ``tenant_id``, by default the one ``session`` is bound to (tenancy), for
    code that holds a session and ids rather than the community (jobs, services)."""
    wanted = tenant_id if tenant_id is not None else current_tenant_id(session)
    community = session.get(Community, wanted) if wanted is not None else None
    if community is None:
        raise LookupError(f"no community {wanted!r}")
    return community


# Its name, time zone, currency...: shown on every page of the community (pagecache).
pagecache.shows_in_communities(Community, lambda session, community: (community.id,))
