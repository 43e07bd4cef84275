"""``seventh.py``, the seventh phrasing set, as a test sees it: shaped like ``catalogue`` (same
topic keys in the same order, same industry letters, no field with fewer sentences, enough
generic and homograph sentences), made of its own sentences (none word for word in
``catalogue``, ``held_out``, ``fresh``, ``unseen``, ``novel`` or ``distinct``, none twice),
usable (a community built with ``phrasings="seventh"`` is written with them), and not copied
into the vocabulary since the day it was written except the phrases ``NAMED`` with their
reasons. Its quality targets (those of the distinct set), a strict xfail until the tuning
round on it, are met: ``measure.py`` prints its line.
"""

from __future__ import annotations

import pytest

from tests.quality import catalogue, distinct, fresh, held_out, novel, seventh, unseen
from tests.quality.sets import (
    assert_catalogue_shape,
    assert_community_speaks_only,
    assert_not_copied_into_the_vocabulary,
    assert_own_sentences,
)

SIZE = 1000
CAP = 2


def test_seventh_is_shaped_like_the_catalogue() -> None:
    assert_catalogue_shape(seventh)


def test_seventh_sentences_are_its_own() -> None:
    assert_own_sentences(seventh, catalogue, held_out, fresh, unseen, novel, distinct)


def test_a_seventh_community_speaks_only_seventh_sentences_and_fillers() -> None:
    assert_community_speaks_only(seventh, "seventh")


# Which vocabulary phrases (``sets.phrase``: two or more English words, four or more
# characters otherwise) the seventh sentences hold, on the vocabulary of commit 248eb85 (its
# data last changed in fafae7b), the day they were written, computed once after the last
# sentence was: only their digests (``sets.vocabulary_digests_in``) were ever computed or
# printed, so the writer of seventh.py did not see the phrases, and nobody tuning the
# vocabulary should need to. A phrase the vocabulary gains later that turns up in a seventh
# sentence fails the test below — tune on ``catalogue`` and on what the trades are called, not
# on these sentences. If a general word is added independently and happens to occur here, list
# it with its commit and reason (by digest, as ``test_distinct.INDEPENDENT``), never by
# widening BEFORE.
BEFORE = frozenset({
    "030be5caf078ebf4", "06cf0accecc39dcd", "07116bb44bd963af", "07fd11ddee015d1c",
    "0a33664c81d6b65e", "10aa1a002ad5a0fa", "144aa96f111d50f6", "1455ae43d69a709c",
    "184e223e36077d6d", "1a624f16ce900dcb", "1a83aae38e30a973", "1baa8853236498ec",
    "1c3dbb132e9b176e", "1d9ddd4654e89838", "212ad9f876a792e4", "218446eb4abaecab",
    "25355bbe684f0e00", "26ecfd8748833165", "29d2356f67787b78", "2b68dddad99117f7",
    "2c2c71c9842cdac2", "2d51b625d59f46fc", "2ecaf749d77c6888", "316b190ffb6a0be2",
    "32789ac184e5ba33", "37ebb61dca862cf2", "3a1de6672386aeb5", "3a20d2b5a0e51100",
    "3c3e25b5de01601d", "3cb90661d93df39e", "3d734dbd1ac93a96", "3d8a0a8bea28657a",
    "4013e4d8017a9d3d", "41b1fc04300cfe4e", "425dde7111697ede", "430e51009a2b72b6",
    "437fabd21e03a3a5", "4542bbcd4123ce5c", "46af781849f3d4db", "4920bb2920cc7c8d",
    "4a6659ccfdea2d9f", "4b75a709f33e0b4a", "4c7aca91234b5fe2", "4d2a9e997fce3727",
    "5008f43351f07137", "50a6bcc930fd95e1", "512489caddc1e602", "52a31c1b04aa8d30",
    "5497ad11edb21c14", "552919fb3bb9da48", "57294901bc58dfae", "577d48a0ff4be76e",
    "5c46cb3c7b4cae94", "5c4dbd10124874c0", "5d81920bbaf402ee", "5fe6940b67e7e712",
    "6606b1ad3b0d2ef8", "66e8e7f7f5c7a80d", "687fb7c51c6709f6", "6a491824ed20c12a",
    "6d77136647886ac6", "6f98a77fa4c021ca", "709717bf391dc9aa", "726634a524802b61",
    "769e61a6ee1f3747", "7a812d647090dfd9", "7ada07fc61a9aa40", "7c14ab41e4f64693",
    "7c29483084979fb7", "7dbd52a4474e5c29", "7fdf9b45740bdb72", "805b0247b318bebc",
    "82753ee9781f36bb", "838eb00d79700085", "83c459bc6685b253", "83e36d326efa0e6b",
    "859d47f9f1be4795", "86cbe1e5189ed4dd", "888ed19a7c42acbf", "8998fe6bc3e8e900",
    "8accffd124014ee1", "8c17b529bee4df6b", "8c5680ea7dcc84e6", "8f10f3e201a119fc",
    "8f2af3369ab116d4", "93886950eee3086d", "940fbdb9f825a6f9", "9415fbb2364cd329",
    "943b49d9bf76f745", "9479963af696488c", "948405e94a8bf394", "9510a76aa7768c28",
    "96726f43210da1fe", "972476db03d49cc9", "999352c13bc13ada", "9f54606ebe448310",
    "a2259027bb25ab86", "a2e0ca71b33b4ad2", "a337a1b9f1f29880", "a3c09fc362c7b91e",
    "a5f3b283d803fc2e", "a5f9bd922090cdf4", "a60ebffe146f1f74", "a68ad468b1be03a8",
    "a96025f70b472677", "aace46af60e76d72", "ab019c82f155dbfb", "ac6e88ff0f84e378",
    "aea0130c3eeaa7c4", "aea1303460289083", "af4223c3a675b7bd", "b084801e3b65103f",
    "b12686d16dd80b90", "b224312a584c2687", "b3a0e87654bde635", "b5a75e9450cef093",
    "b8a9423c8dc8efcc", "bb5877920cdb0265", "c037ab29298e7545", "c351fbf3cc0725b8",
    "c66bc0e6a4818470", "c8c4d21f80ffa451", "cb5866501a0ce487", "cb8d68cf52a3399d",
    "d202c39c07f15731", "d2aa3b5cef7140c2", "d6742f58a983dab0", "d7efa2f7a9e1b512",
    "d9f4e73af5ca0e42", "ddf559906e4e0198", "df787de835983d52", "e0531ea54e44ff05",
    "e1bf150318ac0599", "e20e34b182b2d97a", "e24ae0dd02beb2f4", "e2cbbf050a7d3e15",
    "e40823277df2b756", "e671d6c9fce79e47", "e7fcaddc3d14e0b0", "e9a5b71edbe1856a",
    "e9c36060e53f77e5", "ec0b920e9ee2a554", "ecb6eb008c3c5953", "ed404a85921635c2",
    "ee267f6761f87786", "ef66a1298c80c950", "f3eb8a12df0356ac", "f54e56dc564db3c9",
    "f6555cbce7d31ac9", "fbfd42405d6137a1",
})

# Phrases added later by a round that never read seventh.py, as digests, each group with its
# commit and reason (none yet).
INDEPENDENT: frozenset[str] = frozenset()

# Phrases added by the tuning round on distinct.py and seventh.py (helper tune5, issue 15),
# as text with their reasons (as ``test_distinct.NAMED``).
NAMED: frozenset[str] = frozenset({
    # nail art (ネイルデザイン) is a beauty service, not a designer's branding work: a neutral
    # phrase
    "ねいるでざいん",
})


def test_seventh_is_not_copied_into_the_vocabulary() -> None:
    assert_not_copied_into_the_vocabulary(seventh, BEFORE, INDEPENDENT, named=NAMED)


@pytest.fixture(scope="module")
def seventh_cycle():  # type: ignore[no-untyped-def]
    """One cycle of a community of ``SIZE`` written with the seventh phrasings, scored (as
    ``test_distinct.distinct_cycle``)."""
    from joren.tenants.introductions.features import Features, History
    from joren.tenants.introductions.matching import suggest
    from tests.quality import community as q

    built = q.build(SIZE, seed=2, phrasings="seventh")
    found = suggest(Features(built.profiles), History(), cap=CAP)
    score = q.score_cycle(built, found, f"cycle, {SIZE} members, seventh phrasings")
    print("\n" + score.lines())
    assert all(s.reasons for s in found)
    return score


# Issue 15's targets, met since the tuning round on distinct.py and seventh.py (helper tune5,
# 2026-12-07; a strict xfail before). Written blind, the set had (main 248eb85) precision
# 0.844 / 0.850, decoy-only 2.8% / 3.1%, true directions 0.982 / 0.935 at 1,000 members
# (seeds 1 / 2), and after the round on distinct.py alone (tune4, f5db204) 0.852 / 0.875,
# 3.4% / 3.4%, 0.976 / 0.942, 5,000 members 0.872, 3.2%, 0.963. After this round (python -m
# tests.quality.measure): 0.909 / 0.919 (seed 3 0.913), 1.9% / 1.8% (1.9%), 1.000, coverage
# 0.969 / 0.975; 5,000 members 0.924, 1.6%, 1.000. The set was read and tuned on in that
# round: it is a development set now, and ``eighth.py`` the blind one.
def test_seventh_phrasings_meet_the_meaning_targets(seventh_cycle) -> None:  # type: ignore[no-untyped-def]
    assert seventh_cycle["coverage (any suggestion)"] >= 0.95
    assert seventh_cycle["precision of the suggestions"] >= 0.9
    assert seventh_cycle["decoy-only share"] <= 0.02
    assert seventh_cycle["true reasons (offer→need)"] == 1.0
