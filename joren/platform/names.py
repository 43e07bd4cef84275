"""Japanese names: readings in katakana, romaji for search, and the keys lists sort by."""

from __future__ import annotations

import functools
import itertools
import unicodedata
from typing import Any

HIRAGANA_START, HIRAGANA_END = 0x3041, 0x3096
KANA_OFFSET = 0x60
MAX_SEARCH_KEY = 300  # Member.name_romaji


@functools.cache
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()


def normalise(text: str) -> str:
    """NFKC (full-width letters and half-width kana become ordinary), trimmed, lowercased."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


_TO_KATAKANA = {c: c + KANA_OFFSET for c in range(HIRAGANA_START, HIRAGANA_END + 1)}


def to_katakana(text: str) -> str:
    """Hiragana to katakana, so readings typed either way compare equal."""
    return unicodedata.normalize("NFKC", text or "").translate(_TO_KATAKANA)


def romaji_forms(reading: str) -> list[str]:
    """Romaji spellings people actually type for a kana reading: Hepburn ("satou") and
    passport style ("sato"), without apostrophes."""
    return list(_romaji_forms(to_katakana(reading).strip()))


@functools.lru_cache(maxsize=65_536)  # readings repeat (family names above all): an import
def _romaji_forms(reading: str) -> tuple[str, ...]:  # of 100,000 people converts each once
    if not reading:
        return ()
    parts = _kakasi().convert(reading)
    forms: list[str] = []
    for style in ("hepburn", "passport"):
        value = "".join(p[style] for p in parts).replace("'", "")
        value = " ".join(value.split()).lower()
        if value and value not in forms:
            forms.append(value)
    return tuple(forms)


def romaji_search_key(family_kana: str, given_kana: str) -> str:
    """The text stored for romaji search: every form of "family given" and "given family"."""
    family = romaji_forms(family_kana)
    given = romaji_forms(given_kana)
    keys: list[str] = []
    for f, g in itertools.product(family or [""], given or [""]):
        for key in (f"{f} {g}".strip(), f"{g} {f}".strip()):
            if key and key not in keys:
                keys.append(key)
    return " / ".join(keys)[:MAX_SEARCH_KEY]


def search_terms(query: str) -> list[str]:
    """Variants of a search query to match kanji, katakana (from hiragana) and romaji."""
    query = normalise(query)
    if not query:
        return []
    variants = [query, to_katakana(query)]
    return list(dict.fromkeys(v for v in variants if v))
