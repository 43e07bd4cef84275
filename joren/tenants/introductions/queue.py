"""The organizer's review queue: which waiting suggestions a filter keeps, one page of them
in two statements (the count and the rows with both members), and the low-confidence flag.

Confidence is the engine's calibrated probability that a suggestion is a good match
(``Introduction.confidence``, semantics.confidence); below ``models.LOW_CONFIDENCE`` the card
is flagged. Suggestions added by hand, or made before it was stored, carry none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from joren.platform.pagination import Page
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions.models import LOW_CONFIDENCE, Introduction, IntroductionStatus
from joren.tenants.members.services import matching_ids

PER_PAGE = 30
# Below this a suggestion is flagged "low confidence" (a calibrated probability).
LOW_CONFIDENCE_BELOW = LOW_CONFIDENCE

# What the filter offers for "why": the reason codes the engine stores, in plain words.
REASON_KINDS = {
    "offers_for_ask": _l("An offer meets a need"),
    "shared_concept": _l("Offer and need in the same field"),
    "shared_words": _l("Words in common"),
    "fits_target_industry": _l("An industry they want to meet"),
    "fits_target_size": _l("A company size they look for"),
    "same_industry_partners": _l("Same-industry partners"),
    "met_not_spoken": _l("Met but have not talked"),
    "regulars": _l("Both regulars"),
    "welcome_first_timer": _l("Welcome a first-timer"),
    "same_region": _l("Same area"),
    "meet_again": _l("Meet again"),
}

CONFIDENCE_CHOICES = ("low", "sure")


def confidence_column() -> Any:
    """The SQL expression the confidence filter compares."""
    return Introduction.confidence


def confidence_of(introduction: Introduction) -> float | None:
    """The confidence the card shows a flag for."""
    return introduction.confidence


def is_low_confidence(introduction: Introduction) -> bool:
    """Flag engine suggestions the organizer should look at twice (by hand: never)."""
    value = confidence_of(introduction)
    return value is not None and value < LOW_CONFIDENCE_BELOW


@dataclass(frozen=True)
class QueueFilter:
    """What the organizer narrowed the queue to; empty fields keep everything."""

    level: str = ""
    min_score: float | None = None
    max_score: float | None = None
    confidence: str = ""
    reason: str = ""
    member: str = ""

    @property
    def active(self) -> bool:
        return any(v not in ("", None) for v in asdict(self).values())

    def args(self) -> dict[str, str]:
        """The filter as URL arguments (for page links and the way back after an action)."""
        out = {}
        for name, value in asdict(self).items():
            if value not in ("", None):
                out[name] = f"{value:g}" if isinstance(value, float) else str(value)
        return out

    def conditions(self) -> list[Any]:
        out: list[Any] = [Introduction.status == IntroductionStatus.SUGGESTED]
        if self.min_score is not None:
            out.append(Introduction.score >= self.min_score)
        if self.max_score is not None:
            out.append(Introduction.score <= self.max_score)
        if self.confidence == "low":
            out.append(confidence_column() < LOW_CONFIDENCE_BELOW)
        elif self.confidence == "sure":
            out.append(confidence_column() >= LOW_CONFIDENCE_BELOW)
        if self.reason in REASON_KINDS:
            out.append(_has_reason(self.reason))
        if self.level:
            out.append(or_(_at_level(Introduction.member_low_id, Level(self.level)),
                           _at_level(Introduction.member_high_id, Level(self.level))))
        if self.member:
            ids = matching_ids(self.member)
            if ids is not None:
                out.append(or_(Introduction.member_low_id.in_(ids),
                               Introduction.member_high_id.in_(ids)))
        return out


def _has_reason(code: str) -> Any:
    """Reasons are stored as JSON text written by ``json.dumps`` on every database, so a code
    reads as ``"code": "<code>"`` (the members' own words inside are escaped, never a match)."""
    return cast(Introduction.reasons, String).like(f'%"code": "{code}"%')


def _at_level(member_id: Any, level: Level) -> Any:
    """The member is at ``level``; a member with no engagement row counts as "not attended"."""
    row = and_(MemberEngagement.member_id == member_id)
    if level == Level.NONE:
        return ~exists().where(row, MemberEngagement.level != Level.NONE)
    return exists().where(row, MemberEngagement.level == level)


def queue_page(session: Session, queue_filter: QueueFilter, page_number: int,
               per_page: int = PER_PAGE) -> Page[Introduction]:
    """One page of the waiting suggestions the filter keeps (requests first, then by score);
    a page past the end shows the last one. The page's members come in one statement per
    side, by primary key (a join in the page's statement would make PostgreSQL's plan depend
    on fresh statistics: with none it loops over every member for every suggestion)."""
    where = queue_filter.conditions()
    total = session.scalar(select(func.count(Introduction.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page_number = min(max(1, page_number), pages)
    items = session.scalars(
        select(Introduction).where(*where)
        .options(selectinload(Introduction.member_low), selectinload(Introduction.member_high))
        .order_by(Introduction.source.desc(), Introduction.score.desc().nulls_last(),
                  Introduction.id)
        .offset((page_number - 1) * per_page).limit(per_page)).all()
    return Page(items=list(items), total=total, page=page_number, per_page=per_page)


def waiting_count(session: Session) -> int:
    """How many suggestions wait for review, whatever the filter."""
    return session.scalar(select(func.count(Introduction.id)).where(
        Introduction.status == IntroductionStatus.SUGGESTED)) or 0
