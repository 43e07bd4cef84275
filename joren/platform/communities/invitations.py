"""Invitations: organizers invite people by email; the emailed link proves the address."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.accounts.services import confirm_address
from joren.platform.accounts.tokens import INVITE_LINK
from joren.platform.billing.plans import check_limit
from joren.platform.db import utcnow
from joren.platform.identity.account import Account
from joren.platform.identity.community import Community
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.capabilities import Capability, has_capability
from joren.platform.membership.models import Invitation, Member, MemberStatus, Role
from joren.platform.tenancy import set_tenant, unscoped
from joren.platform.urls import external_url

INVITABLE_ROLES = (Role.MEMBER, Role.STAFF, Role.ORGANIZER)
PENDING, ACCEPTED, EXPIRED, REVOKED = "pending", "accepted", "expired", "revoked"
INVITATION_STATES = (PENDING, ACCEPTED, EXPIRED, REVOKED)


class InvitationError(ValueError):
    """An invitation could not be made, sent or used; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def invitation_state(invitation: Invitation, now: datetime | None = None) -> str:
    if invitation.revoked_at is not None:
        return REVOKED
    if invitation.accepted_at is not None:
        return ACCEPTED
    if invitation.expires_at <= (now or utcnow()):
        return EXPIRED
    return PENDING


def normalise_email(raw: str) -> str:
    """A valid address, lowercased; raises InvitationError("invalid_email")."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvitationError("invalid_email") from exc
    email = result.normalized.lower()
    if len(email) > 320:
        raise InvitationError("invalid_email")
    return email


def can_invite(inviter: Member, role: Role) -> bool:
    """Organizers invite members and staff; making someone an organizer is an owner's call."""
    if inviter.status == MemberStatus.INACTIVE or not inviter.is_organizer:
        return False
    if role not in INVITABLE_ROLES:
        return False
    return role != Role.ORGANIZER or has_capability(inviter, Capability.MANAGE_LEADERS)


def invite_member(
    session: Session,
    community: Community,
    inviter: Member,
    email: str,
    role: Role = Role.MEMBER,
    message: str = "",
) -> Invitation:
    """Invite ``email`` into ``community`` and queue the email (sent after commit).

    Reuses the member row with that address (a visitor imported from a list, a former
    member) or creates one without an account. An active member with an account is
    refused ("already_member"). Earlier pending invitations for the row are revoked, so
    only the newest link works. One more member beyond the community's plan raises
    ``billing.plans.PlanLimitReached`` and creates nothing.
    """
    role = Role(role)
    if not can_invite(inviter, role):
        raise InvitationError("forbidden_role")
    if community.is_closing:
        raise InvitationError("closing")
    email = normalise_email(email)
    message = (message or "").strip()
    if len(message) > 1000:
        raise InvitationError("message_too_long")
    member = session.scalar(select(Member).where(Member.email == email))
    if member is None or member.status != MemberStatus.MEMBER:
        check_limit(session, community, "members")  # raises PlanLimitReached beyond the plan
    if member is None:
        member = Member(tenant_id=community.id, email=email, role=Role.MEMBER,
                        status=MemberStatus.MEMBER)
        session.add(member)
        session.flush()
    elif member.account_id is not None and member.status != MemberStatus.INACTIVE:
        raise InvitationError("already_member")
    now = utcnow()
    for previous in session.scalars(
        select(Invitation).where(Invitation.member_id == member.id,
                                 Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None))
    ):
        previous.revoked_at = now
    invitation = Invitation(
        tenant_id=community.id, member_id=member.id, invited_by_id=inviter.id, email=email,
        role=role, message=message, nonce=secrets.token_urlsafe(24),
        expires_at=now + _lifetime(), sent_count=0,
    )
    session.add(invitation)
    session.flush()
    _send(session, community, invitation, inviter)
    return invitation


def resend_invitation(
    session: Session, community: Community, invitation: Invitation, actor: Member
) -> Invitation:
    """Send the invitation again with a fresh link and expiry; the previous link stops working
    (also revives an expired one)."""
    if not actor.is_organizer or actor.status == MemberStatus.INACTIVE:
        raise InvitationError("forbidden_role")
    if invitation_state(invitation) not in (PENDING, EXPIRED):
        raise InvitationError("not_pending")
    invitation.expires_at = utcnow() + _lifetime()
    invitation.nonce = secrets.token_urlsafe(24)  # the link sent before stops working
    session.flush()
    _send(session, community, invitation, invitation.invited_by or actor)
    return invitation


def revoke_invitation(session: Session, invitation: Invitation, actor: Member) -> Invitation:
    """Make the invitation's link stop working (an accepted one cannot be revoked)."""
    if not actor.is_organizer or actor.status == MemberStatus.INACTIVE:
        raise InvitationError("forbidden_role")
    if invitation.accepted_at is not None:
        raise InvitationError("already_accepted")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.flush()
    return invitation


def recent_invitations(session: Session, limit: int | None = None) -> list[Invitation]:
    """The organizers' invitations, newest first. Offers made to a person who signed in
    with an address on the list are not shown: they would tell that it has an account."""
    stmt = (select(Invitation).where(Invitation.invited_by_id.is_not(None))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).unique())


def _lifetime() -> timedelta:
    return INVITE_LINK.max_age() or timedelta(0)


def invitation_token(invitation: Invitation) -> str:
    return INVITE_LINK.sign({"i": invitation.id, "n": invitation.nonce})


def _send(session: Session, community: Community, invitation: Invitation,
          inviter: Member) -> None:
    invitation.sent_count += 1
    session.flush()
    language = community.default_language
    account = session.scalar(select(Account).where(Account.email == invitation.email))
    if account is not None and account.language:
        language = account.language
    queue_email(
        session,
        to=invitation.email,
        template="membership/invitation",
        context={
            "community_name": community.name,
            "inviter_name": inviter.display_name,
            "message": invitation.message,
            "role": invitation.role,
            "accept_url": external_url("communities.invitation",
                                       token=invitation_token(invitation)),
            "expires_at": invitation.expires_at,
        },
        language=language,
        idempotency_key=f"invite:{invitation.id}:{invitation.sent_count}",
        community_id=community.id,
    )


# -- accepting ---------------------------------------------------------------------------

def find_invitation(session: Session, payload: dict[str, object]) -> Invitation | None:
    """The invitation a verified token names, with the session bound to its community.

    The token carries no community, so this one primary-key read is unscoped; the nonce
    must match too, so a token for a row that was recreated is refused.
    """
    invitation_id, nonce = payload.get("i"), payload.get("n")
    if not isinstance(invitation_id, int) or not isinstance(nonce, str):
        return None
    with unscoped(session):
        invitation = session.get(Invitation, invitation_id)
    if invitation is None or not hmac.compare_digest(invitation.nonce, nonce):
        return None
    set_tenant(session, invitation.tenant_id)
    return invitation


def accept_invitation(
    session: Session, invitation: Invitation, language: str, signed_in: Account | None = None
) -> tuple[Account, Member]:
    """Accept: the link proves the address, so find or create that account (verified, no
    password), attach it to the member row with the invited role, and mark it accepted.

    ``signed_in`` is the account already signed in on this browser, if any; it must own
    the invited address ("wrong_account" otherwise).
    """
    state = invitation_state(invitation)
    if state != PENDING:
        raise InvitationError(state)
    community = session.get(Community, invitation.tenant_id)
    if community is not None and community.is_closing:
        raise InvitationError("closing")
    if signed_in is not None and signed_in.email.lower() != invitation.email.lower():
        raise InvitationError("wrong_account")
    now = utcnow()
    account = session.scalar(select(Account).where(Account.email == invitation.email.lower()))
    if account is None:
        account = Account(email=invitation.email.lower(), password_hash=None,
                          language=language, email_verified_at=now)
        session.add(account)
        session.flush()
    else:
        # The link proves the address: a password chosen before that goes (issue 11, #2).
        confirm_address(session, account, now=now)
    member = invitation.member
    existing = session.scalar(select(Member).where(Member.account_id == account.id))
    if existing is not None and existing.id != member.id:
        # The person already has a row here under another address: keep that one.
        member = existing
        invitation.member = existing
    # A row nobody had claimed, or a former member coming back, takes the invited role; an
    # active member (claimed in the meantime) keeps a higher one.
    fresh = member.account_id is None or member.status == MemberStatus.INACTIVE
    if fresh or not member.role.at_least(invitation.role):
        member.role = invitation.role
    member.account_id = account.id
    # An organizer's invitation makes a member; a list entry offered to its owner
    # (members.services.offer_memberships) keeps the status the organizer gave it.
    if invitation.invited_by_id is not None or member.status == MemberStatus.INACTIVE:
        member.status = MemberStatus.MEMBER
    invitation.accepted_at = now
    session.flush()
    return account, member
