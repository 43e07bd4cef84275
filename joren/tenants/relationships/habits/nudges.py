"""A month after an accepted introduction with no logged contact since: a gentle nudge.

An introduction CONNECTED at least ``NUDGE_AFTER`` ago (and not longer than ``NUDGE_UNTIL``
ago: older connections are left alone), never nudged, with no contact logged by either side
on or after the (local) day of the connection, gets one email to each active side with a
one-click "we have been in touch" link. ``Introduction.nudged_at`` records it, so each
introduction is nudged once; the emails' idempotency keys make a retried job send nothing
twice. Nudges go out only during the community's local daytime (``NUDGE_HOURS``).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from joren.platform.db import utcnow
from joren.platform.i18n import format_local
from joren.platform.identity.community import Community
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import MemberStatus
from joren.platform.urls import external_url
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.relationships.habits import links as habit_links
from joren.tenants.relationships.habits.people import person, public_name, reachable
from joren.tenants.relationships.habits.schedule import local_date
from joren.tenants.relationships.models import Contact

log = logging.getLogger("joren.habits")

NUDGE_TEMPLATE = "relationships/habits/nudge"
NUDGE_CATEGORY = "nudges"
NUDGE_AFTER = timedelta(days=30)
NUDGE_UNTIL = timedelta(days=90)
NUDGE_HOURS = (9, 20)  # local time, [start, end)


def nudge_key(introduction: Introduction, member_id: int) -> str:
    return f"habits:nudge:{introduction.tenant_id}:{introduction.id}:{member_id}"


def due_nudges(session: Session, community: Community, now: datetime) -> list[Introduction]:
    """Connected a month ago or more, never nudged, no contact logged since the connection."""
    local_hour = now.astimezone(community.zone).hour
    if not NUDGE_HOURS[0] <= local_hour < NUDGE_HOURS[1]:
        return []
    introductions = session.scalars(
        select(Introduction)
        .options(selectinload(Introduction.member_low), selectinload(Introduction.member_high))
        .where(Introduction.status == IntroductionStatus.CONNECTED,
               Introduction.nudged_at.is_(None),
               Introduction.connected_at <= now - NUDGE_AFTER,
               Introduction.connected_at > now - NUDGE_UNTIL)
        .order_by(Introduction.connected_at, Introduction.id)
    ).all()
    if not introductions:
        return []
    ids = {i.member_low_id for i in introductions} | {i.member_high_id for i in introductions}
    last: dict[tuple[int, int], date] = {}
    for member_id, other_id, happened in session.execute(
        select(Contact.member_id, Contact.other_id, func.max(Contact.happened_on))
        .where(Contact.member_id.in_(ids), Contact.other_id.in_(ids))
        .group_by(Contact.member_id, Contact.other_id)
    ):
        pair = (min(member_id, other_id), max(member_id, other_id))
        if pair not in last or happened > last[pair]:
            last[pair] = happened
    due = []
    for introduction in introductions:
        since = local_date(introduction.connected_at or now, community)
        latest = last.get((introduction.member_low_id, introduction.member_high_id))
        if latest is None or latest < since:
            due.append(introduction)
    return due


def send_nudges(session: Session, community: Community, now: datetime | None = None) -> int:
    """Queue the nudges due now (once per introduction and side); return how many."""
    now = now or utcnow()
    count = 0
    zone = community.zone
    for introduction in due_nudges(session, community, now):
        sides = (introduction.member_low, introduction.member_high)
        for member, other in (sides, sides[::-1]):
            if not reachable(member) or other.status == MemberStatus.INACTIVE:
                continue
            language = recipient_language(member, community)
            context = {
                "community_name": community.name,
                "member_name": public_name(member) or member.display_name,
                "other": person(other, language, community),
                "connected": format_local(introduction.connected_at or now, zone, language,
                                          habit_links.DAY_FORMATS),
                "log_url": habit_links.talked_url(community, member.id, other.id, None),
                "preferences_url": external_url("community.habits.preferences",
                                                slug=community.slug),
            }
            queue_email(session, to=member.email or "", template=NUDGE_TEMPLATE,
                        context=context, language=language,
                        idempotency_key=nudge_key(introduction, member.id),
                        community_id=community.id, category=NUDGE_CATEGORY)
            count += 1
        introduction.nudged_at = now
    session.flush()
    if count:
        log.info("community %s: %d introduction nudges queued", community.id, count)
    return count
