"""Matching cycles: when a community's cadence is due, and one run of the engine.

A cycle is one row per period (``2026-W48``, ``2026-11``, ``manual-202611270530``), unique
per community, so running a period twice creates nothing new. A run loads the community's
features, asks the engine for a capped allocation of pairs, and puts each in the review queue
(SUGGESTED, source engine, with its score and reasons); with auto-send on, each is approved
at once (pairs that cannot be sent, e.g. one side turned introduction emails off, stay in the
queue for the organizers).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.billing import plans
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id
from joren.tenants.introductions import services
from joren.tenants.introductions.models import (
    Cadence,
    Introduction,
    IntroductionCycle,
    IntroductionSource,
    IntroductionStatus,
    Response,
)

log = logging.getLogger("joren.introductions")

MANUAL_PREFIX = "manual-"
# Biweekly: a daily fan-out may run a few hours late, so 13 days count as two weeks.
BIWEEKLY_GAP = timedelta(days=13)


def week_key(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def due_period(cadence: Cadence | str, now: datetime,
               last_scheduled: datetime | None = None) -> str | None:
    """The period a scheduled cycle should run for now, or None when nothing is due.

    weekly: the ISO week; monthly: the month; biweekly: the ISO week, but only when the last
    scheduled cycle started 13 or more days ago; off: never.
    """
    cadence = Cadence(cadence)
    if cadence == Cadence.WEEKLY:
        return week_key(now)
    if cadence == Cadence.MONTHLY:
        return now.strftime("%Y-%m")
    if cadence == Cadence.BIWEEKLY:
        if last_scheduled is not None and now - last_scheduled < BIWEEKLY_GAP:
            return None
        return week_key(now)
    return None


def manual_period(now: datetime) -> str:
    return MANUAL_PREFIX + now.strftime("%Y%m%d%H%M")


def last_scheduled_starts(session: Session) -> dict[int, datetime]:
    """Per community (session unscoped), when its last scheduled (not manual) cycle started."""
    rows = session.execute(
        select(IntroductionCycle.tenant_id, func.max(IntroductionCycle.started_at))
        .where(~IntroductionCycle.period.startswith(MANUAL_PREFIX))
        .group_by(IntroductionCycle.tenant_id)
    ).all()
    return {tenant_id: started for tenant_id, started in rows if started is not None}


def run_cycle(session: Session, period: str, now: datetime | None = None,
              actor_id: int | None = None) -> IntroductionCycle:
    """Run the engine once for ``period`` (scoped session); a period already run is returned
    as it is, with nothing new created."""
    existing = session.scalar(select(IntroductionCycle).where(IntroductionCycle.period == period))
    if existing is not None:
        return existing
    now = now or utcnow()
    cycle = IntroductionCycle(period=period, started_at=now)
    try:
        with session.begin_nested():
            session.add(cycle)
    except IntegrityError:  # a concurrent run of the same period got there first
        found = session.scalar(select(IntroductionCycle)
                               .where(IntroductionCycle.period == period))
        assert found is not None
        return found
    settings = services.settings_of(session)

    from joren.tenants.introductions import loader, matching, verdicts

    features, history = loader.load(session)
    suggestions = matching.suggest(features, history, cap=settings.per_member_cap)
    if features.verdicts is not None:    # what the engine judged, for the next cycles
        verdicts.prune(session, features.verdicts)
        verdicts.store(session, features.verdicts)
    if features.found is not None:       # what the engine found, for the next cycles
        verdicts.prune_found(session, features.found)
        verdicts.store_found(session, features.found)
    created = _create(session, cycle, suggestions)
    cycle.candidates = int(features.eligible.sum())  # members who consent and are active
    cycle.suggested = created
    cycle.finished_at = utcnow()
    session.flush()
    community = session.get(Community, current_tenant_id(session))
    if settings.auto_send and community is not None and plans.allows(
            community, "auto_introductions", session):
        stored = list(session.scalars(select(Introduction)
                                      .where(Introduction.cycle_id == cycle.id)
                                      .order_by(Introduction.id)))
        sent = _auto_send(session, stored, actor_id, now)
        log.info("cycle %s: %d of %d suggestions sent automatically", period, sent, created)
    log.info("cycle %s: %d suggestions", period, created)
    return cycle


def _create(session: Session, cycle: IntroductionCycle, suggestions: list) -> int:
    """Store the suggestions in one bulk insert (no ORM object per row); pairs already
    introduced are left out. Returns how many were stored."""
    existing = {(low, high) for low, high in session.execute(
        select(Introduction.member_low_id, Introduction.member_high_id))}
    tenant_id = current_tenant_id(session)
    rows: list[dict] = []
    for suggestion in suggestions:
        if suggestion.a == suggestion.b:
            continue
        pair = Introduction.ordered(int(suggestion.a), int(suggestion.b))
        if pair in existing:
            continue
        existing.add(pair)
        rows.append({
            "tenant_id": tenant_id, "member_low_id": pair[0], "member_high_id": pair[1],
            "cycle_id": cycle.id, "source": IntroductionSource.ENGINE,
            "status": IntroductionStatus.SUGGESTED, "score": float(suggestion.score),
            "reasons": services.reasons_json(suggestion.reasons), "message": "",
            "confidence": suggestion.confidence,
            "request_note": "", "low_response": Response.PENDING,
            "high_response": Response.PENDING})
    if rows:
        session.execute(insert(Introduction), rows)
    return len(rows)


def _auto_send(session: Session, introductions: list[Introduction], actor_id: int | None,
               now: datetime) -> int:
    sent = 0
    for introduction in introductions:
        try:
            with session.begin_nested():
                services.approve(session, introduction, actor_id, now=now)
        except services.IntroductionError as exc:
            log.info("introduction %s left for review: %s", introduction.id, exc.code)
            continue
        sent += 1
    return sent

