"""The double opt-in emails: a proposal to each side, then the connection to both.

Proposal (category "introductions", so a member who opted out of introduction emails is not
sent one): who the other person is — only what they chose to show to members, never contact
details — why the organizers think they should meet, the organizer's note, and one-click
Accept / Decline links. Connection (transactional: both asked for it by accepting): each
other's email address and company details, and a suggested next step.

Every message has an idempotency key per introduction, side and kind, so a retried job or a
second click sends nothing twice. Each is written in its recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from joren.platform.i18n import format_local
from joren.platform.identity.community import Community
from joren.platform.mail.outbox import (
    TRANSACTIONAL,
    Email,
    is_unsubscribed,
    queue_email,
    queue_emails,
)
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member, ProfileVisibility
from joren.platform.urls import external_url
from joren.tenants.introductions import tokens
from joren.tenants.introductions.models import Introduction
from joren.tenants.introductions.perspective import render_for_reader
from joren.tenants.members.industries import INDUSTRIES

CATEGORY = "introductions"
PROPOSAL = "introductions/proposal"
CONNECTED = "introductions/connected"
DATE_FORMATS = {"ja": "yyyy年M月d日(EEE)", "en": "EEE, MMMM d, yyyy"}


@dataclass(frozen=True)
class SharedProfile:
    """What a member shows to other members, without contact details."""

    member_id: int
    name: str
    company: str = ""
    title: str = ""
    industry: str = ""
    business_description: str = ""
    offers: tuple[str, ...] = field(default_factory=tuple)


def shared_profile(member: Member, language: str) -> SharedProfile:
    """``member`` as any other member may see them (organizer-only groups left out)."""
    name = f"{member.family_name} {member.given_name}".strip() or (
        member.account.display_name if member.account is not None else "") or ""
    values: dict[str, Any] = {}
    if member.work_visibility == ProfileVisibility.MEMBERS:
        label = INDUSTRIES.get(member.industry_code)
        values.update(company=member.company, title=member.title,
                      industry=label(language) if label else member.industry,
                      business_description=member.business_description)
    if member.give_ask_visibility == ProfileVisibility.MEMBERS:
        values["offers"] = tuple(o for o in (member.offer_1, member.offer_2, member.offer_3) if o)
    return SharedProfile(member_id=member.id, name=name, **values)


def display_names(*members: Member) -> dict[int, str]:
    return {m.id: f"{m.family_name} {m.given_name}".strip() or m.display_name for m in members}


def render_reasons(introduction: Introduction, names: dict[int, str], language: str,
                   reader_id: int | None = None) -> list[str]:
    """The stored reasons as sentences in ``language`` (empty when the engine is absent);
    with ``reader_id`` (one of the pair), addressed to that member as "you"."""
    if not introduction.reasons:
        return []
    try:
        from joren.tenants.introductions.reasons import render
    except ImportError:
        return []
    if reader_id is None:
        return list(render(introduction.reasons, names, language))
    return render_for_reader(introduction.reasons, reader_id, names, language,
                             lambda reasons: list(render(reasons, names, language)))


def opted_out(session: Session, member: Member) -> bool:
    """True when ``member`` turned off introduction emails (here or everywhere)."""
    return bool(member.email) and is_unsubscribed(session, member.email or "", CATEGORY,
                                                  member.tenant_id)


def key(introduction: Introduction, member_id: int, kind: str) -> str:
    return f"introduction:{introduction.tenant_id}:{introduction.id}:{member_id}:{kind}"


def _pair(introduction: Introduction) -> list[tuple[Member, Member]]:
    low, high = introduction.member_low, introduction.member_high
    return [(low, high), (high, low)]


def answer_url(community: Community, introduction: Introduction, member_id: int,
               choice: str) -> str:
    token = tokens.answer_token(community.id, introduction.id, member_id, choice)
    return external_url("community.introductions.answer", slug=community.slug, token=token)


def proposal_context(community: Community, introduction: Introduction, recipient: Member,
                     other: Member, language: str) -> dict[str, Any]:
    zone = community.zone
    expires = (format_local(introduction.expires_at, zone, language, DATE_FORMATS)
               if introduction.expires_at else "")
    return {
        "community_name": community.name,
        "recipient_name": display_names(recipient)[recipient.id],
        "other": shared_profile(other, language),
        "reasons": render_reasons(introduction, display_names(recipient, other), language,
                                  reader_id=recipient.id),
        "message": introduction.message,
        "expires": expires,
        "accept_url": answer_url(community, introduction, recipient.id, tokens.ACCEPT),
        "decline_url": answer_url(community, introduction, recipient.id, tokens.DECLINE),
        "portal_url": external_url("community.introductions.mine", slug=community.slug),
    }


def queue_proposals(session: Session, introduction: Introduction) -> None:
    """The first email to each side: who, why, and Accept / Decline links."""
    queue_proposals_many(session, [introduction])


def queue_proposals_many(session: Session, introductions: list[Introduction]) -> None:
    """``queue_proposals`` for many introductions of one community, stored together."""
    if not introductions:
        return
    community = session.get(Community, introductions[0].tenant_id)
    assert community is not None
    emails = []
    for introduction in introductions:
        for recipient, other in _pair(introduction):
            language = recipient_language(recipient, community)
            emails.append(Email(
                to=recipient.email or "", template=PROPOSAL, language=language,
                context=proposal_context(community, introduction, recipient, other, language),
                idempotency_key=key(introduction, recipient.id, "proposal")))
    queue_emails(session, emails, community_id=community.id, category=CATEGORY)


def connection_context(community: Community, introduction: Introduction, recipient: Member,
                       other: Member, language: str) -> dict[str, Any]:
    return {
        "community_name": community.name,
        "recipient_name": display_names(recipient)[recipient.id],
        "other": shared_profile(other, language),
        "other_email": other.email or "",
        "other_company": other.company,
        "other_website": other.website,
        "portal_url": external_url("community.introductions.mine", slug=community.slug),
    }


def queue_connections(session: Session, introduction: Introduction) -> None:
    """Both accepted: each gets the other's contact details and a next step (once each)."""
    community = session.get(Community, introduction.tenant_id)
    assert community is not None
    for recipient, other in _pair(introduction):
        if not recipient.email:
            continue
        language = recipient_language(recipient, community)
        queue_email(
            session, to=recipient.email, template=CONNECTED,
            context=connection_context(community, introduction, recipient, other, language),
            language=language, idempotency_key=key(introduction, recipient.id, "connected"),
            community_id=community.id, category=TRANSACTIONAL,
        )
