"""Japanese names: readings in katakana, romaji for search, and the keys lists sort by."""

from __future__ import annotations

import functools
import itertools
import re
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
    """Romaji spellings people actually type for a kana reading: Hepburn ("shouta"),
    passport style ("sato") and long vowels written short ("shota", "yuko", "ono"), which
    pykakasi's passport style gives for some words only; without apostrophes."""
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
    if forms:
        short = _LONG_VOWEL.sub(lambda m: m.group(0)[0], forms[0])
        if short not in forms:
            forms.append(short)
    return tuple(forms)


_LONG_VOWEL = re.compile("ou|oo|uu")


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


# -- the stored search key ----------------------------------------------------------------
# One column per person holds every way of finding them, folded the way a typed query is
# folded (NFKC, lowercase, hiragana as katakana), so one LIKE on one column finds them: the
# name and reading without spaces ("佐藤 太郎" and "佐藤太郎" both find 佐藤 / 太郎), the romaji
# forms with and without spaces, and the company. Segments are joined by a newline, which a
# folded query never contains, so a match never spans two segments.
#
# Why no trigram index on PostgreSQL: under row-level security the planner may not evaluate
# an operator that is not LEAKPROOF before the tenant policy, and LIKE and pg_trgm's
# operators are not, so a GIN trigram index is never used by the app's role (measured: it
# filters by tenant first whatever the index). The search reads one short column of one
# community's rows instead of eight columns with ILIKE: a few milliseconds at 5,000 members.
SEARCH_KEY_SEPARATOR = "\n"
MAX_MEMBER_SEARCH_KEY = 1200  # characters; and at most this many UTF-8 bytes:
MAX_MEMBER_SEARCH_KEY_BYTES = 2400  # below PostgreSQL's btree entry limit (2704)


def fold(text: str) -> str:
    """What both sides of a search compare: NFKC, lowercase, katakana, spaces collapsed."""
    return " ".join(to_katakana(normalise(text)).split())


def member_search_key(family_name: str = "", given_name: str = "", family_name_kana: str = "",
                      given_name_kana: str = "", name_romaji: str = "", company: str = "") -> str:
    """The stored search key of one person (``Member.search_key``)."""
    romaji = fold(name_romaji)
    segments = (
        _compact(fold(f"{family_name or ''}{given_name or ''}")),
        _compact(fold(f"{family_name_kana or ''}{given_name_kana or ''}")),
        romaji, _compact(romaji), fold(company),
    )
    key = SEARCH_KEY_SEPARATOR.join(s for s in dict.fromkeys(segments) if s)
    key = key[:MAX_MEMBER_SEARCH_KEY]
    return key.encode()[:MAX_MEMBER_SEARCH_KEY_BYTES].decode(errors="ignore")


def search_key_patterns(query: str) -> list[str]:
    """LIKE patterns (escaped with a backslash) that find a typed query in a search key:
    as typed, and without its spaces ("さとう たろう" finds サトウタロウ)."""
    folded = fold(query)
    if not folded:
        return []
    forms = dict.fromkeys((folded, _compact(folded)))
    return [f"%{escape_like(form)}%" for form in forms]


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _compact(text: str) -> str:
    return "".join(text.split())
