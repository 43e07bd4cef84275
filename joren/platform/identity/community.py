"""The community: one organizer's meetup community, and the tenant of everything inside it."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, intpk


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
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Tokyo")
    default_language: Mapped[str] = mapped_column(String(5), default="ja")
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    is_public: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Community {self.slug}>"
