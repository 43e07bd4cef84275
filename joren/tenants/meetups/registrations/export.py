"""The registrations CSV of a meetup (Excel-friendly, as every export)."""

from __future__ import annotations

from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from joren.platform.csv_export import csv_response
from joren.tenants.meetups.labels import SOURCE_LABELS, STATUS_LABELS
from joren.tenants.meetups.models import Meetup, Registration
from joren.tenants.meetups.questions import services as questions


def registrations_csv(session: Session, meetup: Meetup, rows: list[Registration]) -> Any:
    """The meetup's registrations as an Excel-friendly CSV, one column per registration
    question after the person's details."""
    asked = questions.questions_for(session, meetup)
    answers = questions.answers_by_registration(session, [r.id for r in rows]) \
        if asked else {}
    header = [_("Status"), _("Waitlist"), _("Family name"), _("Given name"),
              _("Family name reading (kana)"), _("Given name reading (kana)"), _("Company"),
              _("Job title"), _("Industry"), _("Email"), _("Source"), _("Registered at"),
              _("Note")]
    body = [[str(STATUS_LABELS[r.status]), r.waitlist_position or "", r.member.family_name,
             r.member.given_name, r.member.family_name_kana, r.member.given_name_kana,
             r.member.company, r.member.title, r.member.industry, r.member.email or "",
             str(SOURCE_LABELS.get(r.source, r.source)),
             format_datetime(r.created_at, "yyyy/MM/dd HH:mm"), r.note]
            + _answer_cells(asked, answers.get(r.id, [])) for r in rows]
    header += [q.prompt for q in asked]
    filename = f"registrations-{meetup.starts_at:%Y%m%d}-{meetup.id}.csv"
    return csv_response(filename, header, body)


def _answer_cells(asked: list[Any], answered: list[questions.Answered]) -> list[str]:
    by_question = {a.question_id: a.text for a in answered}
    return [by_question.get(q.id, "") for q in asked]
