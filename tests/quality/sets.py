"""What the tests of the phrasing sets share (``test_held_out``, ``test_fresh``,
``test_unseen``, ``test_novel``, ``test_distinct``, ``test_seventh``, ``test_eighth``,
``test_ninth``, ``test_tenth``): a set's sentences, the way words are compared as written,
the vocabulary's phrases found in a set and the guard that keeps them as they were (by
digest), and the shape every set must have (``catalogue``'s)."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from types import ModuleType

from tests.quality import catalogue
from tests.quality.catalogue import Topic

EXTRAS = ("GENERIC_JA", "GENERIC_EN", "HOMOGRAPH_JA", "HOMOGRAPH_EN")
_KATAKANA = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}


def sentences(module: ModuleType) -> list[str]:
    """Every sentence of a set: its topics' fields, then its generic and homograph ones."""
    out = [s for t in module.TOPICS for group in t[2:] for s in group]
    for name in EXTRAS:
        out += getattr(module, name)
    return out


def norm(s: str) -> str:
    return " ".join(s.casefold().split())


def written(text: str) -> str:
    """A text as written, for comparing words (NFKC, lower case, katakana as hiragana): not the
    vocabulary's reading (``vocabulary.fold``), which changes words to find their variants."""
    return unicodedata.normalize("NFKC", text).lower().translate(_KATAKANA)


def phrase(cue: str) -> bool:
    """A cue long enough to be a phrase: two or more English words, or four or more
    characters."""
    return len(cue.split()) >= 2 if cue.isascii() else len(cue) >= 4


def vocabulary_phrases_in(module: ModuleType) -> set[str]:
    """The vocabulary's phrases (as written) that a set's sentences contain."""
    from joren.tenants.members import vocabulary

    data = vocabulary._data()
    cues = {written(c) for concept in data["concepts"].values()
            for side in ("offer", "need", "both") for c in concept.get(side, ())}
    cues |= {written(c) for c in data.get("neutral_phrases", ())}
    texts = [written(s) for s in sentences(module)]
    return {c for c in cues if phrase(c) and any(c in s for s in texts)}


def digest(cue: str) -> str:
    """A phrase's digest (the first 16 hex digits of its SHA-256): what the guards of the
    blind sets keep instead of the phrase, so that whoever reads them learns no phrase of the
    vocabulary found in a set, nor a set's words from the vocabulary."""
    return hashlib.sha256(cue.encode()).hexdigest()[:16]


def vocabulary_digests_in(module: ModuleType) -> set[str]:
    """The digests of the vocabulary's phrases a set's sentences contain (to write a new set's
    ``BEFORE``: print these, never the phrases)."""
    return {digest(c) for c in vocabulary_phrases_in(module)}


def assert_not_copied_into_the_vocabulary(module: ModuleType, before: Iterable[str],
                                          *digests: Iterable[str],
                                          named: Iterable[str] = ()) -> None:
    """No vocabulary phrase occurs in a set's sentences unless its digest is in ``before``
    (the phrases they held the day the set was written) or in one of ``digests`` (phrases
    added later by a round that never read the set, kept as digests), or it is one of
    ``named`` (phrases listed as text, each with its commit and reason)."""
    allowed = set(before).union(*digests) | {digest(c) for c in named}
    assert sorted(vocabulary_digests_in(module) - allowed) == []


def assert_catalogue_shape(module: ModuleType) -> None:
    """The catalogue's topic keys in its order, each topic's industry, and at least as many
    sentences per field (and generic / homograph sentences) as ``catalogue``."""
    assert all(isinstance(t, Topic) for t in module.TOPICS)
    assert [t.key for t in module.TOPICS] == [t.key for t in catalogue.TOPICS]
    assert [t.industry for t in module.TOPICS] == [t.industry for t in catalogue.TOPICS]
    for mine, dev in zip(module.TOPICS, catalogue.TOPICS, strict=True):
        for field in Topic._fields[2:]:
            got, want = getattr(mine, field), getattr(dev, field)
            assert isinstance(got, tuple) and all(isinstance(s, str) and s for s in got)
            assert len(got) >= len(want), (mine.key, field)
    for name in EXTRAS:
        assert len(getattr(module, name)) >= len(getattr(catalogue, name)), name


def assert_own_sentences(module: ModuleType, *others: ModuleType) -> None:
    """No sentence of ``module`` is word for word one of ``others``', and none repeats."""
    seen = {norm(s) for m in others for s in sentences(m)}
    mine = [norm(s) for s in sentences(module)]
    assert sorted(s for s in mine if s in seen) == []
    assert len(set(mine)) == len(mine)


def assert_community_speaks_only(module: ModuleType, phrasings: str) -> None:
    """A community built with ``phrasings`` is written with ``module``'s sentences and the
    catalogue's fillers only; its needs are the set's own, homographs and paraphrases among
    them."""
    from tests.quality import community as q

    assert phrasings in q.MEASURED
    c = q.build(300, seed=5, phrasings=phrasings)
    assert c.phrasings == phrasings
    own = set(sentences(module))
    allowed = own | set(catalogue.FILLER_JA) | set(catalogue.FILLER_EN)
    texts = [s for p in c.profiles for s in (*p.offers, *p.asks)]
    assert texts and set(texts) <= allowed
    asks = [s for p in c.profiles for s in p.asks]
    assert asks and all(s in own for s in asks)
    assert set(module.HOMOGRAPH_JA + module.HOMOGRAPH_EN) & set(asks)
    paraphrased = {s for t in module.TOPICS for s in (*t.ja_para, *t.en_para)}
    assert paraphrased & set(asks)
