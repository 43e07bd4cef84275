"""Where the community's members stand now, from their stored engagement figures: how many
at each level, the lapsed regulars worth a "we miss you", the regulars' industries. One
statement each (part of the analytics dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement

LAPSED_SHOWN = 25  # lapsed regulars shown a page at a time
INDUSTRY_ROW = "industry"


@dataclass(frozen=True)
class Lapsed:
    member: Member
    last_attended_at: datetime | None
    attended_count: int
    longest_streak: int


def level_counts(session: Session) -> dict[Level, int]:
    rows = session.execute(select(MemberEngagement.level, func.count())
                           .group_by(MemberEngagement.level))
    counts = dict.fromkeys(Level, 0)
    counts.update({level: n for level, n in rows})
    return counts


def levels_and_industries(session: Session) -> tuple[dict[Level, int], list[tuple[str, int]]]:
    """``level_counts`` and ``regular_industries`` in one statement (each part on its index)."""
    industries = (
        select(literal(INDUSTRY_ROW).label("kind"), Member.industry_code, func.count())
        .join(MemberEngagement, and_(MemberEngagement.tenant_id == Member.tenant_id,
                                     MemberEngagement.member_id == Member.id))
        .where(MemberEngagement.level == Level.REGULAR)
        .group_by(Member.industry_code))
    levels = (select(MemberEngagement.level, literal(None), func.count())
              .group_by(MemberEngagement.level))
    counts = dict.fromkeys(Level, 0)
    regulars = []
    for kind, code, n in session.execute(union_all(industries, levels)):
        if kind == INDUSTRY_ROW:
            regulars.append((code or "", n))
        else:
            counts[Level(kind)] = n
    return counts, sorted(regulars, key=lambda item: (-item[1], item[0]))


def lapsed_regulars(session: Session, limit: int = LAPSED_SHOWN,
                    offset: int = 0) -> tuple[list[Lapsed], int]:
    """Lapsed regulars who are still in the community, most recently seen first (they are
    the likeliest to come back; ``limit`` of them from ``offset``), and how many there are in
    all (0 when ``offset`` is past the end)."""
    # The page's ids and the total in one narrow pass (a window over every lapsed regular,
    # counted before the limit); the wide member rows are read for the page alone.
    order = (MemberEngagement.last_attended_at.desc(), Member.family_name_kana,
             Member.given_name_kana, Member.id)
    listed = (
        select(Member.id.label("member_id"), func.count().over().label("total"),
               func.row_number().over(order_by=order).label("position"))
        .join(MemberEngagement, and_(MemberEngagement.tenant_id == Member.tenant_id,
                                     MemberEngagement.member_id == Member.id))
        .where(MemberEngagement.level == Level.LAPSED_REGULAR,
               Member.status != MemberStatus.INACTIVE)
        .order_by(*order).limit(limit).offset(offset).subquery("listed"))
    rows = session.execute(
        select(Member, MemberEngagement.last_attended_at, MemberEngagement.attended_count,
               MemberEngagement.longest_streak, listed.c.total)
        .join(listed, listed.c.member_id == Member.id)
        .join(MemberEngagement, and_(MemberEngagement.tenant_id == Member.tenant_id,
                                     MemberEngagement.member_id == Member.id))
        .order_by(listed.c.position)).unique().all()
    return [Lapsed(*row[:4]) for row in rows], (rows[0][4] if rows else 0)


def regular_industries(session: Session) -> list[tuple[str, int]]:
    """(JSIC division code, or "" when not given; how many current regulars), largest first."""
    rows = session.execute(
        select(Member.industry_code, func.count())
        .join(MemberEngagement, and_(MemberEngagement.tenant_id == Member.tenant_id,
                                     MemberEngagement.member_id == Member.id))
        .where(MemberEngagement.level == Level.REGULAR)
        .group_by(Member.industry_code))
    return sorted(((code or "", n) for code, n in rows), key=lambda item: (-item[1], item[0]))
