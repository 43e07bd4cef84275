"""Reading the survey: a meetup's distribution, average and comments, its CSV rows, and the
satisfaction per meetup over time (for the analytics page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.platform.identity.account import Account
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import Meetup
from joren.tenants.meetups.questions.models import Question
from joren.tenants.meetups.survey.models import SurveyResponse
from joren.tenants.meetups.survey.services import SCALE

COMMENTS_SHOWN = 50


@dataclass
class Results:
    count: int = 0
    average: float | None = None
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCALE, 0))
    comments: list[tuple[str, int, str]] = field(default_factory=list)  # name, score, text
    choice_counts: dict[int, dict[str, int]] = field(default_factory=dict)


def _responses(session: Session, meetup: Meetup) -> list[tuple[SurveyResponse, Member]]:
    return list(session.execute(
        select(SurveyResponse, Member)
        .join(Member, (Member.tenant_id == SurveyResponse.tenant_id)
              & (Member.id == SurveyResponse.member_id))
        .where(SurveyResponse.meetup_id == meetup.id)
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id)).all())


def meetup_results(session: Session, meetup: Meetup, questions: list[Question]) -> Results:
    """The meetup's figures aggregated by the database: the distribution (one statement), the
    latest ``COMMENTS_SHOWN`` comments with their names (one), and, when a question has
    choices, the answers column alone (one); no response is loaded as an object."""
    results = Results()
    for score, count in session.execute(
            select(SurveyResponse.satisfaction, func.count())
            .where(SurveyResponse.meetup_id == meetup.id)
            .group_by(SurveyResponse.satisfaction)):
        results.distribution[score] = results.distribution.get(score, 0) + count
        results.count += count
    if results.count:
        total = sum(score * count for score, count in results.distribution.items())
        results.average = round(total / results.count, 2)
        results.comments = _comments(session, meetup)
    choices = {q.id: q for q in questions if q.choices}
    results.choice_counts = {q.id: dict.fromkeys(q.choices, 0) for q in choices.values()}
    if choices and results.count:
        _count_choices(session, meetup, results.choice_counts)
    return results


def _comments(session: Session, meetup: Meetup) -> list[tuple[str, int, str]]:
    """The latest comments, each with the name ``Member.display_name`` would give."""
    rows = session.execute(
        select(Member.id, Member.family_name, Member.given_name, Member.email,
               Account.display_name, SurveyResponse.satisfaction, SurveyResponse.comment)
        .select_from(SurveyResponse)
        .join(Member, (Member.tenant_id == SurveyResponse.tenant_id)
              & (Member.id == SurveyResponse.member_id))
        .outerjoin(Account, Account.id == Member.account_id)
        .where(SurveyResponse.meetup_id == meetup.id, SurveyResponse.comment != "")
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id)
        .limit(COMMENTS_SHOWN))
    out = []
    for member_id, family, given, email, account_name, score, comment in rows:
        name = (f"{family} {given}".strip() or account_name or email or f"#{member_id}")
        out.append((name, score, comment))
    return out


def _count_choices(session: Session, meetup: Meetup,
                   counts_by_question: dict[int, dict[str, int]]) -> None:
    for (answers,) in session.execute(
            select(SurveyResponse.answers).where(SurveyResponse.meetup_id == meetup.id)):
        for key, values in (answers or {}).items():
            counts = counts_by_question.get(int(key)) if key.isdigit() else None
            for value in values if counts is not None else ():
                if value in counts:  # type: ignore[operator]
                    counts[value] += 1  # type: ignore[index]


def csv_rows(session: Session, meetup: Meetup,
             questions: list[Question]) -> list[list[object]]:
    rows: list[list[object]] = []
    for response, member in reversed(_responses(session, meetup)):
        answers = response.answers or {}
        rows.append([member.family_name, member.given_name, member.email or "",
                     response.satisfaction, response.comment,
                     response.submitted_at]
                    + [" / ".join(answers.get(str(q.id), [])) for q in questions])
    return rows


@dataclass(frozen=True)
class TrendPoint:
    meetup_id: int
    title: str
    starts_at: datetime
    average: float
    count: int
