"""Creating communities: slugs, kinds, timezones and the owner's first membership."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.platform.i18n import LANGUAGES
from joren.platform.identity.account import Account
from joren.platform.identity.community import Community, CommunityKind
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.tenancy import set_tenant

SLUG_MIN, SLUG_MAX = 3, 60
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Words that are, or may one day be, paths of the platform itself or too confusing as a name.
RESERVED_SLUGS = frozenset({
    "about", "account", "accounts", "admin", "api", "app", "assets", "auth", "billing", "c",
    "communities", "community", "console", "dashboard", "demo", "edit", "help", "invite",
    "invites", "joren", "login", "logout", "mail", "me", "meetups", "members", "new", "null",
    "portal", "readyz", "healthz", "register", "root", "settings", "signin", "signout", "signup",
    "static", "status", "support", "system", "test", "www",
})

KIND_LABELS = {
    CommunityKind.REGIONAL_MIXER: _l("Regional mixer"),
    CommunityKind.SEMINAR_MIXER: _l("Seminar and mixer"),
    CommunityKind.SAME_INDUSTRY: _l("Same-industry meetup"),
    CommunityKind.CROSS_INDUSTRY: _l("Cross-industry meetup"),
    CommunityKind.STUDY_GROUP: _l("Study group"),
    CommunityKind.REFERRAL_CHAPTER: _l("Referral chapter"),
}

DEFAULT_TIMEZONE = "Asia/Tokyo"
COMMON_TIMEZONES = (
    "Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Taipei", "Asia/Hong_Kong",
    "Asia/Singapore", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Jakarta", "Asia/Manila",
    "Asia/Kolkata", "Asia/Dubai", "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu",
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "UTC",
)


class CommunityError(ValueError):
    """A community could not be created or changed; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_slug(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def slug_problem(session: Session, slug: str) -> str | None:
    """Why ``slug`` cannot be used ("length", "format", "reserved", "taken"), or None."""
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        return "length"
    if not SLUG_RE.match(slug) or "--" in slug:
        return "format"
    if slug in RESERVED_SLUGS:
        return "reserved"
    if not slug_available(session, slug):
        return "taken"
    return None


def slug_available(session: Session, slug: str) -> bool:
    return session.scalar(
        select(func.count(Community.id)).where(Community.slug == slug)
    ) == 0


def suggest_slug(name: str) -> str:
    """A slug made from an ASCII name ("Osaka Business Mixer" → "osaka-business-mixer");
    empty when the name is not ASCII (Japanese names need a slug chosen by hand)."""
    text = unicodedata.normalize("NFKC", name or "").strip().lower()
    if not text or not text.isascii():
        return ""
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:SLUG_MAX].strip("-")
    if len(slug) < SLUG_MIN or slug in RESERVED_SLUGS:
        return ""
    return slug


def is_valid_timezone(name: str) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def create_community(
    session: Session,
    account: Account,
    *,
    name: str,
    slug: str,
    kind: CommunityKind,
    city: str = "",
    timezone: str = DEFAULT_TIMEZONE,
    default_language: str = "ja",
    description: str = "",
) -> tuple[Community, Member]:
    """Create a community and make ``account`` its owner, in the caller's transaction.

    The session is bound to the new community afterwards (it now serves that tenant).
    """
    name = " ".join((name or "").split())
    slug = normalise_slug(slug)
    if not name:
        raise CommunityError("name", "name required")
    problem = slug_problem(session, slug)
    if problem:
        raise CommunityError("slug", problem)
    if not is_valid_timezone(timezone):
        raise CommunityError("timezone", "unknown timezone")
    if default_language not in LANGUAGES:
        raise CommunityError("default_language", "unknown language")
    community = Community(
        name=name, slug=slug, kind=CommunityKind(kind), city=city.strip(), timezone=timezone,
        default_language=default_language, description=description,
    )
    session.add(community)
    session.flush()
    set_tenant(session, community.id)
    family, _, given = " ".join((account.display_name or "").split()).partition(" ")
    owner = Member(
        tenant_id=community.id, account_id=account.id, role=Role.OWNER,
        status=MemberStatus.MEMBER, email=account.email.lower(),
        family_name=family[:60], given_name=given[:60],
    )
    session.add(owner)
    session.flush()
    return community, owner


def update_community(session: Session, community: Community, **fields: object) -> Community:
    """Change a community's settings (never its slug)."""
    allowed = {"name", "description", "kind", "city", "timezone", "default_language", "is_public"}
    unknown = set(fields) - allowed
    if unknown:
        raise CommunityError(sorted(unknown)[0], "not a setting")
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"] or "").split())
        if not fields["name"]:
            raise CommunityError("name", "name required")
    if "timezone" in fields and not is_valid_timezone(str(fields["timezone"])):
        raise CommunityError("timezone", "unknown timezone")
    if "default_language" in fields and fields["default_language"] not in LANGUAGES:
        raise CommunityError("default_language", "unknown language")
    if "kind" in fields:
        fields["kind"] = CommunityKind(fields["kind"])
    for key, value in fields.items():
        setattr(community, key, value)
    session.flush()
    return community
