"""Meaning across words and languages: the vocabulary's concepts, generic words, the
calibrated confidence (issue 15)."""

from __future__ import annotations

import numpy as np

from joren.tenants.introductions import semantics
from joren.tenants.introductions.features import Features, History, Profile
from joren.tenants.introductions.matching import suggest
from joren.tenants.members import vocabulary


def _codes(texts: list[str], side: str) -> list[set[str]]:
    m = vocabulary.tag(texts, side)
    return [{vocabulary.codes()[c] for c in m[r].indices} for r in range(len(texts))]


def test_a_paraphrased_need_and_an_english_one_find_the_concept_an_offer_names():
    needs = _codes(["月末になると請求書の処理で手が回らない", "Our invoices pile up every month"],
                   "need")
    offers = _codes(["経理代行・記帳代行をしています"], "offer")
    assert "bookkeeping" in needs[0] and "bookkeeping" in needs[1]
    assert "bookkeeping" in offers[0]


def test_a_line_about_the_members_life_tags_nothing():
    assert _codes(["東京マラソンの練習仲間を探しています。training partner"], "need") == [set()]
    assert "training_hr" in _codes(["社員研修をお願いしたい"], "need")[0]


def test_generic_concepts_never_carry_a_match():
    rows_offer, rows_need = semantics.concept_rows(
        ["中小企業の経営をサポートします"], ["Business support for every company"], [()], [()])
    assert rows_offer.nnz == 0 and rows_need.nnz == 0


def test_picks_count_fully_and_unknown_codes_are_ignored():
    offer, need = semantics.concept_rows([""], [""], [("tax", "nonsense")], [()])
    assert offer.nnz == 1 and offer.data[0] == vocabulary.PICK_WEIGHT
    assert vocabulary.parse_picks("tax, tax,nope,legal") == ("tax", "legal")


def test_an_offer_meets_a_need_written_in_another_language_with_a_concept_reason():
    features = Features([
        Profile(1, offers=("経理代行・記帳代行をしています",), company="A社"),
        Profile(2, asks=("Our invoices pile up and nobody keeps our books in order",),
                company="B Ltd"),
        Profile(3, offers=("中小企業の経営をサポートします",),
                asks=("We support small business owners",), company="C"),
        Profile(4, offers=("Business support for every company",),
                asks=("経営者同士の交流を広げたい",), company="D"),
    ])
    found = suggest(features, History())
    pairs = {(s.a, s.b): s for s in found}
    assert (1, 2) in pairs
    reason = pairs[(1, 2)].reasons[0]
    assert reason.code == "offers_for_ask" and reason.params["concept"] == "bookkeeping"
    assert reason.params["a"] == 1 and reason.params["b"] == 2
    # Two profiles sharing only generic words are not a confident match.
    generic = [s for s in found if {s.a, s.b} == {3, 4}]
    assert all(s.confidence is not None and s.confidence < 0.5 for s in generic)
    assert pairs[(1, 2)].confidence > 0.5


def test_concept_candidates_spread_offerers_round_robin():
    n = 40
    offer_picks = [("tax",) if k < 4 else () for k in range(n)]
    need_picks = [("tax",) if k >= 4 else () for k in range(n)]
    offer, need = semantics.concept_rows([""] * n, [""] * n, offer_picks, need_picks)
    i, j = semantics.concept_candidates(semantics.Meaning(offer, need), np.arange(n), 1)
    assert set(i.tolist()) == set(range(4, n))
    assert np.bincount(j, minlength=4)[:4].tolist() == [9, 9, 9, 9]


def test_confidence_is_a_monotone_probability():
    scores = np.linspace(-1, 6, 50)
    p = semantics.confidence(scores)
    assert np.all((p >= 0) & (p <= 1)) and np.all(np.diff(p) >= 0)


def test_picks_from_the_profile_reach_the_engine_and_cycles_store_confidence(
        app, session, tenant, scoped):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from joren.tenants.introductions import cycles, loader
    from joren.tenants.introductions.models import LOW_CONFIDENCE, Introduction
    from tests.tenants.introductions.intro_support import person

    giver = person(session, tenant, company="甲", offer_concepts="bookkeeping,nope")
    asker = person(session, tenant, company="乙", need_concepts="bookkeeping",
                   ask_description="Looking for someone who can take this off my hands")
    person(session, tenant, company="丙", offer_1="中小企業の経営をサポートします",
           ask_description="We support small business owners")
    session.commit()
    s = scoped(tenant)
    features, _history = loader.load(s)
    profile = features.profiles[features.position[giver.id]]
    assert profile.offer_concepts == ("bookkeeping",)          # unknown codes dropped
    with app.test_request_context("/"):
        cycles.run_cycle(s, "manual-202611230530")
    made = {(i.member_low_id, i.member_high_id): i for i in s.scalars(select(Introduction))}
    good = made[tuple(sorted((giver.id, asker.id)))]
    assert good.confidence is not None and not good.is_low_confidence
    assert all(i.confidence is not None for i in made.values())
    assert all(i.is_low_confidence == (i.confidence < LOW_CONFIDENCE) for i in made.values())


def test_a_sentence_many_members_copied_word_for_word_is_boilerplate_unless_it_names_a_concept():
    filler = "経営者同士の交流を広げたい。"
    offers = [filler + "記帳代行をしています", filler, filler,
              "経理代行。", "経理代行。", "経理代行。"]
    asks = ["", "", "", "", "", ""]
    kept, _ = semantics.without_boilerplate(offers, asks)
    assert kept[0] == "記帳代行をしています" and kept[1] == "" and kept[2] == ""
    assert kept[3:] == offers[3:]            # repeated, but it names bookkeeping: kept as written
    assert semantics.without_boilerplate(["a", "b"], ["c", "d"]) == (["a", "b"], ["c", "d"])
    # Every line of every text it touches is boilerplate: those texts are left empty.
    assert semantics.without_boilerplate([filler] * 3, ["", "", "記帳"]) == (["", "", ""],
                                                                          ["", "", "記帳"])


def test_a_neutral_phrase_hides_the_cue_inside_it_and_nowhere_else():
    assert "recruiting" not in _codes(["新製品の採用事例を増やしたい"], "need")[0]
    assert "recruiting" in _codes(["エンジニアの採用に困っている"], "need")[0]
    # 労働保険 is a labour procedure, not an insurance product.
    assert _codes(["社会保険・労働保険の手続き代行"], "offer")[0] == {"payroll_labor"}


def test_photography_and_video_production_are_different_trades():
    photo, video = _codes(["商品写真の撮影をします", "企業PR動画の制作をします"], "offer")
    assert "photo_video" in photo and "video_production" not in photo
    assert "video_production" in video and "photo_video" not in video


def test_a_generic_only_profile_gets_no_pair_on_the_same_industry_wish_alone():
    vague = Features([
        Profile(1, offers=("中小企業の経営をサポートしています",), industry="D",
                seeks_same_industry=True),
        Profile(2, offers=("会社の成長をサポートします",), industry="D")])
    assert suggest(vague, History()) == []
    blank = Features([Profile(1, industry="D", seeks_same_industry=True),
                      Profile(2, industry="D")])
    assert [(s.a, s.b) for s in suggest(blank, History())] == [(1, 2)]


def test_a_mention_tags_the_need_like_a_need_cue():
    # The matching reads a mention (食事, "meals") in full; only the reasons weigh it less.
    m = vocabulary.tag(["the meals at our parties are always cold"], "need")
    assert {vocabulary.codes()[c] for c in m.indices} == {"food_catering"}
    assert m.data.max() == vocabulary.SIDE_WEIGHT
    assert vocabulary.is_mention("meals", vocabulary.index()["food_catering"])
    assert not vocabulary.is_mention("懇親会の料理", vocabulary.index()["food_catering"])


def test_food_names_a_trade_as_often_as_a_need():
    # "We make frozen food", "our food truck", "I love good food": the word says what a
    # member is or likes, not that a caterer is needed.
    for text in ("We make frozen food and our orders are kept on paper",
                 "Our food truck needs a logo", "Any tips on good food in Osaka?"):
        m = vocabulary.tag([text], "need")
        assert "food_catering" not in {vocabulary.codes()[c] for c in m.indices}, text


def test_a_pair_below_the_confidence_floor_is_not_suggested_where_the_vocabulary_reads():
    m = semantics.Meaning(*semantics.concept_rows(
        ["経理代行をしています", "税理士事務所", "Handmade soap and candles", "Pottery classes"],
        ["", "", "", ""], [()] * 4, [()] * 4))
    i, j = np.array([0, 0, 2]), np.array([1, 1, 3])
    weak = 0.25
    assert semantics.confidence(np.array([weak]))[0] < semantics.FLOOR
    ok = semantics.above_floor(m, i, j, np.array([weak, 3.0, weak]))
    # Two profiles it reads, scored this low: not suggested; a high score is. Between two
    # profiles it cannot read (a trade it does not know), the members' own words decide.
    assert ok.tolist() == [False, True, True]


def test_a_needs_setting_tags_nothing_beside_another_concept():
    # A language, the rent, a spreadsheet: the circumstances of a need (``setting``). Beside
    # another concept they say what it must speak or where it lives; alone they still place
    # the need in their field.
    beside = _codes(["英語で相談できる弁護士を探しています",
                     "Looking for a lawyer who works in English",
                     "家賃収入の確定申告を頼みたい"], "need")
    assert beside == [{"legal"}, {"legal"}, {"tax"}]
    alone = _codes(["取引先とのやり取りが英語で、毎回苦労しています"], "need")
    assert alone == [{"translation"}]
    assert vocabulary.is_mention(vocabulary.fold("英語"), vocabulary.index()["translation"])


def test_a_clientele_is_not_an_offer_beside_another_service():
    # An event or a care business named beside another service is whom it serves.
    served = _codes(["介護施設向けの接客研修をしています",
                     "Catering for corporate events and parties",
                     "Printing for trade fairs and events"], "offer")
    assert served == [{"training_hr"}, {"food_catering"}, {"printing"}]
    assert _codes(["イベントの企画と運営をお引き受けします"], "offer") == [{"events_venues"}]


def test_homographs_of_a_trades_words_tag_nothing():
    # 採用 of a thing onto a menu is not hiring; a plant's viral disease is not malware;
    # a video call is a meeting.
    texts = ["秋のメニューに採用する果物の農家さんを探しています",
             "キュウリのウイルス病で困っています",
             "Our video calls keep freezing on the office Wi-Fi"]
    found = _codes(texts, "need")
    assert "recruiting" not in found[0]
    assert "cybersecurity" not in found[1]
    assert "video_production" not in found[2] and "it_support" in found[2]


def test_the_setting_of_a_need_alone_never_confirms_a_match():
    # 家賃 / "the server" say where a need sits (a typhoon that closes the shop still leaves
    # the rent to pay; a beer server that foams), not that a landlord or IT support is needed.
    offers = ["店舗物件の賃貸仲介をしています", "Managed IT support for small offices"]
    alone = ["台風で休業したら家賃が払えない", "The server at the bar keeps foaming"]
    said = ["家賃の安い店舗物件を探しています", "Our server crashed and we need IT support"]
    for offer, weak, strong in zip(offers, alone, said, strict=True):
        rows = semantics.concept_rows([offer, offer], [weak, strong], [(), ()], [(), ()])
        m = semantics.Meaning(*rows)
        k = semantics.concept_strength(m, np.array([0, 0]), np.array([0, 1]))
        assert 0 < k[0] < semantics.CONFIRM, (weak, k)
        assert semantics.confirmed(k[1:], np.zeros(1)).all(), (strong, k)
