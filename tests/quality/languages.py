"""Introductions across languages on the quality benchmark: how many of the good matches that
exist are ja↔en, how many of the good suggestions are, and how well members are served whose
only good partners write in the other language.

A member writing Japanese who needs bookkeeping is met by an English-writing bookkeeper only
through the vocabulary's concepts (characters do not cross languages), so these figures
measure what the bilingual vocabulary gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from joren.tenants.introductions.features import Suggestion
from tests.quality import community as q


def _givers_by_language(c: q.Community) -> dict[str, np.ndarray]:
    """Per language: how many eligible members offer each topic."""
    topics = len(q.TOPIC_KEYS)
    out = {}
    for lang in ("ja", "en"):
        counts = np.zeros(topics, np.int64)
        for p in np.flatnonzero(c.eligible & (c.language == lang)).tolist():
            for t in c.offers[p]:
                counts[t] += 1
        out[lang] = counts
    return out


def score_languages(c: q.Community, suggestions: Sequence[Suggestion],
                    title: str = "languages") -> q.Score:
    """The share of ja↔en among the good directions that exist (giver offers what the
    asker needs, both eligible; same-company pairs are few and counted) and among the good
    suggestions; their ratio (1.0: the engine finds a cross-language match as readily as a
    same-language one); and, of the members whose need only another language's members
    meet, the share whose suggestions include one who meets it, beside the same share for
    members with a giver in their own language."""
    s = q.Score(title)
    givers = _givers_by_language(c)
    other = {"ja": "en", "en": "ja"}
    cross = same = 0
    askers = np.flatnonzero(c.eligible & (c.need >= 0))
    for p in askers.tolist():
        t, lang = int(c.need[p]), str(c.language[p])
        same += int(givers[lang][t])
        cross += int(givers[other[lang]][t])
    met: dict[int, bool] = {}
    for sug in suggestions:
        for giver, asker in ((sug.a, sug.b), (sug.b, sug.a)):
            if c.gives(giver, asker) and c.company[c.pos(giver)] != c.company[c.pos(asker)]:
                met[c.pos(asker)] = True
    only_other = [p for p in askers.tolist()
                  if givers[str(c.language[p])][int(c.need[p])] == 0
                  and givers[other[str(c.language[p])]][int(c.need[p])] > 0]
    own = [p for p in askers.tolist() if givers[str(c.language[p])][int(c.need[p])] > 0]
    good = [x for x in suggestions if c.good(x.a, x.b)]
    found_cross = sum(1 for x in good if c.language[c.pos(x.a)] != c.language[c.pos(x.b)])
    exist_share = cross / (cross + same) if cross + same else 0.0
    found_share = found_cross / len(good) if good else 0.0
    s.figures["ja↔en share of good directions"] = exist_share
    s.figures["ja↔en share of good suggestions"] = found_share
    s.figures["ja↔en parity (found / existing)"] = (found_share / exist_share
                                                    if exist_share else 0.0)
    s.figures["need met, giver in own language"] = (
        sum(met.get(p, False) for p in own) / len(own) if own else 0.0)
    if only_other:
        s.figures["need met, givers only in other"] = (
            sum(met.get(p, False) for p in only_other) / len(only_other))
    s.counts["ja↔en good suggestions"] = found_cross
    s.counts["askers met only across languages"] = len(only_other)
    return s
