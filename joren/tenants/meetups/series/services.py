"""Meetup series and their occurrences: create, edit, materialise, split and cancel.

Occurrences are keyed by ``(series_id, recurrence_id)``; materialising is idempotent and never
touches past, detached or cancelled occurrences.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import (
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Visibility,
)
from joren.tenants.meetups.registrations.emails import notify_cancelled
from joren.tenants.meetups.registrations.series import apply_series_registrations
from joren.tenants.meetups.series import recurrence
from joren.tenants.meetups.series.checks import (
    SeriesError,
    active_counts,
    check_capacity,
    check_fields,
    validated_rule,
)
from joren.tenants.meetups.signals import answers, meetup_cancelled, meetups_kept

# Fields copied from a series to each occurrence it gives.
COPIED = ("title", "description", "venue_name", "venue_address", "map_url", "online_url",
          "capacity", "price", "member_price", "refund_cutoff_hours", "requires_approval",
          "industry_cap")
SERIES_FIELDS = set(COPIED) | {
    "rrule", "dtstart_local", "duration_minutes", "visibility", "registration_opens_days",
    "registration_closes_minutes", "reminder_days", "reminder_morning_of", "horizon_days",
}
# Changing one of these changes when occurrences happen.
TIMING_FIELDS = ("rrule", "dtstart_local", "duration_minutes", "timezone")
OCCURRENCE_FIELDS = set(COPIED) | {"starts_at", "duration_minutes", "is_public",
                                   "registration_opens_at", "registration_closes_at"}
# -- occurrences ----------------------------------------------------------------------------

def _registration_window(series: MeetupSeries, starts_at: datetime) -> tuple[Any, Any]:
    opens = (starts_at - timedelta(days=series.registration_opens_days)
             if series.registration_opens_days is not None else None)
    closes = starts_at - timedelta(minutes=series.registration_closes_minutes or 0)
    return opens, closes


def _apply_series(series: MeetupSeries, meetup: Meetup, starts_at: datetime) -> None:
    """Give an undetached occurrence the series' values and times."""
    for name in COPIED:
        setattr(meetup, name, getattr(series, name))
    meetup.is_public = series.visibility == Visibility.PUBLIC
    meetup.starts_at = starts_at
    meetup.ends_at = starts_at + timedelta(minutes=series.duration_minutes)
    meetup.registration_opens_at, meetup.registration_closes_at = _registration_window(
        series, starts_at)


def _horizon(series: MeetupSeries, now: datetime) -> datetime:
    before = now + timedelta(days=series.horizon_days)
    if series.ends_at is not None:
        before = min(before, series.ends_at)
    return before


def _kept_elsewhere(session: Session, meetup_ids: list[int]) -> set[int]:
    """Occurrences other features keep records of (payments: money), never deleted with a
    meetup (``signals.meetups_kept``)."""
    kept: set[int] = set()
    if meetup_ids:
        for found in answers(meetups_kept, session, meetup_ids=meetup_ids):
            kept |= set(found)
    return kept


def _movable_by_day(session: Session, stale: list[Meetup], zone: Any) -> dict[Any, list[Meetup]]:
    """Occurrences the rule no longer gives, by local day: free to move or delete. Those with
    registrations or records elsewhere stay where they are, detached for the organizer to
    review."""
    counts = active_counts(session, [m.id for m in stale])
    kept = _kept_elsewhere(session, [m.id for m in stale])
    movable: dict[Any, list[Meetup]] = {}
    for m in stale:
        if counts.get(m.id, (0, 0))[0] or m.id in kept:
            m.is_detached = True
            m.needs_review = True
        else:
            movable.setdefault(m.starts_at.astimezone(zone).date(), []).append(m)
    return movable


def materialize_series(session: Session, series: MeetupSeries,
                       now: datetime | None = None) -> list[Meetup]:
    """Create the occurrences the rule gives up to the horizon; return the new ones.

    Idempotent. Future undetached occurrences the rule no longer gives are moved to the new
    date of the same day, or deleted; those with registrations or payments are kept where they are,
    detached from the series and flagged ``needs_review`` for the organizer. Undetached ones
    get the series' current values.
    """
    now = now or utcnow()
    if not series.is_active or not series.rrule:
        return []
    if series.id is not None:
        # The daily job and an organizer's edit may run at once: one waits (PostgreSQL).
        session.execute(select(MeetupSeries.id).where(MeetupSeries.id == series.id)
                        .with_for_update())
    before = _horizon(series, now)
    instants = set(recurrence.expand(series.rrule, series.dtstart_local, series.timezone,
                                     now, before)) if before > now else set()
    future = list(session.scalars(
        select(Meetup).where(Meetup.series_id == series.id, Meetup.starts_at >= now)))
    # Past, detached and cancelled occurrences count as known, so nothing is made twice.
    known = {m.recurrence_id for m in future} | set(session.scalars(
        select(Meetup.recurrence_id).where(Meetup.series_id == series.id,
                                           Meetup.recurrence_id.in_(list(instants)))))
    managed = [m for m in future if not m.is_detached and not m.is_cancelled]
    zone = recurrence.zone(series.timezone)
    movable = _movable_by_day(session, [m for m in managed if m.recurrence_id not in instants],
                              zone)
    for m in managed:
        if m.recurrence_id in instants:
            _apply_series(series, m, m.recurrence_id)  # type: ignore[arg-type]
    created = []
    for instant in sorted(instants - known):
        same_day = movable.get(instant.astimezone(zone).date())
        if same_day:
            moved = same_day.pop()
            moved.recurrence_id = instant
            _apply_series(series, moved, instant)
            continue
        meetup = Meetup(series_id=series.id, recurrence_id=instant)
        _apply_series(series, meetup, instant)
        session.add(meetup)
        created.append(meetup)
    for leftover in movable.values():
        for m in leftover:
            session.delete(m)
    series.materialized_until = max(before, now)
    session.flush()
    for meetup in created:
        apply_series_registrations(session, meetup, now)
    return created


def materialize_community(session: Session, now: datetime | None = None) -> int:
    """Materialise every active series of the session's community; return how many new."""
    now = now or utcnow()
    series_list = session.scalars(select(MeetupSeries).where(
        MeetupSeries.is_active.is_(True), MeetupSeries.rrule != ""))
    return sum(len(materialize_series(session, s, now)) for s in series_list)


# -- series ---------------------------------------------------------------------------------

def create_series(session: Session, community: Community, actor: Member | None,
                  now: datetime | None = None, **fields: Any) -> MeetupSeries:
    """A new series in the community's timezone, materialised at once."""
    unknown = set(fields) - SERIES_FIELDS
    if unknown:
        raise TypeError(f"unknown series fields: {sorted(unknown)}")
    check_fields(fields)
    if not fields.get("title"):
        raise SeriesError("required", "title")
    validated_rule(fields, None, community.timezone)
    series = MeetupSeries(timezone=community.timezone, **fields)
    session.add(series)
    session.flush()
    materialize_series(session, series, now)
    return series


def update_series(session: Session, series: MeetupSeries, actor: Member | None,
                  now: datetime | None = None, **fields: Any) -> MeetupSeries:
    """Change a series; its future undetached occurrences follow (see materialize_series)."""
    now = now or utcnow()
    unknown = set(fields) - SERIES_FIELDS
    if unknown:
        raise TypeError(f"unknown series fields: {sorted(unknown)}")
    check_fields(fields)
    if "rrule" in fields or "dtstart_local" in fields:
        validated_rule(fields, series, series.timezone)
    if fields.get("capacity") is not None:
        check_capacity(session, list(session.scalars(select(Meetup).where(
            Meetup.series_id == series.id, Meetup.starts_at >= now,
            Meetup.is_detached.is_(False)))), fields["capacity"])
    for name, value in fields.items():
        setattr(series, name, value)
    session.flush()
    materialize_series(session, series, now)
    return series


def create_one_off(session: Session, community: Community, actor: Member | None, *,
                   title: str, starts_at: datetime, duration_minutes: int = 120,
                   registration_opens_days: int | None = None,
                   registration_closes_minutes: int = 0, **fields: Any) -> Meetup:
    """A single meetup that belongs to no series."""
    unknown = set(fields) - (OCCURRENCE_FIELDS - {"starts_at", "duration_minutes"})
    if unknown:
        raise TypeError(f"unknown meetup fields: {sorted(unknown)}")
    check_fields({"title": title, "duration_minutes": duration_minutes,
                   "registration_opens_days": registration_opens_days,
                   "registration_closes_minutes": registration_closes_minutes, **fields})
    if starts_at.tzinfo is None:
        raise SeriesError("bad_start", "starts_at")
    meetup = Meetup(title=title.strip(), starts_at=starts_at.astimezone(UTC),
                    ends_at=starts_at.astimezone(UTC) + timedelta(minutes=duration_minutes),
                    **fields)
    meetup.registration_opens_at = (
        starts_at - timedelta(days=registration_opens_days)
        if registration_opens_days is not None else None)
    meetup.registration_closes_at = starts_at - timedelta(minutes=registration_closes_minutes)
    session.add(meetup)
    session.flush()
    return meetup


# -- one occurrence -------------------------------------------------------------------------

def _edit_this(session: Session, meetup: Meetup, fields: dict[str, Any]) -> Meetup:
    if fields.get("capacity") is not None:
        check_capacity(session, [meetup], fields["capacity"])
    duration = fields.pop("duration_minutes", None)
    if duration is None:
        duration = int((meetup.ends_at - meetup.starts_at).total_seconds() // 60)
    new_start = fields.pop("starts_at", meetup.starts_at)
    shift = new_start - meetup.starts_at
    for name, value in fields.items():
        setattr(meetup, name, value)
    if shift and "registration_opens_at" not in fields and meetup.registration_opens_at:
        meetup.registration_opens_at += shift
    if shift and "registration_closes_at" not in fields and meetup.registration_closes_at:
        meetup.registration_closes_at += shift
    meetup.starts_at = new_start
    meetup.ends_at = new_start + timedelta(minutes=duration)
    meetup.is_detached = True
    meetup.needs_review = False
    session.flush()
    return meetup


def _rule_until(rule: str, until: datetime) -> str:
    parts = [p for p in rule.split(";") if not p.startswith(("COUNT=", "UNTIL="))]
    return ";".join([*parts, "UNTIL=" + until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")])


def _remaining_rule(series: MeetupSeries, split: datetime) -> str:
    """The rule for the new series starting at ``split``: a COUNT shrinks by what was used."""
    parts = dict(p.split("=", 1) for p in series.rrule.split(";"))
    if "COUNT" in parts:
        first = recurrence.to_utc(recurrence.parse_local(series.dtstart_local), series.timezone)
        used = len(recurrence.expand(series.rrule, series.dtstart_local, series.timezone,
                                     first, split))
        parts["COUNT"] = str(max(int(parts["COUNT"]) - used, 1))
    return ";".join(f"{k}={v}" for k, v in parts.items())


def _split(session: Session, meetup: Meetup, actor: Member | None, now: datetime,
           fields: dict[str, Any]) -> Meetup:
    """End the series before ``meetup`` and continue it as a new series with new values."""
    old: MeetupSeries = meetup.series  # type: ignore[assignment]
    split = meetup.recurrence_id or meetup.starts_at
    zone = recurrence.zone(old.timezone)
    new_start = fields.pop("starts_at", meetup.starts_at)
    values: dict[str, Any] = {name: getattr(old, name) for name in SERIES_FIELDS}
    values["reminder_days"] = list(old.reminder_days or [])
    values["visibility"] = old.visibility
    values["rrule"] = _remaining_rule(old, split)
    values["dtstart_local"] = new_start.astimezone(zone).replace(tzinfo=None).isoformat()
    if "is_public" in fields:
        values["visibility"] = Visibility.PUBLIC if fields.pop("is_public") else Visibility.MEMBERS
    fields.pop("registration_opens_at", None)
    fields.pop("registration_closes_at", None)
    values.update(fields)
    check_fields(values)
    validated_rule(values, None, old.timezone)
    following = list(session.scalars(select(Meetup).where(
        Meetup.series_id == old.id, Meetup.recurrence_id >= split,
        Meetup.is_detached.is_(False))))
    if values.get("capacity") is not None:
        check_capacity(session, following, values["capacity"])
    old.rrule = _rule_until(old.rrule, split - timedelta(seconds=1))
    old.ends_at = split
    new = MeetupSeries(timezone=old.timezone, **values)
    session.add(new)
    session.flush()
    for m in following:
        m.series_id = new.id
        m.series = new
    # The edited occurrence is the new series' first: it moves even with registrations.
    first = new_start.astimezone(UTC)
    for m in following:
        if m is not meetup and m.recurrence_id == first:
            m.recurrence_id = None  # no longer given by the rule: materialising settles it
    meetup.recurrence_id = meetup.starts_at = first
    session.flush()
    materialize_series(session, new, now)
    materialize_series(session, old, now)
    session.refresh(meetup)
    return meetup


def edit_occurrence(session: Session, meetup: Meetup, actor: Member | None,
                    scope: str = "this", now: datetime | None = None,
                    **fields: Any) -> Meetup:
    """Edit one occurrence ("this": it is detached) or split the series ("following")."""
    now = now or utcnow()
    unknown = set(fields) - OCCURRENCE_FIELDS
    if unknown:
        raise TypeError(f"unknown meetup fields: {sorted(unknown)}")
    if meetup.is_cancelled:
        raise SeriesError("cancelled")
    check_fields(fields)
    if "starts_at" in fields and fields["starts_at"].tzinfo is None:
        raise SeriesError("bad_start", "starts_at")
    if scope == "following":
        if meetup.series_id is None or meetup.is_detached:
            raise SeriesError("not_in_series")
        return _split(session, meetup, actor, now, fields)
    if scope != "this":
        raise SeriesError("bad_scope")
    return _edit_this(session, meetup, fields)


def cancel_occurrence(session: Session, meetup: Meetup, actor: Member | None) -> Meetup:
    """Cancel one occurrence (kept, so the series does not make it again); tell registrants."""
    if meetup.is_cancelled:
        return meetup
    meetup.status = MeetupStatus.CANCELLED
    meetup.is_detached = True
    meetup.needs_review = False
    session.flush()
    notify_cancelled(session, meetup)
    meetup_cancelled.send(session, meetup_id=meetup.id,
                          actor_id=actor.id if actor is not None else None)
    return meetup


def end_series(session: Session, series: MeetupSeries, actor: Member | None,
               now: datetime | None = None) -> MeetupSeries:
    """Stop a series: no new occurrences; future undetached ones without registrations go."""
    now = now or utcnow()
    series.ends_at = now
    materialize_series(session, series, now)
    series.is_active = False
    session.flush()
    return series
