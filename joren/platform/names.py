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
_HIRAGANA = re.compile(f"[{chr(HIRAGANA_START)}-{chr(HIRAGANA_END)}]")


def to_katakana(text: str) -> str:
    """Hiragana to katakana, so readings typed either way compare equal."""
    if not text or text.isascii():  # NFKC leaves ASCII as it is, and it holds no kana
        return text or ""
    text = unicodedata.normalize("NFKC", text)
    # str.translate looks every character up in the table (~2 µs for a name, measured):
    # only text that holds hiragana needs it (kanji, katakana and romaji do not)
    return text.translate(_TO_KATAKANA) if _HIRAGANA.search(text) else text


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
    text = text or ""
    if text.isascii():  # NFKC and katakana leave ASCII as it is (romaji, most emails)
        return " ".join(text.lower().split())
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


# -- door search: prefix keys on btree indexes ---------------------------------------------
# The door finds a person by the start of what the organizer types, through btree indexes
# that PostgreSQL may use under row-level security: only ``=``, ``<`` and ``>=`` on text
# (leakproof, unlike LIKE and pg_trgm's operators), on columns with the C collation so that
# ``key >= q AND key < prefix_upper(q)`` is exactly "key starts with q" (code-point order,
# which is UTF-8 byte order and SQLite's BINARY order too). joren/tenants/meetups/checkin/
# lists.py says which keys the door reads and why these.
DOOR_KEY_LENGTH = 120  # characters kept of a prefix key (an index entry stays small)
_LEGAL_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人",
                "一般財団法人", "公益社団法人", "公益財団法人", "特定非営利活動法人", "npo法人",
                "医療法人社団", "医療法人", "社会福祉法人", "学校法人", "税理士法人",
                "弁護士法人", "(株)", "(有)", "(同)")


def prefix_key(text: str) -> str:
    """A typed query or a stored value as a door key: folded (``fold``), without spaces."""
    if not text:
        return ""
    if text.isascii():  # NFKC and katakana leave ASCII as it is
        return "".join(text.lower().split())[:DOOR_KEY_LENGTH]
    return "".join(to_katakana(unicodedata.normalize("NFKC", text).lower()).split()
                   )[:DOOR_KEY_LENGTH]


def romaji_key(text: str) -> str:
    """Romaji as a door key: long vowels written short on both sides ("satou", "sato" and
    "satoo" are all "sato"), so Hepburn, passport style and what people type meet; word by
    word, so that "yuko ono" is "yukoono" as the stored "yuuko oono" is."""
    # ASCII (what pykakasi writes, most of what people type) folds by lowercasing alone;
    # the spaces go after the long vowels, so no "oo" is made across two words
    folded = text.lower() if text.isascii() else fold(text)
    return "".join(_LONG_VOWEL.sub(_first_letter, folded).split())[:DOOR_KEY_LENGTH]


def _first_letter(match: re.Match[str]) -> str:
    return match.group(0)[0]


def door_romaji_keys(name_romaji: str) -> tuple[str, str]:
    """The romaji door keys of ``romaji_search_key``'s text: family name first, given first."""
    forms = [f for f in (name_romaji or "").split(" / ") if f.strip()]
    first = romaji_key(forms[0]) if forms else ""
    second = romaji_key(forms[1]) if len(forms) > 1 else ""
    return first, ("" if second == first else second)


def company_key(company: str) -> str:
    """The company as a door key, without a leading legal form: 株式会社山田製作所 is found by
    山田 (a query goes through the same function, so 株式会社山田 finds it too)."""
    key = prefix_key(company)
    if key.startswith(_LEGAL_FORMS):
        for form in _LEGAL_FORMS:
            if key.startswith(form) and len(key) > len(form):
                return key[len(form):]
    return key


def prefix_upper(key: str) -> str:
    """The least string above every string that starts with ``key`` (code-point order):
    ``key`` with its last character raised by one (surrogates skipped)."""
    chars = list(key)
    while chars:
        point = ord(chars[-1]) + 1
        if point == 0xD800:
            point = 0xE000
        if point <= 0x10FFFF:
            chars[-1] = chr(point)
            return "".join(chars)
        chars.pop()
    return "\U0010ffff"
