"""Fit the engine's score → probability calibration on the quality benchmark and write it to
``joren/tenants/introductions/data/calibration.json`` (run by hand after the scoring changes:
``python -m tests.quality.fit_calibration``). Isotonic (monotone) regression of "the pair is
good" on the score of what cycles suggest, over several communities and sizes; seeds differ
from the ones the quality tests score."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression

from joren.tenants.introductions.features import Features, History, Weights
from joren.tenants.introductions.matching import suggest
from tests.quality import community as q

OUT = Path(__file__).resolve().parents[2] / "joren/tenants/introductions/data/calibration.json"
RUNS = ((300, 11), (1000, 12), (1000, 13), (2000, 14))


def main() -> None:
    scores, good = [], []
    for size, seed in RUNS:
        c = q.build(size, seed=seed)
        for s in suggest(Features(c.profiles), History(), cap=3, weights=Weights(min_score=0.2)):
            scores.append(s.score)
            good.append(c.good(s.a, s.b))
    x, y = np.asarray(scores), np.asarray(good, float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
    # Quantiles of the scores, and a step of 0.1 below the bulk of them: few suggestions
    # score low, but that is where a floor on the confidence is read (``semantics.FLOOR``).
    low = np.arange(np.floor(x.min() * 10) / 10, np.quantile(x, 0.1), 0.1)
    grid = np.unique(np.round(np.r_[np.quantile(x, np.linspace(0, 1, 41)), low], 4))
    probability = np.round(iso.predict(grid), 4)
    OUT.write_text(json.dumps({
        "about": "P(good match | engine score), isotonic fit on the quality benchmark "
                 f"(tests/quality/fit_calibration.py; {len(x)} suggestions, runs {RUNS})",
        "score": grid.tolist(), "probability": probability.tolist()}, indent=1) + "\n")
    print(f"{len(x)} suggestions, {y.mean():.3f} good; written to {OUT}")


if __name__ == "__main__":
    main()
