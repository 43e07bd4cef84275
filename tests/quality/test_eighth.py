"""``eighth.py``, the eighth phrasing set, as a test sees it: shaped like ``catalogue`` (same
topic keys in the same order, same industry letters, no field with fewer sentences, enough
generic and homograph sentences) and at least as full as ``seventh`` field by field, made of
its own sentences (none word for word in ``catalogue``, ``held_out``, ``fresh``, ``unseen``,
``novel``, ``distinct`` or ``seventh``, none twice), usable (a community built with
``phrasings="eighth"`` is written with them), and not copied into the vocabulary since the day
it was written. Its quality targets (those of the seventh set) are a strict xfail while it
misses them: ``measure.py`` prints its line.
"""

from __future__ import annotations

import pytest

from tests.quality import catalogue, distinct, eighth, fresh, held_out, novel, seventh, unseen
from tests.quality.catalogue import Topic
from tests.quality.sets import (
    EXTRAS,
    assert_catalogue_shape,
    assert_community_speaks_only,
    assert_not_copied_into_the_vocabulary,
    assert_own_sentences,
)

SIZE = 1000
CAP = 2


def test_eighth_is_shaped_like_the_catalogue() -> None:
    assert_catalogue_shape(eighth)


def test_eighth_has_at_least_as_many_phrasings_as_seventh() -> None:
    pairs = zip(eighth.TOPICS, seventh.TOPICS, strict=True)
    short = [(mine.key, field) for mine, then in pairs for field in Topic._fields[2:]
             if len(getattr(mine, field)) < len(getattr(then, field))]
    short += [name for name in EXTRAS if len(getattr(eighth, name)) < len(getattr(seventh, name))]
    assert short == []


def test_eighth_sentences_are_its_own() -> None:
    assert_own_sentences(eighth, catalogue, held_out, fresh, unseen, novel, distinct, seventh)


def test_an_eighth_community_speaks_only_eighth_sentences_and_fillers() -> None:
    assert_community_speaks_only(eighth, "eighth")


# Which vocabulary phrases (``sets.phrase``: two or more English words, four or more
# characters otherwise) the eighth sentences hold, on the vocabulary of commit e624182 (its
# data last changed in d1cbe80), the day they were written, computed once after the last
# sentence was: only their digests (``sets.vocabulary_digests_in``) were ever computed or
# printed, so the writer of eighth.py did not see the phrases, and nobody tuning the
# vocabulary should need to. A phrase the vocabulary gains later that turns up in an eighth
# sentence fails the test below — tune on ``catalogue`` and on what the trades are called, not
# on these sentences. If a general word is added independently and happens to occur here, list
# it with its commit and reason (by digest, as ``test_distinct.INDEPENDENT``), never by
# widening BEFORE.
BEFORE = frozenset({
    "07116bb44bd963af", "0a33664c81d6b65e", "10aa1a002ad5a0fa", "1433e0c3bc461ffe",
    "1455ae43d69a709c", "1484b363f86b199e", "1a624f16ce900dcb", "1baa8853236498ec",
    "1c3dbb132e9b176e", "1fa5fe191226b309", "20bbe226347a29bf", "212ad9f876a792e4",
    "218446eb4abaecab", "25355bbe684f0e00", "26ecfd8748833165", "29ccce2ab3ce363e",
    "29d2356f67787b78", "2ce2783486f53ae2", "2ce74af2d0954eeb", "2ecaf749d77c6888",
    "32789ac184e5ba33", "332d16ec501a8366", "3397d89a2764e675", "360e3f35bb1281a8",
    "37ebb61dca862cf2", "3a1de6672386aeb5", "3a20d2b5a0e51100", "3b55974b9b2bc7e2",
    "3d7daea1644dda63", "3d8a0a8bea28657a", "3d8ec2fda8ba1c97", "41b1fc04300cfe4e",
    "425dde7111697ede", "4542bbcd4123ce5c", "46bdf4d676179e06", "470795444366e7db",
    "48bd76b2528b48c0", "4920bb2920cc7c8d", "4a6659ccfdea2d9f", "4c7aca91234b5fe2",
    "5008f43351f07137", "50a6bcc930fd95e1", "52a31c1b04aa8d30", "552919fb3bb9da48",
    "577d48a0ff4be76e", "5c4dbd10124874c0", "5d81920bbaf402ee", "5ed417b262c09162",
    "5eef72b677e658de", "5fe6940b67e7e712", "6606b1ad3b0d2ef8", "687fb7c51c6709f6",
    "6a491824ed20c12a", "6b2b5275949d8725", "6ce1dbe7eb1e59e4", "6edddf36904fb406",
    "709717bf391dc9aa", "76e7fc142f61b57d", "7c14ab41e4f64693", "7d0abc541245dc26",
    "7dbd52a4474e5c29", "7f247811a3630535", "805b0247b318bebc", "82753ee9781f36bb",
    "838eb00d79700085", "83e36d326efa0e6b", "8476fe521b9943af", "84b72a816a0aa7ad",
    "86cbe1e5189ed4dd", "888ed19a7c42acbf", "8a602afae8fa11f5", "8ab3dbfa5aa3a2eb",
    "8c5680ea7dcc84e6", "8f03e1bb88e20a05", "93886950eee3086d", "940fbdb9f825a6f9",
    "94504698d87149c6", "9479963af696488c", "948405e94a8bf394", "9510a76aa7768c28",
    "95aa288ddced32c8", "96726f43210da1fe", "96d0540671e92b51", "96d896ce26cf3acf",
    "999352c13bc13ada", "9e43bd435f0ee3a3", "a2259027bb25ab86", "a337a1b9f1f29880",
    "a3c09fc362c7b91e", "a5f3b283d803fc2e", "a68ad468b1be03a8", "a7c9cbcac14fa17a",
    "ac6e88ff0f84e378", "aea0130c3eeaa7c4", "aea1303460289083", "af4223c3a675b7bd",
    "b12686d16dd80b90", "b3a0e87654bde635", "b5a75e9450cef093", "bb5877920cdb0265",
    "c037ab29298e7545", "c351fbf3cc0725b8", "c5e453ce6059cedd", "c639e2b688d73a52",
    "c66bc0e6a4818470", "c8c4d21f80ffa451", "c8ec92bcc01577a7", "cb4ba57e9a91e690",
    "cb5866501a0ce487", "cb8d68cf52a3399d", "cd1b9e7c059ff060", "cec916710e2ab5c2",
    "cfd5b02c2558cfa0", "d202c39c07f15731", "d453f85cf8d9b411", "d6742f58a983dab0",
    "d684b93d7c5bce1a", "d7efa2f7a9e1b512", "d9eb55b43b40688f", "d9f4e73af5ca0e42",
    "dbe83bcf55a4e1a4", "de1e81a84a0611fb", "de52e255dd239188", "df787de835983d52",
    "e0531ea54e44ff05", "e068496fb44ea938", "e0a543cf3f55cd7b", "e20e34b182b2d97a",
    "e45132df615a97c6", "e671d6c9fce79e47", "e6c58dfdfb7831ef", "e75cd565801e8ab4",
    "e7fcaddc3d14e0b0", "e8819de8c4366682", "e9a5b71edbe1856a", "ec0b920e9ee2a554",
    "ecb6eb008c3c5953", "ee168a18bc3ea7c5", "ee267f6761f87786", "eea42f9911f42e64",
    "f2d8d9e550117e2b", "f3eb8a12df0356ac", "f6555cbce7d31ac9", "f68b08f3f4dbc507",
    "fbfd42405d6137a1", "ffbd38d84172cc6b",
})

# Phrases added later by a round that never read eighth.py, as digests, each group with its
# commit and reason (none yet).
INDEPENDENT: frozenset[str] = frozenset()


def test_eighth_is_not_copied_into_the_vocabulary() -> None:
    assert_not_copied_into_the_vocabulary(eighth, BEFORE, INDEPENDENT)


@pytest.fixture(scope="module")
def eighth_cycle():  # type: ignore[no-untyped-def]
    """One cycle of a community of ``SIZE`` written with the eighth phrasings, scored (as
    ``test_seventh.seventh_cycle``)."""
    from joren.tenants.introductions.features import Features, History
    from joren.tenants.introductions.matching import suggest
    from tests.quality import community as q

    built = q.build(SIZE, seed=2, phrasings="eighth")
    found = suggest(Features(built.profiles), History(), cap=CAP)
    score = q.score_cycle(built, found, f"cycle, {SIZE} members, eighth phrasings")
    print("\n" + score.lines())
    assert all(s.reasons for s in found)
    return score


# In-sample since 2026-12-07: the trained verifier of tags was measured on eighth once, blind
# (with the verifier of the seven other sets: precision 0.827 / 0.846 → 0.899 / 0.902, 1,000
# members, seeds 1 / 2), then trained on it too; with that model, the coverage repair and the
# reasons' threshold: precision 0.951, decoy-only 0.0%, coverage 0.983, true directions 1.000
# (seed 2, cap 2) — no evidence that issue 15 is closed (the blind set is now ninth.py).
# Before: the engine of 2026-12-07 (main e624182) had 0.833 / 0.848, decoy-only 6.1% / 3.5%,
# true directions 0.937 / 0.914; after the tuning round on seventh.py 0.827 / 0.846
# (python -m tests.quality.measure).
def test_eighth_phrasings_meet_the_meaning_targets(eighth_cycle) -> None:  # type: ignore[no-untyped-def]
    assert eighth_cycle["coverage (any suggestion)"] >= 0.95
    assert eighth_cycle["precision of the suggestions"] >= 0.9
    assert eighth_cycle["decoy-only share"] <= 0.02
    assert eighth_cycle["true reasons (offer→need)"] == 1.0
