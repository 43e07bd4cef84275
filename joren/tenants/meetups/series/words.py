"""A recurrence rule in a person's words: 「毎月第2火曜日」, "2nd Tuesday of every month".

Series lists and the builder's preview show these, never the raw ``FREQ=...`` text. Rules the
words cannot say (a week number, a day of the year) read as a custom schedule.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from babel.lists import format_list
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from joren.tenants.meetups.series import recurrence
from joren.tenants.meetups.series.recurrence import RuleError

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NTH = {1: _l("1st"), 2: _l("2nd"), 3: _l("3rd"), 4: _l("4th"), 5: _l("5th"), -1: _l("last")}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_SAYABLE = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST"}
_A_MONDAY = date(2024, 1, 1)


def weekday_name(code: str) -> str:
    return format_date(_A_MONDAY + timedelta(days=WEEKDAYS.index(code)), "EEEE")


def _list(items: list[str]) -> str:
    return format_list(items, locale=get_locale()) if len(items) > 1 else items[0]


def _weekly(parts: dict[str, str], first: date, interval: int) -> str:
    codes = [_BYDAY.match(d).group(2) for d in parts.get("BYDAY", WEEKDAYS[first.weekday()])  # type: ignore[union-attr]
             .split(",")]
    weekdays = _list([weekday_name(c) for c in sorted(set(codes), key=WEEKDAYS.index)])
    if interval == 1:
        return _("Every %(weekdays)s", weekdays=weekdays)
    if interval == 2:
        return _("Every other %(weekdays)s", weekdays=weekdays)
    return _("Every %(n)s weeks on %(weekdays)s", n=interval, weekdays=weekdays)


def _nth_weekdays(parts: dict[str, str]) -> list[str] | None:
    """'1st Tuesday', 'last Friday', ... from BYDAY (with ordinals, or with BYSETPOS)."""
    found = [_BYDAY.match(d) for d in parts["BYDAY"].split(",")]
    if any(m is None for m in found):
        return None
    setpos = [int(p) for p in parts["BYSETPOS"].split(",")] if "BYSETPOS" in parts else None
    pairs: list[tuple[int, str]] = []
    for m in found:
        ordinal, code = m.group(1), m.group(2)  # type: ignore[union-attr]
        if ordinal and setpos is None:
            pairs.append((int(ordinal), code))
        elif not ordinal and setpos is not None and len(found) == 1:
            pairs.extend((n, code) for n in setpos)
        else:
            return None
    if any(n not in NTH for n, _code in pairs):
        return None
    pairs.sort(key=lambda p: (p[0] if p[0] > 0 else 10, WEEKDAYS.index(p[1])))
    return [_("%(nth)s %(weekday)s", nth=NTH[n], weekday=weekday_name(code))
            for n, code in pairs]


def _monthly(parts: dict[str, str], first: date, interval: int) -> str | None:
    if "BYDAY" in parts:
        items = _nth_weekdays(parts)
    else:
        days = [int(d) for d in parts.get("BYMONTHDAY", str(first.day)).split(",")]
        if any(not (d == -1 or 1 <= d <= 31) for d in days):
            return None
        items = [_("the last day") if d == -1 else _("day %(day)s", day=d)
                 for d in sorted(days, key=lambda d: d if d > 0 else 99)]
    if not items:
        return None
    if interval == 1:
        return _("%(days)s of every month", days=_list(items))
    return _("%(days)s of every %(n)s months", days=_list(items), n=interval)


def _ends(parts: dict[str, str], said: str) -> str:
    if "COUNT" in parts:
        return _("%(rule)s, %(count)s times", rule=said, count=int(parts["COUNT"]))
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
        return _("%(rule)s, until %(date)s", rule=said, date=format_date(until, "yyyy/MM/dd"))
    return said


def describe(rule: str, dtstart_local: str) -> str:
    """The rule in words, in the reader's language (never the rule's raw text)."""
    try:
        parts = dict(p.split("=", 1) for p in recurrence.normalise(rule).split(";"))
        first = recurrence.parse_local(dtstart_local).date()
    except (RuleError, ValueError):
        return _("A custom schedule")
    interval = int(parts.get("INTERVAL", "1"))
    said: str | None = None
    if set(parts) <= _SAYABLE:
        if parts["FREQ"] == "WEEKLY" and "BYSETPOS" not in parts and "BYMONTHDAY" not in parts:
            if all(_BYDAY.match(d) and not _BYDAY.match(d).group(1)  # type: ignore[union-attr]
                   for d in parts.get("BYDAY", "MO").split(",")):
                said = _weekly(parts, first, interval)
        elif parts["FREQ"] == "MONTHLY" and not ("BYDAY" in parts and "BYMONTHDAY" in parts):
            said = _monthly(parts, first, interval)
        elif parts["FREQ"] == "DAILY" and len(parts) == 1:
            said = _("Every day")
    return _ends(parts, said) if said else _("A custom schedule")
