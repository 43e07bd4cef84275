"""Keeping the analytics rollups current: a full rebuild, an update for a few members, and a
refresh that rebuilds only when the rollups no longer describe the register.

The contract: the rollups are right for the *layout* recorded with them — the counted
occurrences (their ids, order, starts and ends, which had ended), the thresholds and the
community's zone — and for every member's attendance and going registrations at those
occurrences. Changes to a member's attendance reach them through ``update_members`` (the
engagement job run after each change of the register, the CSV import's full recompute); a
meetup that starts or ends, is cancelled or moved, new thresholds or a new zone change the
layout, which the page sees (``read.current_rollups``): it then shows figures computed from the
register and asks for a ``refresh``. The nightly engagement recompute rebuilds everything.

Writers lock the community's state row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
has one writer at a time), so updates by difference never interleave with each other or with
a rebuild.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id
from joren.tenants.engagement.levels import Thresholds
from joren.tenants.engagement.rollups.models import (
    CohortRollup,
    MeetupRollup,
    MemberRollup,
    RollupState,
)
from joren.tenants.engagement.rollups.source import (
    COUNTERS,
    Contribution,
    Occurrence,
    contributions,
    counted_occurrences,
)
from joren.tenants.engagement.services import thresholds
from joren.tenants.meetups.models import Attendance, Registration, RegistrationStatus


def community_zone(session: Session) -> ZoneInfo:
    community = session.get(Community, current_tenant_id(session))
    assert community is not None
    return community.zone


def layout(occs: list[Occurrence], now: datetime) -> list[tuple]:  # type: ignore[type-arg]
    """(meetup id, position, starts, ends, ended) of each counted occurrence: what the
    rollups must have been built for to be right at ``now``."""
    return [(o.id, n, o.starts_at, o.ends_at, o.ends_at <= now)
            for n, o in enumerate(occs, start=1)]


def state_matches(state: RollupState | None, t: Thresholds, zone: ZoneInfo,
                  occurrences: int) -> bool:
    return (state is not None and state.regular_min == t.regular_min
            and state.regular_window == t.regular_window and state.zone == zone.key
            and state.occurrences == occurrences)


def _lock(session: Session) -> RollupState | None:
    return session.scalar(select(RollupState).with_for_update())


def _is_current(session: Session, state: RollupState | None, occs: list[Occurrence],
                t: Thresholds, zone: ZoneInfo, now: datetime) -> bool:
    if not state_matches(state, t, zone, len(occs)):
        return False
    stored = session.execute(
        select(MeetupRollup.meetup_id, MeetupRollup.position, MeetupRollup.starts_at,
               MeetupRollup.ends_at, MeetupRollup.ended).order_by(MeetupRollup.position)).all()
    return [tuple(row) for row in stored] == layout(occs, now)


def rebuild(session: Session, now: datetime | None = None) -> int:
    """Rebuild the community's rollups from the register; return how many members count."""
    now = now or utcnow()
    tenant_id = current_tenant_id(session)
    t, zone = thresholds(session), community_zone(session)
    state = _lock(session)
    occs = counted_occurrences(session, now)
    ended = {o.id for o in occs if o.ends_at <= now}
    found = contributions(session, occs, ended, t, zone)
    counters: dict[int, Counter[str]] = defaultdict(Counter)
    cells: Counter[tuple[int, int]] = Counter()
    for c in found.values():
        _add(counters, cells, c, 1)
    for model in (MeetupRollup, MemberRollup, CohortRollup):
        session.execute(delete(model))
    if occs:
        session.execute(insert(MeetupRollup), [
            {"tenant_id": tenant_id, "meetup_id": meetup_id, "position": position,
             "starts_at": starts_at, "ends_at": ends_at, "ended": is_ended,
             **{name: counters[meetup_id][name] for name in COUNTERS}}
            for meetup_id, position, starts_at, ends_at, is_ended in layout(occs, now)])
    if found:
        session.execute(insert(MemberRollup), [
            {"tenant_id": tenant_id, **_member_values(c)} for c in found.values()])
    if cells:
        session.execute(insert(CohortRollup), [
            {"tenant_id": tenant_id, "first_month": fm, "month": m, "people": n}
            for (fm, m), n in sorted(cells.items())])
    if state is None:
        state = RollupState(regular_min=0, regular_window=0, zone="")
        session.add(state)
    state.regular_min, state.regular_window = t.regular_min, t.regular_window
    state.zone, state.occurrences = zone.key, len(occs)
    state.built_at = state.updated_at = now
    session.flush()
    return len(found)


def refresh(session: Session, now: datetime | None = None) -> bool:
    """Bring the rollups in line with the register's layout: by advancing them when meetups
    only started or ended after the ones they count, else by a rebuild. True when anything
    had to change."""
    now = now or utcnow()
    t, zone = thresholds(session), community_zone(session)
    state = _lock(session)
    occs = counted_occurrences(session, now)
    if _is_current(session, state, occs, t, zone, now):
        return False
    if not _advance(session, state, occs, t, zone, now):
        rebuild(session, now)
    return True


def update_members(session: Session, member_ids: Iterable[int],
                   now: datetime | None = None) -> None:
    """Bring the rollups up to date after these members' attendance or registrations changed:
    by difference when the layout still fits (advanced first if meetups started or ended
    since), else by a rebuild."""
    now = now or utcnow()
    t, zone = thresholds(session), community_zone(session)
    state = _lock(session)
    occs = counted_occurrences(session, now)
    if not (_is_current(session, state, occs, t, zone, now)
            or _advance(session, state, occs, t, zone, now)):
        rebuild(session, now)
        return
    assert state is not None
    _by_difference(session, occs, t, zone, member_ids, now)
    state.updated_at = now
    session.flush()


def _advance(session: Session, state: RollupState | None, occs: list[Occurrence],
             t: Thresholds, zone: ZoneInfo, now: datetime) -> bool:
    """Meetups that started after every counted one, or counted ones that have ended since:
    add them and update only the people they concern. False (nothing done) when the layout
    changed otherwise (a meetup cancelled, moved or added in the past, new thresholds)."""
    if state is None or not state_matches(state, t, zone, state.occurrences):
        return False
    stored = [tuple(row) for row in session.execute(
        select(MeetupRollup.meetup_id, MeetupRollup.position, MeetupRollup.starts_at,
               MeetupRollup.ends_at, MeetupRollup.ended).order_by(MeetupRollup.position))]
    target = layout(occs, now)
    if len(stored) != state.occurrences or len(stored) > len(target):
        return False
    if any(old[:4] != new[:4] or old[4] > new[4] for old, new in zip(stored, target,
                                                                     strict=False)):
        return False
    started = target[len(stored):]
    ended = [new[0] for old, new in zip(stored, target, strict=False) if new[4] and not old[4]]
    if started:
        session.execute(insert(MeetupRollup), [
            {"tenant_id": current_tenant_id(session), "meetup_id": meetup_id,
             "position": position, "starts_at": starts_at, "ends_at": ends_at,
             "ended": is_ended, **dict.fromkeys(COUNTERS, 0)}
            for meetup_id, position, starts_at, ends_at, is_ended in started])
    if ended:
        session.execute(update(MeetupRollup).where(MeetupRollup.meetup_id.in_(ended))
                        .values(ended=True))
    concerned = _concerned(session, [row[0] for row in started],
                           ended + [row[0] for row in started if row[4]])
    state.occurrences = len(occs)
    _by_difference(session, occs, t, zone, concerned, now)
    state.updated_at = now
    session.flush()
    return True


def _concerned(session: Session, started: list[int], ended: list[int]) -> set[int]:
    """Who has a mark at a meetup that started, or was going to one that ended."""
    found: set[int] = set()
    if started:
        found.update(session.scalars(select(Attendance.member_id).where(
            Attendance.meetup_id.in_(started)).distinct()))
    if ended:
        found.update(session.scalars(select(Registration.member_id).where(
            Registration.meetup_id.in_(ended),
            Registration.status == RegistrationStatus.GOING).distinct()))
    return found


def _by_difference(session: Session, occs: list[Occurrence], t: Thresholds, zone: ZoneInfo,
                   member_ids: Iterable[int], now: datetime) -> None:
    ids = sorted(set(member_ids))
    if not ids:
        return
    ended = {o.id for o in occs if o.ends_at <= now}
    new = contributions(session, occs, ended, t, zone, ids)
    old = {row.member_id: row for row in session.scalars(
        select(MemberRollup).where(MemberRollup.member_id.in_(ids)))}
    counters: dict[int, Counter[str]] = defaultdict(Counter)
    cells: Counter[tuple[int, int]] = Counter()
    for member_id in ids:
        row = old.get(member_id)
        if row is not None:
            _add(counters, cells, _stored(row), -1)
        c = new.get(member_id)
        if c is not None:
            _add(counters, cells, c, 1)
        _save_member(session, row, c)
    _apply(session, counters, cells)


def _add(counters: dict[int, Counter[str]], cells: Counter[tuple[int, int]], c: Contribution,
         sign: int) -> None:
    for name, meetup_ids in c.meetups.items():
        for meetup_id in meetup_ids:
            counters[meetup_id][name] += sign
    for cell in c.cells():
        cells[cell] += sign


def _member_values(c: Contribution) -> dict:  # type: ignore[type-arg]
    return {"member_id": c.member_id, "first_at": c.first_at, "first_month": c.first_month,
            "first_position": c.first_position, "second_position": c.second_position,
            "first_walk_in": c.first_walk_in, "contribution": c.as_json()}


def _stored(row: MemberRollup) -> Contribution:
    data = row.contribution or {}
    return Contribution(row.member_id, first_month=row.first_month,
                        meetups={k: list(v) for k, v in data.get("meetups", {}).items()},
                        months=list(data.get("months", [])))


def _save_member(session: Session, row: MemberRollup | None, c: Contribution | None) -> None:
    if c is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(MemberRollup(**_member_values(c)))
        return
    for key, value in _member_values(c).items():
        setattr(row, key, value)


def _apply(session: Session, counters: dict[int, Counter[str]],
           cells: Counter[tuple[int, int]]) -> None:
    for meetup_id, delta in sorted(counters.items()):
        changes = {name: getattr(MeetupRollup, name) + n for name, n in delta.items() if n}
        if changes:
            session.execute(update(MeetupRollup).where(MeetupRollup.meetup_id == meetup_id)
                            .values(changes))
    changed = {cell: n for cell, n in cells.items() if n}
    if not changed:
        return
    existing = {(row.first_month, row.month): row for row in session.scalars(
        select(CohortRollup).where(CohortRollup.first_month.in_({fm for fm, _m in changed})))}
    for (fm, m), n in sorted(changed.items()):
        row = existing.get((fm, m))
        if row is None:
            session.add(CohortRollup(first_month=fm, month=m, people=n))
        elif row.people + n:
            row.people += n
        else:
            session.delete(row)
