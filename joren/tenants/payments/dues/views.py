"""Membership dues pages: the organizer's settings and members list (marking dues paid by bank
transfer or cash, undo), and the member's dues page (pay online by subscription, cancel)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import stripe
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.billing.plans import billing_enabled
from joren.platform.billing.stripe_client import BillingOff
from joren.platform.db import db, utcnow
from joren.platform.i18n import current_language
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import (
    active_membership,
    get_or_404,
    member_required,
    require,
)
from joren.platform.membership.models import Member
from joren.platform.pagination import page_number
from joren.platform.urls import external_url
from joren.tenants.payments import pricing
from joren.tenants.payments.dues import events as dues_events
from joren.tenants.payments.dues import services as dues
from joren.tenants.payments.dues.forms import ERRORS, DuesSettingsForm, MarkDuesForm
from joren.tenants.payments.labels import (
    INTERVAL_LABELS,
    STATE_LABELS,
    method_labels,
    status_labels,
)
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod

log = logging.getLogger("joren.payments")
T = TypeVar("T")

bp = Blueprint("dues", __name__)

@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"dues_state_labels": STATE_LABELS, "dues_interval_labels": INTERVAL_LABELS,
            "method_labels": method_labels(), "payment_status_labels": status_labels()}


def _error(error: dues.DuesError) -> str:
    message = ERRORS.get(error.code, ERRORS["disabled"])
    if error.code == "overlap":
        return str(message) % {"start": _date(error.info.get("start")),
                               "end": _date(error.info.get("end"))}
    return str(message)


def _date(value: Any) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def _today() -> Any:
    return pricing.local_date(utcnow(), g.community.zone)


# -- organizer console -------------------------------------------------------------------

@bp.route("/admin/payments/dues", methods=["GET", "POST"])
@require(Capability.MANAGE_PAYMENTS)
def settings() -> Any:
    if request.method == "GET":
        # Kept by the page cache: the community's dues row and connected account are its
        # rows; whether online payments are configured is the deployment's (in the key).
        body_html = pagecache.cached_html(
            db.session, "dues.settings", (billing_enabled(),), lambda: _settings_body(None))
        return render_template("payments/dues_settings.html", body_html=body_html)
    row = dues.settings_for(db.session)
    form = DuesSettingsForm(obj=None, interval=None)
    if form.validate_on_submit():
        try:
            dues.save_settings(db.session, enabled=form.enabled.data,
                               name=form.name.data or "", amount_jpy=form.amount_jpy.data or 0,
                               interval=form.interval.data,
                               instructions=form.instructions.data or "")
        except dues.DuesError as error:
            db.session.rollback()
            flash(_error(error), "error")
        else:
            db.session.commit()
            flash(_("Dues settings saved."), "success")
            return redirect(url_for(".settings"), 303)
    # A refused save: the page shows what was typed and why, never kept.
    return render_template("payments/dues_settings.html",
                           body_html=Markup(_settings_body(form, row))), 422  # noqa: S704 - Jinja's autoescaped output


def _settings_body(form: DuesSettingsForm | None, row: Any = None) -> str:
    if row is None:
        row = dues.settings_for(db.session)
    if form is None:
        form = DuesSettingsForm(obj=row, interval=row.interval.value)
    return render_template("payments/_dues_settings_body.html", form=form, settings=row,
                           online=dues.online_ready(db.session))


@bp.get("/admin/payments/dues/members")
@require(Capability.MANAGE_PAYMENTS)
def members() -> Any:
    # Who is paid up follows the community's day: it is in the key, with every argument (the
    # pager writes them back) and the reader's role.
    today = _today()

    def body() -> str:
        page = dues.member_states_page(db.session, today, page_number(request.args.get("page")),
                                       g.community.zone)
        return render_template("payments/_dues_members_body.html",
                               settings=dues.settings_for(db.session), page=page,
                               states=page.items, today=today)

    body_html = pagecache.cached_html(
        db.session, "dues.members",
        (g.membership.role.value, today.isoformat(), sorted(request.args.items(multi=True))),
        body)
    return render_template("payments/dues_members.html", body_html=body_html)


@bp.route("/admin/payments/dues/members/<int:member_id>", methods=["GET"])
@require(Capability.MANAGE_PAYMENTS)
def member(member_id: int) -> Any:
    """A member's dues. Kept by the page cache: what is paid through and the period the form
    offers next follow the community's day, which is in the key with the member (a form
    sent back with what was typed is computed, ``_member_page``). The member is read only
    when the page is computed: a kept page proves it was this community's (another's id
    answers 404 as it computes, never kept)."""
    today = _today()
    seen: dict[str, Any] = {}

    def body() -> str:
        person = get_or_404(Member, member_id)
        seen["title"] = person.display_name
        return _member_body(person, MarkDuesForm(
            period_start=dues.default_period_start(db.session, person, today)), today)

    body_html, about = pagecache.cached_html_about(
        db.session, "dues.member", (member_id, today.isoformat()), body,
        about=lambda: dict(seen))
    return render_template("payments/dues_member.html", title=about["title"],
                           body_html=body_html)


def _member_page(person: Member, form: MarkDuesForm, status: int = 200) -> Any:
    return render_template("payments/dues_member.html", title=person.display_name,
                           body_html=Markup(_member_body(person, form, _today()))), status  # noqa: S704 - Jinja's autoescaped output


def _member_body(person: Member, form: MarkDuesForm, today: Any) -> str:
    return render_template(
        "payments/_dues_member_body.html", person=person, form=form,
        settings=dues.settings_for(db.session),
        state=dues.state_for(db.session, person, today, g.community.zone),
        payments=dues.dues_payments(db.session, person.id))


@bp.post("/admin/payments/dues/members/<int:member_id>/mark")
@require(Capability.MANAGE_PAYMENTS)
def mark(member_id: int) -> Any:
    person = get_or_404(Member, member_id)
    form = MarkDuesForm()
    if not form.validate_on_submit():
        return _member_page(person, form, 422)
    try:
        payment = dues.mark_paid(db.session, person, g.membership,
                                 PaymentMethod(form.method.data),
                                 period_start=form.period_start.data,
                                 note=(form.note.data or "").strip())
    except dues.DuesError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        form.form_errors.append(_error(error))
        return _member_page(person, form, 422)
    db.session.commit()
    flash(_("%(name)s: dues recorded for %(start)s – %(end)s (receipt %(number)s).",
            name=person.display_name, start=_date(payment.period_start),
            end=_date(payment.period_end), number=payment.receipt_number), "success")
    return redirect(url_for(".member", member_id=person.id), 303)


@bp.post("/admin/payments/dues/payments/<int:payment_id>/undo")
@require(Capability.REVERSE_PAYMENTS)
def undo(payment_id: int) -> Any:
    payment = get_or_404(Payment, payment_id)
    if payment.kind != PaymentKind.DUES:
        abort(404)
    try:
        dues.undo(db.session, payment, g.membership)
    except dues.DuesError as error:
        db.session.rollback()
        flash(_error(error), "error")
    else:
        db.session.commit()
        flash(_("The dues payment of %(name)s was undone.", name=payment.member.display_name),
              "success")
    return redirect(url_for(".member", member_id=payment.member_id), 303)


# -- the member's side -------------------------------------------------------------------

@bp.get("/dues")
@member_required
def mine() -> Any:
    """The member's dues. Kept by the page cache: the key holds the member, the community's
    day (what is paid through), whether payments online are configured on this deployment
    (a setting, not a row) and whether the page comes back from a payment (its thanks)."""
    me = active_membership()
    assert me is not None
    today = _today()
    thanked = request.args.get("checkout", "") == "success"
    body_html = pagecache.cached_html(
        db.session, "dues.mine", (me.id, today.isoformat(), billing_enabled(), thanked),
        lambda: _mine_body(me, today, thanked))
    return render_template("payments/dues.html", body_html=body_html)


def _mine_body(me: Member, today: Any, thanked: bool) -> str:
    settings = dues.settings_for(db.session)
    state = (dues.state_for(db.session, me, today, g.community.zone) if settings.enabled
             else None)
    return render_template(
        "payments/_dues_body.html", settings=settings, state=state,
        online=settings.enabled and dues.online_ready(db.session),
        payments=dues.dues_payments(db.session, me.id) if settings.enabled else [],
        outcome="success" if thanked else "")


def _stripe_call(call: Callable[[], T], what: str) -> T | None:
    """Run a member's dues action that talks to Stripe and commit; on a refusal or Stripe being
    unreachable, roll back, say why, and return None (the caller goes back to the dues page)."""
    try:
        result = call()
    except dues.DuesError as error:
        db.session.rollback()
        flash(_error(error), "error")
        return None
    except (stripe.StripeError, BillingOff):
        db.session.rollback()
        log.exception("Stripe request failed (%s)", what)
        flash(_("Stripe could not be reached just now. Please try again in a moment."), "error")
        return None
    db.session.commit()
    return result


@bp.post("/dues/checkout")
@member_required
def checkout() -> Any:
    me = active_membership()
    assert me is not None
    redirect_to = _stripe_call(lambda: dues.start_checkout(
        db.session, g.community, me, email=me.email or getattr(current_user, "email", ""),
        success_url=external_url(".mine", checkout="success"),
        cancel_url=external_url(".mine", checkout="cancelled"),
        language=current_language()), "dues checkout")
    if redirect_to is None:
        return redirect(url_for(".mine"), 303)
    return redirect(redirect_to.url, 303)


@bp.post("/dues/cancel")
@member_required
def cancel() -> Any:
    me = active_membership()
    assert me is not None
    if _stripe_call(lambda: dues_events.cancel_at_period_end(db.session, g.community, me),
                    "dues cancel") is not None:
        flash(_("Your dues will not renew: they stay paid until the end of the current period."),
              "success")
    return redirect(url_for(".mine"), 303)
