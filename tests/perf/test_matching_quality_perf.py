"""Benchmark (on demand: ``pytest -m perf -s tests/perf/test_matching_quality_perf.py``): the
quality benchmark's community (``tests/quality/community.py``: Japanese and English members,
paraphrased needs, generic-word decoys, good matches known by construction) at 1,000, 5,000
and 100,000 members. One cycle (``suggest``) each: its figures (precision, coverage, decoy-only
share, true reasons, ja↔en pairs), its time and stages; the languages (``languages.py``: the
ja↔en share of the good matches that exist and of the good suggestions); up to 5,000 members
also each member's top five (``rank_among``), and the same cycle on the held-out phrasings
with what its reasons say (directions, same field, a word in common) and how true they are.

Asserts what the engine itself promises — coverage ≥ 95% of the members with a good match,
caps, consent, other companies — and no wall-clock time. ``JOREN_QUALITY_SIZES=1000,5000``
runs fewer sizes.
"""

from __future__ import annotations

import collections
import os
import time

import pytest

from joren.tenants.introductions import matching
from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import rank_among, suggest
from tests.quality import community as q
from tests.quality.languages import score_languages

pytestmark = pytest.mark.perf

SIZES = [int(s) for s in os.environ.get("JOREN_QUALITY_SIZES", "1000,5000,100000").split(",")]
RANKED_UP_TO = 5_000


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
    print(score_languages(built, found, f"quality n={n:,}: languages").lines())
    print(_reason_kinds(built, found, "dev phrasings"))
    if n <= RANKED_UP_TO:
        members = [p.id for p in built.profiles if built.eligible[built.pos(p.id)]]
        ranked = rank_among(Features(built.profiles), History(), members, top=5)
        print(q.score_ranking(built, ranked, 5, f"quality n={n:,}: top five").lines())
        held = q.build(n, seed=1, phrasings="held_out")
        held_found = suggest(Features(held.profiles), History())
        print(q.score_cycle(held, held_found, f"quality n={n:,}: held-out phrasings").lines())
        print(score_languages(held, held_found, f"quality n={n:,}: held-out, languages")
              .lines())
        print(_reason_kinds(held, held_found, "held-out phrasings"))
    assert score["coverage (any suggestion)"] >= 0.95
    assert max(q.suggestion_counts(found).values()) <= 2
    for s in found:
        pa, pb = built.pos(s.a), built.pos(s.b)
        assert built.eligible[pa] and built.eligible[pb]
        assert built.company[pa] != built.company[pb]


def _reason_kinds(built: q.Community, found: list, title: str) -> str:
    """How many suggestions carry each kind of text reason, and how many stated directions
    are true by construction."""
    kinds: collections.Counter[str] = collections.Counter()
    for s in found:
        kinds.update({r.code for r in s.reasons})
    score = q.score_cycle(built, found)
    return (f"[reasons, {title}] suggestions with a direction {kinds['offers_for_ask']:,}, "
            f"the same field {kinds['shared_concept']:,}, a word in common "
            f"{kinds['shared_words']:,}, of {len(found):,}; stated directions true "
            f"{score['true reasons (offer→need)']:.3f} of "
            f"{score.counts['stated directions']:,}")
