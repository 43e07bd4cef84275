"""Reading the survey: a meetup's distribution, average and comments, its CSV rows, and the
satisfaction per meetup over time (for the analytics page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    """The meetup's figures in one statement (a community's meetup has at most a few hundred
    attendees; the comments shown are the latest ``COMMENTS_SHOWN``)."""
    results = Results()
    choices = {q.id: q for q in questions if q.choices}
    results.choice_counts = {q.id: dict.fromkeys(q.choices, 0) for q in choices.values()}
    total = 0
    for response, member in _responses(session, meetup):
        results.count += 1
        total += response.satisfaction
        results.distribution[response.satisfaction] = \
            results.distribution.get(response.satisfaction, 0) + 1
        if response.comment and len(results.comments) < COMMENTS_SHOWN:
            results.comments.append((member.display_name, response.satisfaction,
                                     response.comment))
        for key, values in (response.answers or {}).items():
            counts = results.choice_counts.get(int(key)) if key.isdigit() else None
            for value in values if counts is not None else ():
                if value in counts:  # type: ignore[operator]
                    counts[value] += 1  # type: ignore[index]
    if results.count:
        results.average = round(total / results.count, 2)
    return results


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
