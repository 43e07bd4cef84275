"""Relationships react to what the features below them announce.

Imported once by ``joren.app.configure_subscribers``; importing connects the receivers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from joren.platform.membership.models import Member
from joren.tenants.introductions.signals import introductions_changed, spoken_pairs_wanted
from joren.tenants.meetups.signals import attendance_changed
from joren.tenants.members.signals import ProfileSections, profile_sections_wanted
from joren.tenants.relationships.profile_sections import profile_sections
from joren.tenants.relationships.services import (
    pairs_spoken,
    refresh_pairs,
    request_member_refresh,
)


@attendance_changed.connect
def refresh_after_attendance(session: Session, *, tenant_id: int, member_ids: list[int],
                             **_: Any) -> None:
    """The ledger counts meetups attended together: refresh each changed member after commit."""
    for member_id in member_ids:
        request_member_refresh(session, tenant_id, member_id)


@spoken_pairs_wanted.connect
def answer_spoken_pairs(session: Session, *, member_ids: list[int] | None,
                        **_: Any) -> set[tuple[int, int]]:
    """The matching engine asks who has spoken: the pairs with a logged contact (or a
    connected introduction) among ``member_ids``."""
    return pairs_spoken(session, member_ids)


@introductions_changed.connect
def refresh_after_introductions(session: Session, *, pairs: list[tuple[int, int]],
                                **_: Any) -> None:
    """Introductions count in the ledger: recompute the pairs whose introduction changed."""
    refresh_pairs(session, pairs)


@profile_sections_wanted.connect
def sections_of_a_profile(session: Session, *, viewer: Member, member: Member,
                          groups: frozenset[str], page: str, now: datetime | None = None,
                          **_: Any) -> ProfileSections:
    """Profile pages show the gives for a meetup soon and the buttons to log a contact."""
    return profile_sections(session, viewer, member, groups, page, now)
