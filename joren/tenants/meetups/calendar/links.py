"""The signed links of calendars and reminders. Each one is bound to something the database
can change, so it can be revoked: a "can't make it" link to the registration's ticket (renewed
when a cancelled registration is made again) and, by the view, to the meetup's start; a feed
link to the member's feed version (raised by "reset my calendar link"). Another community's
token never resolves here. Both are undated: they live in inboxes and subscribed calendars."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy.orm import Session

from joren.platform.membership.models import Member
from joren.platform.signing import LinkInvalid, LinkKind
from joren.tenants.meetups.models import Registration

# Shipped salts, untimed: never change them (links in inboxes and calendars carry them).
CANT_MAKE_IT = LinkKind("joren.cant-make-it", None)
MEMBER_FEED = LinkKind("joren.member-feed", None)


def _ticket_binding(registration: Registration) -> str:
    # A digest, not the ticket itself: the link must not carry the door check-in credential.
    return hashlib.sha256(registration.checkin_token.encode()).hexdigest()[:16]


def cant_make_it_token(registration: Registration) -> str:
    return CANT_MAKE_IT.sign([registration.tenant_id, registration.id,
                              _ticket_binding(registration)])


def read_cant_make_it_token(token: str, tenant_id: int) -> tuple[int, str] | None:
    """(registration id, ticket binding) of a "can't make it" link of this community, or None."""
    payload = _read(CANT_MAKE_IT, token, tenant_id)
    if payload is None or not isinstance(payload[1], str):
        return None
    return int(payload[0]), payload[1]


def cant_make_it_matches(registration: Registration, binding: str) -> bool:
    """Whether a link was made for this registration as it is now (not an earlier one)."""
    return hmac.compare_digest(_ticket_binding(registration), binding)


def member_feed_token(member: Member) -> str:
    return MEMBER_FEED.sign([member.tenant_id, member.id, member.calendar_feed_version])


def read_member_feed_token(token: str, tenant_id: int) -> tuple[int, int] | None:
    """(member id, feed version) of a personal calendar feed link of this community, or None."""
    payload = _read(MEMBER_FEED, token, tenant_id)
    if payload is None or type(payload[1]) is not int:
        return None
    return int(payload[0]), payload[1]


def reset_member_feed(session: Session, member: Member) -> None:
    """Give the member a new calendar feed address; the old one stops working at once."""
    member.calendar_feed_version += 1
    session.flush()


def _shaped(payload: Any) -> bool:
    return (isinstance(payload, list) and len(payload) == 3
            and type(payload[0]) is int and type(payload[1]) is int)


def _read(kind: LinkKind, token: str, tenant_id: int) -> list[Any] | None:
    """[id, binding] from a [tenant id, id, binding] token of this community, or None."""
    try:
        payload = kind.read(token, valid=_shaped)
    except LinkInvalid:
        return None
    if payload[0] != tenant_id:
        return None
    return list(payload[1:])
