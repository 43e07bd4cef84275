"""Signed links of a registration: the seat offer's one-click link and a guest's confirmation
link. Both name the registration and its ticket, so a registration made again after a
cancellation (a new ticket) does not answer to the old links; an offer's link also names the
offer, so it cannot take a later one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from joren.platform.signing import LinkInvalid, LinkKind
from joren.tenants.meetups.models import Registration

# Shipped salts and lifetimes: links in inboxes carry them.
SEAT_OFFER = LinkKind("joren.seat-offer", timedelta(days=7))
GUEST_CONFIRM = LinkKind("joren.guest-confirm", timedelta(days=7))
GUEST_CONFIRM_DAYS = 7


def status_stamp(registration: Registration) -> int:
    """When the registration last changed status, in microseconds: names one offer or hold."""
    return int(registration.status_changed_at.timestamp() * 1_000_000)


def _read(kind: LinkKind, token: str) -> dict[str, Any] | None:
    try:
        return kind.read(token, valid=lambda payload: isinstance(payload, dict))  # type: ignore[no-any-return]
    except LinkInvalid:
        return None


def offer_token(registration: Registration) -> str:
    """A one-click link for this offer; it names the offer (its start), so an old link cannot
    accept a later offer."""
    return SEAT_OFFER.sign({"r": registration.id, "c": registration.tenant_id,
                            "t": registration.checkin_token, "o": status_stamp(registration)})


def read_offer_token(token: str) -> dict[str, Any] | None:
    """The token's payload, or None when forged or expired."""
    return _read(SEAT_OFFER, token)


def guest_confirm_token(registration: Registration) -> str:
    return GUEST_CONFIRM.sign({"r": registration.id, "c": registration.tenant_id,
                               "t": registration.checkin_token})


def read_guest_token(token: str) -> dict[str, Any] | None:
    """The token's payload, or None when forged or expired."""
    return _read(GUEST_CONFIRM, token)


def registration_for_token(session: Session, data: dict[str, Any] | None,
                           tenant_id: int | None) -> Registration | None:
    """The registration a (read) token names in this community, or None."""
    if data is None or tenant_id is None or data.get("c") != tenant_id:
        return None
    registration_id = data.get("r")
    if not isinstance(registration_id, int):
        return None
    registration = session.get(Registration, registration_id)
    if registration is None or registration.checkin_token != data.get("t"):
        return None
    return registration
