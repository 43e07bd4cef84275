"""The after-meetup survey: emailed at 10:00 local time the day after a meetup to each
attendee (once: an idempotency key per meetup and attendee), answered by link.

``send_due_surveys`` runs hourly from the cron fan-out. A meetup whose survey time passed more
than ``LATEST`` ago (the worker was down) sends none, so nobody gets a stale survey. Emails go
in the ``surveys`` category: an attendee who opted out is stored suppressed, never sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.i18n import format_local
from joren.platform.identity.community import Community
from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.urls import external_url
from joren.tenants.meetups.models import ATTENDED, Attendance, Meetup, MeetupStatus
from joren.tenants.meetups.questions.models import Question
from joren.tenants.meetups.questions.services import QuestionError, read_answers
from joren.tenants.meetups.reminders import DATE_FORMATS
from joren.tenants.meetups.survey.links import survey_token
from joren.tenants.meetups.survey.models import SurveyResponse

TEMPLATE = "meetups/survey/invite"
CATEGORY = "surveys"
SEND_HOUR = 10
LATEST = timedelta(days=2)
COMMENT_LIMIT = 2000
SCALE = (1, 2, 3, 4, 5)


def survey_send_at(meetup: Meetup, community: Community) -> datetime:
    """10:00 local time on the day after the meetup's local date."""
    day: date = meetup.starts_at.astimezone(community.zone).date() + timedelta(days=1)
    return datetime.combine(day, time(SEND_HOUR), tzinfo=community.zone).astimezone(UTC)


def survey_key(tenant_id: int, meetup_id: int, member_id: int) -> str:
    return f"survey:{tenant_id}:{meetup_id}:{member_id}"


def due_meetups(session: Session, community: Community, now: datetime) -> list[Meetup]:
    """Meetups whose survey time has come, and not too long ago."""
    candidates = session.scalars(
        select(Meetup).where(Meetup.status == MeetupStatus.SCHEDULED,
                             Meetup.starts_at <= now,
                             Meetup.starts_at > now - timedelta(days=4))
        .order_by(Meetup.starts_at, Meetup.id))
    return [m for m in candidates
            if survey_send_at(m, community) <= now < survey_send_at(m, community) + LATEST]


def send_due_surveys(session: Session, community: Community,
                     now: datetime | None = None) -> int:
    """Queue the survey email to each attendee of the meetups due now; returns how many new
    messages were stored (a second run stores none)."""
    now = now or utcnow()
    meetups = {m.id: m for m in due_meetups(session, community, now)}
    if not meetups:
        return 0
    attendees = session.execute(
        select(Attendance.meetup_id, Member)
        .join(Member, (Member.tenant_id == Attendance.tenant_id)
              & (Member.id == Attendance.member_id))
        .where(Attendance.meetup_id.in_(list(meetups)), Attendance.status.in_(ATTENDED),
               Member.status != MemberStatus.INACTIVE, Member.email.is_not(None),
               Member.email != "")).all()
    keys = {survey_key(community.id, meetup_id, m.id) for meetup_id, m in attendees}
    done = set(session.scalars(select(OutboxMessage.idempotency_key)
                               .where(OutboxMessage.idempotency_key.in_(list(keys))))) \
        if keys else set()
    queued = 0
    for meetup_id, member in attendees:
        key = survey_key(community.id, meetup_id, member.id)
        if key in done:
            continue
        meetup = meetups[meetup_id]
        language = recipient_language(member, community)
        queue_email(session, to=member.email or "", template=TEMPLATE, language=language,
                    context=_context(community, meetup, member, language),
                    idempotency_key=key, community_id=community.id, category=CATEGORY)
        queued += 1
    return queued


def _context(community: Community, meetup: Meetup, member: Member,
             language: str) -> dict[str, object]:
    token = survey_token(community.id, meetup.id, member.id)
    return {
        "community_name": community.name,
        "member_name": member.display_name,
        "meetup": meetup,
        "starts": format_local(meetup.starts_at, community.zone, language, DATE_FORMATS),
        "survey_url": external_url("community.survey.answer", slug=community.slug,
                                   token=token),
        "scale_urls": [(n, external_url("community.survey.answer", slug=community.slug,
                                        token=token, s=n)) for n in SCALE],
    }


def response_for(session: Session, meetup_id: int, member_id: int) -> SurveyResponse | None:
    return session.scalar(select(SurveyResponse).where(SurveyResponse.meetup_id == meetup_id,
                                                       SurveyResponse.member_id == member_id))


def attended(session: Session, meetup_id: int, member_id: int) -> bool:
    return session.scalar(
        select(Attendance.id).where(Attendance.meetup_id == meetup_id,
                                    Attendance.member_id == member_id,
                                    Attendance.status.in_(ATTENDED))) is not None


def submit_response(session: Session, meetup: Meetup, member: Member, *, satisfaction: str,
                    comment: str, questions: Sequence[Question],
                    form: Mapping[str, Sequence[str]],
                    now: datetime | None = None) -> SurveyResponse:
    """Store (or replace) the attendee's answer. Raises QuestionError on bad input."""
    try:
        score = int(satisfaction)
    except (TypeError, ValueError):
        score = 0
    if score not in SCALE:
        raise QuestionError(_l("Choose how satisfied you were, from 1 to 5."))
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise QuestionError(_l("The comment is too long (at most %(limit)s characters).",
                               limit=COMMENT_LIMIT))
    answers = {str(k): v for k, v in read_answers(questions, form).items()}
    response = response_for(session, meetup.id, member.id)
    if response is None:
        response = SurveyResponse(meetup_id=meetup.id, member_id=member.id)
        session.add(response)
    response.satisfaction = score
    response.comment = comment
    response.answers = answers
    response.submitted_at = now or utcnow()
    session.flush()
    return response
