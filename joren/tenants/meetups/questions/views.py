"""The console page of a meetup's questions: add, reorder, remove."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import SelectChoice

from joren.platform import pagecache
from joren.platform.db import db
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.tenants.meetups.models import Meetup
from joren.tenants.meetups.questions import services
from joren.tenants.meetups.questions.forms import QuestionForm
from joren.tenants.meetups.questions.labels import KIND_LABELS, PURPOSE_LABELS
from joren.tenants.meetups.questions.models import Question, QuestionKind, QuestionPurpose

bp = Blueprint("questions", __name__)


def _page(meetup: Meetup, form: QuestionForm, status: int = 200) -> Any:
    return _frame(Markup(_body(meetup, form)), meetup.title), status  # noqa: S704 - Jinja's autoescaped output


def _body(meetup: Meetup, form: QuestionForm) -> str:
    if meetup.series_id is None:
        form.scope.choices = [SelectChoice("meetup", _("This meetup only"))]
    return render_template("meetups/questions/_console_body.html", meetup=meetup, form=form,
                           questions=services.all_for_meetup(db.session, meetup),
                           kind_labels=KIND_LABELS, purpose_labels=PURPOSE_LABELS)


def _frame(body_html: Markup, title: str) -> str:
    return render_template("meetups/questions/console.html", body_html=body_html, title=title)


@bp.get("/admin/meetups/<int:meetup_id>/questions")
@require(Capability.MANAGE_MEETUPS)
def console(meetup_id: int) -> Any:
    # Kept by the page cache by meetup. The meetup is read only when the page is computed: a
    # kept page proves it was this community's (another's id answers 404 as it computes, and
    # any write in the community asks for another key).
    found: dict[str, Any] = {}

    def body() -> str:
        meetup = get_or_404(Meetup, meetup_id)
        found["title"] = meetup.title
        return _body(meetup, QuestionForm())

    body_html, title = pagecache.cached_html_about(
        db.session, "questions.console", (meetup_id,), body, about=lambda: found["title"])
    return _frame(body_html, title)


@bp.post("/admin/meetups/<int:meetup_id>/questions")
@require(Capability.MANAGE_MEETUPS)
def add(meetup_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _page(meetup, form, 400)
    on_series = form.scope.data == "series" and meetup.series_id is not None
    try:
        services.add_question(
            db.session, meetup=None if on_series else meetup,
            series=meetup.series if on_series else None,
            purpose=QuestionPurpose(form.purpose.data), kind=QuestionKind(form.kind.data),
            prompt=form.prompt.data or "", choices_text=form.choices_text.data or "",
            is_required=bool(form.is_required.data))
    except services.QuestionError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return _page(meetup, form, 400)
    db.session.commit()
    flash(_("The question was added."), "success")
    return redirect(url_for(".console", meetup_id=meetup.id), 303)


def _question_of(meetup: Meetup, question_id: int) -> Question:
    question = get_or_404(Question, question_id)
    if question.meetup_id != meetup.id and (
            question.series_id is None or question.series_id != meetup.series_id):
        abort(404)
    return question


@bp.post("/admin/meetups/<int:meetup_id>/questions/<int:question_id>/move")
@require(Capability.MANAGE_MEETUPS)
def move(meetup_id: int, question_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    question = _question_of(meetup, question_id)
    services.move_question(db.session, question, -1 if request.form.get("step") == "up" else 1)
    db.session.commit()
    return redirect(url_for(".console", meetup_id=meetup.id), 303)


@bp.post("/admin/meetups/<int:meetup_id>/questions/<int:question_id>/delete")
@require(Capability.MANAGE_MEETUPS)
def delete(meetup_id: int, question_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    db.session.delete(_question_of(meetup, question_id))
    db.session.commit()
    flash(_("The question was removed (with its answers)."), "success")
    return redirect(url_for(".console", meetup_id=meetup.id), 303)
