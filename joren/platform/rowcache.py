"""Sparse rows computed text by text, kept across calls in the process (``RowCache``).

The matching engine reads every member's texts each cycle (n-grams, concept tags, terms),
and a worker runs the cycles of many communities one after the other in one process (RQ's
``SimpleWorker``). Profiles change rarely, so most texts of a cycle were read in the one
before: their rows are taken from what that call computed, and only the new texts are read.
A row must depend on its own text alone (never on the other texts of the call): then the
rows of a call are the same, bit for bit, whether they were computed or kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from itertools import repeat

import numpy as np
from scipy import sparse

Compute = Callable[[list[str]], sparse.csr_matrix]


class RowCache:
    """The rows of the last calls (``compute(texts)``: one CSR row per text), kept by text.

    Up to ``rows`` rows are kept, the newest calls first: a call with more texts than that
    is computed and not kept (the memory of a very large community's rows counts more than
    the CPU they would save). The texts themselves are the keys (no hash that two texts
    could share)."""

    def __init__(self, rows: int, calls: int = 4) -> None:
        self.limit = rows
        self.calls = calls
        self._kept: list[tuple[dict[str, int], sparse.csr_matrix]] = []   # newest first
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._kept = []

    def rows(self, texts: Sequence[str], compute: Compute) -> sparse.csr_matrix:
        """``compute(list(texts))``, with the rows of the texts seen before taken as kept."""
        texts = list(texts)
        kept = self._kept
        if not texts or not kept:
            return self._keep(texts, compute(texts))
        n = len(texts)
        source = np.full(n, -1, np.int64)       # which kept call holds each text's row
        row = np.zeros(n, np.int64)
        todo = np.arange(n)
        for k, (index, _m) in enumerate(kept):
            some = texts if len(todo) == n else [texts[t] for t in todo.tolist()]
            at = np.fromiter(map(index.get, some, repeat(-1)), np.int64, len(todo))
            found = at >= 0
            source[todo[found]] = k
            row[todo[found]] = at[found]
            todo = todo[~found]
            if not len(todo):
                break
        parts = [m for _index, m in kept]
        offsets = np.r_[0, np.cumsum([m.shape[0] for m in parts])]
        where = np.where(source >= 0, offsets[np.maximum(source, 0)] + row, -1)
        if len(todo):
            parts.append(compute([texts[t] for t in todo.tolist()]))
            where[todo] = offsets[-1] + np.arange(len(todo))
        used = sorted(set(source[source >= 0].tolist()))
        if len(todo):
            used.append(len(parts) - 1)
        if len(used) == 1:
            # All in one call's rows: only its offset to take off.
            out = parts[used[0]][where - (offsets[used[0]] if used[0] < len(kept)
                                          else offsets[-1])]
        else:
            out = sparse.vstack(parts, format="csr")[where]
        out = _tidy(out, parts[used[0]])
        return self._keep(texts, out)

    def _keep(self, texts: list[str], m: sparse.csr_matrix) -> sparse.csr_matrix:
        if len(texts) > self.limit:
            return m
        index = dict(zip(texts, range(len(texts)), strict=True))
        with self._lock:
            kept = [(index, m)]
            total = len(texts)
            for entry in self._kept:
                if len(kept) >= self.calls or total + entry[1].shape[0] > self.limit:
                    break
                kept.append(entry)
                total += entry[1].shape[0]
            self._kept = kept
        return m


def _tidy(out: sparse.csr_matrix, like: sparse.csr_matrix) -> sparse.csr_matrix:
    """The selected rows with the dtypes of what ``compute`` gives (scipy's row selection
    keeps data and indices as they are; the flags say what they were)."""
    out = sparse.csr_matrix((out.data.astype(like.data.dtype, copy=False),
                             out.indices.astype(like.indices.dtype, copy=False),
                             out.indptr.astype(like.indptr.dtype, copy=False)),
                            shape=(out.shape[0], like.shape[1]), copy=False)
    if like.has_sorted_indices:
        out.has_sorted_indices = True
    return out
