"""Chunked writes: how many rows go into one executemany, and slicing a list into chunks.

The size is read when a chunking starts, so a test can make chunks small."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CHUNK = 1000


def chunks(items: list[Any]) -> Iterable[list[Any]]:
    size = CHUNK
    for i in range(0, len(items), size):
        yield items[i:i + size]
