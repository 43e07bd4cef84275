"""The relationship ledger in the portal (network, contacts, referrals) and the outcomes page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, member_required, require
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.security import is_safe_next
from joren.tenants.members.profiles.services import profile_view
from joren.tenants.relationships import ledger, outcomes, referrals, services
from joren.tenants.relationships.forms import (
    KIND_LABELS,
    OUTCOMES,
    CloseReferralForm,
    ContactForm,
    ReferralForm,
)
from joren.tenants.relationships.models import Referral, ReferralStatus
from joren.tenants.relationships.services import LedgerError

bp = Blueprint("relationships", __name__)


ERRORS = {
    "same_person": _l("You cannot log a contact or a referral with yourself."),
    "bad_kind": _l("Please choose how you were in touch."),
    "future": _l("That day has not come yet. Please choose today or an earlier day."),
    "too_old": _l("Please choose a day within the last ten years."),
    "unknown_member": _l("That person is not a member of this community."),
    "unknown_meetup": _l("That meetup was not found."),
    "note_too_long": _l("Please keep the note to 500 characters."),
    "description_required": _l("Please describe what you passed on."),
    "description_too_long": _l("Please keep the description to 500 characters."),
    "value_required": _l("Please enter the value of the business in yen."),
    "value_not_a_number": _l("Please enter the value in whole yen using digits only, "
                             "for example 1,200,000."),
    "value_negative": _l("The value cannot be negative."),
    "value_too_large": _l("That value is too large. Please enter at most ¥1,000,000,000."),
    "closed_before_given": _l("A referral cannot close before the day it was given."),
    "not_yours": _l("Only the two people in a referral can close it."),
    "bad_outcome": _l("Please choose whether the business closed or not."),
}


def _message(code: str) -> str:
    return str(ERRORS.get(code, _l("That could not be saved. Please check and try again.")))


def _other_member(member_id: int) -> Member:
    """Another member the signed-in member may log contacts and referrals with (else 404)."""
    other = get_or_404(Member, member_id)
    me = g.membership
    if other.id == me.id or other.status == MemberStatus.INACTIVE:
        abort(404)
    if other.status != MemberStatus.MEMBER and not me.is_organizer and (
            services.relationship_of(db.session, me.id, other.id) is None):
        abort(404)
    return other


def _back(default: str) -> Any:
    target = request.form.get("next") or ""
    prefix = f"/c/{g.community.slug}/"
    if is_safe_next(target) and target.startswith(prefix):
        return redirect(target, code=303)
    return redirect(default, code=303)


# -- the member's network ---------------------------------------------------------------

@bp.get("/network")
@member_required
def network() -> Any:
    me = g.membership
    # The member's own page. Who is waiting for a follow-up follows the clock (the recent
    # meetups): it is computed as of the start of the minute. The key holds the member, the
    # minute and the address as written (each "log a contact" form comes back to it); the
    # forms carry a stand-in for the reader's form token.
    now = utcnow().replace(second=0, microsecond=0)

    def body() -> str:
        entries = ledger.network(db.session, me)
        follow_ups = ledger.not_followed_up(db.session, me, now=now)
        mine = referrals.referrals_of(db.session, me.id)
        names = {other.id: profile_view(me, other).display_name for _r, other in mine}
        return render_template(
            "relationships/_network_body.html", entries=entries, follow_ups=follow_ups,
            referrals=mine, names=names, shown_follow_ups=ledger.FOLLOW_UP_SHOWN,
            # Translated once, not once per person's buttons.
            kinds={kind: str(label) for kind, label in KIND_LABELS.items()},
            milestone=(ledger.MILESTONE_LOW, ledger.MILESTONE_HIGH))

    body_html = pagecache.cached_html(
        db.session, "relationships.network",
        (me.id, now.isoformat(), request.full_path), body)
    return render_template("relationships/network.html", body_html=body_html)


@bp.route("/network/<int:member_id>/contact", methods=["GET", "POST"])
@member_required
def log_contact(member_id: int) -> Any:
    if request.method == "GET":
        # The empty form, kept by the page cache: the key holds the reader (what they may
        # see of the other), the other member and the address to come back to (the form
        # carries it).
        back = request.args.get("next", "")

        def body() -> str:
            form = ContactForm()
            form.next.data = back
            return _contact_body(form, _other_member(member_id))

        return _contact_page(pagecache.cached_html(
            db.session, "relationships.log_contact", (g.membership.id, member_id, back), body))
    other = _other_member(member_id)
    form = ContactForm()
    error = None
    if form.validate():
        try:
            services.log_contact(db.session, g.membership.id, other.id,
                                 form.kind.data or "", happened_on=form.happened_on.data,
                                 meetup_id=form.meetup_id.data, note=form.note.data or "")
        except LedgerError as exc:
            db.session.rollback()
            error = _message(exc.code)
        else:
            db.session.commit()
            name = profile_view(g.membership, other).display_name
            flash(_("Logged your contact with %(name)s.", name=name), "success")
            return _back(url_for(".network"))
    else:
        error = _("Please check the date and try again.")
    return _contact_page(Markup(_contact_body(form, other, error))), 422  # noqa: S704 - Jinja's autoescaped output


def _contact_body(form: ContactForm, other: Member, error: str | None = None) -> str:
    return render_template("relationships/_log_contact_body.html", form=form, other=other,
                           profile=profile_view(g.membership, other), kinds=KIND_LABELS,
                           error=error)


def _contact_page(body_html: Markup) -> str:
    return render_template("relationships/log_contact.html", body_html=body_html)


# -- referrals --------------------------------------------------------------------------

@bp.route("/network/<int:member_id>/referral", methods=["GET", "POST"])
@member_required
def new_referral(member_id: int) -> Any:
    if request.method == "GET":
        # Kept by the page cache by reader and the other member. The other member is read (and
        # checked: 404 for oneself, another community's or someone the reader may not see)
        # only when the page is computed; a kept page proves the check passed, and any write
        # in the community asks for another key.
        return _referral_frame(pagecache.cached_html(
            db.session, "relationships.new_referral", (g.membership.id, member_id),
            lambda: _new_referral_body(ReferralForm(), _other_member(member_id))))
    other = _other_member(member_id)
    form = ReferralForm()
    if form.validate():
        try:
            referrals.record_referral(db.session, g.membership.id, other.id,
                                      form.description.data or "",
                                      given_on=form.given_on.data)
        except LedgerError as exc:
            db.session.rollback()
            target = form.given_on if exc.code in ("future", "too_old") else form.description
            target.errors = [*target.errors, _message(exc.code)]
        else:
            db.session.commit()
            flash(_("Recorded your referral to %(name)s. Thank you for giving.",
                    name=profile_view(g.membership, other).display_name), "success")
            return redirect(url_for(".network"), code=303)
    return _referral_frame(Markup(_new_referral_body(form, other))), 422  # noqa: S704 - Jinja's autoescaped output


def _new_referral_body(form: ReferralForm, other: Member) -> str:
    return render_template("relationships/_new_referral_body.html", form=form, other=other,
                           profile=profile_view(g.membership, other))


def _referral_frame(body_html: Markup) -> str:
    return render_template("relationships/new_referral.html", body_html=body_html)


def _own_referral(referral_id: int) -> Referral:
    referral = get_or_404(Referral, referral_id)
    if not referrals.may_close(referral, g.membership.id):
        abort(404)
    return referral


@bp.route("/network/referrals/<int:referral_id>", methods=["GET", "POST"])
@member_required
def referral(referral_id: int) -> Any:
    if request.method == "GET":
        # Kept by the page cache: the key holds the reader (one of the two people, what they
        # may see of the other) and the referral.
        def body() -> str:
            found = _own_referral(referral_id)
            form = CloseReferralForm()
            if found.status == ReferralStatus.CLOSED_WON and found.value_jpy is not None:
                form.value.data = f"{found.value_jpy:,}"
            return _referral_body(found, form)

        return _referral_page(pagecache.cached_html(
            db.session, "relationships.referral", (g.membership.id, referral_id), body))
    found = _own_referral(referral_id)
    form = CloseReferralForm()
    if form.validate():
        if form.outcome.data not in OUTCOMES:
            form.form_errors.append(_message("bad_outcome"))
        else:
            try:
                referrals.close_referral(db.session, found, g.membership.id,
                                         won=form.outcome.data == "won",
                                         value=form.value.data,
                                         closed_on=form.closed_on.data)
            except LedgerError as exc:
                db.session.rollback()
                target = form.closed_on if exc.code in (
                    "future", "too_old", "closed_before_given") else form.value
                target.errors = [*target.errors, _message(exc.code)]
            else:
                db.session.commit()
                flash(_("Saved. Thank you for closing the loop."), "success")
                return redirect(url_for(".network"), code=303)
    return _referral_page(Markup(_referral_body(found, form))), 422  # noqa: S704 - Jinja's autoescaped output


def _referral_body(found: Referral, form: CloseReferralForm) -> str:
    me = g.membership
    other_id = found.receiver_id if found.giver_id == me.id else found.giver_id
    other = db.session.scalar(select(Member).where(Member.id == other_id))
    return render_template("relationships/_referral_body.html", referral=found, form=form,
                           other=other, profile=profile_view(me, other),
                           given=found.giver_id == me.id)


def _referral_page(body_html: Markup) -> str:
    return render_template("relationships/referral.html", body_html=body_html)


# -- the organizer's view of outcomes ---------------------------------------------------

@bp.get("/admin/outcomes")
@require(Capability.VIEW_ANALYTICS)
def outcomes_page() -> Any:
    # The last twelve months up to this one in the community's time zone: besides any change
    # in the community, the kept page is renewed when that month turns.
    now = utcnow()
    month = outcomes.month_keys(now.astimezone(g.community.zone).date(), 1)[0]
    body_html = pagecache.cached_html(
        db.session, "relationships.outcomes", (month,),
        lambda: render_template("relationships/_outcomes_body.html",
                                result=outcomes.outcomes(db.session, now)))
    return render_template("relationships/outcomes.html", body_html=body_html)
