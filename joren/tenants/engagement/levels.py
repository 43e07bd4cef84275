"""Engagement levels from one member's attendance sequence: pure functions, no database.

A member's *sequence* is one bool per counted occurrence of the community, oldest first:
True when they attended (present, late, walk-in), False when they missed it. Occurrences the
member was excused from are left out of their sequence, so an excuse neither helps nor hurts.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class Level(enum.StrEnum):
    NONE = "none"
    FIRST_TIMER = "first_timer"
    ONE_TIME = "one_time"
    RETURNING = "returning"
    REGULAR = "regular"
    LAPSED_REGULAR = "lapsed_regular"


@dataclass(frozen=True)
class Thresholds:
    """Regular: at least ``regular_min`` of the last ``regular_window`` occurrences.
    One-time: came once, then missed ``one_time_misses`` meetings. Lapsed regular: was
    regular, then missed the last ``lapsed_misses`` in a row."""

    regular_min: int = 3
    regular_window: int = 6
    one_time_misses: int = 2
    lapsed_misses: int = 3


DEFAULTS = Thresholds()


def trailing_run(seq: Sequence[bool], value: bool) -> int:
    """How many entries at the end of ``seq`` equal ``value``."""
    run = 0
    for item in reversed(seq):
        if item != value:
            break
        run += 1
    return run


def longest_run(seq: Sequence[bool]) -> int:
    best = run = 0
    for item in seq:
        run = run + 1 if item else 0
        best = max(best, run)
    return best


def window_counts(seq: Sequence[bool], window: int) -> list[int]:
    """Attended count in the ``window`` entries ending at each position (a running sum)."""
    counts: list[int] = []
    total = 0
    for i, item in enumerate(seq):
        total += item
        if i >= window:
            total -= seq[i - window]
        counts.append(total)
    return counts


def is_regular_now(seq: Sequence[bool], t: Thresholds) -> bool:
    return sum(seq[-t.regular_window:]) >= t.regular_min if seq else False


def was_ever_regular(seq: Sequence[bool], t: Thresholds) -> bool:
    return any(c >= t.regular_min for c in window_counts(seq, t.regular_window))


def classify(seq: Sequence[bool], t: Thresholds = DEFAULTS) -> Level:
    """The member's level from their sequence (see the module docstring)."""
    attended = sum(seq)
    if attended == 0:
        return Level.NONE
    if attended == 1:
        # Came once: still a first-timer until they have missed the next N meetings.
        return Level.ONE_TIME if trailing_run(seq, False) >= t.one_time_misses \
            else Level.FIRST_TIMER
    if trailing_run(seq, False) >= t.lapsed_misses and was_ever_regular(seq, t):
        return Level.LAPSED_REGULAR
    if is_regular_now(seq, t):
        return Level.REGULAR
    return Level.RETURNING


@dataclass(frozen=True)
class Summary:
    level: Level
    attended: int
    current_streak: int
    longest_streak: int
    occurrences_since_first: int
    attended_in_window: int
    window_size: int

    @property
    def attendance_rate(self) -> float | None:
        if not self.occurrences_since_first:
            return None
        return self.attended / self.occurrences_since_first


def summarize(seq: Sequence[bool], t: Thresholds = DEFAULTS) -> Summary:
    """Level, streaks and counts for one sequence."""
    first = next((i for i, item in enumerate(seq) if item), None)
    window = seq[-t.regular_window:]
    return Summary(
        level=classify(seq, t),
        attended=sum(seq),
        current_streak=trailing_run(seq, True),
        longest_streak=longest_run(seq),
        occurrences_since_first=0 if first is None else len(seq) - first,
        attended_in_window=sum(window),
        window_size=len(window),
    )
