"""Introductions between two members, each community's matching settings and its cycles.

One row per pair, ever: ``(tenant_id, member_low_id, member_high_id)`` is unique, with the
lower member id first. That is what makes "never introduce the same pair twice" hold in the
database and not only in the engine. ``side_a`` is the lower id.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.db import value_enum as _enum
from joren.platform.membership.models import Member
from joren.platform.tenancy import TenantScoped

# Below this calibrated confidence, the review queue flags an engine suggestion.
LOW_CONFIDENCE = 0.5


class Cadence(enum.StrEnum):
    OFF = "off"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class IntroductionSource(enum.StrEnum):
    ENGINE = "engine"            # suggested by a matching cycle
    ORGANIZER = "organizer"      # added by hand in the review queue
    MEMBER_REQUEST = "request"   # a member asked the organizer ("この方を紹介してほしい")


class IntroductionStatus(enum.StrEnum):
    SUGGESTED = "suggested"      # in the organizer's review queue
    SKIPPED = "skipped"          # the organizer decided against it
    SENT = "sent"                # both sides asked; waiting for their answers
    CONNECTED = "connected"      # both accepted; contact details exchanged
    DECLINED = "declined"        # one side declined (never revealed to the other)
    EXPIRED = "expired"          # not answered in time


class Response(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class IntroductionSettings(TenantScoped, Timestamped, Base):
    """How a community's introductions run; a community without a row uses the defaults."""

    __tablename__ = "introduction_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    cadence: Mapped[Cadence] = mapped_column(_enum(Cadence, 10), default=Cadence.MONTHLY)
    # Suggestions go out without review when True.
    auto_send: Mapped[bool] = mapped_column(Boolean, default=False)
    per_member_cap: Mapped[int] = mapped_column(default=2)
    expiry_days: Mapped[int] = mapped_column(default=14)


class IntroductionCycle(TenantScoped, Timestamped, Base):
    """One run of the matching engine for a community (one per cadence period)."""

    __tablename__ = "introduction_cycles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "period"),
    )

    id: Mapped[intpk]
    period: Mapped[str] = mapped_column(String(20))  # e.g. "2026-W48", "2026-11", "manual-…"
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    candidates: Mapped[int] = mapped_column(default=0)   # members who took part
    suggested: Mapped[int] = mapped_column(default=0)    # introductions it created


class Introduction(TenantScoped, Timestamped, Base):
    __tablename__ = "introductions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "member_low_id", "member_high_id"),
        CheckConstraint("member_low_id < member_high_id", name="ck_introductions_pair_order"),
        ForeignKeyConstraint(["tenant_id", "member_low_id"], ["members.tenant_id", "members.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "member_high_id"], ["members.tenant_id", "members.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "cycle_id"],
                             ["introduction_cycles.tenant_id", "introduction_cycles.id"],
                             ondelete="SET NULL"),
        ForeignKeyConstraint(["tenant_id", "requested_by_id"], ["members.tenant_id", "members.id"],
                             ondelete="SET NULL"),
        ForeignKeyConstraint(["tenant_id", "decided_by_id"], ["members.tenant_id", "members.id"],
                             ondelete="SET NULL"),
        Index("ix_introductions_tenant_status", "tenant_id", "status"),
        Index("ix_introductions_tenant_high", "tenant_id", "member_high_id"),
    )

    id: Mapped[intpk]
    member_low_id: Mapped[int] = mapped_column()
    member_high_id: Mapped[int] = mapped_column()
    cycle_id: Mapped[int | None] = mapped_column()
    source: Mapped[IntroductionSource] = mapped_column(_enum(IntroductionSource, 12))
    status: Mapped[IntroductionStatus] = mapped_column(
        _enum(IntroductionStatus, 12), default=IntroductionStatus.SUGGESTED)
    score: Mapped[float | None] = mapped_column(Float)
    # The calibrated probability that an engine suggestion is a good match (semantics);
    # None for introductions added by hand or on request.
    confidence: Mapped[float | None] = mapped_column(Float)
    # Reasons as the engine gave them: [{"code": "...", "params": {...}}, ...]; rendered in
    # each reader's language by introductions.reasons.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    # The organizer's personal note, shown to both sides (editable in the review queue).
    message: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column()   # the member who asked, if any
    request_note: Mapped[str] = mapped_column(String(1000), default="")
    decided_by_id: Mapped[int | None] = mapped_column()     # who approved or skipped it
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    low_response: Mapped[Response] = mapped_column(_enum(Response, 10), default=Response.PENDING)
    low_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    high_response: Mapped[Response] = mapped_column(_enum(Response, 10), default=Response.PENDING)
    high_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # declined or expired
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # month-later nudge

    member_low: Mapped[Member] = relationship(
        primaryjoin="and_(Introduction.tenant_id == Member.tenant_id, "
        "Introduction.member_low_id == Member.id)", foreign_keys=[member_low_id],
        viewonly=True)
    member_high: Mapped[Member] = relationship(
        primaryjoin="and_(Introduction.tenant_id == Member.tenant_id, "
        "Introduction.member_high_id == Member.id)", foreign_keys=[member_high_id],
        viewonly=True)

    @property
    def is_low_confidence(self) -> bool:
        """An engine suggestion the calibration gives less than even odds of being good."""
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE

    def side_of(self, member_id: int) -> str:
        """'low' or 'high': which side ``member_id`` is on (ValueError if neither)."""
        if member_id == self.member_low_id:
            return "low"
        if member_id == self.member_high_id:
            return "high"
        raise ValueError(f"member {member_id} is not part of introduction {self.id}")

    def other_id(self, member_id: int) -> int:
        return self.member_high_id if self.side_of(member_id) == "low" else self.member_low_id

    @staticmethod
    def ordered(a: int, b: int) -> tuple[int, int]:
        if a == b:
            raise ValueError("a member cannot be introduced to themselves")
        return (a, b) if a < b else (b, a)


class TagVerdict(TenantScoped, Base):
    """The trained verifier's verdict on one tag of one profile sentence (``verifier``):
    how doubtful the sentence's tag of ``concept`` on ``side`` is (``doubt``: the probability
    that the tag is wrong; the tag is vetoed above ``verifier.veto_at()``, and a reason states
    a direction only below ``evidence.REASON_THRESHOLD``). Judged when a profile
    changes (``verdicts.judge_members``) or by the first cycle that meets the sentence, and
    read by every cycle in one statement (``verdicts.read``), so a cycle embeds only
    sentences never judged. The key holds a 64-bit digest of the sentence's text
    (``verifier.digest``), never the text, and the model's version: a new model, or a new
    vocabulary, judges every sentence again (rows of other versions are deleted then)."""

    __tablename__ = "tag_verdicts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "model_version", "side", "sentence", "concept"),
    )

    id: Mapped[intpk]
    model_version: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(5))            # "offer" or "need"
    sentence: Mapped[int] = mapped_column(BigInteger)      # verifier.digest(sentence)
    concept: Mapped[str] = mapped_column(String(64))        # the vocabulary's concept code
    doubt: Mapped[float] = mapped_column(Float)           # P(tag wrong), the logistic
