"""Engagement levels at their boundaries (pure functions over attended/missed sequences)."""

from __future__ import annotations

from joren.tenants.engagement.levels import (
    Level,
    Thresholds,
    classify,
    longest_run,
    summarize,
    trailing_run,
)

T = Thresholds(regular_min=3, regular_window=6, one_time_misses=2, lapsed_misses=3)


def seq(text: str) -> list[bool]:
    """'x' attended, '.' missed, oldest first."""
    return [c == "x" for c in text]


def test_never_attended_is_none():
    assert classify([], T) == Level.NONE
    assert classify(seq("...."), T) == Level.NONE


def test_first_timer_came_once_to_the_latest_meeting():
    assert classify(seq("x"), T) == Level.FIRST_TIMER
    assert classify(seq("....x"), T) == Level.FIRST_TIMER


def test_one_time_after_exactly_n_misses_not_before():
    assert classify(seq("x."), T) == Level.FIRST_TIMER
    assert classify(seq("x.."), T) == Level.ONE_TIME
    assert classify(seq("..x...."), T) == Level.ONE_TIME
    assert classify(seq("x."), Thresholds(one_time_misses=1)) == Level.ONE_TIME


def test_regular_at_exactly_x_of_y_and_returning_at_x_minus_one():
    assert classify(seq("x..x.x"), T) == Level.REGULAR           # 3 of the last 6
    assert classify(seq("xx....x..x.x"), T) == Level.REGULAR     # older ones do not matter
    assert classify(seq("x....x.x"), T) == Level.RETURNING       # 2 of the last 6
    assert classify(seq("xx"), T) == Level.RETURNING
    assert classify(seq("xxx"), T) == Level.REGULAR              # fewer than Y occurrences


def test_window_is_exactly_y_wide():
    # Three attended, but the oldest is 8 back: only 2 of the last 6, yet 3 of the last 8.
    assert classify(seq("x.....xx"), T) == Level.RETURNING
    assert classify(seq("x.....xx"), Thresholds(regular_min=3, regular_window=8)) == Level.REGULAR


def test_lapsed_regular_after_exactly_k_misses():
    assert classify(seq("xxxx.."), T) == Level.REGULAR           # K-1 misses: still regular
    assert classify(seq("xxxx..."), T) == Level.LAPSED_REGULAR   # exactly K
    assert classify(seq("xxxx........"), T) == Level.LAPSED_REGULAR
    # Missed K in a row but never regular: returning, not lapsed.
    assert classify(seq("x.x..."), T) == Level.RETURNING
    # Came back after lapsing: no longer lapsed.
    assert classify(seq("xxxx......x"), T) == Level.RETURNING


def test_streaks_and_rates():
    s = summarize(seq("..xx.xxx.xx"), T)
    assert (s.current_streak, s.longest_streak, s.attended) == (2, 3, 7)
    assert s.occurrences_since_first == 9
    assert abs(s.attendance_rate - 7 / 9) < 1e-9
    assert s.attended_in_window == 5 and s.window_size == 6
    assert summarize([], T).attendance_rate is None
    assert trailing_run(seq("x.."), False) == 2 and longest_run(seq("")) == 0
