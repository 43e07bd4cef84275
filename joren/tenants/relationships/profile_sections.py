"""What relationships add to members' profile pages (an answer to
``members.signals.profile_sections_wanted``): the gives written for a meetup today or soon,
and, on another member's page, the buttons to log a contact or record a referral."""

from __future__ import annotations

from datetime import datetime

from flask import g, render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.members.signals import ProfileSections
from joren.tenants.relationships.forms import KIND_LABELS
from joren.tenants.relationships.journal import profile_gives


def profile_sections(session: Session, viewer: Member, member: Member,
                     groups: frozenset[str], page: str,
                     now: datetime | None = None) -> ProfileSections:
    """Rendered in the request of the profile page (``page`` is "show" or "mine"), as of
    ``now`` (default: right now)."""
    gives = []
    if "give_ask" in groups:
        gives = profile_gives(session, member.id, g.community,
                              members_only_meetups=viewer.status != MemberStatus.GUEST
                              or viewer.is_organizer, now=now)
    top = render_template("relationships/habits/_profile_gives.html", evening_gives=gives,
                          profile_member_id=member.id)
    bottom = ""
    if page == "show":
        bottom = render_template("relationships/_profile_contact.html", kinds=KIND_LABELS,
                                 profile_member_id=member.id)
    return ProfileSections(top=Markup(top), bottom=Markup(bottom))  # noqa: S704
