"""Print the quality figures of one cycle on the dev, the held-out, the fresh, the unseen, the
novel, the distinct, the seventh, the eighth, the ninth and the tenth phrasings, at the sizes given
(``python -m tests.quality.measure 1000 5000``): precision, decoy-only share, coverage, true
reasons, ja↔en pairs, and the cycle's time. The held-out line is the one to quote
(``held_out.py`` says why); the unseen line was the one nobody tuned on, the novel line
(``novel.py``, a fifth set written blind) the one to keep so once the unseen set was tuned on
too, the distinct line (``distinct.py``, a sixth, written blind before the novel set is tuned
on) the one to keep so once the novel set was, the seventh line (``seventh.py``, written blind
before the distinct set is tuned on) the one to keep so once the distinct set is, the eighth
line (``eighth.py``, written blind while the seventh and distinct sets are tuned on) the one to
keep so once the seventh set is, and the ninth line (``ninth.py``, written blind while the
eighth was the blind set) the one to keep so once the eighth set is, and the tenth line
(``tenth.py``, written blind while the ninth was tuned on) the one to keep so once the ninth
set is."""

from __future__ import annotations

import sys
import time

from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.matching import suggest
from tests.quality import community as q

KEYS = (("precision of the suggestions", "precision"), ("decoy-only share", "decoys"),
        ("coverage (any suggestion)", "coverage"), ("coverage (a good suggestion)", "cov good"),
        ("true reasons (offer→need)", "true dir"), ("ja↔en share of good suggestions", "ja↔en"))


def measure(size: int, phrasings: str, seed: int = 1) -> str:
    c = q.build(size, seed=seed, phrasings=phrasings)
    began = time.process_time()
    found = suggest(Features(c.profiles), History())
    cpu = time.process_time() - began
    s = q.score_cycle(c, found)
    cells = "  ".join(f"{short} {s[key]:.3f}" for key, short in KEYS)
    return (f"{phrasings:>8} n={size:>6,}: {cells}  ja↔en found "
            f"{s.counts['ja↔en good pairs found']:,}  suggestions {len(found):,}  {cpu:.1f} s CPU")


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1000, 5000]
    for size in sizes:
        for phrasings in q.MEASURED:
            print(measure(size, phrasings), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
