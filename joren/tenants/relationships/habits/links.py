"""The one-click "log that we talked" link of the follow-up and nudge emails.

The link carries a signed, timed token of (community, member, other member, meetup or 0):
no sign-in needed, no column to store, and another community's token never resolves here.
Its GET shows a confirmation page with one button (mail scanners prefetch GETs); the POST
logs the contact through ``relationships.services.log_contact``. Clicking twice logs once:
the page says it is already logged, and ``log_contact`` itself is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.signing import LinkKind, ints
from joren.platform.urls import external_url
from joren.tenants.relationships import services
from joren.tenants.relationships.models import Contact, ContactKind

# Dated; long enough to follow up a month later (the nudge email carries a fresh link).
# The salt has shipped: links in inboxes carry it.
TALKED = LinkKind("joren.talked", timedelta(days=60))
DAY_FORMATS = {"ja": "yyyy年M月d日", "en": "MMMM d, yyyy"}
# What a member may log from a nudge link (a meetup link always logs TALKED at that meetup).
NUDGE_KINDS = (ContactKind.ONE_ON_ONE, ContactKind.CALL, ContactKind.OTHER)


@dataclass(frozen=True)
class TalkedLink:
    member_id: int
    other_id: int
    meetup_id: int | None
    issued_at: datetime


def talked_token(tenant_id: int, member_id: int, other_id: int, meetup_id: int | None) -> str:
    return TALKED.sign([tenant_id, member_id, other_id, meetup_id or 0])


def talked_url(community: Community, member_id: int, other_id: int,
               meetup_id: int | None) -> str:
    return external_url("community.habits.talked", slug=community.slug,
                        token=talked_token(community.id, member_id, other_id, meetup_id))


def read_talked_token(token: str, tenant_id: int) -> TalkedLink:
    """The link's content, or LinkInvalid (LinkExpired when it is only too old)."""

    def valid(payload: Any) -> bool:
        return (ints(payload, 4) and len(payload) == 4 and payload[0] == tenant_id
                and payload[1] != payload[2])

    payload, issued = TALKED.read_dated(token, valid=valid)
    return TalkedLink(member_id=payload[1], other_id=payload[2], meetup_id=payload[3] or None,
                      issued_at=issued)


def link_members(session: Session, link: TalkedLink) -> tuple[Member, Member] | None:
    """Both members of a link, if both still belong to this community and are active."""
    rows = {m.id: m for m in session.scalars(
        select(Member).where(Member.id.in_([link.member_id, link.other_id])))}
    member, other = rows.get(link.member_id), rows.get(link.other_id)
    if member is None or other is None or MemberStatus.INACTIVE in (member.status,
                                                                     other.status):
        return None
    return member, other


def already_logged(session: Session, link: TalkedLink) -> bool:
    """A meetup link: this member logged talking to the other at that meetup. A nudge link:
    this member logged any contact with the other since the link was sent."""
    stmt = select(Contact.id).where(Contact.member_id == link.member_id,
                                    Contact.other_id == link.other_id)
    if link.meetup_id is not None:
        stmt = stmt.where(Contact.meetup_id == link.meetup_id,
                          Contact.kind == ContactKind.TALKED)
    else:
        stmt = stmt.where(Contact.created_at >= link.issued_at)
    return session.scalar(stmt.limit(1)) is not None


def log_talked(session: Session, link: TalkedLink, *, kind: ContactKind = ContactKind.TALKED,
               happened_on: date | None = None) -> Contact:
    """Log the contact the link stands for (a meetup link always logs TALKED there)."""
    if link.meetup_id is not None:
        kind = ContactKind.TALKED
    elif kind not in NUDGE_KINDS:
        raise ValueError(f"{kind!r} cannot be logged from this link")
    return services.log_contact(session, link.member_id, link.other_id, kind,
                                happened_on=happened_on, meetup_id=link.meetup_id)
