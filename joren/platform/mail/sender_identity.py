"""Who a community's email comes from: the community's name as the From display name
("<community> via Joren"), on the installation's own address (MAIL_FROM, so SPF and DKIM keep
passing), and a Reply-To when the community has a contact address.

The name travels with the outbox row as a private header (``FROM_NAME``) that is never sent as
such: the MIME builders put it in From. Where the contact lives is a feature's business: mail
asks through ``reply_to_wanted`` (receivers return an address or None; the first answer wins).
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from blinker import Namespace
from sqlalchemy.orm import Session

from joren.platform.identity.community import Community

signals = Namespace()

# Stored in OutboxMessage.headers, read by the MIME builders, never sent.
FROM_NAME = "X-Joren-From-Name"
VIA = "via Joren"

reply_to_wanted = signals.signal("reply-to-wanted")
"""A question asked when a community's email is queued: where should replies go?
Sent with the Session as sender and ``community_id``; a receiver returns an email address, or
None when the community has none. The first address answered is used."""


def sender_headers(session: Session, community_id: int | None) -> dict[str, str]:
    """The headers that name the sender of a community's email (none for platform mail)."""
    if community_id is None:
        return {}
    community = session.get(Community, community_id)
    if community is None:
        return {}
    headers = {FROM_NAME: f"{community.name} {VIA}"}
    for _receiver, address in reply_to_wanted.send(session, community_id=community_id):
        if address and "@" in address and "\n" not in address and "\r" not in address:
            headers["Reply-To"] = address.strip()
            break
    return headers


def from_header(mail_from: str, name: str | None) -> str:
    """MAIL_FROM's address under ``name`` (MAIL_FROM's own name when there is none)."""
    default_name, address = parseaddr(mail_from)
    return formataddr((name or default_name, address), charset="utf-8")
