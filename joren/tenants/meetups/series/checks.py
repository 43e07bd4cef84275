"""What a series or an occurrence may hold: field limits, a valid rule, and a capacity no lower
than the seats already taken. ``SeriesError`` says which rule was broken, and where."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.tenants.meetups.models import (
    ACTIVE,
    SEATED,
    Meetup,
    MeetupSeries,
    Registration,
    Visibility,
)
from joren.tenants.meetups.series import recurrence
from joren.tenants.meetups.series.recurrence import RuleError

MAX_PRICE = 10_000_000
MAX_CAPACITY = 100_000
MAX_DURATION = 24 * 60
MAX_REFUND_CUTOFF_HOURS = 720  # 30 days

_LENGTHS = {"title": 200, "venue_name": 200, "venue_address": 300, "map_url": 500,
            "online_url": 500, "description": 20000}
_URL = re.compile(r"^https?://\S+$")


class SeriesError(ValueError):
    """Input a series or occurrence cannot take; ``code`` says why, ``field`` where."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code if field is None else f"{field}: {code}")
        self.code = code
        self.field = field


def check_fields(fields: dict[str, Any]) -> None:
    if "visibility" in fields:
        try:
            fields["visibility"] = Visibility(fields["visibility"])
        except ValueError as exc:
            raise SeriesError("out_of_range", "visibility") from exc
    for name, limit in _LENGTHS.items():
        value = fields.get(name)
        if value is not None and len(value) > limit:
            raise SeriesError("too_long", name)
    if "title" in fields and not (fields["title"] or "").strip():
        raise SeriesError("required", "title")
    for name in ("map_url", "online_url"):
        if fields.get(name) and not _URL.match(fields[name]):
            raise SeriesError("bad_url", name)
    for name, low, high in (("capacity", 1, MAX_CAPACITY), ("industry_cap", 1, MAX_CAPACITY),
                            ("price", 0, MAX_PRICE), ("member_price", 0, MAX_PRICE),
                            ("refund_cutoff_hours", 0, MAX_REFUND_CUTOFF_HOURS),
                            ("duration_minutes", 5, MAX_DURATION),
                            ("registration_opens_days", 0, 365),
                            ("registration_closes_minutes", 0, 60 * 24 * 30),
                            ("horizon_days", 7, 730)):
        value = fields.get(name)
        if value is not None and not low <= value <= high:
            raise SeriesError("out_of_range", name)
    if (fields.get("member_price") is not None and fields.get("price") is not None
            and fields["member_price"] > fields["price"]):
        raise SeriesError("member_price_above_price", "member_price")
    for day in fields.get("reminder_days") or []:
        if not 0 < day <= 60:
            raise SeriesError("out_of_range", "reminder_days")


def active_counts(session: Session, meetup_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """meetup id → (active registrations, seats taken), in one query."""
    ids = list(meetup_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Registration.meetup_id, func.count(Registration.id),
               func.count(Registration.id).filter(Registration.status.in_(SEATED)))
        .where(Registration.meetup_id.in_(ids), Registration.status.in_(ACTIVE))
        .group_by(Registration.meetup_id)
    )
    return {meetup_id: (active, going) for meetup_id, active, going in rows}


def check_capacity(session: Session, meetups: list[Meetup], capacity: int | None) -> None:
    if capacity is None:
        return
    counts = active_counts(session, [m.id for m in meetups if m.id is not None])
    if any(going > capacity for _, going in counts.values()):
        raise SeriesError("capacity_below_going", "capacity")


def validated_rule(fields: dict[str, Any], series: MeetupSeries | None,
                    timezone: str) -> None:
    rule = fields.get("rrule", series.rrule if series else "")
    start = fields.get("dtstart_local", series.dtstart_local if series else "")
    try:
        start = recurrence.parse_local(start).isoformat()
        fields["dtstart_local"] = start
        fields["rrule"] = recurrence.validate(rule, start, timezone)
    except RuleError as exc:
        raise SeriesError(exc.code, "rrule" if exc.code not in ("bad_start",)
                          else "dtstart_local") from exc
