"""RFC 5545 recurrence rules in a community's local time, expanded to UTC instants.

Pure functions (no database, no Flask). A rule is expanded in local wall-clock time and each
result is then placed in the zone, so 19:00 stays 19:00 across a DST switch. A local time that
does not exist (spring-forward gap) moves forward by the gap; an ambiguous one (fall-back)
takes the first of the two instants.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

MAX_COUNT = 1000
MAX_INTERVAL = 60
MAX_RULE_LENGTH = 400
# A rule must give a first occurrence within this many years of its start.
FIRST_WITHIN_YEARS = 5
# Never expand more than this many instants in one call.
MAX_EXPANSION = 2000

ALLOWED_FREQS = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}
# Times of day come from the start time; these parts would add several meetups per day.
REFUSED_PARTS = {"BYHOUR", "BYMINUTE", "BYSECOND"}
KNOWN_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYYEARDAY",
               "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"}
_UNTIL_UTC = re.compile(r"^(\d{8})T(\d{6})Z$")
_UNTIL_LOCAL = re.compile(r"^(\d{8})(T\d{6})?$")


_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
# Parts whose value is a list of whole numbers, and the numbers each allows.
_NUMBER_LISTS = {"BYMONTHDAY": (1, 31), "BYSETPOS": (1, 366), "BYMONTH": (1, 12),
                 "BYYEARDAY": (1, 366), "BYWEEKNO": (1, 53)}
_SIGNED = {"BYMONTHDAY", "BYSETPOS", "BYYEARDAY", "BYWEEKNO"}


class RuleError(ValueError):
    """A rule that cannot be used; ``code`` says why and ``part`` which part of the rule
    (``FREQ``, ``BYDAY``, ...) when one is to blame (the views translate both)."""

    def __init__(self, code: str, part: str | None = None) -> None:
        super().__init__(code if part is None else f"{part}: {code}")
        self.code = code
        self.part = part


def _check_byday(value: str, freq: str) -> None:
    """Weekdays (MO ... SU), each with an optional ordinal: ±1–5 in a month, ±1–53 a year."""
    limit = 5 if freq == "MONTHLY" else 53
    for item in value.split(","):
        found = _BYDAY.match(item)
        if found is None or not 1 <= abs(int(found.group(1) or 1)) <= limit:
            raise RuleError("bad_part", "BYDAY")


def _check_list(key: str, value: str, freq: str) -> None:
    """Refuse a BY... part whose values are not what it takes (says which part)."""
    if key == "WKST":
        if value not in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
            raise RuleError("bad_part", key)
        return
    if key == "BYDAY":
        _check_byday(value, freq)
        return
    items = value.split(",")
    low, high = _NUMBER_LISTS[key]
    for item in items:
        number = item[1:] if key in _SIGNED and item[:1] in "+-" else item
        if not number.isdigit() or not low <= int(number) <= high:
            raise RuleError("bad_part", key)


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleError("bad_timezone") from exc


def parse_local(dtstart_local: str) -> datetime:
    """``"YYYY-MM-DDTHH:MM[:SS]"`` to a naive local datetime."""
    try:
        value = datetime.fromisoformat(dtstart_local)
    except (TypeError, ValueError) as exc:
        raise RuleError("bad_start") from exc
    if value.tzinfo is not None:
        raise RuleError("bad_start")
    return value.replace(second=0, microsecond=0)


def to_utc(local: datetime, tz: str) -> datetime:
    """Place a naive local time in ``tz`` (gap → forward, ambiguous → first) and convert."""
    return local.replace(tzinfo=zone(tz), fold=0).astimezone(UTC)


def _parts(text: str) -> dict[str, str]:
    body = (text or "").strip().upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:"):]
    if not body:
        raise RuleError("empty")
    if len(body) > MAX_RULE_LENGTH or "\n" in body or "DTSTART" in body:
        raise RuleError("invalid")
    parts: dict[str, str] = {}
    for item in body.strip(";").split(";"):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise RuleError("syntax", key or None)
        if key in parts:
            raise RuleError("repeated_part", key)
        parts[key] = value
    return parts


def normalise(text: str) -> str:
    """The rule body in canonical form (upper case, no ``RRULE:`` prefix); checks the parts
    but not whether the rule produces dates (see ``validate``)."""
    parts = _parts(text)
    freq = parts.get("FREQ")
    if freq in TOO_FREQUENT:
        raise RuleError("too_frequent")
    if freq not in ALLOWED_FREQS:
        raise RuleError("bad_part", "FREQ")
    if REFUSED_PARTS & parts.keys():
        raise RuleError("too_frequent")
    unknown = sorted(set(parts) - KNOWN_PARTS)
    if unknown:
        raise RuleError("unknown_part", unknown[0])
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("count_and_until")
    for key, limit in (("COUNT", MAX_COUNT), ("INTERVAL", MAX_INTERVAL)):
        if key in parts:
            if not parts[key].isdigit() or int(parts[key]) < 1:
                raise RuleError("bad_part", key)
            if int(parts[key]) > limit:
                raise RuleError("absurd", key)
    if "UNTIL" in parts and not (_UNTIL_UTC.match(parts["UNTIL"])
                                 or _UNTIL_LOCAL.match(parts["UNTIL"])):
        raise RuleError("bad_part", "UNTIL")
    for key in parts.keys() & (set(_NUMBER_LISTS) | {"BYDAY", "WKST"}):
        _check_list(key, parts[key], freq)
    return ";".join(f"{k}={v}" for k, v in parts.items())


def _local_until(value: str, tz: str) -> str:
    """dateutil wants UNTIL naive when DTSTART is naive: turn a UTC UNTIL into local time."""
    match = _UNTIL_UTC.match(value)
    if not match:
        return value
    instant = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S").replace(
        tzinfo=UTC)
    return instant.astimezone(zone(tz)).replace(tzinfo=None).strftime("%Y%m%dT%H%M%S")


def build(text: str, dtstart_local: str, tz: str) -> rrule:
    """A dateutil rule over naive local times (raises RuleError)."""
    parts = _parts(normalise(text))
    if "UNTIL" in parts:
        parts["UNTIL"] = _local_until(parts["UNTIL"], tz)
    start = parse_local(dtstart_local)
    zone(tz)
    try:
        rule = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RuleError("invalid") from exc
    if not isinstance(rule, rrule):
        raise RuleError("invalid")
    return rule


def validate(text: str, dtstart_local: str, tz: str) -> str:
    """Check that a rule is usable and gives a first date soon; return its canonical body."""
    body = normalise(text)
    rule = build(body, dtstart_local, tz)
    start = parse_local(dtstart_local)
    probe = rule.replace(count=None, until=start + timedelta(days=366 * FIRST_WITHIN_YEARS))
    try:
        first = next(iter(probe), None)
    except (ValueError, IndexError, KeyError, OverflowError) as exc:  # dateutil's own limits
        raise RuleError("invalid") from exc
    if first is None:
        raise RuleError("no_dates")
    return body


def expand(text: str, dtstart_local: str, tz: str, after: datetime,
           before: datetime) -> list[datetime]:
    """UTC instants of the rule with ``after <= instant < before`` (both aware, UTC).

    COUNT and UNTIL are honoured from the rule's start, whatever the window.
    """
    rule = build(text, dtstart_local, tz)
    # Local bounds with a day of margin on each side; exact filtering is done in UTC.
    local_after = after.astimezone(zone(tz)).replace(tzinfo=None) - timedelta(days=1)
    local_before = before.astimezone(zone(tz)).replace(tzinfo=None) + timedelta(days=1)
    instants: list[datetime] = []
    for local in rule.xafter(local_after, count=MAX_EXPANSION, inc=True):
        if local >= local_before:
            break
        instant = to_utc(local, tz)
        if after <= instant < before:
            instants.append(instant)
    return instants


def preview(text: str, dtstart_local: str, tz: str, count: int = 5) -> list[datetime]:
    """The first ``count`` occurrences as aware local datetimes (for the editor's preview)."""
    rule = build(text, dtstart_local, tz)
    return [to_utc(local, tz).astimezone(zone(tz)) for local in rule.xafter(
        parse_local(dtstart_local), count=count, inc=True)]


def next_local(text: str, dtstart_local: str, tz: str, after_local: datetime) -> datetime | None:
    """The first local occurrence at or after ``after_local`` (naive), or None."""
    rule = build(text, dtstart_local, tz)
    return next(iter(rule.xafter(after_local, count=1, inc=True)), None)
