"""One page of a longer list, with what page links need."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


PER_PAGE = 100


def page_number(raw: str | None) -> int:
    """A ``?page=`` argument as a page number: anything that is not one is the first page."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) < 7:
        return max(1, int(raw))
    return 1


def offset_of(page: int, per_page: int = PER_PAGE) -> int:
    return (max(1, page) - 1) * per_page
