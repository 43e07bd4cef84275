"""The tests' clock (time-machine): a frozen instant for tests whose result depends on the
date, and an optional travel of the whole run to another date.

``JOREN_TEST_TODAY`` moves the clock of the whole run (ticking, so timeouts and waits behave)
to an awkward moment, to prove that no test depends on the day it runs::

    JOREN_TEST_TODAY=2028-02-29T12:00+09:00 make test    # 29 February
    JOREN_TEST_TODAY=2027-12-31T23:30+09:00 make test    # half an hour before the new year
    JOREN_TEST_TODAY=2028-01-01T00:30+09:00 make test    # new year in Tokyo, 2027 in UTC
    JOREN_TEST_TODAY=2027-03-31 make test                # a date alone: 12:00 in Tokyo

A naive time is read in Asia/Tokyo, the zone of the test communities. The ``clock`` fixture
freezes at that moment too, or at ``FROZEN_AT`` when the variable is not set. Only this
process travels: subprocesses, Redis and Chromium keep the real clock (see ``real_clock``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

TOKYO = ZoneInfo("Asia/Tokyo")
ENV = "JOREN_TEST_TODAY"
# A plain weekday in the middle of a month, far from any month, year or DST boundary.
FROZEN_AT = datetime(2026, 6, 10, 10, 0, tzinfo=TOKYO)


def requested_moment() -> datetime | None:
    """The moment ``JOREN_TEST_TODAY`` asks for, aware; None when it is not set."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    if "T" not in raw and " " not in raw:
        return datetime.combine(date.fromisoformat(raw), time(12, 0), TOKYO)
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)


class RunTravel:
    """The whole run on another date, ticking. ``pause()``/``resume()`` give a test the real
    clock (for tests whose other processes, such as RQ workers started as subprocesses, read
    the real clock) and keep the travelled date's offset."""

    def __init__(self, destination: datetime) -> None:
        self.offset = destination - datetime.now(UTC)
        self._travel: time_machine.travel | None = None

    def start(self) -> None:
        self._travel = time_machine.travel(datetime.now(UTC) + self.offset, tick=True)
        self._travel.start()

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = None

    pause = stop
    resume = start


@dataclass
class Clock:
    """A frozen clock for one test: ``now()``/``today()`` read it, ``shift()`` moves it."""

    traveller: time_machine.Traveller

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, zone: ZoneInfo = TOKYO) -> date:
        """Today's date where the community is (Asia/Tokyo unless told)."""
        return self.now().astimezone(zone).date()

    def shift(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move the clock by ``delta`` (or ``timedelta(**parts)``); return the new now."""
        self.traveller.shift(delta if delta is not None else timedelta(**parts))
        return self.now()

    def move_to(self, moment: datetime) -> None:
        self.traveller.move_to(moment, tick=False)


def today_in_tokyo() -> date:
    """Today where the test communities are: the date their forms and periods are read in."""
    return datetime.now(TOKYO).date()


def frozen_moment() -> datetime:
    return requested_moment() or FROZEN_AT
