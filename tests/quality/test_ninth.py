"""``ninth.py``, the ninth phrasing set, as a test sees it: shaped like ``catalogue`` (same
topic keys in the same order, same industry letters, no field with fewer sentences, enough
generic and homograph sentences) and at least as full as ``eighth`` field by field, made of
its own sentences (none word for word in ``catalogue``, ``held_out``, ``fresh``, ``unseen``,
``novel``, ``distinct``, ``seventh`` or ``eighth``, none twice), usable (a community built with
``phrasings="ninth"`` is written with them), and not copied into the vocabulary since the day
it was written. Its quality targets (those of the seventh and eighth sets) are a strict xfail
while it misses them: ``measure.py`` prints its line. Since the recall round ninth is a
development set: its sentences are labelled examples of the finder (``finder``, off in the
product), so a figure with the finder on is in-sample here (the blind set is ``tenth``).
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


def test_ninth_is_shaped_like_the_catalogue() -> None:
    assert_catalogue_shape(ninth)


def test_ninth_has_at_least_as_many_phrasings_as_eighth() -> None:
    pairs = zip(ninth.TOPICS, eighth.TOPICS, strict=True)
    short = [(mine.key, field) for mine, then in pairs for field in Topic._fields[2:]
             if len(getattr(mine, field)) < len(getattr(then, field))]
    short += [name for name in EXTRAS if len(getattr(ninth, name)) < len(getattr(eighth, name))]
    assert short == []


def test_ninth_sentences_are_its_own() -> None:
    assert_own_sentences(ninth, catalogue, held_out, fresh, unseen, novel, distinct, seventh,
                         eighth)


def test_a_ninth_community_speaks_only_ninth_sentences_and_fillers() -> None:
    assert_community_speaks_only(ninth, "ninth")


# Which vocabulary phrases (``sets.phrase``: two or more English words, four or more
# characters otherwise) the ninth sentences hold, on the vocabulary of commit cb981a3 (its
# data last changed in 9a4c93f), the day they were written, computed once after the last
# sentence was: only their digests (``sets.vocabulary_digests_in``) were ever computed or
# printed, so the writer of ninth.py did not see the phrases, and nobody tuning the
# vocabulary should need to. A phrase the vocabulary gains later that turns up in a ninth
# sentence fails the test below — tune on ``catalogue`` and on what the trades are called, not
# on these sentences. If a general word is added independently and happens to occur here, list
# it with its commit and reason (by digest, as ``test_distinct.INDEPENDENT``), never by
# widening BEFORE.
BEFORE = frozenset({
    "030be5caf078ebf4", "0765656345c11993", "079fceb9961975aa", "07f8f92f892d0c21",
    "07fc8487ffb9c5f7", "094c81a0285b628c", "0dc95a7df1ca628b", "10aa1a002ad5a0fa",
    "140c2192a07a276a", "144aa96f111d50f6", "170308ba75b84001", "1a624f16ce900dcb",
    "1a83aae38e30a973", "1baa8853236498ec", "1c3dbb132e9b176e", "1d9ddd4654e89838",
    "1fc0524afdbee28e", "25355bbe684f0e00", "26ecfd8748833165", "28084e7ada018cec",
    "29ccce2ab3ce363e", "2a75f9eb215213f1", "2b20f7a361c5af5b", "2b68dddad99117f7",
    "2b9f5747014ebf95", "2ce2783486f53ae2", "2ce74af2d0954eeb", "2db88ba136086360",
    "2ecaf749d77c6888", "32789ac184e5ba33", "3397d89a2764e675", "349eb9bef6e2465e",
    "3a1de6672386aeb5", "3a20d2b5a0e51100", "3b55974b9b2bc7e2", "3d8a0a8bea28657a",
    "425dde7111697ede", "438a304f54912937", "4542bbcd4123ce5c", "46af781849f3d4db",
    "470795444366e7db", "4920bb2920cc7c8d", "49e781c62fe3710e", "4a6659ccfdea2d9f",
    "4c05464019438ee9", "4d2a9e997fce3727", "5008f43351f07137", "50a6bcc930fd95e1",
    "52a31c1b04aa8d30", "5c4dbd10124874c0", "5d8991be952c6392", "5fb99b4b6e1594f2",
    "5fe6940b67e7e712", "62fa52b9d94790dc", "6606b1ad3b0d2ef8", "687fb7c51c6709f6",
    "6a491824ed20c12a", "6b2b5275949d8725", "6c6a3debfb946958", "6ce1dbe7eb1e59e4",
    "6cf397b9df2d35d0", "6d77136647886ac6", "6df17d9d181e59f6", "6f98a77fa4c021ca",
    "726634a524802b61", "7472f94be76a7551", "74a7b7c5a935f264", "769e61a6ee1f3747",
    "76e7fc142f61b57d", "788e6ae3bfcd391d", "7c29483084979fb7", "7dbd52a4474e5c29",
    "7f247811a3630535", "805b0247b318bebc", "82753ee9781f36bb", "838eb00d79700085",
    "83e36d326efa0e6b", "84d3f1cc86dc9f78", "86cbe1e5189ed4dd", "8747e2bd6d39ffd8",
    "8ab3dbfa5aa3a2eb", "8accffd124014ee1", "8c5680ea7dcc84e6", "8f0284e24eb36e1e",
    "8f03e1bb88e20a05", "93886950eee3086d", "940fbdb9f825a6f9", "9479963af696488c",
    "9510a76aa7768c28", "96726f43210da1fe", "999352c13bc13ada", "9d137a404d2ba979",
    "a2259027bb25ab86", "a2434d1ed3b72f21", "a25c838fb65fd3c8", "a337a1b9f1f29880",
    "a3563f8b8202bc1a", "a3c09fc362c7b91e", "a5f3b283d803fc2e", "a60ebffe146f1f74",
    "aace46af60e76d72", "ae68ff4eabeeb735", "b12686d16dd80b90", "b224312a584c2687",
    "b3a0e87654bde635", "b5a75e9450cef093", "b8a9423c8dc8efcc", "b9d09e5d06a4066f",
    "bb89d8912548ede0", "c037ab29298e7545", "c351fbf3cc0725b8", "c66bc0e6a4818470",
    "c7d71e4b73674a7e", "c8c4d21f80ffa451", "cb8d68cf52a3399d", "ccc6b72cb2a2cf85",
    "cdf8ab344962f620", "ce44a8b3b9c3ebe4", "cfd5b02c2558cfa0", "d6038a986942b250",
    "d684b93d7c5bce1a", "d8448e00780dd29f", "d987bc7683eafc07", "db95f3627e6a6c2e",
    "dc867b9da316f332", "e0531ea54e44ff05", "e1bf150318ac0599", "e20e34b182b2d97a",
    "e2595a016205f548", "e6c58dfdfb7831ef", "e8819de8c4366682", "e947b9fee08f104c",
    "e9a5b71edbe1856a", "e9c36060e53f77e5", "ec0b920e9ee2a554", "ecb6eb008c3c5953",
    "ee267f6761f87786", "ef66a1298c80c950", "f2d8d9e550117e2b", "f54e56dc564db3c9",
    "f5e3e70b45ceb168", "f60a82a8a04b74e5", "f6555cbce7d31ac9", "fbfd42405d6137a1",
    "fea3bb304f55296d", "ffbd38d84172cc6b",
})

# Phrases added later by a round that never read ninth.py, as digests, each group with its
# commit and reason (none yet).
INDEPENDENT: frozenset[str] = frozenset()


def test_ninth_is_not_copied_into_the_vocabulary() -> None:
    assert_not_copied_into_the_vocabulary(ninth, BEFORE, INDEPENDENT)


@pytest.fixture(scope="module")
def ninth_cycle():  # type: ignore[no-untyped-def]
    """One cycle of a community of ``SIZE`` written with the ninth phrasings, scored (as
    ``test_eighth.eighth_cycle``)."""
    from joren.tenants.introductions.features import Features, History
    from joren.tenants.introductions.matching import suggest
    from tests.quality import community as q

    built = q.build(SIZE, seed=2, phrasings="ninth")
    found = suggest(Features(built.profiles), History(), cap=CAP)
    score = q.score_cycle(built, found, f"cycle, {SIZE} members, ninth phrasings")
    print("\n" + score.lines())
    assert all(s.reasons for s in found)
    return score


@pytest.mark.xfail(strict=True, reason="issue 15 open: on ninth.py, the ninth set, written "
                   "blind on 2026-12-07, the engine of that day (main cb981a3) had precision "
                   "0.753 / 0.778, decoy-only 7.5% / 7.9%, true directions 0.859 / 0.936, "
                   "coverage 0.979 / 0.984 (1,000 members, seeds 1 / 2); 5,000 members 0.760, "
                   "6.8%, 0.896, 0.985. With the trained tag verifier fitted on the seven "
                   "development sets (tests/quality/trained_verifier.json, applied as an "
                   "experiment): 0.834 / 0.831, 2.5% / 5.2%, 0.953 / 0.943, 0.958 / 0.970; "
                   "5,000 members 0.821, 4.0%, 0.908, 0.965; with a perfect verifier (the "
                   "oracle) 0.909 / 0.914, 1.1% / 2.4% "
                   "(python -m tests.quality.trained_verifier --apply=ninth). The product of "
                   "the same day (the verifier in the engine, trained on eight sets with "
                   "eighth; the coverage repair; directions stated only below the reasons' "
                   "threshold 0.25), measured once: 0.843 / 0.853, 1.3% / 3.9%, 1.000 / "
                   "0.980, 0.986 / 0.990 (python -m tests.quality.measure). The finder of "
                   "concepts the words miss (finder.py, off), fitted on the eight other sets: "
                   "0.832 / 0.853, 1.5% / 4.0% (python -m tests.quality.found_concepts --loso "
                   "--seeds=1,2 ninth)")
def test_ninth_phrasings_meet_the_meaning_targets(ninth_cycle) -> None:  # type: ignore[no-untyped-def]
    assert ninth_cycle["coverage (any suggestion)"] >= 0.95
    assert ninth_cycle["precision of the suggestions"] >= 0.9
    assert ninth_cycle["decoy-only share"] <= 0.02
    assert ninth_cycle["true reasons (offer→need)"] == 1.0
