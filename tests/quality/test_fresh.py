"""The fresh phrasings (``fresh.py``) have the benchmark's shape and are their own sentences:
the catalogue's topic keys in the catalogue's order, each topic's industry, at least as many
sentences per field (and generic / homograph sentences) as ``catalogue``, and no sentence that
is word for word one of ``catalogue`` or ``held_out``. ``measure.py`` reports figures on all
three sets.
"""

from __future__ import annotations

from tests.quality import catalogue, fresh, held_out
from tests.quality.catalogue import Topic

_EXTRAS = ("GENERIC_JA", "GENERIC_EN", "HOMOGRAPH_JA", "HOMOGRAPH_EN")


def _sentences(module) -> list[str]:  # type: ignore[no-untyped-def]
    out = [s for t in module.TOPICS for group in t[2:] for s in group]
    for name in _EXTRAS:
        out += getattr(module, name)
    return out


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def test_fresh_has_the_catalogue_topics_in_order() -> None:
    assert all(isinstance(t, Topic) for t in fresh.TOPICS)
    assert [t.key for t in fresh.TOPICS] == [t.key for t in catalogue.TOPICS]
    assert [t.industry for t in fresh.TOPICS] == [t.industry for t in catalogue.TOPICS]


def test_fresh_has_at_least_the_catalogue_sentences() -> None:
    for mine, dev in zip(fresh.TOPICS, catalogue.TOPICS, strict=True):
        for field in Topic._fields[2:]:
            got, want = getattr(mine, field), getattr(dev, field)
            assert isinstance(got, tuple) and all(isinstance(s, str) and s for s in got)
            assert len(got) >= len(want), (mine.key, field)
    for name in _EXTRAS:
        assert len(getattr(fresh, name)) >= len(getattr(catalogue, name)), name


def test_fresh_sentences_are_not_copied() -> None:
    others = {_norm(s) for s in _sentences(catalogue) + _sentences(held_out)}
    mine = [_norm(s) for s in _sentences(fresh)]
    assert sorted(s for s in mine if s in others) == []
    assert len(set(mine)) == len(mine)


def test_a_fresh_community_is_written_with_the_fresh_sentences() -> None:
    from tests.quality import community as q

    c = q.build(200, seed=3, phrasings="fresh")
    assert c.phrasings == "fresh"
    written = set(_sentences(fresh)) | set(catalogue.FILLER_JA) | set(catalogue.FILLER_EN)
    texts = [s for p in c.profiles for s in (*p.offers, *p.asks)]
    assert texts and all(s in written for s in texts)
