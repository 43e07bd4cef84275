"""Benchmark (on demand: ``pytest -m perf -s tests/perf/test_vocabulary_perf.py``): finding the
vocabulary's cues in the quality benchmark's offers and needs (``vocabulary.tag``, both sides;
``vocabulary.matches``, both sides), against a baseline measured in the same run on the same
texts: NFKC and lower case of the joined texts, the one step every reading of them must take.

Prints CPU seconds (the machine may be shared: wall time overstates) and the ratios to the
baseline. ``JOREN_VOCABULARY_SIZES=20000,100000`` sets the numbers of members."""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Callable

import pytest

from joren.tenants.members import vocabulary
from tests.quality import community as q

pytestmark = pytest.mark.perf

SIZES = [int(s) for s in os.environ.get("JOREN_VOCABULARY_SIZES", "20000,100000").split(",")]


def _cpu(work: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.process_time()
        work()
        best = min(best, time.process_time() - began)
    return best


@pytest.mark.parametrize("n", SIZES)
def test_cue_finding_cpu(n: int) -> None:
    built = q.build(n, seed=1, phrasings="dev")
    offers = ["\n".join(p.offers) for p in built.profiles]
    asks = ["\n".join(p.asks) for p in built.profiles]
    for side in vocabulary.SIDES:
        vocabulary.tag(["x"], side)          # the scanners are built once, outside the timing
    baseline = _cpu(lambda: [unicodedata.normalize("NFKC", "\x00".join(t)).lower()
                             for t in (offers, asks)])
    tag = _cpu(lambda: (vocabulary.tag(offers, "offer"), vocabulary.tag(asks, "need")))
    found = _cpu(lambda: (vocabulary.matches(offers, "offer"), vocabulary.matches(asks, "need")))
    tagged = vocabulary.tag(asks, "need")
    print(f"\nvocabulary, {n:,} members ({len(offers) + len(asks):,} texts): "
          f"baseline (NFKC, lower) {baseline:.3f} s CPU; tag {tag:.3f} s "
          f"({tag / baseline:.1f}x); matches {found:.3f} s ({found / baseline:.1f}x)")
    assert tagged.shape == (n, len(vocabulary.codes())) and tagged.nnz > 0
