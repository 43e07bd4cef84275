"""Benchmark (on demand: ``pytest -m perf -s tests/perf/test_matching_quality_perf.py``): the
quality benchmark's community (``tests/quality/community.py``: Japanese and English members,
paraphrased needs, generic-word decoys, good matches known by construction) at 1,000, 5,000
and 100,000 members. One cycle (``suggest``) each: its figures (precision, coverage, decoy-only
share, true reasons, ja↔en pairs), its time and stages; up to 5,000 members also each
member's top five (``rank_among``). Beside them, in the same run, the calibration of the
reason threshold: how many stated directions are true for each ``text_reason``.

Asserts what the engine itself promises — coverage ≥ 95% of the members with a good match,
caps, consent, other companies — and no wall-clock time. ``JOREN_QUALITY_SIZES=1000,5000``
runs fewer sizes.
"""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

from joren.tenants.introductions import matching
from joren.tenants.introductions.features import DEFAULT_WEIGHTS, Features, History
from joren.tenants.introductions.matching import rank_among, suggest
from tests.quality import community as q

pytestmark = pytest.mark.perf

SIZES = [int(s) for s in os.environ.get("JOREN_QUALITY_SIZES", "1000,5000,100000").split(",")]
RANKED_UP_TO = 5_000
THRESHOLDS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


@pytest.mark.parametrize("n", SIZES)
def test_quality_at_size(n: int) -> None:
    built = q.build(n, seed=1)
    clock = matching.StageClock()
    began, cpu = time.perf_counter(), time.process_time()
    found = suggest(Features(built.profiles), History(), clock=clock)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    score = q.score_cycle(built, found, f"quality n={n:,}: one cycle, {wall:.1f} s wall, "
                                        f"{cpu:.1f} s CPU")
    print("\n" + score.lines())
    print("    stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in clock.seconds.items()))
    print("    sizes: " + ", ".join(f"{k} {v:,}" for k, v in clock.sizes.items()))
    if n <= RANKED_UP_TO:
        members = [p.id for p in built.profiles if built.eligible[built.pos(p.id)]]
        ranked = rank_among(Features(built.profiles), History(), members, top=5)
        print(q.score_ranking(built, ranked, 5, f"quality n={n:,}: top five").lines())
        print(_calibration(built))
    assert score["coverage (any suggestion)"] >= 0.95
    assert max(q.suggestion_counts(found).values()) <= 2
    for s in found:
        pa, pb = built.pos(s.a), built.pos(s.b)
        assert built.eligible[pa] and built.eligible[pb]
        assert built.company[pa] != built.company[pb]


def _calibration(built: q.Community) -> str:
    """The share of true stated directions, and how many there are, per threshold."""
    lines = [f"[reason threshold calibration] current text_reason "
             f"{DEFAULT_WEIGHTS.text_reason}"]
    for t in THRESHOLDS:
        weights = dataclasses.replace(DEFAULT_WEIGHTS, text_reason=t)
        found = suggest(Features(built.profiles), History(), weights=weights)
        score = q.score_cycle(built, found)
        lines.append(f"    text_reason {t:4.2f}: true directions "
                     f"{score['true reasons (offer→need)']:.3f} of "
                     f"{score.counts['stated directions']:,}; coverage "
                     f"{score['coverage (any suggestion)']:.3f}; precision "
                     f"{score['precision of the suggestions']:.3f}")
    return "\n".join(lines)
