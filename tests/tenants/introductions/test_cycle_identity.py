"""What one matching cycle suggests is pinned: the same pairs, scores (to 1e-6), confidences
and reasons as the engine gave when the fixture was written (``data/cycle_identity.json.gz``,
by ``cycle_output`` on the code before the engine's CPU work of issue 14, written anew on
main fc8bb68 once the tuning round on seventh.py had changed the tags). A change meant to
make the cycle cheaper must leave these as they are; one meant to change what it suggests
writes the fixture anew and says so.

Two communities of about 1,000 members, seeded: the benchmark's synthetic one with its
history (attendance register, past introductions, meetups together), and the quality
benchmark's, whose texts the vocabulary tags (concepts, boilerplate, decoys). Each is run
twice in one process, so the second cycle reads what the first left in the engine's caches.
Without the trained verifier of tags (``Features(verdicts=None)``): it is a stage of its own,
whose effect on a cycle the tests of ``verifier`` pin (test_verifier.py).
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import suggest

FIXTURE = Path(__file__).parent / "data" / "cycle_identity.json.gz"
CASES = ("synthetic", "quality")


def _inputs(name: str) -> tuple[Features, History]:
    if name == "synthetic":
        from tests.perf.test_matching_perf import community, history

        features = community(1_000, seed=7)
        return features, history(features, seed=8)
    from tests.quality import community as q

    return Features(q.build(1_000, seed=2).profiles, verdicts=None, found=None), History()


def cycle_output(name: str) -> list[list]:
    """One cycle's suggestions as plain data: [a, b, score, confidence, reasons]."""
    features, past = _inputs(name)
    # Built afresh from the profiles, as the job builds them each cycle.
    got = suggest(Features(features.profiles, verdicts=None, found=None), past)
    return [[s.a, s.b, s.score, s.confidence, [[r.code, r.params] for r in s.reasons]]
            for s in got]


def _pinned() -> dict:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _same(got: list[list], want: list[list]) -> None:
    assert [(a, b) for a, b, *_ in got] == [(a, b) for a, b, *_ in want]
    for (a, b, score, sure, reasons), (_a, _b, score0, sure0, reasons0) in zip(
            got, want, strict=True):
        assert math.isclose(score, score0, abs_tol=1e-6), (a, b, score, score0)
        assert (sure is None) == (sure0 is None)
        assert sure is None or math.isclose(sure, sure0, abs_tol=1e-4), (a, b, sure, sure0)
        # Through JSON, as the fixture was written (tuples become lists).
        assert json.loads(json.dumps(reasons, ensure_ascii=False)) == reasons0, (a, b)


@pytest.mark.parametrize("name", CASES)
def test_a_cycle_suggests_what_it_suggested_before(name):
    want = _pinned()[name]
    assert len(want) > 300
    first = cycle_output(name)
    _same(first, want)
    # Again in the same process: whatever the engine kept from the first cycle.
    _same(cycle_output(name), want)
