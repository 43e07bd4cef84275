"""``RowCache``: rows taken from earlier calls are the rows ``compute`` gives, in the order
asked for, whatever mix of kept and new texts a call holds."""

from __future__ import annotations

import zlib

import numpy as np
from scipy import sparse

from joren.platform.rowcache import RowCache


class Counting:
    """A row per text that depends on the text alone (its characters' code points, each
    counted), and the texts it was asked to compute."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def __call__(self, texts: list[str]) -> sparse.csr_matrix:
        self.asked.append(list(texts))
        rows = [r for r, t in enumerate(texts) for _ch in t]
        cols = [zlib.crc32(ch.encode()) % 1000 for t in texts for ch in t]
        m = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                              shape=(len(texts), 1000))
        m.sum_duplicates()
        return m


def same(a: sparse.csr_matrix, b: sparse.csr_matrix) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.indices.dtype == b.indices.dtype
    assert (a.indptr == b.indptr).all()
    assert (a.indices == b.indices).all()
    assert (a.data == b.data).all()
    assert a.has_sorted_indices


def test_rows_of_kept_and_new_texts_are_the_computed_ones():
    compute = Counting()
    cache = RowCache(rows=100)
    first = ["営業代行", "経理の相談", "", "web design"]
    same(cache.rows(first, compute), compute(first))
    mixed = ["web design", "新しい文章", "営業代行", "営業代行", "", "another one"]
    got = cache.rows(mixed, compute)
    assert compute.asked[-1] == ["新しい文章", "another one"]      # only the new texts
    same(got, Counting()(mixed))


def test_all_kept_computes_nothing():
    compute = Counting()
    cache = RowCache(rows=100)
    texts = ["a b c", "d e", "f"]
    cache.rows(texts, compute)
    asked = len(compute.asked)
    same(cache.rows(texts[::-1], compute), Counting()(texts[::-1]))
    assert len(compute.asked) == asked


def test_rows_from_two_earlier_calls():
    compute = Counting()
    cache = RowCache(rows=100)
    cache.rows(["one", "two"], compute)
    cache.rows(["three", "four"], compute)
    texts = ["four", "one", "five", "two"]
    same(cache.rows(texts, compute), Counting()(texts))
    assert compute.asked[-1] == ["five"]


def test_a_call_larger_than_the_cache_is_not_kept():
    compute = Counting()
    cache = RowCache(rows=3)
    texts = ["a", "b", "c", "d"]
    cache.rows(texts, compute)
    cache.rows(texts, compute)
    assert compute.asked == [texts, texts]


def test_the_oldest_calls_go_first():
    compute = Counting()
    cache = RowCache(rows=4)
    cache.rows(["a", "b"], compute)
    cache.rows(["c", "d"], compute)
    cache.rows(["e", "f"], compute)          # "a" and "b" no longer fit
    same(cache.rows(["a", "e", "c"], compute), Counting()(["a", "e", "c"]))
    assert compute.asked[-1] == ["a"]


def test_no_texts_and_cleared():
    compute = Counting()
    cache = RowCache(rows=10)
    assert cache.rows([], compute).shape == (0, 1000)
    cache.rows(["x"], compute)
    cache.clear()
    cache.rows(["x"], compute)
    assert compute.asked[-1] == ["x"]
