"""The organizer's review queue: filters, paging, one card's buttons (with the note typed
into it) and decisions on many suggestions at once. The routes are registered on the
introductions blueprint by ``views`` (``QUEUE_ROUTES``).

Every button answers JSON to the page's script, which changes the card in place (the queue
is not reloaded), and without JavaScript redirects back to the same page and filters.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from joren.platform import pagecache
from joren.platform.db import db
from joren.platform.i18n import current_language
from joren.platform.inputs import int_arg, parse_id
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.platform.pagination import page_number
from joren.tenants.engagement.labels import LEVEL_LABELS
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions import optin, review, services
from joren.tenants.introductions.forms import (
    ActionForm,
    BulkForm,
    ManualForm,
    MessageForm,
    QueueFilterForm,
)
from joren.tenants.introductions.models import Introduction
from joren.tenants.introductions.queue import is_low_confidence, queue_page, waiting_count


def _levels(introductions: list[Introduction]) -> dict[int, str]:
    ids = {m for i in introductions for m in (i.member_low_id, i.member_high_id)}
    if not ids:
        return {}
    rows = db.session.execute(select(MemberEngagement.member_id, MemberEngagement.level)
                              .where(MemberEngagement.member_id.in_(ids))).all()
    return {member_id: str(LEVEL_LABELS[level]) for member_id, level in rows}


def _reasons(introductions: list[Introduction]) -> dict[int, list[str]]:
    language = current_language()
    return {i.id: optin.render_reasons(i, optin.display_names(i.member_low, i.member_high),
                                       language) for i in introductions}



def _filter_form(args: Any) -> QueueFilterForm:
    form = QueueFilterForm(formdata=args)
    form.validate()
    return form


def _back(return_to: str | None, anchor: str = "") -> Any:
    """The queue page the organizer acted from (its filters and page, re-read from the form's
    ``return_to``: never a URL taken as given)."""
    args = _query((return_to or "")[:2000])
    kept = _filter_form(args).to_filter().args()
    page = page_number(args.get("page"))
    if page > 1:
        kept["page"] = str(page)
    return redirect(url_for(".queue", **kept, selected=sorted(_ids(args))) + anchor)


def _query(text: str) -> MultiDict[str, str]:
    return MultiDict(parse_qsl(text.lstrip("?"), keep_blank_values=True))


def _ids(args: Any) -> set[int]:
    """The ``selected`` ids of a queue URL (anything that is not one is left out)."""
    ids = (parse_id(value) for value in args.getlist("selected")[:review.BULK_LIMIT])
    return {i for i in ids if i is not None}


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json")


@require(Capability.MANAGE_INTRODUCTIONS)
def queue() -> Any:
    def body() -> str:
        # The forms are made here, inside the kept HTML, so that their tokens are the
        # stand-in each view replaces with its reader's own.
        filters = _filter_form(request.args)
        chosen = filters.to_filter()
        page = queue_page(db.session, chosen, int_arg("page", 1))
        items = page.items
        return render_template(
            "introductions/_queue_body.html", items=items, page=page, filters=filters,
            chosen=chosen,
            waiting=waiting_count(db.session) if chosen.active else page.total,
            levels=_levels(items), reasons=_reasons(items), manual=ManualForm(prefix="manual"),
            action=ActionForm(), bulk=BulkForm(), settings=services.settings_of(db.session),
            low_confidence={i.id for i in items if is_low_confidence(i)},
            selected=_ids(request.args), return_to=return_to, message_forms={
                i.id: MessageForm(prefix=f"m{i.id}", data={"message": i.message})
                for i in items})

    # The filters, the page and the ticked suggestions come from the query string, which the
    # page also writes back as it was (``return_to``): the whole of it is in the key, as
    # the reader's role is.
    return_to = request.query_string.decode("latin-1")[:2000]
    body_html = pagecache.cached_html(
        db.session, "introductions.queue",
        (g.membership.role.value, request.query_string.decode("latin-1")), body)
    return render_template("introductions/queue.html", body_html=body_html)


def _suggested(introduction_id: int) -> Introduction:
    return get_or_404(Introduction, introduction_id)


def _answer(introduction: Introduction, ok: bool, text: str, category: str,
            status: int = 200) -> Any:
    """The reply to a card's button: JSON for the page's script (the card changes in place),
    else back to the same queue page, at the next card."""
    if _wants_json():
        return jsonify(ok=ok, id=introduction.id, status=introduction.status.value,
                       note=introduction.message, message=text), status
    flash(text, category)
    return _back(request.form.get("return_to"), f"#introduction-{introduction.id}")


def _decide(introduction_id: int, action: Any, done: str, category: str) -> Any:
    """Approve or skip one suggestion (a POST from the queue), saving the note sent with it
    first: when the decision is refused the note is kept all the same."""
    introduction = _suggested(introduction_id)
    form = MessageForm(prefix=f"m{introduction.id}")
    if not form.validate_on_submit():
        text = (_("The message is too long.") if form.message.errors else
                _("The form has expired. Reload the page and try again."))
        return _answer(introduction, False, text, "danger", 400)
    note = form.message.data if form.message.name in request.form else None
    try:
        action(db.session, introduction, note, g.membership.id)
    except services.IntroductionError as exc:
        db.session.commit()  # the note, if one came with the button
        return _answer(introduction, False, str(exc.message), "danger", 409)
    db.session.commit()
    return _answer(introduction, True, done, category)


def _skip_with_note(session: Any, introduction: Introduction, note: str | None,
                    actor_id: int) -> None:
    if note is not None and note.strip() != (introduction.message or ""):
        services.edit_message(session, introduction, note)
    services.skip(session, introduction, actor_id)


@require(Capability.MANAGE_INTRODUCTIONS)
def approve(introduction_id: int) -> Any:
    return _decide(introduction_id, review.save_note_and_approve,
                   _("Sent. Both members have been asked by email."), "success")


@require(Capability.MANAGE_INTRODUCTIONS)
def skip(introduction_id: int) -> Any:
    return _decide(introduction_id, _skip_with_note,
                   _("Skipped. This pair will not be suggested again."), "info")


@require(Capability.MANAGE_INTRODUCTIONS)
def message(introduction_id: int) -> Any:
    introduction = _suggested(introduction_id)
    form = MessageForm(prefix=f"m{introduction.id}")
    if not form.validate_on_submit():
        return _answer(introduction, False, _("The message is too long."), "danger", 400)
    try:
        services.edit_message(db.session, introduction, form.message.data or "")
    except services.IntroductionError as exc:
        db.session.rollback()
        return _answer(introduction, False, str(exc.message), "danger", 409)
    db.session.commit()
    return _answer(introduction, True, _("Your note was saved."), "success")


@require(Capability.MANAGE_INTRODUCTIONS)
def bulk() -> Any:
    """Approve or skip the selected suggestions. Ids that are not this community's are
    ignored; when none of them is, the answer is 404 and nothing changes."""
    form = BulkForm()
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify(ok=False, message=_("The form has expired. Reload the page and "
                                               "try again.")), 400
        flash(_("The form has expired. Reload the page and try again."), "danger")
        return _back(form.return_to.data)
    ids = [i for i in (parse_id(v) for v in request.form.getlist("ids")) if i is not None]
    if not ids:
        if _wants_json():
            return jsonify(ok=False, message=_("Select at least one suggestion.")), 400
        flash(_("Select at least one suggestion."), "warning")
        return _back(form.return_to.data)
    result = review.decide_many(db.session, ids, form.action.data, g.membership.id)
    if not result.done and not result.refused:
        abort(404)
    db.session.commit()
    return _bulk_answer(form, result)


def _bulk_answer(form: BulkForm, result: review.Decided) -> Any:
    done = (_("Introductions sent: %(count)s.", count=len(result.done))
            if form.action.data == review.APPROVE else
            _("Suggestions skipped: %(count)s.", count=len(result.done)))
    refused = {i: review.refusal_message(code) for i, code in result.refused.items()}
    if _wants_json():
        return jsonify(ok=True, action=form.action.data, done=result.done, refused=refused,
                       message=done)
    flash(done, "success")
    for introduction_id, text in refused.items():
        flash(_("Suggestion %(id)s: %(reason)s", id=introduction_id, reason=text), "warning")
    back = _query(form.return_to.data or "")
    back.setlist("selected", [str(i) for i in refused])
    return _back(urlencode(list(back.items(multi=True))))


# (rule, view, method) for views to register on the blueprint
QUEUE_ROUTES = (
    ("/admin/introductions", queue, "GET"),
    ("/admin/introductions/<int:introduction_id>/approve", approve, "POST"),
    ("/admin/introductions/<int:introduction_id>/skip", skip, "POST"),
    ("/admin/introductions/<int:introduction_id>/message", message, "POST"),
    ("/admin/introductions/bulk", bulk, "POST"),
)
