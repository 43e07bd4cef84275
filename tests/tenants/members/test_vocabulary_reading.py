"""How the vocabulary reads (issue 15): cues found in the ordinary variants of their words —
English inflections and spellings, Japanese conjugations, okurigana and widths — and never
inside a longer word (パート is not in パートナー)."""

from __future__ import annotations

import pytest

from joren.tenants.members import vocabulary
from joren.tenants.members.vocabulary import reading, scanning


def _found(cues: list[str], text: str) -> list[str]:
    """The cues (as given) found in ``text``, read as the vocabulary reads its own."""
    forms, of = vocabulary._forms(cues)
    scanner = scanning.Scanner(forms)
    _starts, form = scanner.finditer(vocabulary._read([text]))
    return [cues[n] for f in form.tolist() for n in of[f]]


def _finds(cue: str, text: str) -> bool:
    return cue in _found([cue], text)


def _codes(text: str, side: str) -> set[str]:
    m = vocabulary.tag([text], side)
    return {vocabulary.codes()[c] for c in m.indices}


# --- word boundaries ---------------------------------------------------------------------

@pytest.mark.parametrize(("cue", "text"), [
    ("パート", "パートさんが増えて、シフトが組めない"),
    ("パート", "ぱーとさんが増えた"),                    # a katakana word written in hiragana
    ("デザイン", "ウェブデザインをお願いしたい"),        # the last word of a compound
    ("クリーニング", "ハウスクリーニングを頼みたい"),
    ("ロゴ", "ロゴデザインを頼みたい"),                  # the first word of a compound
    ("インスタ", "インスタグラムの運用"),
    ("ダサい", "ロゴがダサいと言われる"),
    ("お弁当", "会議のお弁当を頼みたい"),                # hiragana after a particle
    ("お弁当", "美味しいお弁当を届けます"),              # an honorific before a kanji
    ("invoic", "invoices pile up"),
    ("サポート", "ITサポート"),
])
def test_a_cue_is_found_where_a_word_begins(cue, text):
    assert _finds(cue, text)


@pytest.mark.parametrize(("cue", "text"), [
    ("パート", "パートナーを探しています"),              # a longer katakana word
    ("ペット", "カーペットの清掃"),
    ("テスト", "コンテストに応募したい"),
    ("サイト", "インサイトを得たい"),
    ("ランチ", "フランチャイズに加盟したい"),
    ("ダサい", "ご連絡くださいね"),                      # inside a run of hiragana
    ("ださい", "ご連絡ください"),
    ("まね", "たまねぎの仕入れ"),
    ("invoic", "reinvoice"),                             # inside an English word
    ("itサポート", "editサポート"),
])
def test_a_cue_is_not_found_inside_a_longer_word(cue, text):
    assert not _finds(cue, text)


def test_a_partner_is_not_a_part_timer_and_a_carpet_is_not_a_pet():
    assert "payroll_labor" not in _codes("パートナー企業を探しています", "need")
    assert "payroll_labor" not in _codes("業務提携のパートナーシップを結びたい", "need")
    assert "payroll_labor" in _codes("パートさんの雇い方のルールがあいまい", "need")
    # ペット is a personal word: a line with it tags nothing; カーペット is not about pets.
    assert "cleaning_facility" in _codes("オフィスのカーペットの清掃をお願いしたい", "need")


# --- English -----------------------------------------------------------------------------

@pytest.mark.parametrize(("cue", "text"), [
    ("hire", "we hired two"), ("hire", "we are hiring"), ("hire", "she hires staff"),
    ("hire ", "we are hiring engineers"), ("hire ", "he hires staff"),
    ("invoice", "invoices"), ("invoice", "invoicing takes hours"),
    ("invoice", "the invoice's date"),
    ("keep our books", "keeping our books in order"),
    ("invoices pile", "my invoice piles up"), ("invoices pile", "the invoices piling up"),
    ("company", "two companies"), ("supply", "office supplies"),
    ("organise", "we organize events"), ("organise", "organizing events"),
    ("organize", "we organised the office"), ("colour", "the colors"),
    ("labour", "labor law"), ("centre", "a call center"), ("catalogue", "catalogs"),
    ("travel", "travelling costs"), ("analyse", "analyzing data"),
    ("advertis", "advertizing"), ("programme", "a training program"),
    ("inquiries", "enquiries"), ("mold", "moulding"),
    ("receipt", "my father's receipts"),
])
def test_an_english_cue_finds_the_inflections_and_spellings_of_its_words(cue, text):
    assert _finds(cue, text)


@pytest.mark.parametrize(("cue", "text"), [
    ("printing", "the printer"),             # a word ending in -ing is a word of its own
    ("marketing", "the market"),
    ("running", "i run a bakery"),
    ("networks", "my network of owners"),    # a plural at a cue's end is meant as one
    ("hire ", "we hired"),                   # the past reports what was done
    ("tax ", "a taxi"),
])
def test_an_english_cue_does_not_find_other_words(cue, text):
    assert not _finds(cue, text)


def test_the_forms_of_an_english_cue_are_generated_by_rule():
    assert set(reading.cue_forms("hire")) == {"hire", "hiring"}
    assert set(reading.cue_forms("fire", noun=True)) == {"fire"}     # fires begin with it
    assert set(reading.cue_forms("fire alarm", noun=True)) == {"fire alarm", "fires alarm"}
    assert not any(f.startswith("backing") for f in reading.cue_forms("back-office"))
    assert set(reading.cue_forms("ship")) == {"ship"}          # shipping begins with it
    assert "keeping our books" in reading.cue_forms("keep our books")


# --- Japanese ----------------------------------------------------------------------------

@pytest.mark.parametrize(("cue", "text"), [
    ("困っている", "困ってる"), ("困っている", "困った"), ("困っている", "困っています"),
    ("困ってる", "困っている"),
    ("探しています", "探してます"), ("探しています", "探している"), ("探しています", "探してる"),
    ("オフィスを探して", "オフィスを探しています"),
    ("取り扱い", "取扱い"), ("取り扱い", "取扱"), ("取扱い", "取り扱い"),
    ("申し込み書", "申込書"), ("問い合わせ", "問合わせ"), ("問い合わせ", "問合せ"),
    ("問合せ", "問い合わせ"), ("打ち合わせ", "打合せ"),
    ("イベントを開き", "イベントを開いて"), ("イベントを開き", "イベントを開催したい"),
    ("写真を撮って", "写真を撮影してほしい"), ("すぐ辞めて", "すぐ辞めてしまう"),
    ("すぐ辞めて", "雇ったらすぐ辞めた"), ("アプリを作りたい", "アプリを作りたくて"),
    ("アプリを作りたい", "アプリを作りたかった"),
    ("アクセスが少ない", "アクセスが少なくて"), ("動画がほしい", "動画が欲しい"),
    ("ホームページが古い", "ホームページが古くて"),
    ("ITサポート", "ＩＴサポート"), ("サーバー管理", "ｻｰﾊﾞｰ管理"), ("サーバー管理", "サーバ管理"),
    ("プリンター", "プリンタの設定"), ("ウェブ", "ウエブ"), ("ホームページ", "ホ-ムペ-ジ"),
    ("3ヶ月", "3か月"),
])
def test_a_japanese_cue_finds_its_conjugations_and_spellings(cue, text):
    assert _finds(cue, text)


@pytest.mark.parametrize(("cue", "text"), [
    ("汚い", "汚職"),          # a cue is never cut to a lone kanji
    ("訴え", "訴求力"),
    ("動画で見せ", "動画で見る"),   # 見せる is not 見る
    ("英語で", "英語を学びたい"),   # で after a noun is a particle, not a conjugation
    ("経理の手", "経理手"),
    ("アプリを作りたい", "アプリを作りたくない"),
])
def test_a_japanese_cue_is_not_cut_into_another_word(cue, text):
    assert not _finds(cue, text)


def test_needs_written_in_other_conjugations_find_their_concept():
    assert "events_venues" in _codes("来年イベントを開催したい", "need")
    assert "succession_ma" in _codes("引退するので会社を譲渡したい", "need")
    assert "recruiting" in _codes("We are hiring engineers but nobody applies", "need")


def test_a_longer_cue_beginning_where_an_english_word_does_is_read():
    # "Web広告" is advertising, not the web of a website; "web" alone still is.
    assert _codes("Web広告の運用を頼みたい", "need") == {"marketing_ads"}
    assert "web_development" in _codes("webの作り直しをしたい", "need")


def test_energy_saving_is_read_in_its_long_form_too():
    assert "energy_cost" in _codes("工場の省エネルギー対策を考えたい", "need")
    assert "energy_cost" in _codes("省エネルギー設備の導入支援", "offer")


def test_a_kind_of_business_is_the_offer_alone_and_the_clientele_beside_a_service():
    assert "food_catering" in _codes("駅前でレストランを経営しています", "offer")
    assert _codes("飲食店やホテルの厨房清掃", "offer") == {"cleaning_facility"}
    assert "food_catering" not in _codes("Window cleaning for restaurants and hotels", "offer")
    # A kind of business in a need is the member's own: it tags nothing there.
    assert not _codes("Our restaurant cannot find a logo designer", "need") & {"food_catering"}


def test_a_line_about_the_family_home_is_private():
    assert not _codes("実家の片付けを手伝ってくれる人がいたら", "need")
    assert not _codes("Any photographers up for a photo walk, just for fun?", "need")


def test_cues_and_texts_share_one_normal_form():
    assert reading.normal("しています") == reading.normal("してます") == "してる"
    assert reading.normal("取り扱い説明書") == "取扱説明書"
    assert reading.normal("Organising the centre's catalogue") == "organizing the center catalog"
    assert vocabulary.fold("ｳｪﾌﾞｻｲﾄ") == vocabulary.fold("ウエブサイト") == "うえぶさいと"


def test_an_english_mention_counts_only_as_a_whole_word():
    # The name of a thing, at the start of a longer word, names something else.
    assert "photo_video" not in _codes("The photocopier jams every morning", "need")
    assert "it_support" not in _codes("Our laptopless staff share one desk", "need")
    # Its inflections and suffixes are still read, and Japanese compounds are left alone.
    assert "it_support" in _codes("Our laptops are five years old", "need")
    assert "bookkeeping" in _codes("Reconciling the receipts takes us days", "need")
    assert "photo_video" in _codes("Our photos look dull", "need")
    assert "training_hr" in _codes("管理職研修を頼みたい", "need")


def test_whom_an_offer_is_for_is_not_the_service_beside_another():
    # After "for" / before 向け: the clientele or the material of the service named outside.
    assert _codes("Translation for factory visits, contracts and websites", "offer") \
        == {"translation"}
    assert "construction_renovation" not in _codes("Interior photographer for builders", "offer")
    assert "social_media" not in _codes("SNS向けショート動画の制作", "offer")
    assert "recruiting" not in _codes("会社紹介・採用向けの映像制作", "offer")
    # A line that names nothing else outside keeps it; so does a concept named outside too.
    assert "food_catering" in _codes("Catering for offices", "offer")
    assert "legal" in _codes("Lawyer for contract checks", "offer")
