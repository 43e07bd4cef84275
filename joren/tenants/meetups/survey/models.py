"""One attendee's answer to the after-meetup survey."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk, utcnow
from joren.platform.tenancy import TenantScoped


class SurveyResponse(TenantScoped, Timestamped, Base):
    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "meetup_id", "member_id"),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"
        ),
        Index("ix_survey_responses_tenant_meetup", "tenant_id", "meetup_id"),
    )

    id: Mapped[intpk]
    meetup_id: Mapped[int] = mapped_column()
    member_id: Mapped[int] = mapped_column()
    satisfaction: Mapped[int] = mapped_column()  # 1–5
    comment: Mapped[str] = mapped_column(Text, default="")
    # Answers to the organizer's own survey questions: {question id (str): [values]}.
    answers: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
