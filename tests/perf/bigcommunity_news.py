"""The big community's survey answers, registration questions and a sent announcement: each
attendee of the latest meetup answered the survey, everyone registered for the next one
answered its question, and an announcement went to everyone (one recipient row each)."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.models import Attendance, Registration
from joren.tenants.announcements.models import Announcement, AnnouncementStatus, Segment
from joren.tenants.announcements.services import fix_recipients
from joren.tenants.meetups.models import ATTENDED
from joren.tenants.meetups.questions.models import Question, RegistrationAnswer
from joren.tenants.meetups.survey.models import SurveyResponse
from tests.perf.bigcommunity_history import bulk

ANSWERS = ["製造業の経営者", "士業の方", "IT企業の方", "飲食店のオーナー"]


def add(session: Session, tenant_id: int, past_meetup: int, next_meetup: int,
        rng: random.Random, now: datetime, ids: dict[str, int]) -> None:
    """Everything above, in the community's scope (the caller commits)."""
    came = list(session.scalars(select(Attendance.member_id).where(
        Attendance.meetup_id == past_meetup, Attendance.status.in_(ATTENDED))))
    if came:
        bulk(session, SurveyResponse, [
            {"tenant_id": tenant_id, "meetup_id": past_meetup, "member_id": m,
             "satisfaction": rng.choice((3, 4, 4, 5, 5)), "answers": {}, "submitted_at": now,
             "created_at": now, "comment": "次回も楽しみです" if i % 7 == 0 else ""}
            for i, m in enumerate(came)])
    question = Question(tenant_id=tenant_id, meetup_id=next_meetup, position=1,
                        prompt="今回会いたい方")
    session.add(question)
    session.flush()
    registrations = list(session.scalars(select(Registration.id).where(
        Registration.meetup_id == next_meetup)))
    if registrations:
        bulk(session, RegistrationAnswer, [
            {"tenant_id": tenant_id, "registration_id": r, "question_id": question.id,
             "answer": [rng.choice(ANSWERS)], "created_at": now} for r in registrations])
    announcement = Announcement(tenant_id=tenant_id, subject="年末交流会のお知らせ",
                                body="今年もお世話になりました。", segment=Segment.EVERYONE,
                                status=AnnouncementStatus.SCHEDULED, send_at=now)
    session.add(announcement)
    session.flush()
    fix_recipients(session, announcement)
    announcement.status = AnnouncementStatus.SENT
    announcement.sent_at = now
    session.flush()
    ids["announcement"] = announcement.id


def find_ids(session: Session) -> dict[str, int]:
    found = session.scalar(select(Announcement.id).order_by(Announcement.id).limit(1))
    return {"announcement": found} if found is not None else {}
