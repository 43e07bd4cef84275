"""Introductions: settings, the organizer's review queue, members' answers and requests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from joren.platform import pagecache
from joren.platform.billing import plans
from joren.platform.db import db, utcnow
from joren.platform.i18n import current_language
from joren.platform.inputs import int_arg
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, member_required, require
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.pagination import Page
from joren.platform.signing import LinkExpired, LinkInvalid
from joren.tenants.introductions import (
    cycles,
    optin,
    people,
    review_views,
    services,
    tokens,
)
from joren.tenants.introductions.forms import (
    ActionForm,
    AnswerForm,
    ManualForm,
    RequestForm,
    SettingsForm,
)
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
    Response,
)

bp = Blueprint("introductions", __name__)
for _rule, _view, _method in review_views.QUEUE_ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=[_method])

RUN_CYCLE_JOB = "joren.workers.introduction_jobs.run_introduction_cycle"
HISTORY_PER_PAGE = 50
CLOSED = (IntroductionStatus.DECLINED, IntroductionStatus.EXPIRED, IntroductionStatus.SKIPPED)


def _with_members(stmt: Any) -> Any:
    return stmt.options(selectinload(Introduction.member_low),
                        selectinload(Introduction.member_high))


def _error(exc: services.IntroductionError) -> None:
    db.session.rollback()
    flash(str(exc.message), "danger")


# -- console -------------------------------------------------------------------------------

@bp.get("/admin/introductions/members")
@require(Capability.MANAGE_INTRODUCTIONS)
def member_search() -> Any:
    """The manual form's search as you type: up to ten members who can be introduced."""
    query = request.args.get("q", "")[:people.QUERY_LENGTH]
    return jsonify(results=[c.as_json() for c in people.find_candidates(db.session, query)])


@bp.post("/admin/introductions/run")
@require(Capability.MANAGE_INTRODUCTIONS)
def run_now() -> Any:
    if ActionForm().validate_on_submit():
        enqueue_after_commit(db.session, RUN_CYCLE_JOB, g.community.id,
                             cycles.manual_period(utcnow()), g.membership.id)
        db.session.commit()
        flash(_("A matching cycle has started. New suggestions appear here in a moment."),
              "success")
    return redirect(url_for(".queue"))


@bp.post("/admin/introductions/new")
@require(Capability.MANAGE_INTRODUCTIONS)
def create() -> Any:
    form = ManualForm(prefix="manual")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(url_for(".queue"))
    a = people.resolve(db.session, form.member_a.data, form.member_a_query.data or "")
    b = people.resolve(db.session, form.member_b.data, form.member_b_query.data or "")
    if a.member is None or b.member is None:
        if a.choices or b.choices:  # search, then pick (the form without JavaScript)
            return render_template("introductions/pick.html", form=form, sides=(
                ("member_a", form.member_a_query.label.text, a),
                ("member_b", form.member_b_query.label.text, b)))
        for side in (a, b):
            if side.member is None:
                flash(_("No member matches “%(text)s”.", text=side.query) if side.query else
                      _("Type a name or an email address for both members."), "danger")
        return redirect(url_for(".queue"))
    if a.member.id == b.member.id:
        flash(_("Choose two different members."), "danger")
        return redirect(url_for(".queue"))
    try:
        services.introduce(db.session, a.member.id, b.member.id,
                           source=IntroductionSource.ORGANIZER, actor_id=g.membership.id,
                           message=form.message.data or "")
    except services.IntroductionError as exc:
        _error(exc)
    else:
        db.session.commit()
        flash(_("The introduction was added to the queue. Approve it to send it."), "success")
    return redirect(url_for(".queue"))


@bp.get("/admin/introductions/history")
@require(Capability.MANAGE_INTRODUCTIONS)
def history() -> Any:
    # Kept while nothing in the community changes (an answer, an expiry and a decision are
    # all writes in it); the page number is the only argument.
    number = int_arg("page", 1)
    body_html = pagecache.cached_html(db.session, "introductions.history", (number,),
                                      lambda: _history_body(number))
    return render_template("introductions/history.html", body_html=body_html)


def _history_body(number: int) -> str:
    where = Introduction.status != IntroductionStatus.SUGGESTED
    total = db.session.scalar(select(func.count(Introduction.id)).where(where)) or 0
    items = db.session.scalars(_with_members(
        select(Introduction).where(where)
        .order_by(Introduction.decided_at.desc().nulls_last(), Introduction.id.desc())
        .offset((number - 1) * HISTORY_PER_PAGE).limit(HISTORY_PER_PAGE))).all()
    page = Page(items=list(items), total=total, page=number, per_page=HISTORY_PER_PAGE)
    return render_template("introductions/_history_body.html", page=page)


@bp.route("/admin/introductions/settings", methods=["GET", "POST"])
@require(Capability.MANAGE_INTRODUCTIONS)
def settings() -> Any:
    if request.method == "GET":
        # The same for every reader who may change it: kept by the page cache (any write in
        # the community, the settings' own included, asks for another key).
        return _settings_page(pagecache.cached_html(
            db.session, "introductions.settings", (),
            lambda: _settings_body(_settings_form())))
    form = _settings_form()
    if form.validate_on_submit():
        try:
            services.update_settings(db.session, cadence=form.cadence.data,
                                     auto_send=form.auto_send.data,
                                     per_member_cap=form.per_member_cap.data,
                                     expiry_days=form.expiry_days.data)
        except services.IntroductionError as exc:
            _error(exc)
        except plans.PlanLimitReached as exc:
            db.session.rollback()
            flash(str(exc.message), "warning")
        else:
            db.session.commit()
            flash(_("Introduction settings saved."), "success")
            return redirect(url_for(".settings"))
    return _settings_page(_settings_body(form)), (422 if form.errors else 200)


def _settings_form() -> SettingsForm:
    current = services.settings_of(db.session)
    return SettingsForm(data={"cadence": current.cadence.value, "auto_send": current.auto_send,
                              "per_member_cap": current.per_member_cap,
                              "expiry_days": current.expiry_days})


def _settings_body(form: SettingsForm) -> str:
    return render_template("introductions/_settings_body.html", form=form)


def _settings_page(body_html: str) -> str:
    return render_template("introductions/settings.html", body_html=Markup(body_html))  # noqa: S704 - Jinja's autoescaped output


# -- portal --------------------------------------------------------------------------------

@bp.get("/introductions")
@member_required
def mine() -> Any:
    """The member's own introductions. Kept by the page cache with the member in the key; an
    introduction sent to them closes with the clock at its deadline: the page notes the first
    such deadline and is computed again from that moment."""
    me = g.membership.id
    found: dict[str, Any] = {}
    body_html, _deadline = pagecache.cached_html_about(
        db.session, "introductions.mine", (me,), lambda: _mine_body(me, found),
        about=lambda: found.get("deadline"), still_true=pagecache.not_yet)
    return render_template("introductions/mine.html", body_html=body_html)


def _mine_body(me: int, found: dict[str, Any]) -> str:
    items = db.session.scalars(_with_members(
        select(Introduction)
        .where(or_(Introduction.member_low_id == me, Introduction.member_high_id == me),
               or_(Introduction.status.in_([IntroductionStatus.SENT,
                                            IntroductionStatus.CONNECTED,
                                            IntroductionStatus.DECLINED,
                                            IntroductionStatus.EXPIRED]),
                   Introduction.requested_by_id == me))
        .order_by(Introduction.created_at.desc(), Introduction.id.desc()))).all()
    language = current_language()
    cards = [_card(i, me, language) for i in items]
    deadlines = [card["introduction"].expires_at for card in cards
                 if card["state"] in ("pending", "accepted")
                 and card["introduction"].expires_at is not None]
    found["deadline"] = min(deadlines).isoformat() if deadlines else None
    return render_template("introductions/_mine_body.html", cards=cards,
                           answer_form=AnswerForm())


def member_state(introduction: Introduction, member_id: int) -> str:
    """What one side may know: never whether the other side declined."""
    status = introduction.status
    if status == IntroductionStatus.CONNECTED:
        return "connected"
    if status == IntroductionStatus.SENT:
        if introduction.expires_at is not None and introduction.expires_at <= utcnow():
            return "closed"  # past its deadline; the hourly sweep has not closed it yet
        pending = services.response_of(introduction, member_id) == Response.PENDING
        return "pending" if pending else "accepted"
    if status == IntroductionStatus.SUGGESTED:
        return "requested"
    if (status == IntroductionStatus.DECLINED
            and services.response_of(introduction, member_id) == Response.DECLINED):
        return "declined_by_me"
    return "closed"


def _card(introduction: Introduction, me: int, language: str) -> dict[str, Any]:
    other = (introduction.member_high if introduction.member_low_id == me
             else introduction.member_low)
    mine_ = introduction.member_low if introduction.member_low_id == me else (
        introduction.member_high)
    state = member_state(introduction, me)
    return {
        "introduction": introduction, "state": state,
        "other": optin.shared_profile(other, language),
        "contact": other if state == "connected" else None,
        "reasons": optin.render_reasons(introduction, optin.display_names(mine_, other),
                                        language, reader_id=me) if state != "requested" else [],
    }


@bp.post("/introductions/<int:introduction_id>/answer")
@member_required
def respond(introduction_id: int) -> Any:
    introduction = get_or_404(Introduction, introduction_id)
    me = g.membership.id
    if me not in (introduction.member_low_id, introduction.member_high_id):
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        services.respond(db.session, introduction, me, form.choice.data == tokens.ACCEPT)
        db.session.commit()
        flash(_STATE_MESSAGES[member_state(introduction, me)](), "info")
    return redirect(url_for(".mine"))


@bp.route("/members/<int:member_id>/introduce", methods=["GET", "POST"])
@member_required
def request_intro(member_id: int) -> Any:
    if request.method == "GET":
        # Kept by the page cache: the key holds the reader (whether they asked already) and
        # the other member.
        def body() -> str:
            target = _introducible(member_id)
            return _request_body(RequestForm(), target, services.pair_exists(
                db.session, g.membership.id, target.id))

        return _request_page(pagecache.cached_html(
            db.session, "introductions.request_intro", (g.membership.id, member_id), body))
    target = _introducible(member_id)
    form = RequestForm()
    already = services.pair_exists(db.session, g.membership.id, target.id)
    if not already and form.validate_on_submit():
        try:
            services.request_introduction(db.session, g.membership.id, target.id,
                                          form.note.data or "")
        except services.IntroductionError as exc:
            _error(exc)
        else:
            db.session.commit()
            flash(_("Thank you. Your request has been passed to the organizers."), "success")
            return redirect(url_for("community.profiles.show", member_id=target.id))
    return (_request_page(Markup(_request_body(form, target, already))),  # noqa: S704 - Jinja's autoescaped output
            422 if form.errors else 200)


def _introducible(member_id: int) -> Member:
    target = get_or_404(Member, member_id)
    if target.id == g.membership.id or target.status != MemberStatus.MEMBER:
        abort(404)
    return target


def _request_body(form: RequestForm, target: Member, already: bool) -> str:
    other = optin.shared_profile(target, current_language())
    return render_template("introductions/_request_body.html", form=form, other=other,
                           already=already)


def _request_page(body_html: Markup) -> str:
    return render_template("introductions/request.html", body_html=body_html)


_STATE_MESSAGES = {
    "connected": lambda: _("You are connected. We have emailed you both each other's "
                           "contact details."),
    "accepted": lambda: _("Thank you. We will email you both as soon as the other member "
                          "accepts too."),
    "pending": lambda: _("This introduction is waiting for your answer."),
    "declined_by_me": lambda: _("You declined this introduction. The other member is not told."),
    "closed": lambda: _("This introduction is no longer open."),
    "requested": lambda: _("The organizers will review your request."),
}


# -- the emailed links (no sign-in) --------------------------------------------------------

@bp.route("/introductions/answer/<token>", methods=["GET", "POST"])
def answer(token: str) -> Any:
    """GET: what the introduction is, with a button; POST: record the answer."""
    try:
        answer_ = tokens.read_answer_token(token, g.community.id)
    except LinkExpired:
        return render_template("introductions/link_problem.html", expired=True), 400
    except LinkInvalid:
        return render_template("introductions/link_problem.html", expired=False), 404
    introduction = db.session.get(Introduction, answer_.introduction_id)
    if introduction is None or answer_.member_id not in (introduction.member_low_id,
                                                         introduction.member_high_id):
        return render_template("introductions/link_problem.html", expired=False), 404
    form = AnswerForm(data={"choice": answer_.choice})
    done = False
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("introductions/link_problem.html", expired=False), 400
        services.respond(db.session, introduction, answer_.member_id,
                         form.choice.data == tokens.ACCEPT)
        db.session.commit()
        done = True
    card = _card(introduction, answer_.member_id, current_language())
    return render_template("introductions/answer.html", card=card, choice=answer_.choice,
                           form=form, done=done, message=_STATE_MESSAGES[card["state"]]())
