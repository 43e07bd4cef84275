"""Benchmark (on demand: ``pytest -m perf -s tests/perf/test_matching_perf.py``): one full
matching cycle (``suggest``: text features, blocked candidate generation both ways, structured
candidates, scoring, cap allocation, reasons) on synthetic communities of 1,000, 10,000 and
100,000 members, with its time and peak traced memory; and, in the same run, a baseline on the
same offer/ask TF-IDF features: scikit-learn's ``NearestNeighbors(algorithm="brute",
metric="cosine")``, one direction only (ask rows querying offer rows, k neighbours).

Prints figures and ratios: the cycle's wall and CPU time (the first in the process, then the
next on the same profiles, with what the first kept), each stage's (``StageClock``: the
features, history, text features, text candidates, other candidates, exclusions, cosines,
scoring, allocation, reasons) with the work sizes, peak memory, the baseline and the ratio.
CPU time is printed because the machine may be shared: wall time then overstates. The tag
verifier's verdicts are judged once before the cycles (``stored_verdicts``, printed), as the
profile jobs store them when profiles are saved: a cycle reads them, as the loader does. Asserts
only what the cycle must produce (no wall-clock asserts). Set ``JOREN_MATCHING_SIZES=1000,10000``
to run fewer sizes; ``/usr/bin/time -v`` gives the process's peak RSS.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

from joren.tenants.introductions import candidates, finder, matching, verifier
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.features import Features, History, Profile, pair
from joren.tenants.introductions.matching import suggest
from joren.tenants.members.industries import COMPANY_SIZES, INDUSTRIES, PREFECTURES

pytestmark = pytest.mark.perf  # a benchmark: run on demand (-m perf)

TRACED_UP_TO = 10_000
BASELINE_QUERIES = 20_000
SIZES = [int(s) for s in os.environ.get("JOREN_MATCHING_SIZES", "1000,10000,100000").split(",")]
PROCESS_SIZES = [int(s) for s in
                 os.environ.get("JOREN_PROCESS_SIZES", "100000").split(",")]
KANJI = ("営業採用求人経理税務会計法務労務保険不動産物件建設工事設計製造品質物流運送倉庫"
         "輸出入販売通販店舗飲食料理食品農業漁業医療介護福祉教育研修人材育成広告宣伝印刷"
         "映像写真動画情報技術開発運用保守通信機器資金融資投資相談支援代行管理効率改善企画"
         "戦略市場顧客新規地域観光旅行宿泊美容健康整体環境電気設備車両修理清掃警備翻訳通訳"
         "海外国内特許商標契約")
KATAKANA = ["システム", "デザイン", "マーケティング", "コンサルティング", "ネットワーク",
            "イベント", "ブランディング", "セミナー", "アプリ", "クラウド", "サポート",
            "リフォーム", "ケータリング", "コーチング", "プロモーション", "データ",
            "セキュリティ", "オフィス", "サービス", "ツアー"]
JOINERS = ["", "の", "と", "・", "や", "", "による"]
OFFER_ENDS = ["の代行", "の支援", "のご提案", "を承ります", "の専門家です", "が得意です"]
ASK_ENDS = ["に課題がある", "を探している", "で困っている", "を相談したい", "を強化したい",
            "を見直したい"]


def _vocabulary(rng: np.random.Generator, size: int = 12_000) -> list[str]:
    chars = list(KANJI)
    words = {a + b for a, b in rng.choice(chars, (size, 2)).tolist()}
    words.update(a + b for a in KATAKANA for b in ("", "開発", "運用", "導入", "制作"))
    return sorted(words)


class _Words:
    """Zipf-distributed words drawn in bulk (one ``choice`` call), handed out in order."""

    def __init__(self, rng: np.random.Generator, vocab: list[str], count: int):
        zipf = 1.0 / np.arange(1, len(vocab) + 1) ** 0.9
        zipf /= zipf.sum()
        self.vocab = vocab
        self.picked = rng.choice(len(vocab), size=count,
                                 p=zipf[rng.permutation(len(vocab))]).tolist()
        self.glue = rng.choice(JOINERS, size=count).tolist()
        self.at = 0

    def phrase(self, words: int, end: str) -> str:
        k, self.at = self.at, self.at + words
        parts = [self.vocab[w] + g for w, g in zip(self.picked[k:k + words],
                                                     self.glue[k:k + words], strict=True)]
        parts[-1] = self.vocab[self.picked[k + words - 1]]
        return "".join(parts) + end


def community(n: int, seed: int = 1) -> Features:
    """``n`` members with Japanese offer and ask texts drawn from a Zipf-distributed
    vocabulary of business words, random target pictures, levels and regions."""
    rng = np.random.default_rng(seed)
    words = _Words(rng, _vocabulary(rng), 30 * n)
    industries, sizes, prefs = list(INDUSTRIES), list(COMPANY_SIZES), list(PREFECTURES)
    levels = ["regular", "returning", "first_timer", "none", "one_time", "lapsed_regular"]
    lengths = rng.integers(1, 4, size=(n, 4)).tolist()
    offer_end = rng.choice(OFFER_ENDS, size=(n, 6)).tolist()
    ask_end = rng.choice(ASK_ENDS, size=(n, 3)).tolist()
    draw = rng.random((n, 2)).tolist()
    ind = rng.integers(len(industries), size=n).tolist()
    size = rng.integers(len(sizes), size=n).tolist()
    pref = rng.integers(len(prefs), size=n).tolist()
    level = rng.integers(len(levels), size=n).tolist()
    wished = [frozenset(industries[k] for k in row if k >= 0)
              for row in np.where(rng.random((n, 2)) < 0.5,
                                  rng.integers(len(industries), size=(n, 2)), -1).tolist()]
    profiles = []
    for k in range(n):
        ln, oe, ae = lengths[k], offer_end[k], ask_end[k]
        offers = tuple(words.phrase(ln[t], oe[t]) for t in range(3))
        description = words.phrase(3, oe[3]) + "。" + words.phrase(3, oe[4])
        asks = (words.phrase(ln[3], ae[0]),
                words.phrase(2, ae[1]) + "。" + words.phrase(2, ae[2]))
        profiles.append(Profile(
            k + 1, offers=(*offers, description), asks=asks, industry=industries[ind[k]],
            company_size=sizes[size[k]], prefecture=prefs[pref[k]], ask_industries=wished[k],
            ask_sizes=frozenset({sizes[(size[k] + 1) % len(sizes)]} if draw[k][0] < 0.3
                                else ()),
            seeks_same_industry=draw[k][0] > 0.9, accepts_introductions=draw[k][1] < 0.9,
            level=levels[level[k]], company=f"会社{(k + 1) % (n - 7)}"))
    return Features(profiles)


MEETUPS = 12            # the loader's window of recent held meetups
ROOM = 780              # attendees per meetup, at most


def history(features: Features, seed: int = 2) -> History:
    """Some past introductions and explicit meetups-together pairs (about one of each per
    member), and the attendance register of the last ``MEETUPS`` meetups, each attended by
    ``min(ROOM, n // 5)`` members drawn at random (what the loader passes)."""
    rng = np.random.default_rng(seed)
    ids = features.ids
    n = len(ids)
    a, b = rng.integers(0, n, n), rng.integers(0, n, n)
    keep = a != b
    pairs = list(zip(ids[a[keep]].tolist(), ids[b[keep]].tolist(), strict=True))
    half = len(pairs) // 2
    room = min(ROOM, n // 5)
    members = np.concatenate([rng.choice(ids, room, replace=False) for _ in range(MEETUPS)])
    meetups = np.repeat(np.arange(1, MEETUPS + 1), room)
    return History(excluded=frozenset(pairs[:half]),
                   met_together={p: int(c) for p, c in zip(pairs[half:],
                                                           rng.integers(1, 6, len(pairs)),
                                                           strict=False)},
                   attendance=(members, meetups))


def _status(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _timed(func):  # type: ignore[no-untyped-def]
    """(result, seconds, peak resident memory growth in MiB while it ran).

    The peak comes from the kernel's high-water mark, reset first (``clear_refs`` 5); memory
    freed earlier in the process and reused is not counted, so it is a lower bound."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _status("VmRSS")
    except OSError:
        before = float("nan")
    began = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - began
    return result, elapsed, _status("VmHWM") - before


def _traced_peak(func) -> float:  # type: ignore[no-untyped-def]
    """Peak traced allocations in MiB (tracemalloc slows Python-level work: a separate run)."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _baseline(features: Features, k: int) -> tuple[float, str]:
    """Seconds for the baseline over all consenting members. Brute force costs the same per
    query row, so above ``BASELINE_QUERIES`` rows a seeded sample of queries is timed and the
    time scaled by the number of rows (said so in the output)."""
    from sklearn.neighbors import NearestNeighbors

    offer, ask, _model = features.text()
    rows = np.flatnonzero(features.eligible)
    queries = rows
    if len(rows) > BASELINE_QUERIES:
        queries = np.sort(np.random.default_rng(0).choice(rows, BASELINE_QUERIES, False))
    began = time.perf_counter()
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric="cosine").fit(offer[rows])
    nn.kneighbors(ask[queries], n_neighbors=k, return_distance=True)
    elapsed = time.perf_counter() - began
    if len(queries) == len(rows):
        return elapsed, "measured"
    return elapsed * len(rows) / len(queries), (
        f"{elapsed:.1f} s measured on {len(queries):,} of {len(rows):,} query rows, scaled")


def _stage_table(n: int, clock: matching.StageClock, total: float, total_cpu: float) -> str:
    """One line per stage: wall seconds, CPU seconds, share of the cycle's wall time."""
    lines = [f"[matching n={n:,}] stages (wall s / CPU s / share of the cycle):"]
    for name, seconds in clock.seconds.items():
        lines.append(f"    {name:<18} {seconds:7.3f} {clock.cpu[name]:7.3f} "
                     f"{seconds / total:6.1%}")
    lines.append(f"    {'cycle':<18} {total:7.3f} {total_cpu:7.3f}")
    lines.append("    sizes: " + ", ".join(f"{k} {v:,}" for k, v in clock.sizes.items()))
    return "\n".join(lines)


_STORED: dict[int, tuple] = {}     # id(profiles) → the verdicts the profile jobs stored


def stored_verdicts(features: Features) -> tuple[verifier.Stored, float, int]:
    """The trained verifier's verdicts on every sentence of the community, judged once as the
    profile jobs judge them when profiles are saved (``verdicts.judge_members``), not in the
    cycle: (the verdicts, the CPU seconds it took, the sentences judged). A cycle then reads
    them as the loader reads the stored ones."""
    key = id(features.profiles)
    if key not in _STORED:
        cpu = time.process_time()
        judged = verifier.Verdicts({})
        for side, texts in (("offer", ["\n".join(p.offers) for p in features.profiles]),
                            ("need", ["\n".join(p.asks) for p in features.profiles])):
            lines = list(dict.fromkeys(textmod.sentence_table(texts)[0]))
            for start in range(0, len(lines), 20_000):
                judged.vetoed(lines[start:start + 20_000], side)
        # Stored are the tags' verdicts: a sentence with no tag has no row (``verdicts.store``),
        # read by the loader in the compact form (``verdicts.read``).
        rows = [(side, sentence, c, doubt) for (side, sentence), verdict in judged.known.items()
                for c, doubt in verdict.items()]
        stored = verifier.Stored(*zip(*rows, strict=True)) if rows else verifier.Stored()
        _STORED[key] = (stored, time.process_time() - cpu, len(judged.known))
    return _STORED[key]


_FOUND: dict[int, tuple[dict, float, int]] = {}   # id(profiles) → what the finder stored


def stored_found(features: Features) -> tuple[dict, float, int]:
    """The concepts the finder (``finder``) finds in every sentence of the community, found
    once as the profile jobs find them (``verdicts.judge_members``), not in the cycle: (what
    is stored, the CPU seconds it took, the sentences read)."""
    key = id(features.profiles)
    if key not in _FOUND:
        cpu = time.process_time()
        found = finder.Found({})
        for side, texts in (("offer", ["\n".join(p.offers) for p in features.profiles]),
                            ("need", ["\n".join(p.asks) for p in features.profiles])):
            lines = list(dict.fromkeys(textmod.sentence_table(texts)[0]))
            for start in range(0, len(lines), 20_000):
                found.concepts(lines[start:start + 20_000], side)
        _FOUND[key] = (dict(found.known), time.process_time() - cpu, len(found.known))
    return _FOUND[key]


def _cycle(features: Features, past: History, clock: matching.StageClock | None = None):  # type: ignore[no-untyped-def]
    """One matching cycle as the job runs it: the features built from the profiles with the
    stored verdicts of the tag verifier (``stored_verdicts``), then ``suggest``."""
    clock = clock or matching.StageClock()
    known = stored_verdicts(features)[0]
    with clock("features"):
        fresh = Features(features.profiles, verdicts=verifier.Verdicts(stored=known),
                         found=finder.Found(dict(stored_found(features)[0]))
                         if finder.ENABLED else None)
    return suggest(fresh, past, clock=clock)


@pytest.mark.parametrize("n", SIZES)
def test_one_matching_cycle(n, monkeypatch):
    features = community(n)
    past = history(features)
    _known, judging_cpu, judged = stored_verdicts(features)
    print(f"\n[matching n={n:,}] the tag verifier's verdicts, judged once as the profile jobs "
          f"do (not part of the cycle): {judged:,} sentences, {judging_cpu:.1f} s CPU")
    clock = matching.StageClock()
    cpu = time.process_time()
    result, cycle_time, cycle_rss = _timed(lambda: _cycle(features, past, clock))
    cycle_cpu = time.process_time() - cpu
    # The next cycle on the same profiles, as a worker runs it: the texts' rows kept by the
    # first (``RowCache``, the evidence's memos) are taken, not computed again.
    again_clock = matching.StageClock()
    cpu = time.process_time()
    again, again_time, _ = _timed(lambda: _cycle(features, past, again_clock))
    again_cpu = time.process_time() - cpu
    assert again == result
    traced = (f"{_traced_peak(lambda: _cycle(features, past)):.0f} MiB"
              if n <= TRACED_UP_TO else "not traced at this size (tracemalloc is too slow)")
    # The same cycle with one thread for the product blocks and cosines: the same suggestions.
    monkeypatch.setattr(candidates, "THREADS", 1)
    cpu = time.process_time()
    single, single_time, _ = _timed(lambda: _cycle(features, past))
    single_cpu = time.process_time() - cpu
    monkeypatch.undo()
    assert single == result
    without = History(excluded=past.excluded, met_together=past.met_together)
    _, plain_time, _ = _timed(lambda: _cycle(features, without))
    fresh = Features(features.profiles)
    fit_time = _timed(fresh.text)[1]
    baseline, how = _baseline(fresh, matching.TOP_K)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    members = int(features.eligible.sum())
    covered = len({m for s in result for m in (s.a, s.b)})
    print(f"\n[matching n={n:,}] one cycle: {cycle_time:.2f} s wall, {cycle_cpu:.2f} s CPU; "
          f"peak RSS growth {cycle_rss:.0f} MiB, peak traced allocations {traced}; "
          f"{len(result):,} suggestions covering {covered:,} of {members:,} consenting members; "
          f"process max RSS {rss:.0f} MiB")
    print(_stage_table(n, clock, cycle_time, cycle_cpu))
    print(f"[matching n={n:,}] the next cycle on the same profiles (the texts' rows kept "
          f"by the first): {again_time:.2f} s wall, {again_cpu:.2f} s CPU; the same "
          f"suggestions")
    print(_stage_table(n, again_clock, again_time, again_cpu))
    print(f"[matching n={n:,}] {candidates.THREADS} threads: {cycle_time:.2f} s wall, "
          f"{cycle_cpu:.2f} s CPU; one thread: {single_time:.2f} s wall, {single_cpu:.2f} s CPU "
          f"(wall ratio {cycle_time / single_time:.2f}); the same suggestions")
    print(f"[matching n={n:,}] attendance register of {len(past.attendance[0]):,} entries "
          f"({MEETUPS} meetups of {len(past.attendance[0]) // MEETUPS:,}): the same cycle "
          f"without it {plain_time:.2f} s (ratio with/without {cycle_time / plain_time:.2f})")
    print(f"[matching n={n:,}] baseline sklearn NearestNeighbors brute cosine, one direction, "
          f"k={matching.TOP_K}: {baseline:.2f} s ({how}); ratio ours/baseline = "
          f"{cycle_time / baseline:.2f} (without building the text features: "
          f"{(cycle_time - fit_time) / baseline:.2f})")
    counts: dict[int, int] = {}
    for s in result:
        counts[s.a] = counts.get(s.a, 0) + 1
        counts[s.b] = counts.get(s.b, 0) + 1
    assert max(counts.values()) <= 2
    assert all(s.reasons for s in result)
    assert not {pair(s.a, s.b) for s in result} & past.excluded


# --- one cycle in a process of its own ------------------------------------------------------

def _measured_child(n: int, kind: str) -> dict:
    """Run in a fresh interpreter (``python -m tests.perf.test_matching_perf N KIND``): build
    the community, then one cycle (``kind`` "cycle": the synthetic community and its history;
    "quality": the quality benchmark's community, meaning layer and all) or the baseline
    ("baseline": the text features and sklearn's brute-force neighbours). Returns the wall
    and CPU seconds of that step and the process's peak RSS before and after it (the
    kernel's high-water mark of this process's memory, ``VmHWM``): the whole process's
    peak, nothing subtracted. Not ``ru_maxrss``: a child started by ``fork``/``exec`` inherits
    its parent's high-water mark there (after the sizes above, the test process's 1.3 GB)."""
    def peak() -> float:
        try:
            hwm = _status("VmHWM")
        except OSError:
            hwm = float("nan")
        return hwm if hwm == hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if kind == "quality":
        from tests.quality import community as q

        features, past = Features(q.build(n, seed=1).profiles), History()
    else:
        features = community(n)
        past = history(features)
    if kind != "baseline":
        stored_verdicts(features)     # what the profile jobs stored before the cycle
        if finder.ENABLED:
            stored_found(features)
    before = peak()
    began, cpu = time.perf_counter(), time.process_time()
    if kind == "baseline":
        fresh = Features(features.profiles)
        fresh.text()
        scaled, how = _baseline(fresh, matching.TOP_K)
        extra = {"scaled": scaled, "how": how}
        found = 0
    else:
        found = len(_cycle(features, past))
        extra = {}
    return {"wall": time.perf_counter() - began, "cpu": time.process_time() - cpu,
            "rss_before": before, "rss_peak": peak(), "suggestions": found, **extra}


def _in_own_process(n: int, kind: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.perf.test_matching_perf", str(n), kind],
                         capture_output=True, text=True, check=True, env=os.environ.copy())
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("n", PROCESS_SIZES)
def test_one_cycle_in_a_process_of_its_own(n):
    """The cycle's peak memory and time measured where nothing else ran before it: targets
    ≤ 2 GB peak and ≤ 30 s at 100,000 members; the baseline in its own process beside it."""
    lines = [f"[matching n={n:,}] each in a process of its own (peak RSS of the whole "
             f"process, the community included; wall / CPU of the step):"]
    results = {}
    for kind in ("cycle", "quality", "baseline"):
        r = results[kind] = _in_own_process(n, kind)
        seconds = (f"{r['scaled']:.1f} s ({r['how']})" if kind == "baseline"
                   else f"{r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU")
        lines.append(f"    {kind:<9} {seconds}; peak RSS {r['rss_peak']:,.0f} MiB "
                     f"(after building the community {r['rss_before']:,.0f} MiB)")
    cycle, base = results["cycle"], results["baseline"]
    lines.append(f"    ratio cycle/baseline: time {cycle['wall'] / base['scaled']:.2f}, "
                 f"peak memory {cycle['rss_peak'] / base['rss_peak']:.2f}")
    print("\n" + "\n".join(lines))
    assert results["cycle"]["suggestions"] > 0 and results["quality"]["suggestions"] > 0


if __name__ == "__main__":
    print(json.dumps(_measured_child(int(sys.argv[1]), sys.argv[2])))
