"""The survey: the attendee's answer page (by the emailed link) and the console's results."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _

from joren.platform import pagecache
from joren.platform.csv_export import csv_response
from joren.platform.db import db
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.meetups.models import Meetup
from joren.tenants.meetups.questions.models import QuestionPurpose
from joren.tenants.meetups.questions.services import QuestionError, questions_for
from joren.tenants.meetups.survey import results, services
from joren.tenants.meetups.survey.links import read_survey_token

bp = Blueprint("survey", __name__)


def _invalid() -> Any:
    return render_template("meetups/survey/answer.html", invalid=True), 400


@bp.route("/survey/<token>", methods=["GET", "POST"])
def answer(token: str) -> Any:
    """The attendee answers (no sign-in: the signed link names them and the meetup)."""
    named = read_survey_token(token, current_tenant_id(db.session))
    if named is None:
        return _invalid()
    meetup = db.session.get(Meetup, named[0])
    member = db.session.get(Member, named[1])
    if meetup is None or member is None or not services.attended(db.session, meetup.id,
                                                                 member.id):
        return _invalid()
    asked = questions_for(db.session, meetup, QuestionPurpose.SURVEY)
    existing = services.response_for(db.session, meetup.id, member.id)
    error = None
    done = False
    given: dict[str, list[str]] = request.form.to_dict(flat=False)
    chosen = request.form.get("satisfaction") or request.args.get("s") or \
        (str(existing.satisfaction) if existing else "")
    if request.method == "POST":
        try:
            services.submit_response(db.session, meetup, member,
                                     satisfaction=request.form.get("satisfaction", ""),
                                     comment=request.form.get("comment", ""),
                                     questions=asked, form=given)
        except QuestionError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            db.session.commit()
            done = True
    elif existing is not None:
        given = {f"q{k}": v for k, v in (existing.answers or {}).items()}
        given["comment"] = [existing.comment]
    return render_template("meetups/survey/answer.html", invalid=False, meetup=meetup,
                           member=member, questions=asked, given=given, chosen=chosen,
                           error=error, done=done, scale=services.SCALE), 400 if error else 200


@bp.get("/admin/meetups/<int:meetup_id>/survey")
@require(Capability.VIEW_ANALYTICS)
def results_page(meetup_id: int) -> Any:
    """A meetup's survey results. Kept by the page cache while nothing in the community
    changes (an answer is a write in it); the key holds the meetup and the reader's role
    (whether they may download the answers). The meetup is read only when the page is
    computed: a kept page proves it was this community's (another's id answers 404 as it
    computes, never kept)."""
    seen: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "survey.results_page", (meetup_id, g.membership.role.value),
        lambda: _results_body(get_or_404(Meetup, meetup_id), seen), about=lambda: dict(seen))
    return render_template("meetups/survey/results.html", meetup_title=about["title"],
                           body_html=body_html)


def _results_body(meetup: Meetup, seen: dict[str, Any]) -> str:
    seen["title"] = meetup.title
    asked = questions_for(db.session, meetup, QuestionPurpose.SURVEY)
    return render_template("meetups/survey/_results_body.html", meetup=meetup,
                           questions=asked,
                           results=results.meetup_results(db.session, meetup, asked),
                           scale=services.SCALE)


@bp.get("/admin/meetups/<int:meetup_id>/survey.csv")
@require(Capability.EXPORT_PERSONAL_DATA)
def export(meetup_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    asked = questions_for(db.session, meetup, QuestionPurpose.SURVEY)
    header = [_("Family name"), _("Given name"), _("Email"), _("Satisfaction (1–5)"),
              _("Comment"), _("Answered at")] + [q.prompt for q in asked]
    body = [row[:5] + [format_datetime(row[5], "yyyy/MM/dd HH:mm")] + row[6:]
            for row in results.csv_rows(db.session, meetup, asked)]
    return csv_response(f"survey-{meetup.starts_at:%Y%m%d}-{meetup.id}.csv", header, body)
