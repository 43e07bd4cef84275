"""``tenth.py``, the tenth phrasing set, as a test sees it: shaped like ``catalogue`` (same
topic keys in the same order, same industry letters, no field with fewer sentences, enough
generic and homograph sentences) and at least as full as ``ninth`` field by field, made of
its own sentences (none word for word in ``catalogue``, ``held_out``, ``fresh``, ``unseen``,
``novel``, ``distinct``, ``seventh``, ``eighth`` or ``ninth``, none twice), usable (a community
built with ``phrasings="tenth"`` is written with them), and not copied into the vocabulary
since the day it was written. Its quality targets (those of the eighth and ninth sets) are a
strict xfail while it misses them (measured once per configuration, blind, on 2026-12-08):
``measure.py`` prints its line.
"""

from __future__ import annotations

import pytest

from tests.quality import (
    catalogue,
    distinct,
    eighth,
    fresh,
    held_out,
    ninth,
    novel,
    seventh,
    tenth,
    unseen,
)
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


def test_tenth_is_shaped_like_the_catalogue() -> None:
    assert_catalogue_shape(tenth)


def test_tenth_has_at_least_as_many_phrasings_as_ninth() -> None:
    pairs = zip(tenth.TOPICS, ninth.TOPICS, strict=True)
    short = [(mine.key, field) for mine, then in pairs for field in Topic._fields[2:]
             if len(getattr(mine, field)) < len(getattr(then, field))]
    short += [name for name in EXTRAS if len(getattr(tenth, name)) < len(getattr(ninth, name))]
    assert short == []


def test_tenth_sentences_are_its_own() -> None:
    assert_own_sentences(tenth, catalogue, held_out, fresh, unseen, novel, distinct, seventh,
                         eighth, ninth)


def test_a_tenth_community_speaks_only_tenth_sentences_and_fillers() -> None:
    assert_community_speaks_only(tenth, "tenth")


# Which vocabulary phrases (``sets.phrase``: two or more English words, four or more
# characters otherwise) the tenth sentences hold, on the vocabulary of commit 18f4b0c (its
# data last changed in 9a4c93f), the day they were written, computed once after the last
# sentence was: only their digests (``sets.vocabulary_digests_in``) were ever computed or
# printed, so the writer of tenth.py did not see the phrases, and nobody tuning the
# vocabulary should need to. A phrase the vocabulary gains later that turns up in a tenth
# sentence fails the test below — tune on ``catalogue`` and on what the trades are called, not
# on these sentences. If a general word is added independently and happens to occur here, list
# it with its commit and reason (by digest, as ``test_distinct.INDEPENDENT``), never by
# widening BEFORE.
BEFORE = frozenset({
    "059bdc0329b2bcae", "06cf0accecc39dcd", "094c81a0285b628c", "0b33aea0c3cd32e8",
    "10aa1a002ad5a0fa", "1455ae43d69a709c", "18494b2a4adf5668", "18acef632f708bc3",
    "1a624f16ce900dcb", "1c3dbb132e9b176e", "1d9ddd4654e89838", "212ad9f876a792e4",
    "218446eb4abaecab", "25355bbe684f0e00", "26ecfd8748833165", "28084e7ada018cec",
    "2ddb20b76fa7181b", "304dcf60157d2a8e", "32789ac184e5ba33", "332d16ec501a8366",
    "3397d89a2764e675", "3d7daea1644dda63", "3d8a0a8bea28657a", "425dde7111697ede",
    "438a304f54912937", "4542bbcd4123ce5c", "4920bb2920cc7c8d", "4a2b217e16d99f84",
    "4a6659ccfdea2d9f", "4f2b21209c806aa6", "5008f43351f07137", "50a6bcc930fd95e1",
    "52a31c1b04aa8d30", "53c420fe8cd208bf", "5497ad11edb21c14", "552919fb3bb9da48",
    "5c4dbd10124874c0", "5d81920bbaf402ee", "5e360e72ca0e6443", "5eef72b677e658de",
    "5fe6940b67e7e712", "62fb843f462eeb1b", "653d43826a9a262e", "6634986b8958b8e0",
    "6726191a9eb328bd", "687fb7c51c6709f6", "69fb2679e51922ab", "6a491824ed20c12a",
    "6c652f9e4ab3f8b5", "6ce1dbe7eb1e59e4", "6d77136647886ac6", "7306251713d94ff8",
    "731f4453a2ecd8f8", "76e7fc142f61b57d", "7dbd52a4474e5c29", "7e21050eddffaa67",
    "805b0247b318bebc", "82753ee9781f36bb", "838eb00d79700085", "83c459bc6685b253",
    "83e36d326efa0e6b", "84b72a816a0aa7ad", "86cbe1e5189ed4dd", "8998fe6bc3e8e900",
    "8c2170cbf63963b6", "8c5680ea7dcc84e6", "93886950eee3086d", "940fbdb9f825a6f9",
    "94504698d87149c6", "945b3b64f483ee3c", "9479963af696488c", "948405e94a8bf394",
    "9510a76aa7768c28", "95aa288ddced32c8", "96726f43210da1fe", "96d896ce26cf3acf",
    "972476db03d49cc9", "999352c13bc13ada", "a2259027bb25ab86", "a337a1b9f1f29880",
    "a3e65fcef07faa29", "a96025f70b472677", "ac6e88ff0f84e378", "ae68ff4eabeeb735",
    "aea0130c3eeaa7c4", "aea1303460289083", "af4223c3a675b7bd", "b3be60329d393637",
    "b5a75e9450cef093", "b8a9423c8dc8efcc", "be4ba19bb4a819dc", "c037ab29298e7545",
    "c351fbf3cc0725b8", "c639e2b688d73a52", "c66bc0e6a4818470", "c7d71e4b73674a7e",
    "c8c4d21f80ffa451", "cb8d68cf52a3399d", "ccc6b72cb2a2cf85", "cd0e95a9ed23fb78",
    "d202c39c07f15731", "d56bbd32d6c12a28", "d6038a986942b250", "d6742f58a983dab0",
    "d684b93d7c5bce1a", "d7efa2f7a9e1b512", "d8448e00780dd29f", "d987bc7683eafc07",
    "de52e255dd239188", "e0531ea54e44ff05", "e068496fb44ea938", "e11e19616c1ea9cc",
    "e1bf150318ac0599", "e20e34b182b2d97a", "e2cbbf050a7d3e15", "e7fcaddc3d14e0b0",
    "e8819de8c4366682", "e9a5b71edbe1856a", "ec0b920e9ee2a554", "ecb6eb008c3c5953",
    "ee168a18bc3ea7c5", "eea42f9911f42e64", "f2d8d9e550117e2b", "f547b9b45819c217",
    "f66ee62956bc012f", "fbfd42405d6137a1", "fe7979af047f69bf",
})

# Phrases added later by a round that never read tenth.py, as digests, each group with its
# commit and reason (none yet).
INDEPENDENT: frozenset[str] = frozenset()


def test_tenth_is_not_copied_into_the_vocabulary() -> None:
    assert_not_copied_into_the_vocabulary(tenth, BEFORE, INDEPENDENT)


@pytest.fixture(scope="module")
def tenth_cycle():  # type: ignore[no-untyped-def]
    """One cycle of a community of ``SIZE`` written with the tenth phrasings, scored (as
    ``test_ninth.ninth_cycle``)."""
    from joren.tenants.introductions.features import Features, History
    from joren.tenants.introductions.matching import suggest
    from tests.quality import community as q

    built = q.build(SIZE, seed=2, phrasings="tenth")
    found = suggest(Features(built.profiles), History(), cap=CAP)
    score = q.score_cycle(built, found, f"cycle, {SIZE} members, tenth phrasings")
    print("\n" + score.lines())
    assert all(s.reasons for s in found)
    return score


@pytest.mark.xfail(strict=True, reason="issue 15 open: on tenth.py, the tenth set, written "
                   "blind on 2026-12-07 and measured once per configuration on 2026-12-08 "
                   "(1,000 members, seeds 1 / 2): main 18f4b0c (the verifier in the engine) "
                   "precision 0.828 / 0.818, decoy-only 2.9% / 3.0%, true directions 0.815 / "
                   "0.857, coverage 0.967 / 0.982; the same with the finder of concepts the "
                   "words miss switched on (finder.py, fitted on the nine other sets) 0.838 / "
                   "0.832, 2.6% / 3.0%, 0.803 / 0.869, 0.980 / 0.993; the product of that day "
                   "(finder off; calibration refitted, compact verdicts) 0.829 / 0.824, 2.7% / "
                   "2.8%, 0.796 / 0.855, 0.959 / 0.981, and at 5,000 members (seed 1) 0.851, "
                   "2.1%, 0.877, 0.973 (python -m tests.quality.measure)")
def test_tenth_phrasings_meet_the_meaning_targets(tenth_cycle) -> None:  # type: ignore[no-untyped-def]
    assert tenth_cycle["coverage (any suggestion)"] >= 0.95
    assert tenth_cycle["precision of the suggestions"] >= 0.9
    assert tenth_cycle["decoy-only share"] <= 0.02
    assert tenth_cycle["true reasons (offer→need)"] == 1.0
