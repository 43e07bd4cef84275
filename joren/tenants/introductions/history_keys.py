"""History as sorted pair keys over ``Features`` positions: who was introduced, connected,
spoke or met, looked up for many candidate pairs at once (``np.searchsorted``), and the
meetups-together counts from the attendance register (``together``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from joren.tenants.introductions import arrays, together
from joren.tenants.introductions.features import Features, History, pair


def position_keys(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """One integer per unordered pair of positions (i, j) among ``n`` members."""
    return np.minimum(i, j) * n + np.maximum(i, j)


def _known_pair_keys(f: Features, pairs) -> np.ndarray:  # type: ignore[no-untyped-def]
    pos = f.position
    found = [(pos[a], pos[b]) for a, b in pairs if a in pos and b in pos]
    if not found:
        return np.zeros(0, np.int64)
    arr = np.asarray(found, np.int64)
    return arrays.unique(position_keys(len(f), arr[:, 0], arr[:, 1]))


def member_of(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each of ``keys``, whether it is in ``sorted_keys``."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


@dataclass
class HistoryKeys:
    """``History`` over positions, built once per run of the engine."""

    excluded: np.ndarray
    connected: np.ndarray
    spoken: np.ndarray
    met: np.ndarray
    met_counts: np.ndarray
    register: sparse.csr_matrix
    meetup_ids: np.ndarray
    bits: np.ndarray | None

    @classmethod
    def build(cls, f: Features, h: History) -> HistoryKeys:
        pos, n = f.position, len(f)
        met = [(pos[a], pos[b], c) for (a, b), c in h.met_together.items()
               if a in pos and b in pos and c > 0]
        arr = np.asarray(met, np.int64).reshape(-1, 3)
        keys = position_keys(n, arr[:, 0], arr[:, 1])
        order = np.argsort(keys)
        register, meetup_ids = together.incidence(f.ids, h.attendance)
        return cls(_known_pair_keys(f, h.excluded), _known_pair_keys(f, h.connected),
                   _known_pair_keys(f, h.spoken), keys[order], arr[order, 2], register, meetup_ids,
                   together.masks(register))

    def met_count(self, i: np.ndarray, j: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Meetups together of the pairs (i, j): the register's count, or the explicit one."""
        out = together.count(self.register, i, j, self.bits)
        hit = member_of(self.met, keys)
        out[hit] = self.met_counts[np.searchsorted(self.met, keys[hit])]
        return out


def met_counts(features: Features, history: History,
               pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Meetups attended together, as the engine counts them, for these member-id pairs (for
    tests and diagnostics; pairs with a member unknown to ``features`` are left out)."""
    pos = features.position
    known = [(a, b) for a, b in pairs if a in pos and b in pos]
    if not known:
        return {}
    i = np.asarray([pos[a] for a, _ in known], np.int64)
    j = np.asarray([pos[b] for _, b in known], np.int64)
    hk = HistoryKeys.build(features, history)
    counts = hk.met_count(i, j, position_keys(len(features), i, j))
    return {pair(a, b): int(c) for (a, b), c in zip(known, counts, strict=True)}
