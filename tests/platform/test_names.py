"""Readings and romaji: what makes search by kanji, kana or romaji possible."""

from joren.platform.names import (
    normalise,
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
