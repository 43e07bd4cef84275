"""``distinct.py``, the sixth phrasing set, as a test sees it: shaped like ``catalogue`` (same
topic keys in the same order, same industry letters, no field with fewer sentences, enough
generic and homograph sentences), made of its own sentences (none word for word in
``catalogue``, ``held_out``, ``fresh``, ``unseen`` or ``novel``, none twice), usable (a
community built with ``phrasings="distinct"`` is written with them), and not copied into the
vocabulary since the day it was written. Its quality targets (those of the novel set) are a
strict xfail while it misses them: ``measure.py`` prints its line.
"""

from __future__ import annotations

import pytest

from tests.quality import catalogue, distinct, fresh, held_out, novel, unseen
from tests.quality.sets import (
    assert_catalogue_shape,
    assert_community_speaks_only,
    assert_not_copied_into_the_vocabulary,
    assert_own_sentences,
)

SIZE = 1000
CAP = 2


def test_distinct_is_shaped_like_the_catalogue() -> None:
    assert_catalogue_shape(distinct)


def test_distinct_sentences_are_its_own() -> None:
    assert_own_sentences(distinct, catalogue, held_out, fresh, unseen, novel)


def test_a_distinct_community_speaks_only_distinct_sentences_and_fillers() -> None:
    assert_community_speaks_only(distinct, "distinct")


# Which vocabulary phrases (``sets.phrase``: two or more English words, four or more
# characters otherwise) the distinct sentences hold, on the vocabulary of commit 50278d4, the
# day they were written, computed once after the last sentence was: only their digests
# (``sets.vocabulary_digests_in``) were ever computed or printed, so the writer of distinct.py
# did not see the phrases, and nobody tuning the vocabulary should need to. A phrase the
# vocabulary gains later that turns up in a distinct sentence fails the test below — tune on
# ``catalogue`` and on what the trades are called, not on these sentences. If a general word is
# added independently and happens to occur here, list it with its commit and reason (as
# ``test_unseen.INDEPENDENT`` does, or by digest as ``test_novel.INDEPENDENT``), never by
# widening BEFORE.
BEFORE = frozenset({
    "094c81a0285b628c", "0a33664c81d6b65e", "0ed7f7a00083d047", "10aa1a002ad5a0fa",
    "13eb4c77a8f87804", "144aa96f111d50f6", "1455ae43d69a709c", "1484b363f86b199e",
    "18acef632f708bc3", "1a377e52bf4050e6", "1a624f16ce900dcb", "1c3dbb132e9b176e",
    "1d9ddd4654e89838", "25355bbe684f0e00", "269a8be9e33e2091", "26ecfd8748833165",
    "2b68dddad99117f7", "2c2c71c9842cdac2", "2ce35899cab6e7f7", "2dde303424aec9ff",
    "2ecaf749d77c6888", "304dcf60157d2a8e", "32789ac184e5ba33", "37ebb61dca862cf2",
    "3a1de6672386aeb5", "3a20d2b5a0e51100", "3c3e25b5de01601d", "3d8a0a8bea28657a",
    "402347ad4d5498fc", "425dde7111697ede", "431c04717f6b6412", "437fabd21e03a3a5",
    "4542bbcd4123ce5c", "46af781849f3d4db", "4920bb2920cc7c8d", "4a2b217e16d99f84",
    "4a6659ccfdea2d9f", "4b16f6b82a113b8a", "4b75a709f33e0b4a", "4d2a9e997fce3727",
    "4f2b21209c806aa6", "5008f43351f07137", "50a6bcc930fd95e1", "52a31c1b04aa8d30",
    "52b3d4501f252668", "54bb5b50a5d74bfa", "552919fb3bb9da48", "57294901bc58dfae",
    "577d48a0ff4be76e", "59f1b8891392daf9", "59f801314dc01c63", "5c46cb3c7b4cae94",
    "5c4dbd10124874c0", "5d81920bbaf402ee", "5d8991be952c6392", "5e360e72ca0e6443",
    "5eef72b677e658de", "5fe6940b67e7e712", "619a3c888ff69ec1", "62fa52b9d94790dc",
    "6606b1ad3b0d2ef8", "687fb7c51c6709f6", "6a491824ed20c12a", "6b561fa560286ebf",
    "6c6a3debfb946958", "6ce1dbe7eb1e59e4", "6df17d9d181e59f6", "6f98a77fa4c021ca",
    "709717bf391dc9aa", "726634a524802b61", "74a7b7c5a935f264", "78dfce23e21ee682",
    "7c14ab41e4f64693", "7dbd52a4474e5c29", "7fdf9b45740bdb72", "805b0247b318bebc",
    "814ebdcf94ace1a3", "82753ee9781f36bb", "838eb00d79700085", "83e36d326efa0e6b",
    "859d47f9f1be4795", "86cbe1e5189ed4dd", "8c5680ea7dcc84e6", "8f03e1bb88e20a05",
    "93886950eee3086d", "940fbdb9f825a6f9", "943b49d9bf76f745", "94504698d87149c6",
    "9479963af696488c", "948405e94a8bf394", "9510a76aa7768c28", "96726f43210da1fe",
    "96d0540671e92b51", "972476db03d49cc9", "999352c13bc13ada", "99dc564358bcf1ba",
    "99e04b37bcfad38b", "9e43bd435f0ee3a3", "a2259027bb25ab86", "a2e0ca71b33b4ad2",
    "a3c09fc362c7b91e", "a42651d0bc5bd25f", "a5f3b283d803fc2e", "a5f9bd922090cdf4",
    "a60ebffe146f1f74", "a96025f70b472677", "ac6e88ff0f84e378", "aea0130c3eeaa7c4",
    "af4223c3a675b7bd", "b12686d16dd80b90", "b224312a584c2687", "bb5877920cdb0265",
    "c037ab29298e7545", "c16b1cd043664e23", "c25ea96470edb335", "c351fbf3cc0725b8",
    "c8c4d21f80ffa451", "c98c32f6ccd98769", "cb5866501a0ce487", "cb8d68cf52a3399d",
    "cd0e95a9ed23fb78", "cdf749b5ae45b08b", "d2a438319460f90b", "d453f85cf8d9b411",
    "d7efa2f7a9e1b512", "d9f4e73af5ca0e42", "db95f3627e6a6c2e", "e0531ea54e44ff05",
    "e2cbbf050a7d3e15", "e36077aeb577e03d", "e6c58dfdfb7831ef", "e7fcaddc3d14e0b0",
    "e9a5b71edbe1856a", "e9c36060e53f77e5", "ebfb80dd17768b68", "ec0b920e9ee2a554",
    "ecb6eb008c3c5953", "ee267f6761f87786", "ee5dae303f28ec36", "ee7e610e76daf2b4",
    "ef0b4746d5b9f6d9", "f2d8d9e550117e2b", "f388c1f3a0d0e82c", "f3eb8a12df0356ac",
    "f4b4c6d197a70771", "f547b9b45819c217", "fbfd42405d6137a1",
})

# Phrases added later by a round that never read distinct.py, as digests, each group with its
# commit and reason.
# Phrases the vocabulary gained in session 27 from the tuning round on ``novel.py`` (branch
# wt-tune, merged in 235c3af), written in a branch made from 50278d4, which did not hold this
# file, by a writer told never to open it: they occur in distinct sentences because they are
# the trades' ordinary words, not copied from them. Digests only, as BEFORE, so that nobody
# tuning later learns the distinct sentences' words from this test.
INDEPENDENT = frozenset({
    "4b05057847a900a6", "6d77136647886ac6", "aace46af60e76d72", "de52e255dd239188",
})

# Phrases added by the tuning round on distinct.py and seventh.py (helper tune5, issue 15),
# as text with their reasons: each is a compound or a fixed expression whose words are a
# concept's cue but which names another thing, added as a neutral phrase (it tags nothing).
NAMED: frozenset[str] = frozenset({
    # ふるさと納税 is a donation to a town for a gift in return, not a tax filing
    "ふるさと納税",
    # a beer server pours beer; it is no IT server
    "beer server", "びーるさーばー",
    # social security is public insurance, not cybersecurity
    "social security",
    # a dental cleaning (歯のクリーニング) is no cleaning company's work
    "歯のくりーにんぐ",
})


def test_distinct_is_not_copied_into_the_vocabulary() -> None:
    assert_not_copied_into_the_vocabulary(distinct, BEFORE, INDEPENDENT, named=NAMED)


@pytest.fixture(scope="module")
def distinct_cycle():  # type: ignore[no-untyped-def]
    """One cycle of a community of ``SIZE`` written with the distinct phrasings, scored (as
    ``test_introductions_quality._cycle_of``)."""
    from joren.tenants.introductions.features import Features, History
    from joren.tenants.introductions.matching import suggest
    from tests.quality import community as q

    built = q.build(SIZE, seed=2, phrasings="distinct")
    found = suggest(Features(built.profiles), History(), cap=CAP)
    score = q.score_cycle(built, found, f"cycle, {SIZE} members, distinct phrasings")
    print("\n" + score.lines())
    assert all(s.reasons for s in found)
    return score


# The words alone: precision 0.897, decoy-only 1.1%, coverage 0.974 (1,000 members, seed 2,
# cap 2); with the trained verifier of tags 0.953, 1.0%, 0.966, true directions 1.000 — but
# distinct is one of the seven sets the verifier was trained on: in-sample, no evidence that
# issue 15 is closed (the blind set, eighth.py, is). Before the verifier, on 2026-12-07, the
# engine of that day had 0.817 / 0.787, after the tuning round on distinct 0.869 / 0.862
# (seeds 1 / 2; python -m tests.quality.measure).
def test_distinct_phrasings_meet_the_meaning_targets(distinct_cycle) -> None:  # type: ignore[no-untyped-def]
    assert distinct_cycle["coverage (any suggestion)"] >= 0.95
    assert distinct_cycle["precision of the suggestions"] >= 0.9
    assert distinct_cycle["decoy-only share"] <= 0.02
    assert distinct_cycle["true reasons (offer→need)"] == 1.0
