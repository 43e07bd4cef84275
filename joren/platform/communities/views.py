"""Platform pages of communities: onboarding a new community, and accepting an invitation
(by its emailed link, or on the account page when a community has the person on its list)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from joren.platform.accounts.pages import me
from joren.platform.accounts.signin import sign_in
from joren.platform.accounts.tokens import INVITE_LINK
from joren.platform.billing.plans import PlanLimitReached, check_new_community
from joren.platform.communities.forms import SLUG_MESSAGES, NewCommunityForm
from joren.platform.communities.invitations import (
    InvitationError,
    accept_invitation,
    find_invitation,
    invitation_state,
)
from joren.platform.communities.services import KIND_LABELS, create_community
from joren.platform.db import db, utcnow
from joren.platform.i18n import current_language
from joren.platform.identity.community import Community
from joren.platform.membership.labels import INVITATION_STATE_LABELS, ROLE_LABELS, STATUS_LABELS
from joren.platform.membership.models import Invitation, Member
from joren.platform.membership.offers import decline_offer, offered_invitation
from joren.platform.signing import LinkInvalid

bp = Blueprint("communities", __name__)


@bp.record_once
def _register_labels(state: Any) -> None:
    state.app.jinja_env.globals.update(
        kind_labels=KIND_LABELS, role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
        invitation_state_labels=INVITATION_STATE_LABELS, invitation_state=invitation_state,
    )


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    if not current_user.is_verified:
        return render_template("communities/verify_first.html")
    form = NewCommunityForm()
    if form.validate_on_submit():
        try:
            check_new_community(db.session, current_user.id)
        except PlanLimitReached as exc:
            flash(str(exc), "danger")
            return render_template("communities/new.html", form=form), 403
        try:
            community, _owner = create_community(
                db.session, current_user,
                name=form.name.data, slug=form.slug.data, kind=form.kind.data,
                city=form.city.data or "", timezone=form.timezone.data,
                default_language=form.default_language.data,
            )
            db.session.commit()
        except IntegrityError:
            # Someone took the same address a moment ago.
            db.session.rollback()
            form.slug.errors = [SLUG_MESSAGES["taken"]]
        else:
            flash(_("%(name)s is ready. Welcome!", name=community.name), "success")
            return redirect(url_for("community.console.dashboard", slug=community.slug,
                                    welcome=1))
    return render_template("communities/new.html", form=form)


def _invitation_from(token: str) -> tuple[Any, str | None]:
    """(invitation, problem) for a token; problem is "invalid", "expired", "revoked",
    "accepted" or "closing" (the community is being deleted) when it cannot be used."""
    try:
        payload = INVITE_LINK.read(token, valid=lambda data: isinstance(data, dict))
    except LinkInvalid as exc:
        return None, "expired" if exc.expired else "invalid"
    invitation = find_invitation(db.session, payload)
    if invitation is None:
        return None, "invalid"
    state = invitation_state(invitation)
    community = db.session.get(Community, invitation.tenant_id)
    if state == "pending" and community is not None and community.is_closing:
        return invitation, "closing"
    return invitation, None if state == "pending" else state


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Any:
    invitation, problem = _invitation_from(token)
    if invitation is not None:
        g.community = db.session.get(Community, invitation.tenant_id)
    if problem:
        return render_template("communities/invitation_unusable.html", problem=problem), (
            404 if problem == "invalid" else 410)
    signed_in = current_user if current_user.is_authenticated else None
    wrong_account = signed_in is not None and signed_in.email.lower() != invitation.email.lower()
    if request.method == "POST" and not wrong_account:
        try:
            account, member = accept_invitation(db.session, invitation, current_language(),
                                                signed_in=signed_in)
        except InvitationError as exc:
            db.session.rollback()
            return render_template("communities/invitation_unusable.html",
                                   problem=exc.code), 409
        # Other communities' lists with this address are offered on the account page
        # (members.services.offer_memberships), never joined silently.
        sign_in(account)
        db.session.commit()
        flash(_("Welcome to %(name)s!", name=g.community.name), "success")
        return _to_notice(member, g.community.slug)
    return render_template("communities/invitation.html", invitation=invitation,
                           wrong_account=wrong_account), (409 if wrong_account and
                                                          request.method == "POST" else 200)


@bp.post("/account/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@login_required
def answer_invitation(invitation_id: int, answer: str) -> Any:
    """Accept or decline a community that has the person on its list (issue 11, #3)."""
    account = me()
    invitation = offered_invitation(db.session, account, invitation_id, utcnow())
    if invitation is None:
        abort(404)
    name, slug = _invitation_community(invitation)
    if answer == "decline":
        decline_offer(db.session, invitation, utcnow())
        db.session.commit()
        flash(_("You declined the invitation from %(name)s.", name=name), "info")
        return redirect(url_for("accounts.account", _anchor="invitations"))
    try:
        _account, member = accept_invitation(db.session, invitation, current_language(),
                                             signed_in=account)
    except InvitationError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("Welcome to %(name)s!", name=name), "success")
    return _to_notice(member, slug)


def _to_notice(member: Member, slug: str) -> Any:
    """A new member reads the community's privacy notice and makes their choices first
    (issue 17), then goes on to the console or the portal."""
    endpoint = "community.console.dashboard" if member.is_staff else "community.portal.home"
    return redirect(url_for("community.consent.notice", slug=slug,
                            next=url_for(endpoint, slug=slug)))


def _invitation_community(invitation: Invitation) -> tuple[str, str]:
    community = db.session.get(Community, invitation.tenant_id)
    return (community.name, community.slug) if community else ("", "")
