"""Replies to a community's email go to the contact its organizers publish (public page)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.mail.sender_identity import reply_to_wanted
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.public.models import PublicContact


@reply_to_wanted.connect
def _published_contact(session: Session, community_id: int, **_: Any) -> str | None:
    # Queued from a job or a request of this community, or from platform code: read the one
    # community named, whatever the session's scope.
    with unscoped(session):
        return session.scalar(select(PublicContact.contact_email)
                              .where(PublicContact.tenant_id == community_id)) or None
