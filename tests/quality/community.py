"""The quality benchmark's communities, with the good matches known by construction, and the
scorers of what the engine answers (imported by tests/quality and tests/perf).

``build(size, seed)`` gives a ``Community``: the profiles the engine reads and the truth.
Each member offers one or two business topics (``catalogue.TOPICS``) and needs one, writing
in Japanese or in English; a need is phrased directly (the offer's key words) or paraphrased
(the situation, none of the offer's words). Some members are decoys: their offer and need are
generic sentences only (経営, 中小企業, サポート, …), or their need is a homograph of an offer
(人脈のネットワーク against 社内ネットワーク). Generic sentences and neutral fillers are also
sprinkled over real profiles, so generic words are common but not everywhere.

Truth: ``gives(x, y)`` when x offers the topic y needs; a pair is good when either direction
holds. Same-company pairs and members who do not consent are never good partners.

Scorers: ``score_ranking`` (a member's top-k, no caps: ``rank_among``) and ``score_cycle``
(what one cycle suggests: ``suggest``), each returning plain figures; ``Score.lines()`` prints
them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from joren.tenants.introductions.features import Profile, Suggestion
from joren.tenants.members.industries import COMPANY_SIZES, INDUSTRIES, PREFECTURES
from tests.quality import catalogue as cat
from tests.quality import distinct, eighth, fresh, held_out, ninth, novel, seventh, tenth, unseen

TOPIC_KEYS = tuple(t.key for t in cat.TOPICS)
SHARE_EN = 0.4            # members writing in English
SHARE_PARAPHRASED = 0.6   # needs written without the offer's words
SHARE_DECOY = 0.1         # generic offer and generic need
SHARE_HOMOGRAPH = 0.05    # a real offer, a need that only looks like one
SHARE_SECOND_OFFER = 0.3
SHARE_SAME_COMPANY = 0.04  # shares its company with the member before it
SHARE_DECLINING = 0.08     # does not accept introductions


@dataclass
class Community:
    """Profiles (ids 1..n, in order) and what is true about them."""

    profiles: list[Profile]
    language: np.ndarray          # "ja" / "en" per position
    offers: list[frozenset[int]]  # topic indices offered (empty: generic only)
    need: np.ndarray              # topic index needed, -1 for none (generic or homograph)
    paraphrased: np.ndarray       # bool: the need is written without the offer's words
    decoy: np.ndarray             # bool: generic offer and generic need
    homograph: np.ndarray         # bool: the need is a homograph, not a topic
    eligible: np.ndarray          # bool: consents and is active
    company: np.ndarray           # company number per position
    phrasings: str = "dev"        # which sentences the members wrote (``PHRASINGS``)
    _offer_bits: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._offer_bits = np.fromiter((sum(1 << t for t in o) for o in self.offers),
                                       np.int64, len(self.offers))

    def __len__(self) -> int:
        return len(self.profiles)

    def pos(self, member_id: int) -> int:
        return int(member_id) - 1

    def gives(self, giver: int, asker: int) -> bool:
        """Whether member ``giver`` offers what member ``asker`` needs (ids)."""
        t = int(self.need[self.pos(asker)])
        return t >= 0 and bool((self._offer_bits[self.pos(giver)] >> t) & 1)

    def good(self, a: int, b: int) -> bool:
        """Whether the pair (ids) is a good introduction (either direction; other companies)."""
        pa, pb = self.pos(a), self.pos(b)
        if self.company[pa] == self.company[pb]:
            return False
        return self.gives(a, b) or self.gives(b, a)

    def good_array(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``good`` for arrays of ids."""
        pa, pb = np.asarray(a, np.int64) - 1, np.asarray(b, np.int64) - 1
        na, nb = self.need[pa], self.need[pb]
        ab = (nb >= 0) & (((self._offer_bits[pa] >> np.maximum(nb, 0)) & 1) == 1)
        ba = (na >= 0) & (((self._offer_bits[pb] >> np.maximum(na, 0)) & 1) == 1)
        return (ab | ba) & (self.company[pa] != self.company[pb])

    def with_good_match(self) -> np.ndarray:
        """Bool per position: an eligible member with at least one eligible good partner."""
        n, topics = len(self), len(TOPIC_KEYS)
        el = self.eligible
        providers = np.zeros((topics,), np.int64)
        needers = np.zeros((topics,), np.int64)
        for t in range(topics):
            providers[t] = int((el & (((self._offer_bits >> t) & 1) == 1)).sum())
            needers[t] = int((el & (self.need == t)).sum())
        out = np.zeros(n, bool)
        # Partners from the member's own company do not count: subtract them.
        by_company: dict[int, list[int]] = {}
        for p in np.flatnonzero(el).tolist():
            by_company.setdefault(int(self.company[p]), []).append(p)
        for p in np.flatnonzero(el).tolist():
            mates = by_company[int(self.company[p])]
            t = int(self.need[p])
            if t >= 0:
                same = sum(1 for q in mates if (self._offer_bits[q] >> t) & 1)
                if providers[t] - same > 0:
                    out[p] = True
                    continue
            for t in self.offers[p]:
                same = sum(1 for q in mates if self.need[q] == t)
                if needers[t] - same > 0:
                    out[p] = True
                    break
        return out


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def _need_text(rng: random.Random, topic: cat.Topic, lang: str, para: bool) -> str:
    if lang == "ja":
        return _pick(rng, topic.ja_para if para else topic.ja_need)
    return _pick(rng, topic.en_para if para else topic.en_need)


PHRASINGS = ("dev", "held_out")        # the sets the quality tests run on
# what ``build`` accepts, ``measure`` prints
MEASURED = (*PHRASINGS, "fresh", "unseen", "novel", "distinct", "seventh", "eighth",
            "ninth", "tenth")


def build(size: int, seed: int = 0, phrasings: str = "dev") -> Community:
    """A community of ``size`` members (ids 1..size), the same for the same seed.

    ``phrasings``: "dev" writes the members' sentences from ``catalogue`` (the set the
    vocabulary was built with), "held_out" from ``held_out`` (written independently, never
    used to build the vocabulary or fit the calibration): the figures that count; "fresh"
    from ``fresh`` (a third set, written without seeing the vocabulary or the other two);
    "unseen" from ``unseen`` (a fourth, written blind after ``fresh`` became a tuning set);
    "novel" from ``novel`` (a fifth, written blind while ``unseen`` was becoming one);
    "distinct" from ``distinct`` (a sixth, written blind before ``novel`` is tuned on);
    "seventh" from ``seventh`` (written blind before ``distinct`` is tuned on); "eighth" from
    ``eighth`` (written blind while ``seventh`` and ``distinct`` are tuned on); "ninth" from
    ``ninth`` (written blind while ``eighth`` was the blind set); "tenth" from ``tenth``
    (written blind while ``ninth`` was the blind set)."""
    if phrasings not in MEASURED:
        raise ValueError(f"phrasings: one of {MEASURED}")
    src = {"held_out": held_out, "fresh": fresh, "unseen": unseen,
           "novel": novel, "distinct": distinct, "seventh": seventh,
           "eighth": eighth, "ninth": ninth, "tenth": tenth}.get(phrasings, cat)
    rng = random.Random(seed)
    industries, sizes = list(INDUSTRIES), list(COMPANY_SIZES)
    prefectures = list(PREFECTURES)[10:18]
    levels = ["regular", "returning", "first_timer", "none", "one_time", "lapsed_regular"]
    topics = src.TOPICS
    profiles: list[Profile] = []
    language = np.empty(size, object)
    offers: list[frozenset[int]] = []
    need = np.full(size, -1, np.int64)
    paraphrased = np.zeros(size, bool)
    decoy = np.zeros(size, bool)
    homograph = np.zeros(size, bool)
    eligible = np.zeros(size, bool)
    company = np.zeros(size, np.int64)
    for p in range(size):
        lang = "en" if rng.random() < SHARE_EN else "ja"
        generic = src.GENERIC_EN if lang == "en" else src.GENERIC_JA
        filler = cat.FILLER_EN if lang == "en" else cat.FILLER_JA
        kind = rng.random()
        offer_texts: list[str] = []
        ask_texts: list[str] = []
        offered: set[int] = set()
        if kind < SHARE_DECOY:
            decoy[p] = True
            offer_texts.append(_pick(rng, generic))
            ask_texts.append(_pick(rng, generic))
        else:
            offered.add(rng.randrange(len(topics)))
            if rng.random() < SHARE_SECOND_OFFER:
                offered.add(rng.randrange(len(topics)))
            for t in sorted(offered):
                pool = topics[t].en_offer if lang == "en" else topics[t].ja_offer
                offer_texts.append(_pick(rng, pool))
            if kind < SHARE_DECOY + SHARE_HOMOGRAPH:
                homograph[p] = True
                ask_texts.append(_pick(rng, src.HOMOGRAPH_EN if lang == "en"
                                       else src.HOMOGRAPH_JA))
            else:
                t = rng.choice([k for k in range(len(topics)) if k not in offered])
                need[p] = t
                paraphrased[p] = rng.random() < SHARE_PARAPHRASED
                ask_texts.append(_need_text(rng, topics[t], lang, bool(paraphrased[p])))
            if rng.random() < 0.35:
                offer_texts.append(_pick(rng, generic))
            if rng.random() < 0.3:
                ask_texts.append(_pick(rng, generic))
        if rng.random() < 0.5:
            offer_texts.append(_pick(rng, filler))
        same = p > 0 and rng.random() < SHARE_SAME_COMPANY
        company[p] = company[p - 1] if same else p + 1
        consents = rng.random() >= SHARE_DECLINING
        eligible[p] = consents
        first = min(offered) if offered else -1
        wished = set(rng.sample(industries, rng.randint(0, 2)))
        if need[p] >= 0 and rng.random() < 0.3:
            wished.add(topics[int(need[p])].industry)
        language[p] = lang
        offers.append(frozenset(offered))
        profiles.append(Profile(
            p + 1, offers=tuple(offer_texts), asks=tuple(ask_texts),
            industry=topics[first].industry if first >= 0 else rng.choice(industries),
            company_size=rng.choice(sizes), prefecture=rng.choice(prefectures),
            ask_industries=frozenset(wished),
            ask_sizes=frozenset(rng.sample(sizes, rng.randint(0, 1))),
            seeks_same_industry=rng.random() < 0.1, accepts_introductions=consents,
            level=rng.choice(levels), company=f"会社{company[p]}"))
    return Community(profiles, language, offers, need, paraphrased, decoy, homograph,
                     eligible, company, phrasings)


# --- scoring --------------------------------------------------------------------------------

@dataclass
class Score:
    """Figures of one measurement; ``lines()`` prints them."""

    title: str
    figures: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> float:
        return self.figures[key]

    def lines(self) -> str:
        out = [f"[{self.title}]"]
        out += [f"    {k:<34} {v:7.3f}" for k, v in self.figures.items()]
        out += [f"    {k:<34} {v:7,d}" for k, v in self.counts.items()]
        return "\n".join(out)


def score_ranking(c: Community, ranked: Mapping[int, Sequence[Suggestion]], k: int = 5,
                  title: str = "ranking") -> Score:
    """Each member's top-``k`` partners (``rank_among``: ``s.a`` is the member): hit@k (the
    top-k holds a good partner) and precision@k, over members with a good match, overall,
    for paraphrased needs, and for members who write in English."""
    hungry = c.with_good_match()
    rows = []
    for member, found in ranked.items():
        p = c.pos(member)
        if not hungry[p]:
            continue
        top = [s.b for s in found[:k]]
        good = [c.good(member, other) for other in top]
        rows.append((p, any(good), sum(good) / k))
    s = Score(title)
    if not rows:
        return s
    hit = np.array([r[1] for r in rows])
    prec = np.array([r[2] for r in rows])
    pos = np.array([r[0] for r in rows])
    para = c.paraphrased[pos]
    en = c.language[pos] == "en"
    s.figures[f"hit@{k} (a good partner in top {k})"] = float(hit.mean())
    s.figures[f"precision@{k}"] = float(prec.mean())
    if para.any():
        s.figures[f"hit@{k}, paraphrased needs"] = float(hit[para].mean())
    if en.any():
        s.figures[f"hit@{k}, members writing English"] = float(hit[en].mean())
    s.counts["members with a good match"] = len(rows)
    return s


def _reason_truth(c: Community, suggestions: Sequence[Suggestion]) -> tuple[int, int, int]:
    """(directions stated, of them true, good pairs carrying a false direction)."""
    stated = true = false_on_good = 0
    for sug in suggestions:
        wrong = False
        for r in sug.reasons:
            code = r.code if hasattr(r, "code") else r["code"]
            params = r.params if hasattr(r, "params") else r["params"]
            if code != "offers_for_ask":
                continue
            stated += 1
            if c.gives(int(params["a"]), int(params["b"])):
                true += 1
            else:
                wrong = True
        if wrong and c.good(sug.a, sug.b):
            false_on_good += 1
    return stated, true, false_on_good


def score_cycle(c: Community, suggestions: Sequence[Suggestion], title: str = "cycle") -> Score:
    """What one cycle suggests: precision, coverage of the members who have a good match
    (any suggestion; a good one), decoy-only share, true reasons, ja↔en pairs."""
    s = Score(title)
    hungry = c.with_good_match()
    n_sug = len(suggestions)
    a = np.fromiter((x.a for x in suggestions), np.int64, n_sug)
    b = np.fromiter((x.b for x in suggestions), np.int64, n_sug)
    good = c.good_array(a, b) if n_sug else np.zeros(0, bool)
    got = np.zeros(len(c), bool)
    got_good = np.zeros(len(c), bool)
    if n_sug:
        got[a - 1] = got[b - 1] = True
        got_good[a[good] - 1] = got_good[b[good] - 1] = True
    decoy_only = (~good) & (c.decoy[a - 1] | c.decoy[b - 1] | c.homograph[a - 1]
                            | c.homograph[b - 1]) if n_sug else good
    cross = (c.language[a - 1] != c.language[b - 1]) if n_sug else good
    stated, true, false_on_good = _reason_truth(c, suggestions)
    el = c.eligible
    s.figures["precision of the suggestions"] = float(good.mean()) if n_sug else 0.0
    s.figures["coverage (any suggestion)"] = float(got[hungry].mean()) if hungry.any() else 0.0
    s.figures["coverage (a good suggestion)"] = (float(got_good[hungry].mean())
                                                 if hungry.any() else 0.0)
    s.figures["decoy-only share"] = float(decoy_only.mean()) if n_sug else 0.0
    s.figures["true reasons (offer→need)"] = true / stated if stated else 1.0
    s.figures["good pairs with a false reason"] = (false_on_good / int(good.sum())
                                                   if good.any() else 0.0)
    s.figures["ja↔en share of good suggestions"] = (float(cross[good].mean())
                                                    if good.any() else 0.0)
    s.figures["precision, paraphrased askers"] = _precision_where(
        good, c.paraphrased[a - 1] | c.paraphrased[b - 1]) if n_sug else 0.0
    s.counts["suggestions"] = n_sug
    s.counts["good suggestions"] = int(good.sum())
    s.counts["ja↔en good pairs found"] = int((cross & good).sum())
    s.counts["consenting members"] = int(el.sum())
    s.counts["members with a good match"] = int(hungry.sum())
    s.counts["stated directions"] = stated
    return s


def _precision_where(good: np.ndarray, where: np.ndarray) -> float:
    return float(good[where].mean()) if where.any() else 0.0


def suggestion_counts(suggestions: Iterable[Suggestion]) -> dict[int, int]:
    """How many suggestions each member is in."""
    counts: dict[int, int] = {}
    for s in suggestions:
        counts[s.a] = counts.get(s.a, 0) + 1
        counts[s.b] = counts.get(s.b, 0) + 1
    return counts
