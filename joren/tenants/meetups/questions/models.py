"""Questions of a series or a meetup, and the answers given with a registration."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, intpk
from joren.platform.db import value_enum as _enum
from joren.platform.tenancy import TenantScoped


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    SINGLE = "single"
    MULTIPLE = "multiple"


class QuestionPurpose(enum.StrEnum):
    REGISTRATION = "registration"  # asked when registering
    SURVEY = "survey"  # asked in the after-meetup survey


class Question(TenantScoped, Timestamped, Base):
    """One question, owned by a series (every occurrence asks it) or by one meetup."""

    __tablename__ = "meetup_questions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "series_id"], ["meetup_series.tenant_id", "meetup_series.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE"
        ),
        Index("ix_meetup_questions_tenant_series", "tenant_id", "series_id"),
        Index("ix_meetup_questions_tenant_meetup", "tenant_id", "meetup_id"),
    )

    id: Mapped[intpk]
    series_id: Mapped[int | None] = mapped_column()
    meetup_id: Mapped[int | None] = mapped_column()
    purpose: Mapped[QuestionPurpose] = mapped_column(_enum(QuestionPurpose),
                                                     default=QuestionPurpose.REGISTRATION)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind), default=QuestionKind.TEXT)
    prompt: Mapped[str] = mapped_column(String(300))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class RegistrationAnswer(TenantScoped, Timestamped, Base):
    """What one registration answered to one question (a choice question: the chosen labels)."""

    __tablename__ = "registration_answers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "registration_id", "question_id"),
        ForeignKeyConstraint(
            ["tenant_id", "registration_id"], ["registrations.tenant_id", "registrations.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "question_id"], ["meetup_questions.tenant_id", "meetup_questions.id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[intpk]
    registration_id: Mapped[int] = mapped_column()
    question_id: Mapped[int] = mapped_column()
    answer: Mapped[list[str]] = mapped_column(JSON, default=list)
