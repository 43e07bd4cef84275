"""Console pages for members and invitations (staff look, organizers change)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from joren.platform import pagecache
from joren.platform.billing.plans import PlanLimitReached
from joren.platform.communities.invitations import (
    INVITABLE_ROLES,
    PENDING,
    InvitationError,
    can_invite,
    invitation_state,
    invite_member,
    recent_invitations,
    resend_invitation,
    revoke_invitation,
)
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.platform.membership.labels import ROLE_LABELS, STATUS_LABELS, in_language
from joren.platform.membership.models import Invitation, Member, MemberStatus, Role
from joren.tenants.members.forms import (
    MAX_INVITES_AT_ONCE,
    InviteForm,
    MemberFilterForm,
    MemberProfileForm,
    MemberRoleForm,
    role_choices,
    split_addresses,
)
from joren.tenants.members.services import (
    PROFILE_FIELDS,
    MemberError,
    can_edit_profile,
    change_role_and_status,
    search_members,
    update_profile,
)

bp = Blueprint("members", __name__)

INVITATIONS_SHOWN = 200

MEMBER_ERRORS = {
    "forbidden": _l("You cannot change this member."),
    "self": _l("You cannot change your own role or status. Ask another owner."),
    "last_owner": _l("The community needs at least one active owner. "
                     "Make someone else an owner first."),
    "owner_only": _l("Only owners can make or change owners and organizers."),
    "too_long": _l("One of the values is too long."),
    "unknown_field": _l("You cannot change this member."),
}
INVITATION_ERRORS = {
    "forbidden_role": _l("You cannot invite people with this role."),
    "not_pending": _l("This invitation has already been accepted or revoked."),
    "already_accepted": _l("This invitation has already been accepted."),
    "closing": _l("This community is closing for deletion and takes no new members."),
}


@bp.get("/admin/members")
@require(Capability.VIEW_MEMBERS)
def console_list() -> Any:
    # Kept while nothing in the community changes: the key holds every argument (the search,
    # the filters, the page; the pager writes them back) and the reader's role (who may
    # invite).
    body_html = pagecache.cached_html(
        db.session, "members.console_list",
        (g.membership.role.value, sorted(request.args.items(multi=True))), _list_body)
    return render_template("members/console/list.html", body_html=body_html)


def _list_body() -> str:
    form = MemberFilterForm(request.args)
    if not form.validate():
        form = MemberFilterForm(formdata=None)
    role = Role(form.role.data) if form.role.data else None
    status = MemberStatus(form.status.data) if form.status.data else None
    page = search_members(db.session, query=form.q.data or "", role=role, status=status,
                          page=form.page.data or 1)
    return render_template("members/console/_list_body.html", form=form, page=page,
                           role_labels=in_language(ROLE_LABELS),
                           status_labels=in_language(STATUS_LABELS))


@bp.route("/admin/members/<int:member_id>", methods=["GET", "POST"])
@require(Capability.VIEW_MEMBERS, post=Capability.MANAGE_MEMBERS)
def console_detail(member_id: int) -> Any:
    if request.method == "GET":
        return _kept_detail_page(member_id)
    member = get_or_404(Member, member_id)
    actor = g.membership
    editable = can_edit_profile(actor, member)
    profile_form = MemberProfileForm(obj=member, prefix="profile")
    role_form = MemberRoleForm(prefix="role", data={"role": member.role.value,
                                                    "status": member.status.value})
    if not actor.is_organizer:
        abort(403)
    action = request.form.get("action")
    form = profile_form if action == "profile" else role_form if action == "role" else None
    if form is None:
        abort(400)
    if form.validate():
        try:
            _apply(actor, member, action, form)
        except MemberError as exc:
            db.session.rollback()
            db.session.refresh(member)
            flash(MEMBER_ERRORS[exc.code], "danger")
            status = 403 if exc.code == "forbidden" else 422
            return _detail_page(member, profile_form, role_form, editable), status
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".console_detail", member_id=member.id))
    return _detail_page(member, profile_form, role_form, editable), 422


def _apply(actor: Member, member: Member, action: str, form: Any) -> None:
    if action == "profile":
        update_profile(db.session, actor, member,
                       **{name: form[name].data or "" for name in PROFILE_FIELDS})
    else:
        change_role_and_status(db.session, actor, member, Role(form.role.data),
                               MemberStatus(form.status.data))


def _kept_detail_page(member_id: int) -> str:
    """The page as a GET shows it, kept by the page cache by member and by what the reader may
    do (their role and status, and whether it is their own row). The member is read only when
    the page is computed: a kept page proves it was this community's (another's id answers 404
    as it computes; any write in the community asks for another key). A pending invitation
    turns "expired" with the clock: the page is computed again from then."""
    actor = g.membership
    found: dict[str, Any] = {}

    def body() -> str:
        member = get_or_404(Member, member_id)
        profile_form = MemberProfileForm(obj=member, prefix="profile")
        role_form = MemberRoleForm(prefix="role", data={"role": member.role.value,
                                                        "status": member.status.value})
        return _detail_body(member, profile_form, role_form, can_edit_profile(actor, member),
                            found)

    body_html, about = pagecache.cached_html_about(
        db.session, "members.console_detail",
        (member_id, actor.role.value, actor.status.value, actor.id == member_id), body,
        about=lambda: found, still_true=lambda kept: pagecache.not_yet(kept.get("expiry")))
    return _detail_frame(body_html, about["title"])


def _detail_page(member: Member, profile_form: Any, role_form: Any, editable: bool) -> str:
    found: dict[str, Any] = {}
    body_html = Markup(_detail_body(member, profile_form, role_form, editable, found))  # noqa: S704 - Jinja's autoescaped output
    return _detail_frame(body_html, found["title"])


def _detail_body(member: Member, profile_form: Any, role_form: Any, editable: bool,
                 found: dict[str, Any]) -> str:
    now = utcnow()
    invitations = _member_invitations(member)
    pending = [row.expires_at for row in invitations if invitation_state(row, now) == PENDING]
    found["expiry"] = min(pending).isoformat() if pending else None
    found["title"] = member.display_name or member.email
    return render_template("members/console/_detail_body.html", member=member,
                           profile_form=profile_form, role_form=role_form, editable=editable,
                           invitations=invitations, invitation_state=invitation_state)


def _detail_frame(body_html: Markup, title: str) -> str:
    return render_template("members/console/detail.html", body_html=body_html, title=title)


def _member_invitations(member: Member) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.member_id == member.id,
                                 Invitation.invited_by_id.is_not(None))  # not offers
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).unique())


# -- invitations --------------------------------------------------------------------------

def _invitations_page(form: InviteForm | None, status: int = 200) -> Any:
    """The invitations page: on a GET (``form`` None) the empty form and the list are kept
    by the page cache together; a refused invitation shows the form as typed and the list
    kept alone. The key holds the reader's role (whether they may invite, and organizers;
    who may resend and revoke). A pending invitation turns "expired" with the clock: the
    list notes when the first shown one does, and is computed again from that moment."""
    found: dict[str, Any] = {}
    role = g.membership.role.value
    if form is None:
        body_html, _expiry = pagecache.cached_html_about(
            db.session, "members.invitations", (role,),
            lambda: _invite_form(InviteForm()) + _invitations_list(found),
            about=lambda: found.get("expiry"), still_true=pagecache.not_yet)
        return render_template("members/console/invitations.html", form_html=body_html,
                               list_html=""), status
    list_html, _expiry = pagecache.cached_html_about(
        db.session, "members.invitations_list", (role,), lambda: _invitations_list(found),
        about=lambda: found.get("expiry"), still_true=pagecache.not_yet)
    return render_template("members/console/invitations.html",
                           form_html=Markup(_invite_form(form)),  # noqa: S704 - Jinja's autoescaped output
                           list_html=list_html), status


def _invite_form(form: InviteForm) -> str:
    can_invite_organizers = can_invite(g.membership, Role.ORGANIZER)
    if not can_invite_organizers:
        form.role.choices = role_choices(tuple(r for r in INVITABLE_ROLES
                                               if r != Role.ORGANIZER))
    return render_template("members/console/_invite_form.html", form=form,
                           can_invite_organizers=can_invite_organizers)


def _invitations_list(found: dict[str, Any]) -> str:
    now = utcnow()
    rows = [(row, invitation_state(row, now))
            for row in recent_invitations(db.session, limit=INVITATIONS_SHOWN)]
    expiries = [row.expires_at for row, state in rows if state == PENDING]
    found["expiry"] = min(expiries).isoformat() if expiries else None
    return render_template("members/console/_invitations_list.html", invitations=rows)


@bp.get("/admin/invitations")
@require(Capability.VIEW_MEMBERS)
def invitations() -> Any:
    return _invitations_page(None)


@bp.post("/admin/invitations/new")
@require(Capability.MANAGE_MEMBERS)
def invite() -> Any:
    form = InviteForm()
    if not form.validate():
        return _invitations_page(form, 422)
    role = Role(form.role.data)
    if not can_invite(g.membership, role):
        form.role.errors = [INVITATION_ERRORS["forbidden_role"]]
        return _invitations_page(form, 403)
    if g.community.is_closing:
        form.emails.errors = [INVITATION_ERRORS["closing"]]
        return _invitations_page(form, 409)
    good, bad = split_addresses(form.emails.data)
    if len(good) + len(bad) > MAX_INVITES_AT_ONCE:
        form.emails.errors = [_("Please send at most %(count)s invitations at a time.",
                                count=MAX_INVITES_AT_ONCE)]
        return _invitations_page(form, 422)
    invited: list[str] = []
    already: list[str] = []
    beyond_plan: list[str] = []
    limit_message = ""
    for email in good:
        try:
            with db.session.begin_nested():
                invite_member(db.session, g.community, g.membership, email, role,
                              form.message.data or "")
        except InvitationError as exc:
            if exc.code != "already_member":
                raise
            already.append(email)
        except PlanLimitReached as exc:
            beyond_plan.append(email)
            limit_message = str(exc)
        else:
            invited.append(email)
    db.session.commit()
    if invited:
        flash(_("Invitations sent to: %(emails)s", emails=", ".join(invited)), "success")
    if already:
        flash(_("Already members (not invited again): %(emails)s", emails=", ".join(already)),
              "warning")
    if beyond_plan:
        flash(_("Not invited: %(emails)s. %(reason)s", emails=", ".join(beyond_plan),
                reason=limit_message), "danger")
    if bad:
        form.emails.data = "\n".join(bad)
        form.emails.errors = [_("These are not valid email addresses; please correct them: "
                                "%(entries)s", entries=", ".join(bad))]
        return _invitations_page(form, 422)
    return redirect(url_for(".invitations"))


@bp.post("/admin/invitations/<int:invitation_id>/resend")
@require(Capability.MANAGE_MEMBERS)
def invitation_resend(invitation_id: int) -> Any:
    invitation = get_or_404(Invitation, invitation_id)
    try:
        resend_invitation(db.session, g.community, invitation, g.membership)
    except InvitationError as exc:
        db.session.rollback()
        flash(INVITATION_ERRORS[exc.code], "danger")
    else:
        db.session.commit()
        flash(_("The invitation was sent again to %(email)s.", email=invitation.email),
              "success")
    return redirect(url_for(".invitations"))


@bp.post("/admin/invitations/<int:invitation_id>/revoke")
@require(Capability.MANAGE_MEMBERS)
def invitation_revoke(invitation_id: int) -> Any:
    invitation = get_or_404(Invitation, invitation_id)
    try:
        revoke_invitation(db.session, invitation, g.membership)
    except InvitationError as exc:
        db.session.rollback()
        flash(INVITATION_ERRORS[exc.code], "danger")
    else:
        db.session.commit()
        flash(_("The invitation to %(email)s was revoked; its link no longer works.",
                email=invitation.email), "success")
    return redirect(url_for(".invitations"))
