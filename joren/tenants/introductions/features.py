"""What the matching engine reads: members' profiles as aligned arrays (``Features``), what
already happened between them (``History``), the weights, and what it answers (``Suggestion``
with ``Reason``s). Pure data; ``loader`` builds it from a community, ``matching`` scores it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from joren.tenants.introductions import finder, semantics, verifier
from joren.tenants.introductions import text as textmod
from joren.tenants.members.industries import COMPANY_SIZES, INDUSTRIES, PREFECTURE_REGION, REGIONS


@dataclass(frozen=True)
class Reason:
    """Why a pair was suggested; rendered later by ``reasons.render``."""

    code: str
    params: dict

    def as_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class Suggestion:
    a: int
    b: int
    score: float
    reasons: tuple[Reason, ...]
    confidence: float | None = None   # calibrated probability of a good match (semantics)


@dataclass(frozen=True)
class Profile:
    """What the engine knows about one member (built by ``loader`` from a Member row)."""

    id: int
    offers: tuple[str, ...] = ()        # offer_1..3, business_description
    asks: tuple[str, ...] = ()          # ask_description, challenges, goals
    industry: str = ""                  # industries.INDUSTRIES code
    company_size: str = ""              # industries.COMPANY_SIZES code
    prefecture: str = ""                # "01".."47"
    ask_industries: frozenset[str] = frozenset()
    ask_sizes: frozenset[str] = frozenset()
    seeks_same_industry: bool = False
    accepts_introductions: bool = True
    active: bool = True
    level: str = "none"                 # engagement.levels.Level value
    company: str = ""
    offer_concepts: tuple[str, ...] = ()   # vocabulary concepts the member picked
    need_concepts: tuple[str, ...] = ()


def pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _no_attendance() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


@dataclass(frozen=True)
class History:
    """What already happened between members; every pair is (lower id, higher id).

    ``attendance`` is the attendance register the meetups-together counts come from: two
    aligned arrays (member ids, meetup ids), one entry per attendance (duplicates and members
    unknown to ``Features`` are ignored). ``met_together`` gives counts for explicit pairs: a
    positive count there overrides the register's count for that pair, and the pair is always
    a candidate."""

    excluded: frozenset[tuple[int, int]] = frozenset()    # introduced before, any status
    connected: frozenset[tuple[int, int]] = frozenset()   # of those, the CONNECTED ones
    met_together: Mapping[tuple[int, int], int] = field(default_factory=dict)  # meetups
    spoken: frozenset[tuple[int, int]] = frozenset()      # logged contact or connected
    attendance: tuple[np.ndarray, np.ndarray] = field(default_factory=_no_attendance,
                                                      compare=False)
    # Member id → suggestions still waiting for them (unreviewed, or sent and unanswered by
    # them): they count towards the per-member cap of the next cycle.
    pending: Mapping[int, int] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("excluded", "connected", "spoken"):
            object.__setattr__(self, name, frozenset(pair(*p) for p in getattr(self, name)))
        object.__setattr__(self, "met_together",
                           {pair(*p): int(n) for p, n in self.met_together.items()})
        members, meetups = (np.asarray(a, np.int64).ravel() for a in self.attendance)
        if len(members) != len(meetups):
            raise ValueError("attendance: member and meetup arrays differ in length")
        object.__setattr__(self, "attendance", (members, meetups))


@dataclass(frozen=True)
class Weights:
    text: float = 3.0
    industry: float = 0.15        # per direction: B's industry is one A looks for
    size: float = 0.05            # per direction: B's company size is one A looks for
    prefecture: float = 0.06
    region: float = 0.03
    regulars: float = 0.08
    welcome: float = 0.10         # a regular with a first-timer
    met: float = 0.10             # attended together, never spoke (scaled by meetups)
    same_industry: float = 0.12   # same industry when one of them asked for it
    same_industry_penalty: float = 0.03
    meet_again: float = -0.05     # rank_among only: already connected
    # Below this a pair is not worth an introduction. Suggestions whose calibrated confidence
    # is low (semantics.confidence < 0.5, about a score of 0.43) are flagged in the queue;
    # below semantics.FLOOR (0.1, about 0.38) a pair is not suggested (``above_floor``).
    min_score: float = 0.12
    # A direction's strength (semantics.directions) from which it is given as a reason.
    text_reason: float = 0.1
    text_common: float = 0.05     # a side's cosine from which the texts are quoted


DEFAULT_WEIGHTS = Weights()

_INDUSTRY = {code: i + 1 for i, code in enumerate(INDUSTRIES)}
_SIZE = {code: i + 1 for i, code in enumerate(COMPANY_SIZES)}
_REGION = {code: i + 1 for i, code in enumerate(REGIONS)}
_LEVEL = {"first_timer": 1, "returning": 2, "regular": 3}
_COMPANY_NOISE = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|一般社団法人|\(株\)|\(有\)|㈱|㈲|"
    r"\b(inc|co|ltd|llc|corp|corporation|company|kk|k\.k)\b|[\s.,・()]")


def company_key(name: str) -> str:
    """A company name without legal-form words, case, width and spacing ("" if none)."""
    name = unicodedata.normalize("NFKC", name or "").lower()
    return _COMPANY_NOISE.sub("", name)


def _bits(codes: frozenset[str], index: Mapping[str, int]) -> int:
    return sum(1 << index[c] for c in codes if c in index)


def _coded(values: Sequence, code) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``code(v)`` for each of ``values``, computed once per distinct value (members share
    industries, wishes, prefectures and levels)."""
    seen: dict = {v: code(v) for v in set(values)}
    return np.fromiter((seen[v] for v in values), np.int64, len(values))


def _prefecture_code(p: str) -> int:
    return int(p) if p in PREFECTURE_REGION else 0


def _company_keys(names: Sequence[str]) -> list[str]:
    """``company_key`` of each name; one normalisation and one substitution for all of them
    (NUL, which no pattern matches and NFKC leaves alone, separates them)."""
    joined = "\x00".join([name or "" for name in names])
    if joined.count("\x00") != max(len(names) - 1, 0):
        return [company_key(name) for name in names]
    return company_key(joined).split("\x00") if names else []


def _company_codes(names: Sequence[str]) -> np.ndarray:
    """A number per distinct ``company_key`` (0 for none), in order of first appearance."""
    numbers: dict[str, int] = {"": 0}
    return np.fromiter((numbers.setdefault(k, len(numbers)) for k in _company_keys(names)),
                       np.int64, len(names))


IN_PROCESS = "in_process"   # ``Features``' default verdicts: judged and kept by this process


class Features:
    """The members of a community as aligned arrays (position = index in ``profiles``)."""

    def __init__(self, profiles: Sequence[Profile],
                 verdicts: verifier.Verdicts | None | str = IN_PROCESS,
                 found: finder.Found | None | str = IN_PROCESS):
        """``verdicts``: the trained verifier's (``verifier``): ``IN_PROCESS`` (the default)
        judges the sentences no earlier run of this process judged; the loader passes the
        community's stored ones; None runs the engine without the verifier. ``found``: the
        concepts the encoder finds where the words find none (``finder``), alike."""
        self.profiles = tuple(profiles)
        self._verdicts = verdicts
        self._found = found
        ps = self.profiles
        n = len(ps)
        self.ids = np.fromiter((p.id for p in ps), np.int64, n)
        self.position = dict(zip(self.ids.tolist(), range(n), strict=True))
        self.eligible = np.fromiter((p.accepts_introductions and p.active for p in ps), bool, n)
        self.industry = _coded([p.industry for p in ps], lambda v: _INDUSTRY.get(v, 0))
        self.size = _coded([p.company_size for p in ps], lambda v: _SIZE.get(v, 0))
        prefectures = [p.prefecture for p in ps]
        self.prefecture = _coded(prefectures, _prefecture_code)
        self.region = _coded(prefectures,
                             lambda v: _REGION.get(PREFECTURE_REGION.get(v, ""), 0))
        self.ask_industries = _coded([p.ask_industries for p in ps],
                                     lambda v: _bits(v, _INDUSTRY))
        self.ask_sizes = _coded([p.ask_sizes for p in ps], lambda v: _bits(v, _SIZE))
        self.seeks = np.fromiter((p.seeks_same_industry for p in ps), bool, n)
        self.level = _coded([str(p.level) for p in ps], lambda v: _LEVEL.get(v, 0))
        self.company = _company_codes([p.company for p in ps])
        self.wrote = np.fromiter((any(p.offers) or any(p.asks) for p in ps), bool, n)
        self._text: tuple[sparse.csr_matrix, sparse.csr_matrix, textmod.TextModel] | None = None
        self._meaning: semantics.Meaning | None = None

    @property
    def verdicts(self) -> verifier.Verdicts | None:
        """The tag verdicts this run reads (None: no verifier)."""
        if isinstance(self._verdicts, str):
            self._verdicts = verifier.in_process()
        return self._verdicts

    @property
    def found(self) -> finder.Found | None:
        """The found concepts this run reads (None: no finder)."""
        if isinstance(self._found, str):
            self._found = finder.in_process()
        return self._found

    def __len__(self) -> int:
        return len(self.profiles)

    def text(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix, textmod.TextModel]:
        """(OFFER rows, ASK rows, model), computed once."""
        if self._text is None:
            offers, asks = semantics.without_boilerplate(
                ["\n".join(p.offers) for p in self.profiles],
                ["\n".join(p.asks) for p in self.profiles])
            self._text = textmod.fit(offers, asks)
        return self._text

    def meaning(self) -> semantics.Meaning:
        """Concepts of every member's offers and needs (text and picks); computed once."""
        if self._meaning is None:
            ps = self.profiles
            offer, need = semantics.concept_rows(
                ["\n".join(p.offers) for p in ps], ["\n".join(p.asks) for p in ps],
                [p.offer_concepts for p in ps], [p.need_concepts for p in ps],
                verdicts=self.verdicts, found=self.found)
            self._meaning = semantics.Meaning(offer, need)
        return self._meaning
