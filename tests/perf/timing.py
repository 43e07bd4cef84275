"""Shared by the benchmarks: the median of a few timed runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(func: Callable[[], Any], runs: int) -> float:
    """Run ``func`` ``runs`` times and return the median wall-clock time in seconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        times.append(time.perf_counter() - began)
    return statistics.median(times)
