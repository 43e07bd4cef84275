"""Who attended meetups together, for the matching engine, without ever listing all pairs.

The loader hands over the attendance register of recent meetups as (member id, meetup id)
entries (``History.attendance``). Here it becomes a sparse member × meetup incidence ``M``
(0/1, rows aligned with ``Features``), and

- ``count``: meetups attended together, for the candidate pairs (i, j) only: the popcount
  of ``bits[i] & bits[j]`` where ``bits`` are the rows of ``M`` as 64-bit masks (the loader's
  window of 12 meetups fits one word), or ``(M[i] ∘ M[j]).sum(axis=1)`` for a longer
  register; in chunks. A full pairwise table would not scale: 5,000 members with 780 at
  each meetup already make ~10M pairs; the register itself has one entry per attendance.
- ``co_attendee_candidates``: the pairs "you were in the same room but never talked" are
  natural candidates, not only a bonus on pairs found otherwise. Text candidates (each
  member's top-k by text) rarely contain them, so each member gets, for each meetup of the
  register, its ``2 × STEPS`` neighbours on a ring of that meetup's attendees. The ring's order is a
  deterministic shuffle (a hash of member id and meetup id), so every attendee is equally
  likely to be picked, partners differ from meetup to meetup, and a pair that met at several
  meetups has that many chances to be adjacent. At most ``2 × STEPS`` pairs per register
  entry: linear in the register, whatever the size of the meetups. Spoken pairs are not
  filtered here: scored, they simply get no "met but not spoken" bonus.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

STEPS = 2               # ring neighbours on each side, per member and meetup
CHUNK = 200_000         # pairs counted at a time
WORDS = 16              # up to 16 × 64 meetups, counts are popcounts of bit masks


def incidence(ids: np.ndarray, attendance: tuple[np.ndarray, np.ndarray]
              ) -> tuple[sparse.csr_matrix, np.ndarray]:
    """(members × meetups 0/1 CSR matrix whose row k is member ``ids[k]``, the meetup id of
    each column). Entries of members not in ``ids`` are dropped, duplicates counted once."""
    members, meetups = attendance
    n = len(ids)
    order = np.argsort(ids, kind="stable")
    at = np.searchsorted(ids[order], members)
    found = np.flatnonzero(at < n)
    found = found[ids[order[at[found]]] == members[found]]
    columns, col = np.unique(meetups[found], return_inverse=True)
    m = sparse.csr_matrix((np.ones(len(found), np.int32), (order[at[found]], col.ravel())),
                          shape=(n, len(columns)))
    m.sum_duplicates()
    m.data[:] = 1
    return m, columns


def masks(register: sparse.csr_matrix) -> np.ndarray | None:
    """Each row's meetups as bits (rows × words of 64 meetups), or None above ``WORDS``
    words (a register longer than the loader's window: ``count`` then uses row products)."""
    words = -(-register.shape[1] // 64)
    if words > WORDS:
        return None
    out = np.zeros((register.shape[0], max(words, 1)), np.uint64)
    rows = np.repeat(np.arange(register.shape[0]), np.diff(register.indptr))
    cols = register.indices.astype(np.uint64)
    np.bitwise_or.at(out, (rows, (cols // np.uint64(64)).astype(np.int64)),
                     np.left_shift(np.uint64(1), cols % np.uint64(64)))
    return out


def _popcount(x: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):       # numpy >= 2
        return np.bitwise_count(x).astype(np.int64)
    table = np.array([bin(v).count("1") for v in range(256)], np.int64)
    return table[x.view(np.uint8)].reshape(*x.shape, 8).sum(axis=-1)


def count(register: sparse.csr_matrix, i: np.ndarray, j: np.ndarray,
          bits: np.ndarray | None = None) -> np.ndarray:
    """Meetups attended together by each pair of rows (i, j) of the incidence: with ``bits``
    (``masks(register)``) a popcount of the AND of both rows' bits, otherwise the sum of the
    product of both sparse rows."""
    out = np.zeros(len(i), np.int64)
    if not len(i) or not register.nnz:
        return out
    attends = np.diff(register.indptr) > 0
    sel = np.flatnonzero(attends[i] & attends[j])
    for s in range(0, len(sel), CHUNK):
        part = sel[s:s + CHUNK]
        if bits is not None:
            out[part] = _popcount(bits[i[part]] & bits[j[part]]).sum(axis=1)
        else:
            both = register[i[part]].multiply(register[j[part]])
            out[part] = np.asarray(both.sum(axis=1)).ravel()
    return out


def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A deterministic 64-bit hash of two integer arrays (splitmix-style finaliser)."""
    x = (a.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) \
        ^ (b.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F))
    x ^= x >> np.uint64(31)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(29)
    return x


def co_attendee_candidates(ids: np.ndarray, register: sparse.csr_matrix,
                           meetup_ids: np.ndarray, pos: np.ndarray, steps: int = STEPS
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows (i, j) among ``pos`` who attended the same meetup: on each meetup's ring
    of attendees (in ``pos``), each one with the ``steps`` that follow it."""
    empty = np.zeros(0, np.int64)
    if not register.nnz or len(pos) < 2 or steps <= 0:
        return empty, empty
    inside = np.zeros(register.shape[0], bool)
    inside[pos] = True
    rows = np.repeat(np.arange(register.shape[0], dtype=np.int64), np.diff(register.indptr))
    cols = register.indices.astype(np.int64)
    keep = inside[rows]
    rows, cols = rows[keep], cols[keep]
    if not len(rows):
        return empty, empty
    # Ranks, not ids, feed the hash: a community built again (ids shifted by a sequence)
    # walks the same rings.
    member_key = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    meetup_key = np.argsort(np.argsort(meetup_ids, kind="stable"), kind="stable")
    order = np.lexsort((ids[rows], _mix(member_key[rows], meetup_key[cols]), cols))
    rows, cols = rows[order], cols[order]
    first = np.r_[0, np.flatnonzero(cols[1:] != cols[:-1]) + 1]
    size = np.diff(np.r_[first, len(cols)])
    start, ring = np.repeat(first, size), np.repeat(size, size)
    rank = np.arange(len(rows)) - start
    out_i, out_j = [], []
    for step in range(1, steps + 1):
        ok = np.flatnonzero(ring > step)
        out_i.append(rows[ok])
        out_j.append(rows[start[ok] + (rank[ok] + step) % ring[ok]])
    return np.concatenate(out_i), np.concatenate(out_j)
