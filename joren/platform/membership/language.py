"""Which language a member's email is written in, decided in one place for every feature."""

from __future__ import annotations

from joren.platform.i18n import DEFAULT_LANGUAGE
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member


def recipient_language(member: Member, community: Community) -> str:
    """The member's account language, else the community's default (a member without an
    account chose nothing), else Japanese."""
    language = member.account.language if member.account is not None else None
    return language or community.default_language or DEFAULT_LANGUAGE
