"""Readings and romaji: what makes search by kanji, kana or romaji possible."""

import unicodedata

import pytest

from joren.platform.names import (
    fold,
    normalise,
    prefix_key,
    romaji_forms,
    romaji_search_key,
    search_terms,
    to_katakana,
)


def test_hiragana_becomes_katakana():
    assert to_katakana("やまだ たろう") == "ヤマダ タロウ"
    assert to_katakana("ﾔﾏﾀﾞ") == "ヤマダ"  # half-width kana from old spreadsheets


def test_romaji_has_hepburn_and_passport_spellings():
    assert romaji_forms("サトウ") == ["satou", "sato"]
    assert romaji_forms("じゅんいち") == ["junichi"]
    assert romaji_forms("") == []


def test_search_key_matches_both_orders_and_spellings():
    key = romaji_search_key("サトウ", "ジュンイチ")
    for typed in ("sato junichi", "satou junichi", "junichi sato"):
        assert typed in key


def test_search_terms_cover_kana_and_full_width():
    assert search_terms("やまだ") == ["やまだ", "ヤマダ"]
    assert search_terms("ＹＡＭＡＤＡ") == ["yamada"]
    assert normalise("  Ｔａｎａｋａ ") == "tanaka"
    assert search_terms("   ") == []


@pytest.mark.parametrize("text", [
    "Sato  Taro ", "ＳＡＴＯ　ｔａｒｏ", "さとう たろう", "ｻﾄｳ ﾀﾛｳ", "佐藤\u3000太郎",
    "株式会社 ＡＢＣ",
    "İstanbul", "ﬁne", "㈱やまだ", "e\u0301", "\tX\n", "", "ゟゞゝ", "①②"])
def test_fast_paths_fold_as_the_full_rule(text):
    """ASCII and text without hiragana skip steps that cannot change them (NFKC, the kana
    table): the result is still NFKC, lowercase, hiragana as katakana, spaces collapsed."""
    def katakana(t: str) -> str:
        t = unicodedata.normalize("NFKC", t)
        return "".join(chr(ord(c) + 0x60) if 0x3041 <= ord(c) <= 0x3096 else c for c in t)

    assert to_katakana(text) == katakana(text)
    assert fold(text) == " ".join(katakana(normalise(text)).split())
    assert prefix_key(text) == "".join(
        katakana(unicodedata.normalize("NFKC", text).lower()).split())[:120]
