"""Questions: kept in order per series or meetup, read from a submitted form, stored with a
registration, and read back for the door and the export (one statement each)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from joren.tenants.meetups.models import ACTIVE, Meetup, MeetupSeries, Registration
from joren.tenants.meetups.questions.models import (
    Question,
    QuestionKind,
    QuestionPurpose,
    RegistrationAnswer,
)

PROMPT_LIMIT = 300
CHOICE_LIMIT = 100
MAX_CHOICES = 20
ANSWER_LIMIT = 2000
FIELD_PREFIX = "q"


class QuestionError(ValueError):
    """Input the organizer or the registrant must correct; ``message`` says what, lazily."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def field_name(question: Question) -> str:
    return f"{FIELD_PREFIX}{question.id}"


def questions_for(session: Session, meetup: Meetup,
                  purpose: QuestionPurpose = QuestionPurpose.REGISTRATION) -> list[Question]:
    """The meetup's questions in order: its series' first, then its own."""
    owners = [Question.meetup_id == meetup.id]
    if meetup.series_id is not None:
        owners.append(Question.series_id == meetup.series_id)
    return list(session.scalars(
        select(Question).where(Question.purpose == purpose, or_(*owners))
        .order_by(Question.series_id.is_(None), Question.position, Question.id)))


def series_questions(session: Session, series_id: int) -> list[Question]:
    """The registration questions every occurrence of a series asks (asked when registering
    for the whole series)."""
    return list(session.scalars(
        select(Question).where(Question.series_id == series_id,
                               Question.purpose == QuestionPurpose.REGISTRATION)
        .order_by(Question.position, Question.id)))


def save_series_answers(session: Session, series_registration_id: int,
                        answers: Mapping[int, list[str]]) -> int:
    """Store ``answers`` with every active registration a series registration made."""
    registrations = list(session.scalars(select(Registration).where(
        Registration.series_registration_id == series_registration_id,
        Registration.status.in_(ACTIVE))))
    for registration in registrations:
        save_answers(session, registration, answers)
    return len(registrations)


def carry_series_answers(session: Session, registration: Registration) -> int:
    """A registration a series registration made for a meetup materialised later takes the
    answers to the series' questions that the member gave when they signed up for the series
    (read from the series registration's latest other registration); returns how many."""
    if registration.series_registration_id is None:
        return 0
    source = session.scalar(
        select(Registration.id)
        .join(RegistrationAnswer, RegistrationAnswer.registration_id == Registration.id)
        .join(Question, Question.id == RegistrationAnswer.question_id)
        .where(Registration.series_registration_id == registration.series_registration_id,
               Registration.id != registration.id, Question.series_id.is_not(None))
        .order_by(Registration.id.desc()).limit(1))
    if source is None:
        return 0
    answers = {question_id: list(answer or []) for question_id, answer in session.execute(
        select(RegistrationAnswer.question_id, RegistrationAnswer.answer)
        .join(Question, Question.id == RegistrationAnswer.question_id)
        .where(RegistrationAnswer.registration_id == source,
               Question.series_id.is_not(None)))}
    if answers:
        save_answers(session, registration, answers)
    return len(answers)


def all_for_meetup(session: Session, meetup: Meetup) -> list[Question]:
    """Every question of the meetup (registration and survey), for the console page."""
    owners = [Question.meetup_id == meetup.id]
    if meetup.series_id is not None:
        owners.append(Question.series_id == meetup.series_id)
    return list(session.scalars(
        select(Question).where(or_(*owners))
        .order_by(Question.purpose, Question.series_id.is_(None), Question.position,
                  Question.id)))


def _choices(kind: QuestionKind, choices_text: str) -> list[str]:
    if kind == QuestionKind.TEXT:
        return []
    choices: list[str] = []
    for line in choices_text.splitlines():
        choice = line.strip()
        if choice and choice not in choices:
            choices.append(choice)
    if len(choices) < 2:
        raise QuestionError(_l("A choice question needs at least two choices, one per line."))
    if len(choices) > MAX_CHOICES:
        raise QuestionError(_l("At most %(count)s choices.", count=MAX_CHOICES))
    if any(len(choice) > CHOICE_LIMIT for choice in choices):
        raise QuestionError(_l("A choice is too long (at most %(limit)s characters).",
                               limit=CHOICE_LIMIT))
    return choices


def add_question(session: Session, *, meetup: Meetup | None = None,
                 series: MeetupSeries | None = None,
                 purpose: QuestionPurpose = QuestionPurpose.REGISTRATION,
                 kind: QuestionKind = QuestionKind.TEXT, prompt: str,
                 choices_text: str = "", is_required: bool = False) -> Question:
    """Add a question at the end of the series' (every occurrence) or the meetup's list."""
    if (meetup is None) == (series is None):
        raise ValueError("a question belongs to a series or to a meetup")
    prompt = " ".join(prompt.split())
    if not prompt:
        raise QuestionError(_l("Enter the question."))
    if len(prompt) > PROMPT_LIMIT:
        raise QuestionError(_l("The question is too long (at most %(limit)s characters).",
                               limit=PROMPT_LIMIT))
    owner = (Question.series_id == series.id) if series is not None \
        else (Question.meetup_id == meetup.id)  # type: ignore[union-attr]
    last = session.scalar(select(func.max(Question.position)).where(owner)) or 0
    question = Question(
        series_id=series.id if series is not None else None,
        meetup_id=meetup.id if meetup is not None else None,
        purpose=purpose, kind=kind, prompt=prompt, choices=_choices(kind, choices_text),
        is_required=is_required, position=last + 1)
    session.add(question)
    session.flush()
    return question


def move_question(session: Session, question: Question, step: int) -> None:
    """Swap the question with its neighbour above (step -1) or below (+1) in its list."""
    owner = (Question.series_id == question.series_id) if question.series_id is not None \
        else (Question.meetup_id == question.meetup_id)
    siblings = list(session.scalars(
        select(Question).where(owner, Question.purpose == question.purpose)
        .order_by(Question.position, Question.id)))
    index = siblings.index(question)
    other = index + step
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        item.position = position
    session.flush()


def read_answers(questions: Sequence[Question],
                 form: Mapping[str, Sequence[str]]) -> dict[int, list[str]]:
    """The answers in a submitted form (``{field: [values]}``), checked: required ones given,
    choices among the question's, texts within the limit."""
    answers: dict[int, list[str]] = {}
    for question in questions:
        values = [v.strip() for v in form.get(field_name(question), ()) if v and v.strip()]
        if question.kind == QuestionKind.TEXT:
            values = values[:1]
            if values and len(values[0]) > ANSWER_LIMIT:
                raise QuestionError(_l("An answer is too long (at most %(limit)s characters).",
                                       limit=ANSWER_LIMIT))
        else:
            if any(v not in question.choices for v in values):
                raise QuestionError(_l("Choose one of the answers offered for “%(question)s”.",
                                       question=question.prompt))
            values = [c for c in question.choices if c in values]
            if question.kind == QuestionKind.SINGLE:
                values = values[:1]
        if question.is_required and not values:
            raise QuestionError(_l("Please answer “%(question)s”.", question=question.prompt))
        if values:
            answers[question.id] = values
    return answers


def save_answers(session: Session, registration: Registration,
                 answers: Mapping[int, list[str]]) -> None:
    """Store the registration's answers (replacing what it answered before)."""
    existing = {a.question_id: a for a in session.scalars(
        select(RegistrationAnswer).where(RegistrationAnswer.registration_id == registration.id))}
    for question_id, values in answers.items():
        row = existing.pop(question_id, None)
        if row is None:
            session.add(RegistrationAnswer(registration_id=registration.id,
                                           question_id=question_id, answer=list(values)))
        else:
            row.answer = list(values)
    for row in existing.values():
        session.delete(row)
    session.flush()


@dataclass(frozen=True)
class Answered:
    question_id: int
    prompt: str
    text: str


def answers_by_registration(session: Session,
                            registration_ids: Iterable[int]) -> dict[int, list[Answered]]:
    """Each registration's answers in question order, in one statement (asked even for no
    registration, so a page's statement count does not depend on who matched)."""
    ids = sorted(set(registration_ids))
    rows = session.execute(
        select(RegistrationAnswer.registration_id, Question.id, Question.prompt,
               RegistrationAnswer.answer)
        .join(Question, (Question.tenant_id == RegistrationAnswer.tenant_id)
              & (Question.id == RegistrationAnswer.question_id))
        .where(RegistrationAnswer.registration_id.in_(ids))
        .order_by(RegistrationAnswer.registration_id, Question.series_id.is_(None),
                  Question.position, Question.id))
    found: dict[int, list[Answered]] = {}
    for registration_id, question_id, prompt, answer in rows:
        found.setdefault(registration_id, []).append(
            Answered(question_id, prompt, " / ".join(answer or [])))
    return found
