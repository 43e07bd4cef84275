"""Registration pages: register, cancel, waitlist, approval (console, portal and public)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.extensions import limiter
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, member_required, require
from joren.platform.pagination import PER_PAGE, Page, offset_of, page_number
from joren.platform.tenancy import current_tenant_id
from joren.tenants.meetups.labels import SOURCE_LABELS, STATUS_LABELS
from joren.tenants.meetups.models import (
    ACTIVE,
    Meetup,
    MeetupSeries,
    Registration,
    RegistrationStatus,
)
from joren.tenants.meetups.questions import services as questions
from joren.tenants.meetups.registrations import guests, offers, reading, services
from joren.tenants.meetups.registrations import series as whole_series
from joren.tenants.meetups.registrations.box import to_checkout
from joren.tenants.meetups.registrations.export import registrations_csv
from joren.tenants.meetups.registrations.fees import member_fee, online_fee
from joren.tenants.meetups.registrations.forms import GuestForm
from joren.tenants.meetups.registrations.links import (
    read_guest_token,
    read_offer_token,
    registration_for_token,
)
from joren.tenants.meetups.registrations.seats import RegistrationError
from joren.tenants.members.consent import services as consent
from joren.tenants.members.consent.purposes import Purpose

bp = Blueprint("registrations", __name__)

ACTIONS = {
    "approve": services.approve,
    "decline": services.decline,
    "promote": services.promote,
    "cancel": services.cancel_registration,
}
# Each guest registration sends an email: keep the public form from being used to spam.
GUEST_RATE_LIMIT = "20 per hour"
DONE = {
    "approve": _l("The registration was approved."),
    "decline": _l("The registration was declined."),
    "promote": _l("The person was given a seat."),
    "cancel": _l("The registration was cancelled."),
}


@bp.record_once
def _register_globals(state: Any) -> None:
    state.app.jinja_env.globals.setdefault("registration_status_labels", STATUS_LABELS)
    state.app.jinja_env.globals.setdefault("registration_source_labels", SOURCE_LABELS)


def _answers(meetup: Meetup) -> dict[int, list[str]]:
    """The registration questions' answers in the submitted form (RegistrationError if one
    is missing or not allowed)."""
    asked = questions.questions_for(db.session, meetup)
    try:
        return questions.read_answers(asked, request.form.to_dict(flat=False))
    except questions.QuestionError as exc:
        raise RegistrationError(exc.message) from exc


def _series_answers(series: MeetupSeries) -> dict[int, list[str]]:
    asked = questions.series_questions(db.session, series.id)
    try:
        return questions.read_answers(asked, request.form.to_dict(flat=False))
    except questions.QuestionError as exc:
        raise RegistrationError(exc.message) from exc


def _back(meetup_id: int) -> Any:
    target = request.form.get("next", "")
    if target == "mine":
        return redirect(url_for(".mine"))
    return redirect(url_for("community.meetups.portal_detail", meetup_id=meetup_id))


# --- console --------------------------------------------------------------------------------

@bp.get("/admin/meetups/<int:meetup_id>/registrations")
@require(Capability.RUN_DOOR)
def console_list(meetup_id: int) -> Any:
    """A meetup's registrations by group (each group's first rows, or one group a page at a
    time). The content is kept whole by the page cache, looked up before the meetup is read
    (a kept page under the community's fingerprint proves the meetup is the community's and
    unchanged; an unknown id is a 404 computed anew, never kept): what the reader may do (the
    buttons, registering by hand, the export) follows their role; the group, the page and the
    pager's other arguments come from the query string."""
    if request.args.get("export") == "csv":  # the address this download had before
        meetup = get_or_404(Meetup, meetup_id)
        return redirect(url_for(".console_export", meetup_id=meetup.id))
    found: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "registrations.console_list",
        (meetup_id, g.membership.role.value, sorted(request.args.items(multi=True))),
        lambda: _console_body(get_or_404(Meetup, meetup_id), found), about=lambda: found)
    return render_template("meetups/registrations/console_list.html",
                           meetup_title=about["title"], body_html=body_html)


def _console_body(meetup: Meetup, found: dict[str, Any]) -> str:
    found["title"] = meetup.title
    counts = reading.counts(db.session, [meetup.id])[meetup.id]
    totals = {"going": counts["going"], "awaiting_payment": counts["awaiting_payment"],
              "offered": counts["offered"], "waitlisted": counts["waitlisted"],
              "pending": counts["pending"] + counts["unconfirmed"],
              "cancelled": counts["cancelled"] + counts["not_going"]}
    group = request.args.get("group")
    page = None
    if group in reading.CONSOLE_GROUPS:
        # One group on its own, a page at a time.
        page = Page(items=[], total=totals[group],
                    page=page_number(request.args.get("page")), per_page=PER_PAGE)
        page.page = min(page.page, page.pages)
        groups = reading.console_groups(db.session, meetup, group,
                                        offset=offset_of(page.page, PER_PAGE), limit=PER_PAGE)
    else:
        group = None
        groups = reading.console_groups(db.session, meetup)
    return render_template("meetups/registrations/_console_list_body.html", meetup=meetup,
                           groups=groups, counts=counts, totals=totals, group=group,
                           page=page, shown=reading.GROUP_SHOWN)


@bp.get("/admin/meetups/<int:meetup_id>/registrations.csv")
@require(Capability.EXPORT_PERSONAL_DATA)
def console_export(meetup_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    return registrations_csv(db.session, meetup,
                             reading.console_registrations(db.session, meetup))


@bp.post("/admin/meetups/<int:meetup_id>/registrations/<int:registration_id>")
@require(Capability.MANAGE_MEETUPS)
def console_action(meetup_id: int, registration_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    registration = get_or_404(Registration, registration_id)
    if registration.meetup_id != meetup.id:
        abort(404)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        flash(_("Unknown action."), "danger")
        return redirect(url_for(".console_list", meetup_id=meetup.id))
    try:
        ACTIONS[action](db.session, registration, g.membership)
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(str(DONE[action]), "success")
    return redirect(url_for(".console_list", meetup_id=meetup.id))


# --- portal ---------------------------------------------------------------------------------

def _portal_change(meetup_id: int, change: Any, success: Any) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    try:
        change(meetup)
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(str(success() if callable(success) else success), "success")
    return _back(meetup.id)


@bp.post("/meetups/<int:meetup_id>/register")
@member_required
def register(meetup_id: int) -> Any:
    made: list[Registration] = []

    def change(meetup: Meetup) -> None:
        answers = _answers(meetup)
        made.append(services.register(db.session, meetup, g.membership, source="portal"))
        questions.save_answers(db.session, made[0], answers)

    def message() -> Any:
        status = made[0].status
        if status == RegistrationStatus.AWAITING_PAYMENT:
            return _("Your seat is held until %(deadline)s: pay the fee to confirm it.",
                     deadline=format_datetime(made[0].offer_expires_at, "HH:mm"))
        if status == RegistrationStatus.GOING:
            return _("You are registered. See you there!")
        if status == RegistrationStatus.WAITLISTED:
            return _("The meetup is full: you are on the waitlist. We will email you if a "
                     "seat frees up.")
        return _("Your registration awaits the organizer's approval.")

    response = _portal_change(meetup_id, change, message)
    if made and made[0].status == RegistrationStatus.AWAITING_PAYMENT:
        # Straight on to the payment: one click from "Register" to Stripe's page.
        return to_checkout(db.session, made[0], response.location)
    return response


@bp.post("/meetups/<int:meetup_id>/cancel")
@member_required
def cancel(meetup_id: int) -> Any:
    def change(meetup: Meetup) -> None:
        registration = reading.registration_for(db.session, meetup.id, g.membership.id)
        if registration is None or registration.status not in ACTIVE:
            raise RegistrationError(_l("You are not registered for this meetup."))
        services.cancel_own_registration(db.session, registration, g.membership)

    return _portal_change(meetup_id, change, _l("Your registration was cancelled."))


@bp.post("/meetups/<int:meetup_id>/opt-out")
@member_required
def opt_out(meetup_id: int) -> Any:
    return _portal_change(
        meetup_id, lambda meetup: whole_series.opt_out(db.session, meetup, g.membership),
        _l("You will skip this meetup; the rest of the series stays booked."))


def _my_offer(meetup: Meetup) -> Registration:
    registration = reading.registration_for(db.session, meetup.id, g.membership.id)
    if registration is None:
        raise RegistrationError(_l("This seat offer is no longer available."))
    return registration


@bp.post("/meetups/<int:meetup_id>/offer/accept")
@member_required
def accept_offer(meetup_id: int) -> Any:
    return _portal_change(
        meetup_id, lambda meetup: offers.accept_offer(db.session, _my_offer(meetup)),
        _l("The seat is yours. See you there!"))


@bp.post("/meetups/<int:meetup_id>/offer/decline")
@member_required
def decline_offer(meetup_id: int) -> Any:
    return _portal_change(
        meetup_id, lambda meetup: offers.decline_offer(db.session, _my_offer(meetup)),
        _l("You declined the seat; it goes to the next person."))


@bp.route("/registrations/offer/<token>", methods=["GET", "POST"])
def offer_link(token: str) -> Any:
    """The one-click link of the offer email: GET confirms, POST takes (or declines) the
    seat. No sign-in needed: the signed token names the registration."""
    registration = registration_for_token(db.session, read_offer_token(token),
                                          current_tenant_id(db.session))
    if registration is None:
        return render_template("meetups/registrations/offer.html", invalid=True,
                               registration=None), 400
    error = None
    done = None
    if request.method == "POST":
        action = request.form.get("action", "accept")
        try:
            if action == "decline":
                offers.decline_offer(db.session, registration)
                done = _("You declined the seat; it goes to the next person.")
            elif _pays_online(registration):
                return to_checkout(db.session, registration, request.url)
            else:
                offers.accept_offer(db.session, registration)
                done = _("The seat is yours. See you there!")
        except RegistrationError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            db.session.commit()
    expired = (registration.status == RegistrationStatus.OFFERED
               and registration.offer_expires_at is not None
               and registration.offer_expires_at <= utcnow())
    return render_template("meetups/registrations/offer.html", invalid=False, error=error,
                           done=done, registration=registration, meetup=registration.meetup,
                           expired=expired, token=token, **_offer_fee(registration)), \
        (400 if error else 200)


def _pays_online(registration: Registration) -> bool:
    return (registration.status == RegistrationStatus.OFFERED
            and online_fee(db.session, registration.meetup, registration.member) > 0)


def _offer_fee(registration: Registration) -> dict[str, Any]:
    meetup = registration.meetup
    fee = member_fee(db.session, meetup, registration.member) \
        if meetup.price or meetup.member_price else 0
    return {"fee": fee, "pay_online": bool(fee) and _pays_online(registration)}


@bp.post("/meetups/<int:meetup_id>/pay")
@member_required
def pay(meetup_id: int) -> Any:
    """The register box's pay button: on to pay for the member's held seat."""
    meetup = get_or_404(Meetup, meetup_id)
    back = url_for("community.meetups.portal_detail", meetup_id=meetup.id)
    registration = reading.registration_for(db.session, meetup.id, g.membership.id)
    if registration is None:
        flash(_("You are not registered for this meetup."), "danger")
        return redirect(back, 303)
    return to_checkout(db.session, registration, back)


@bp.post("/series/<int:series_id>/register")
@member_required
def series_register(series_id: int) -> Any:
    series = get_or_404(MeetupSeries, series_id)
    try:
        answers = _series_answers(series)
        row = whole_series.register_series(db.session, series, g.membership)
        questions.save_series_answers(db.session, row.id, answers)
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("You are registered for every meetup of this series."), "success")
        if consent.ask_state(db.session, g.membership.id).never_asked:
            # Signing up for the series is where a member who was never asked reads the
            # community's privacy notice and makes their choices.
            return redirect(url_for("community.consent.notice", via="series",
                                    next=url_for(".mine")))
    return redirect(url_for(".mine"))


@bp.post("/series/<int:series_id>/cancel")
@member_required
def series_cancel(series_id: int) -> Any:
    series = get_or_404(MeetupSeries, series_id)
    row = reading.active_series_registration(db.session, series.id, g.membership.id)
    if row is None:
        flash(_("You are not registered for this series."), "danger")
    else:
        whole_series.cancel_series(db.session, row)
        db.session.commit()
        flash(_("Your series registration was cancelled."), "success")
    return redirect(url_for(".mine"))


@bp.get("/meetups/mine")
@member_required
def mine() -> Any:
    """The member's registrations. Kept by the page cache with the member in the key; a meetup
    moves from upcoming to past with the clock when it ends: the page notes the first end of
    an upcoming one and is computed again from that moment."""
    found: dict[str, Any] = {}
    body_html, _first_end = pagecache.cached_html_about(
        db.session, "registrations.mine", (g.membership.id,), lambda: _mine_body(found),
        about=lambda: found.get("first_end"), still_true=pagecache.not_yet)
    return render_template("meetups/registrations/mine.html", body_html=body_html)


def _mine_body(found: dict[str, Any]) -> str:
    now = utcnow()
    upcoming = reading.member_registrations(db.session, g.membership, now)
    past = reading.member_registrations(db.session, g.membership, now, upcoming=False)
    ends = [r.meetup.ends_at for r in upcoming]
    found["first_end"] = min(ends).isoformat() if ends else None
    return render_template(
        "meetups/registrations/_mine_body.html", upcoming=upcoming, past=past,
        attended=reading.attended_at(db.session, g.membership.id,
                                     [r.meetup_id for r in past]))


# --- public: guests -------------------------------------------------------------------------

def _public_meetup(meetup_id: int) -> Meetup:
    meetup = get_or_404(Meetup, meetup_id)
    if not (g.community.is_public and meetup.is_public):
        abort(404)
    return meetup


@bp.route("/meetups/<int:meetup_id>/guest", methods=["GET", "POST"])
@limiter.limit(GUEST_RATE_LIMIT, methods=["POST"])
def guest_register(meetup_id: int) -> Any:
    if request.method == "GET":
        # The empty form is the same for every reader: kept by the page cache, the key holds
        # the meetup; its title for the page's head comes with it.
        found: dict[str, Any] = {}

        def body() -> str:
            meetup = _public_meetup(meetup_id)
            found["title"] = meetup.title
            return _guest_body(meetup, GuestForm(), None)

        body_html, title = pagecache.cached_html_about(
            db.session, "registrations.guest_register", (meetup_id,), body,
            about=lambda: found["title"])
        return _guest_page(body_html, title)
    meetup = _public_meetup(meetup_id)
    form = GuestForm()
    sent_to = None
    if form.validate_on_submit():
        try:
            answers = _answers(meetup)
            registration = guests.register_guest(db.session, meetup, **{
                name: form[name].data or "" for name in guests.GUEST_LIMITS})
            questions.save_answers(db.session, registration, answers)
            consent.record_guest_answers(
                db.session, registration.member, g.community,
                {Purpose.ANNOUNCEMENTS: bool(form.consent_announcements.data)}, now=utcnow())
        except RegistrationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc.message))
        else:
            sent_to = registration.member.email
            db.session.commit()
    return (_guest_page(Markup(_guest_body(meetup, form, sent_to)), meetup.title),  # noqa: S704 - Jinja's autoescaped output
            200 if sent_to is not None else 400)


def _guest_body(meetup: Meetup, form: GuestForm, sent_to: str | None) -> str:
    return render_template("meetups/registrations/_guest_body.html", meetup=meetup, form=form,
                           sent_to=sent_to, questions=questions.questions_for(db.session, meetup),
                           notice_text=None if sent_to else
                           consent.notice_text(db.session, g.community)[1],
                           given=request.form.to_dict(flat=False))


def _guest_page(body_html: Markup, title: str) -> str:
    return render_template("meetups/registrations/guest.html", body_html=body_html,
                           title=title)


@bp.route("/registrations/confirm/<token>", methods=["GET", "POST"])
def guest_confirm(token: str) -> Any:
    registration = registration_for_token(db.session, read_guest_token(token),
                                          current_tenant_id(db.session))
    if registration is None:
        return render_template("meetups/registrations/guest_confirm.html", invalid=True,
                               registration=None), 400
    error = None
    if request.method == "POST":
        try:
            guests.confirm_guest(db.session, registration)
        except RegistrationError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            db.session.commit()
            if registration.status == RegistrationStatus.AWAITING_PAYMENT:
                # The fee is paid online: straight on to pay (this page again to come back).
                return to_checkout(db.session, registration, request.url)
    rank = reading.waitlist_rank(db.session, registration)
    return render_template("meetups/registrations/guest_confirm.html", invalid=False, error=error,
                           registration=registration, meetup=registration.meetup, rank=rank,
                           token=token, **_offer_fee(registration)), 400 if error else 200
