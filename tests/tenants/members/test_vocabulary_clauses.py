"""Which words a sentence's own grammar takes back from the vocabulary's tags (issue 15): the
clientele and the other party of an offer, what a need is for, the customer's own acts, a
staff member, a machine or an industry named by a word's last kanji, the one who would do a
need's work, a need's own premises, and compounds that name another thing. Each rule with
the sentences it must take back and those it must leave alone."""

from __future__ import annotations

import pytest

from joren.tenants.members import vocabulary


def _codes(text: str, side: str) -> dict[str, float]:
    m = vocabulary.tag([text], side)
    return {vocabulary.codes()[k]: round(float(m[0, k]), 2) for k in m[0].indices}


@pytest.mark.parametrize(("text", "kept", "dropped"), [
    # X専門の Y: X is whom Y serves, when Y names another service
    ("リフォーム会社専門の経理代行", "bookkeeping", "construction_renovation"),
    # Xとの: the party a service deals with
    ("弁護士との打合せに同席する通訳", "translation", "legal"),
    # a kind of copier is what IT support works on
    ("パソコンと複合機の保守サポート", "it_support", "office_supplies"),
    # the customer's own act after a conjunction and "you"
    ("Trademark searches before you print your labels", "intellectual_property", "printing"),
    # a word that runs on into 業 names the industry of the people placed
    ("人材紹介：建設業の技術者をご紹介", "recruiting", "construction_renovation"),
])
def test_an_offer_line_does_not_offer_whom_or_what_its_service_deals_with(
        text: str, kept: str, dropped: str) -> None:
    found = _codes(text, "offer")
    assert kept in found and dropped not in found, found


@pytest.mark.parametrize(("text", "concept"), [
    ("引っ越し専門です", "office_relocation"),           # 専門 at the end names the service
    ("相続専門の税理士です", "tax"),
    ("銀行との融資交渉を代行", "funding"),               # a party, and the service beside it
    ("複合機のリース", "office_supplies"),               # a copier alone: what is offered
    ("We print labels so you can sell sooner", "printing"),   # the offer before "so you"
    ("英会話スクールの運営", "education_kids"),
])
def test_an_offer_line_keeps_the_service_it_names(text: str, concept: str) -> None:
    assert concept in _codes(text, "offer")


def test_a_kind_of_school_in_an_offer_is_a_trade_word() -> None:
    k = vocabulary.index()["education_kids"]
    assert vocabulary.is_trade(vocabulary.fold("教室"), k)
    assert vocabulary.is_trade(vocabulary.fold("スクール"), k)


@pytest.mark.parametrize(("text", "kept", "dropped"), [
    # in a need, what follows "for" is what the need is for
    ("We need a photographer for our new website", "photo_video", "web_development"),
    ("Need payroll help for new hires", "payroll_labor", "training_hr"),
    # a staff member (指導員) or a machine (印刷機) is not the service the word names
    ("指導員の残業代", "payroll_labor", "training_hr"),
    # the one who would do the work (〜してくれる人手) is not a hire
    ("掃除をしてくれる人手がいない", "cleaning_facility", "recruiting"),
    # a need's own classroom is where it sits
    ("教室のWi-Fiが遅い", "it_support", "education_kids"),
])
def test_a_need_line_does_not_need_what_its_grammar_takes_back(
        text: str, kept: str, dropped: str) -> None:
    found = _codes(text, "need")
    assert kept in found and dropped not in found, found


@pytest.mark.parametrize(("text", "concept"), [
    ("Looking for a web designer for our shop", "web_development"),   # "for" after seeking
    ("部下の指導に悩んでいます", "training_hr"),
    ("倉庫の人手が足りない", "recruiting"),
    ("求人を出しても人が来ない", "recruiting"),
    ("英会話の教室を探しています", "education_kids"),
    ("清掃業者を探しています", "cleaning_facility"),      # 業者 is a contractor, not an industry
    ("経理業務を外注したい", "bookkeeping"),              # 業務 is work
    ("お昼のお弁当を頼みたい", "food_catering"),
    ("ロゴデザインの相談", "branding_design"),
    ("Any tips for staff training?", "training_hr"),
])
def test_a_need_line_keeps_the_need_it_names(text: str, concept: str) -> None:
    found = _codes(text, "need")
    assert concept in found and found[concept] >= vocabulary.BOTH_WEIGHT, found


@pytest.mark.parametrize(("text", "concept"), [
    ("新しい印刷機を買いたい", "printing"),
    ("イベントに人が来ない", "recruiting"),            # people who do not come: not applicants
    ("ふるさと納税の返礼品に出品したい", "tax"),
    ("お昼寝のあとのおやつ", "food_catering"),
    ("Our beer server leaks", "it_support"),
    ("Our social security paperwork is late", "cybersecurity"),
    ("ネイルデザインの相談", "branding_design"),
    ("歯のクリーニングに行きたい", "cleaning_facility"),
    ("Any tips for puppy training?", "training_hr"),
    ("My daughter's school choir needs a recruitment drive", "recruiting"),
    ("建設業の許可を取りたい", "construction_renovation"),
])
def test_a_need_line_does_not_name_a_concept_another_word_hides(text: str, concept: str) -> None:
    assert concept not in _codes(text, "need")


def test_a_classroom_alone_is_only_a_needs_setting() -> None:
    found = _codes("教室の家賃が高い", "need")
    assert found["education_kids"] == vocabulary.SETTING_WEIGHT
    assert found["real_estate"] == vocabulary.SETTING_WEIGHT


def test_the_language_a_thing_is_in_is_a_mention_of_translation() -> None:
    # It places the need in translation's field (a full tag) but states no direction.
    k = vocabulary.index()["translation"]
    assert _codes("The contract is only in Japanese", "need")["translation"] == 1.0
    assert vocabulary.is_mention(vocabulary.fold("in japanese"), k)


def test_what_a_translation_works_on_is_not_offered_beside_it() -> None:
    # Contracts, websites and menus are what a translator translates, not a lawyer's, a web
    # designer's or a printer's offer; "localized" is the trade's own verb.
    for text in ("契約書やウェブサイトの翻訳を承ります",
                 "Contracts, websites and menus localized into Korean"):
        assert set(_codes(text, "offer")) == {"translation"}, text
    assert {"legal", "web_development"} <= set(_codes("契約書のチェックとホームページ制作",
                                                      "offer"))


def test_what_another_business_does_is_not_the_members_need() -> None:
    # 〜店が / 〜屋が / 〜社が as the subject: the clause up to its comma is that business's.
    assert "social_media" not in _codes("隣の店がSNSを始めて、お客さんを取られた", "need")
    assert "social_media" in _codes("うちもSNSを始めたい", "need")
    assert "recruiting" in _codes("スタッフが辞めて人が足りない", "need")
    found = _codes("取引先の会社が倒産しそうで、売掛金の回収が心配", "need")
    assert "legal" in found           # after the comma: the member's own worry


def test_post_and_pre_make_a_word_a_time() -> None:
    assert set(_codes("Post-construction cleaning for new homes", "offer")) == {
        "cleaning_facility"}
    assert "construction_renovation" in _codes("Construction and renovation of shops", "offer")
    assert "construction_renovation" in _codes("Post office and shop construction", "offer")
