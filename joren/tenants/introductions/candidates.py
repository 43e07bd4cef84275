"""Candidate partners for the matching engine, without a dense n×n matrix and without a
size switch: every community, small or large, goes through the same blocked products.

- Text: each text keeps its ``PRUNE`` heaviest shared features and each feature about
  ``POSTINGS`` texts, a hashed sample that changes from one group of blocks to the next
  (``GROUPS`` samples). Keeping the texts where a feature weighs most made the same short
  profiles everyone's candidates at scale (one member in 461 candidate pairs, and
  most others in none); the rotating sample spreads the partners over the community, so recall
  does not fall with its size. In a community of up to ``POSTINGS`` texts per feature nothing
  is truncated and every pair sharing a specific feature is seen. Row blocks of
  ``[OFFER | ASK] · [ASK | OFFER]ᵀ`` give both directions in one product, and each row keeps its
  top-k partners (a linear-time pre-selection, then an exact top-k on what is left; exact ties
  are broken by a hash of the pair, not by position, for the same reason). The exact cosines
  of the candidates are computed afterwards on the full rows (``rowdot``). The blocks (and the
  cosines' chunks) are independent and their C and numpy work runs without the GIL:
  ``THREADS`` threads (two on a machine with two cores or more) share them, and the results
  are gathered in block order, so the pairs are the same, in the same order, as with one
  thread.
- Structured: members of each wished industry (own industry too for the same-industry flag),
  and for a first-timer the regulars; own region first, most engaged first, then lowest id.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

from joren.tenants.introductions import arrays

try:    # scipy's sparse product kernel (``product``); ``@`` does the same in two passes
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # pragma: no cover
    _csr_matmat = None
from joren.tenants.introductions.features import Features
from joren.tenants.members.industries import INDUSTRIES

STRUCTURED_K = 5        # structured candidates per wished industry (any region, own region)
BLOCK = 512             # rows per sparse product block
PRUNE = 32              # heaviest shared features per text kept for candidate generation
POSTINGS = 64           # texts kept per feature for candidate generation (a sample)
GROUPS = 8              # hashed postings samples, one per group of blocks
THREADS = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
              else os.cpu_count() or 1)   # threads sharing the product's blocks
_TINY = np.nextafter(np.float32(0), np.float32(1))   # the least positive float32


def rowdot(x: sparse.csr_matrix, y: sparse.csr_matrix, i: np.ndarray, j: np.ndarray,
            chunk: int = 50_000) -> np.ndarray:
    """``x[i[p]] · y[j[p]]`` for each pair ``p``, chunk by chunk (the chunks shared by
    ``THREADS`` threads: scipy's row selection, product and sum release the GIL)."""
    out = np.zeros(len(i), np.float64)
    chunk = max(1, chunk // THREADS)   # the same memory at once with more threads

    def one(s: int) -> None:
        prod = x[i[s:s + chunk]].multiply(y[j[s:s + chunk]])
        out[s:s + chunk] = np.asarray(prod.sum(axis=1)).ravel()

    starts = range(0, len(i), chunk)
    if THREADS > 1 and len(starts) > 1:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(one, starts))
    else:
        for s in starts:
            one(s)
    return out


def product(x: sparse.csr_matrix, y: sparse.csr_matrix) -> sparse.csr_matrix:
    """``x @ y`` (CSR, indices in no particular order within a row) in one pass of scipy's
    kernel: the output is sized by the number of multiplications (``x``'s entries times the
    lengths of the rows of ``y`` they meet, at least the product's entries) instead of being
    counted exactly by a first pass. Falls back on ``@`` where scipy's kernel is missing or
    the indices would not fit 32 bits."""
    if _csr_matmat is None or x.shape[1] != y.shape[0]:
        return x @ y
    lengths = np.diff(y.indptr)
    flops = int(lengths[x.indices].sum()) if x.nnz else 0
    if max(flops, x.shape[0], y.shape[1], y.nnz) >= np.iinfo(np.int32).max:
        return x @ y
    i32 = np.int32
    indptr = np.empty(x.shape[0] + 1, i32)
    indices = np.empty(flops, i32)
    dtype = np.result_type(x.dtype, y.dtype)
    data = np.empty(flops, dtype)
    _csr_matmat(x.shape[0], y.shape[1], x.indptr.astype(i32, copy=False),
                x.indices.astype(i32, copy=False), x.data.astype(dtype, copy=False),
                y.indptr.astype(i32, copy=False), y.indices.astype(i32, copy=False),
                y.data.astype(dtype, copy=False), indptr, indices, data)
    nnz = int(indptr[-1])
    return sparse.csr_matrix((data[:nnz], indices[:nnz], indptr), shape=(x.shape[0], y.shape[1]))


def top_per_row(rows: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values of each row (rows need not be sorted; ties keep
    their input order, so the result is deterministic)."""
    if not len(rows):
        return np.zeros(0, np.int64)
    key = rows.astype(np.float64) * 4.0 - np.clip(vals, 0.0, 3.0)
    order = np.argsort(key, kind="stable")
    r = rows[order]
    first = np.r_[0, np.flatnonzero(r[1:] != r[:-1]) + 1]
    rank = np.arange(len(r)) - np.repeat(first, np.diff(np.r_[first, len(r)]))
    return order[rank < k]


def _top_entries(x: sparse.csr_matrix, m: int, eligible: np.ndarray,
                 values: np.ndarray | None = None) -> np.ndarray:
    """Positions of each row's ``m`` largest ``values`` (default: its entries) among the
    ``eligible`` ones (ties: the lower feature first), in storage order. Only rows with more
    than ``m`` eligible entries are sorted: the others keep them all."""
    values = x.data if values is None else values
    counts = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), counts)
    sel = np.flatnonzero(eligible)
    long_rows = np.bincount(rows[sel], minlength=x.shape[0]) > m
    crowded = long_rows[rows[sel]]
    ranked = sel[crowded]
    kept = ranked[top_per_row(rows[ranked], values[ranked], m)]
    return np.sort(np.concatenate([sel[~crowded], kept]))


def hash_keys(ids: np.ndarray) -> np.ndarray:
    """What the hashes read for each member: its rank among the community's ids, not the id
    itself, so the same community built again (its ids shifted by a database sequence) gets
    the same candidates, and a subset of members keeps the same keys."""
    return np.argsort(np.argsort(ids, kind="stable"), kind="stable")


def _mix(a: np.ndarray, b: np.ndarray, salt: int) -> np.ndarray:
    """A deterministic hash of two int arrays in [0, 1) (float64)."""
    h = (a.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
         ^ (b.astype(np.uint64) + np.uint64(salt)) * np.uint64(0xC2B2AE3D27D4EB4F))
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _rows_of(x: sparse.csr_matrix, at: np.ndarray) -> sparse.csr_matrix:
    """The matrix with only the entries at positions ``at`` (sorted) of its storage."""
    counts = np.bincount(np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))[at],
                         minlength=x.shape[0])
    indptr = np.r_[0, np.cumsum(counts)].astype(x.indptr.dtype)
    out = sparse.csr_matrix((x.data[at], x.indices[at], indptr), shape=x.shape)
    if not x.has_sorted_indices:
        out.sort_indices()
    return out


PRUNE_ROWS = 16_384     # rows pruned at a time (each row is pruned on its own)


def prune(x: sparse.csr_matrix, m: int, df: np.ndarray) -> sparse.csr_matrix:
    """Each row's ``m`` heaviest features that another text also has (for candidate
    generation: the rare, specific n-grams; exact cosines are computed later on full rows).
    ``PRUNE_ROWS`` rows at a time, so that the ranking's arrays stay small."""
    if x.shape[0] <= PRUNE_ROWS:
        return _rows_of(x, _top_entries(x, m, df[x.indices] > 1))
    return sparse.vstack([prune(x[s:s + PRUNE_ROWS], m, df)
                          for s in range(0, x.shape[0], PRUNE_ROWS)], format="csr")


_GOLDEN = 0.6180339887498949   # each group's draw is the first one shifted by this much


def draw(feature: np.ndarray, texts: np.ndarray, group: int) -> np.ndarray:
    """The uniform draw in [0, 1) of each (feature, text) for ``group``: one hash, shifted
    by a golden-ratio step per group, so the groups' samples differ and cost one hash."""
    return (_mix(feature, texts, 0) + group * _GOLDEN) % 1.0


def _fraction(v: np.ndarray) -> np.ndarray:
    """``v % 1.0`` for ``v`` ≥ 0, the same floats (both are exact) at a third of the cost;
    ``v`` is overwritten."""
    whole = np.floor(v)
    return np.subtract(v, whole, out=v)


def truncate_postings(x: sparse.csr_matrix, p: int, groups: int = 1,
                      keys: np.ndarray | None = None, labels: np.ndarray | None = None
                      ) -> Iterator[sparse.csr_matrix]:
    """Feature rows × texts, once per group of blocks: a feature in more than ``p`` texts
    keeps a sample of about ``p`` of them (``draw`` below ``p`` / its texts), so a block's
    product costs O(rows · features · p) and not O(rows · n), and different groups reach
    different texts. A feature in ``p`` texts or fewer keeps them all. ``keys``: what the
    hash reads for each text (member ids, so that the sample does not depend on the
    members' order); ``labels``: what it reads for each feature row (default: the row).
    The groups are made one at a time, as they are asked for (the hash once for all)."""
    counts = np.diff(x.indptr)
    feature = np.repeat(np.arange(x.shape[0]), counts)
    many = counts[feature] > p
    crowded = np.flatnonzero(many)
    texts = x.indices[crowded] if keys is None else keys[x.indices[crowded]]
    first = _mix(feature[crowded] if labels is None else labels[feature[crowded]], texts, 0)
    rate = (p / np.maximum(counts, 1))[feature[crowded]]
    for g in range(groups):
        kept = ~many
        kept[crowded[_fraction(first + g * _GOLDEN) < rate]] = True
        at = np.flatnonzero(kept)
        indptr = np.zeros(x.shape[0] + 1, x.indptr.dtype)
        np.cumsum(np.bincount(feature[at], minlength=x.shape[0]), out=indptr[1:])
        part = sparse.csr_matrix((x.data[at], x.indices[at], indptr), shape=x.shape)
        if not x.has_sorted_indices:
            part.sort_indices()
        yield part


def _shared_columns(x: sparse.csr_matrix, y: sparse.csr_matrix
                    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix, np.ndarray]:
    """``x`` and ``y`` on the columns both use, renumbered in order (the others meet nothing
    in ``[X | Y] · [Y | X]ᵀ``), and the original number of each kept column. The hashed
    feature space has a million columns, the texts of a community use a few of them."""
    shared = arrays.intersect(x.indices, y.indices)
    # Each column's new number (-1: not shared), looked up rather than searched for.
    number = np.full(max(x.shape[1], y.shape[1]), -1, np.int32)
    number[shared] = np.arange(len(shared), dtype=np.int32)

    def squeeze(m: sparse.csr_matrix) -> sparse.csr_matrix:
        at = number[m.indices]
        keep = at >= 0
        lengths = np.bincount(np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))[keep],
                              minlength=m.shape[0])
        indptr = np.zeros(m.shape[0] + 1, m.indptr.dtype)
        np.cumsum(lengths, out=indptr[1:])
        return sparse.csr_matrix((m.data[keep], at[keep].astype(m.indices.dtype), indptr),
                                 shape=(m.shape[0], len(shared)))

    return squeeze(x), squeeze(y), shared


def _best_in_block(t: sparse.csr_matrix, start: int, k: int,
                   keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(row in block, column) of each row's top-``k`` partners in one block's product.

    Only the block's strongest entries compete (about 4·k per row), but every row keeps at
    least its entries within half of its own best: linear-time pre-selection (float32, one
    threshold per row), then an exact top-k per row on what is left. Oneself scores 0."""
    b = t.shape[0]
    counts = np.diff(t.indptr)
    row_of = np.repeat(np.arange(start, start + b, dtype=t.indices.dtype), counts)
    vals = t.data
    vals[t.indices == row_of] = 0
    budget = 4 * k * b
    floor = _kth_largest(vals, budget) if len(vals) > budget else np.float32(0)
    best = np.zeros(b, vals.dtype)
    nonempty = counts > 0
    if nonempty.any():
        best[nonempty] = np.maximum.reduceat(vals, t.indptr[:-1][nonempty])
    # vals > 0 and vals >= min(floor, best / 2), as one comparison per entry.
    threshold = np.maximum(np.minimum(floor, 0.5 * best), _TINY)
    keep = np.flatnonzero(vals >= np.repeat(threshold, counts))
    rows = row_of[keep] - start
    sel = _top_in_block(rows, vals[keep], k)
    # Exact ties (the same words) are broken by a hash of the pair, not by position: the
    # lowest positions would otherwise be everyone's partners. Only a tie across a row's
    # k-th place needs it: the hash is computed for those entries alone.
    sel = _ties_by_hash(rows, vals[keep], t.indices[keep], sel, k, start, keys)
    return rows[sel], t.indices[keep[sel]]


SAMPLE_STEP = 64       # one value in this many sampled for the bound of ``_kth_largest``


def _kth_largest(vals: np.ndarray, k: int) -> np.ndarray:
    """The ``k``-th largest of ``vals`` (0 < k < len(vals); ties counted, no NaN), as
    ``np.partition(vals, len(vals) - k)[len(vals) - k]`` reads it, but partitioning only the
    values from a bound up: a sample of every ``SAMPLE_STEP``-th value gives a bound that
    about twice ``k`` values reach. Where at least ``k`` do, the ``k``-th largest is among
    them (were it below the bound, fewer than ``k`` values could reach the bound), so it is
    the same value; otherwise all the values are partitioned. A block's product holds
    some 600,000 values for ``k`` = 40,960 at 10,000 members: the partition of all of them
    took a third of the block's selection, this takes half as long."""
    n = len(vals)
    sample = vals[::SAMPLE_STEP]
    reach = 2 * k // SAMPLE_STEP         # sample values the bound is to leave above it
    if 0 < reach < len(sample):
        bound = np.partition(sample, len(sample) - reach)[len(sample) - reach]
        above = vals[vals >= bound]
        if len(above) >= k:
            return np.partition(above, len(above) - k)[len(above) - k]
    return np.partition(vals, n - k)[n - k]


def _ties_by_hash(rows: np.ndarray, vals: np.ndarray, cols: np.ndarray, sel: np.ndarray,
                  k: int, start: int, keys: np.ndarray | None,
                  row_keys: np.ndarray | None = None) -> np.ndarray:
    """``sel`` (each row's top ``k`` by value, ties in input order) with the ties across a
    row's k-th place settled by the hash of the pair (``_mix`` of the members' keys, then
    input order): what ranking every entry by (row, value, hash, input order) would take.
    ``row_keys``: the keys of the rows when row ``r`` is not column ``start + r``."""
    if not len(sel):
        return sel
    r, v = rows[sel], vals[sel]
    last = np.r_[r[1:] != r[:-1], True]              # each row's last entry taken
    tie_val = v[last]
    tie_row = r[last]
    full = np.bincount(r, minlength=0)[tie_row] >= k
    tie_row, tie_val = tie_row[full], tie_val[full]
    if not len(tie_row):
        return sel
    # Entries left out that equal their row's last value taken: a tie across the cut.
    left_out = np.ones(len(rows), bool)
    left_out[sel] = False
    cut_val = np.full(int(rows.max()) + 1, -1.0, np.float32)
    cut_val[tie_row] = tie_val
    crossing = arrays.unique(rows[left_out & (vals == cut_val[rows])])
    if not len(crossing):
        return sel
    at_cut = np.zeros(len(cut_val), bool)
    at_cut[crossing] = True
    group = np.flatnonzero(at_cut[rows] & (vals == cut_val[rows]))   # the tied entries
    taken = np.zeros(len(rows), bool)
    taken[sel] = True
    room = np.bincount(rows[group][taken[group]], minlength=len(cut_val))
    a, b = rows[group] + start, cols[group]
    if row_keys is not None:
        h = _mix(row_keys[rows[group]], keys[b] if keys is not None else b, 1)
    else:
        h = _mix(a, b, 1) if keys is None else _mix(keys[a], keys[b], 1)
    order = group[np.lexsort((group, h, rows[group]))]
    g_rows = rows[order]
    first = np.r_[0, np.flatnonzero(g_rows[1:] != g_rows[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    taken[group] = False
    taken[order[rank < room[g_rows]]] = True
    return np.flatnonzero(taken)


def _top_in_block(rows: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """``top_per_row`` for a block's rows (fewer than 512) and float32 values ≥ 0, by one
    unstable sort of 64-bit keys: row (9 bits), value (its 31 bits order like the value),
    input order (24 bits) — no two keys are equal, so ties keep their input order."""
    if vals.dtype != np.float32 or len(rows) >= 1 << 24 or (len(rows) and rows.max() >= 1 << 9):
        return top_per_row(rows, vals, k)
    key = ((rows.astype(np.uint64) << np.uint64(55))
           | ((np.uint64(0x7FFFFFFF) - vals.view(np.uint32).astype(np.uint64)) << np.uint64(24))
           | np.arange(len(rows), dtype=np.uint64))
    key.sort()
    order = (key & np.uint64(0xFFFFFF)).astype(np.int64)
    r = rows[order]
    first = np.r_[0, np.flatnonzero(r[1:] != r[:-1]) + 1]
    rank = np.arange(len(r)) - np.repeat(first, np.diff(np.r_[first, len(r)]))
    return order[rank < k]


def text_candidates(f: Features, pos: np.ndarray, k: int):  # type: ignore[no-untyped-def]
    """Pairs by text: each member's ``k`` best partners by ``cos(offer_i, ask_j) +
    cos(ask_i, offer_j)`` over pruned rows and sampled postings, found block by block
    (cosines left NaN: computed exactly later)."""
    offer, ask, model = f.text()
    m = len(pos)
    # One product per block gives both directions: [O_blk | A_blk] · [A | O]ᵀ, on the
    # features found in an offer and in an ask (the hash reads their own numbers). Rows are
    # pruned on their own, so pruning first and taking the rows of ``pos`` after is the same.
    po, pa, shared = _shared_columns(prune(offer, PRUNE, model.df)[pos],
                                     prune(ask, PRUNE, model.df)[pos])
    left = sparse.hstack([po, pa], format="csr")
    full_t = sparse.hstack([pa, po]).T.tocsr()
    labels = np.r_[shared, shared + offer.shape[1]]
    starts = range(0, m, BLOCK)
    groups = max(1, min(GROUPS, len(starts)))
    crowded = bool((np.diff(full_t.indptr) > POSTINGS).any())
    keys = hash_keys(f.ids)[pos]
    if not crowded:
        groups = 1

    def block(right_t: sparse.csr_matrix, start: int) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = _best_in_block(product(left[start:start + BLOCK], right_t), start, k,
                                    keys)
        return pos[rows + start], pos[cols]

    # Block b reads group b % groups: the groups are built one at a time (each is a sampled
    # copy of the postings), their blocks run, and the results are put back in block order.
    # The blocks are independent and scipy's product, numpy's partition and sort release the
    # GIL: two threads share them (the same pairs in the same order as with one thread).
    by_start: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    pool = ThreadPoolExecutor(THREADS) if THREADS > 1 and len(starts) > 1 else None
    try:
        sampled = (truncate_postings(full_t, POSTINGS, groups, keys, labels) if crowded
                   else iter([full_t]))
        for g, right_t in enumerate(sampled):
            mine = [s for s in starts if (s // BLOCK) % groups == g]
            done = (pool.map(lambda s, r=right_t: block(r, s), mine) if pool is not None
                    else (block(right_t, s) for s in mine))
            by_start.update(zip(mine, done, strict=True))
            del right_t
    finally:
        if pool is not None:
            pool.shutdown()
    found = [by_start[s] for s in starts]
    if not found:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0), np.zeros(0)
    i = np.concatenate([b[0] for b in found])
    j = np.concatenate([b[1] for b in found])
    nan = np.full(len(i), np.nan)
    return i, j, nan, nan


def query_candidates(f: Features, pos: np.ndarray, queries: np.ndarray, k: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs by text for a few members only: each of ``queries``' ``k`` best partners among
    ``pos`` by the score ``text_candidates`` ranks by (pruned rows), over all the postings
    (no sample: the queries are few, and each costs only its own features' postings).
    ``queries`` (positions) must be in ``pos``. Exact ties are broken by the pair's hash, as
    there. For the allocation's second chance: the members left without a suggestion look
    for partners among those who still have room, without a search of all by all."""
    empty = np.zeros(0, np.int64)
    if not len(queries) or len(pos) < 2:
        return empty, empty
    offer, ask, model = f.text()
    # Rows are pruned on their own: the queries', then those of the members who share a
    # feature with them in their full rows (no one else can score), not everyone's.
    q_offer, q_ask = prune(offer[queries], PRUNE, model.df), prune(ask[queries], PRUNE, model.df)
    meets = _rows_with(offer, q_ask.indices) | _rows_with(ask, q_offer.indices)
    near = np.flatnonzero(meets[pos])                   # indices into ``pos``
    if not len(near):
        return empty, empty
    left = sparse.hstack([q_offer, q_ask], format="csr")
    right_t = sparse.hstack([prune(ask[pos[near]], PRUNE, model.df),
                             prune(offer[pos[near]], PRUNE, model.df)]).T.tocsr()
    keys = hash_keys(f.ids)[pos]
    at = np.searchsorted(pos, queries)
    out_i, out_j = [], []
    for s in range(0, len(at), BLOCK):
        t = product(left[s:s + BLOCK], right_t)
        rows = np.repeat(np.arange(t.shape[0]), np.diff(t.indptr))
        mine = at[s:s + BLOCK]
        cols = near[t.indices]
        keep = np.flatnonzero((t.data > 0) & (cols != mine[rows]))
        rows, vals, cols = rows[keep], t.data[keep], cols[keep]
        sel = _top_in_block(rows, vals, k)
        sel = _ties_by_hash(rows, vals, cols, sel, k, 0, keys, keys[mine])
        out_i.append(pos[mine[rows[sel]]])
        out_j.append(pos[cols[sel]])
    return np.concatenate(out_i), np.concatenate(out_j)


def _rows_with(x: sparse.csr_matrix, columns: np.ndarray) -> np.ndarray:
    """For each row of ``x``, whether it has an entry in one of ``columns``."""
    wanted = np.zeros(x.shape[1], bool)
    wanted[columns] = True
    seen = np.r_[0, np.cumsum(wanted[x.indices], dtype=np.int64)]
    return seen[x.indptr[1:]] > seen[x.indptr[:-1]]


def structured_candidates(f: Features, pos: np.ndarray, s: int) -> tuple[np.ndarray, ...]:
    """Members of each wished industry (own industry too for the flag) and, for a first-timer,
    regulars; own region first;
    within a group the most engaged first, then the lowest id (deterministic)."""
    ind, reg = f.industry[pos], f.region[pos]
    own = np.where(f.seeks[pos] & (ind > 0), np.left_shift(1, ind), 0)
    want = f.ask_industries[pos] | own
    prio = np.lexsort((f.ids[pos], -f.level[pos]))
    out_i, out_j = [], []
    for code in range(1, len(INDUSTRIES) + 1):
        askers = np.flatnonzero((want >> code) & 1)
        providers = prio[ind[prio] == code]
        if not len(askers) or not len(providers):
            continue
        top = providers[:s + 1]
        out_i.append(np.repeat(askers, len(top)))
        out_j.append(np.tile(top, len(askers)))
        for region in np.unique(reg[askers]):
            if region == 0:
                continue
            local_a = askers[reg[askers] == region]
            local_p = providers[reg[providers] == region][:s + 1]
            out_i.append(np.repeat(local_a, len(local_p)))
            out_j.append(np.tile(local_p, len(local_a)))
    # Each first-timer gets welcoming regulars as candidates: own region first, lowest ids.
    lvl = f.level[pos]
    newcomers, regulars = np.flatnonzero(lvl == 1), np.flatnonzero(lvl == 3)
    if len(newcomers) and len(regulars):
        out_i.append(np.repeat(newcomers, min(s, len(regulars))))
        out_j.append(np.tile(regulars[:s], len(newcomers)))
        for region in np.unique(reg[newcomers]):
            local_r = regulars[reg[regulars] == region][:s]
            if region == 0 or not len(local_r):
                continue
            local_n = newcomers[reg[newcomers] == region]
            out_i.append(np.repeat(local_n, len(local_r)))
            out_j.append(np.tile(local_r, len(local_n)))
    if not out_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(out_i), np.concatenate(out_j)
    keep = i != j
    return pos[i[keep]], pos[j[keep]]
