"""Reasons rendered as plain sentences in Japanese and English."""

from __future__ import annotations

import json

import pytest

from joren.tenants.introductions.features import Features, History, Profile, Reason
from joren.tenants.introductions.matching import suggest
from joren.tenants.introductions.reasons import cut_snippet, render

NAMES = {1: "佐藤", 2: "田中"}
OFFER = {"code": "offers_for_ask",
         "params": {"a": 1, "b": 2, "offer": "採用支援", "ask": "採用に課題"}}

CASES = [
    (OFFER,
     "佐藤さんの「採用支援」が、田中さんの「採用に課題」に役立ちそうです。",
     "佐藤 offers “採用支援”, which may help 田中 with “採用に課題”."),
    ({"code": "fits_target_industry", "params": {"a": 1, "b": 2, "industry": "E"}},
     "田中さんは、佐藤さんが出会いたい業種（製造業）の方です。",
     "田中 works in Manufacturing, an industry 佐藤 would like to meet."),
    ({"code": "fits_target_size", "params": {"a": 1, "b": 2, "size": "20-49"}},
     "田中さんの会社規模（20〜49名）は、佐藤さんが探している規模です。",
     "田中's company size (20–49 employees) is one 佐藤 is looking for."),
    ({"code": "same_industry_partners", "params": {"a": 1, "b": 2, "industry": "D"}},
     "佐藤さんと田中さんはどちらも建設業で、同業の仲間との出会いを歓迎しています。",
     "佐藤 and 田中 both work in Construction and welcome partners from the same industry."),
    ({"code": "met_not_spoken", "params": {"a": 1, "b": 2, "meetups": 4}},
     "佐藤さんと田中さんは同じ会に4回参加していますが、まだお話ししたことがありません。",
     "佐藤 and 田中 have been at the same meetups (4 times) but have not talked yet."),
    ({"code": "regulars", "params": {"a": 1, "b": 2}},
     "佐藤さんと田中さんはどちらも常連です。",
     "佐藤 and 田中 are both regulars."),
    ({"code": "welcome_first_timer", "params": {"a": 1, "b": 2}},
     "田中さんは参加されて間もない方で、常連の佐藤さんなら温かく迎えてくれそうです。",
     "田中 is new to the meetup, and 佐藤 is a regular who can help them feel at home."),
    ({"code": "same_region", "params": {"a": 1, "b": 2, "prefecture": "27"}},
     "佐藤さんと田中さんはどちらも大阪府が拠点です。",
     "佐藤 and 田中 are both based in Osaka."),
    ({"code": "same_region", "params": {"a": 1, "b": 2, "region": "kinki"}},
     "佐藤さんと田中さんはどちらも近畿が拠点です。",
     "佐藤 and 田中 are both based in Kinki."),
    ({"code": "shared_concept", "params": {"a": 1, "b": 2, "offer": "宣材写真の撮影",
                                           "ask": "ホームページ用の写真",
                                           "concept": "photo_video"}},
     "佐藤さんの「宣材写真の撮影」と田中さんの「ホームページ用の写真」は、どちらも写真撮影に関わる内容です。",
     "佐藤's “宣材写真の撮影” and 田中's “ホームページ用の写真” are both about photography."),
    ({"code": "shared_words", "params": {"a": 1, "b": 2, "word": "撮影"}},
     "佐藤さんと田中さんは、どちらも「撮影」について書いています。",
     "佐藤 and 田中 both mention “撮影”."),
    ({"code": "meet_again", "params": {"a": 1, "b": 2}},
     "佐藤さんと田中さんはすでにつながっています。もう一度会って関係を深める良い機会です。",
     "佐藤 and 田中 are already connected: a good chance to meet again."),
]


@pytest.fixture()
def ctx(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        yield


@pytest.mark.parametrize(("reason", "ja", "en"), CASES, ids=[c[0]["code"] for c in CASES])
def test_every_reason_reads_as_a_sentence_in_both_languages(ctx, reason, ja, en):
    assert render([reason], NAMES, "ja") == [ja]
    assert render([reason], NAMES, "en") == [en]


def test_reason_objects_and_stored_dicts_render_alike(ctx):
    as_object = Reason(OFFER["code"], OFFER["params"])
    stored = json.loads(json.dumps([as_object.as_dict()]))   # as kept in Introduction.reasons
    assert render([as_object], NAMES, "en") == render(stored, NAMES, "en")
    # Ids may come back from JSON as strings in names mappings built elsewhere.
    assert render(stored, {"1": "佐藤", "2": "田中"}, "en") == render(stored, NAMES, "en")


def test_unknown_codes_are_skipped_and_missing_names_stay_polite(ctx):
    reasons = [{"code": "something_new", "params": {}},
               {"code": "regulars", "params": {"a": 1, "b": 99}}]
    assert render(reasons, NAMES, "en") == ["佐藤 and a member are both regulars."]
    assert render(reasons, NAMES, "ja") == ["佐藤さんとメンバーさんはどちらも常連です。"]


def test_engine_suggestions_render_end_to_end(ctx):
    features = Features([
        Profile(1, offers=("採用支援・求人広告の運用代行",), prefecture="13", level="regular"),
        Profile(2, asks=("採用に課題。求人を出しても応募が来ない",), prefecture="13",
                level="regular"),
    ])
    (s,) = suggest(features, History())
    assert json.loads(json.dumps([r.as_dict() for r in s.reasons]))
    assert render(s.reasons, NAMES, "ja") == [
        "佐藤さんの「採用支援・求人広告の運用代行」（採用・人材紹介）が、田中さんの「求人を出しても応募が来ない」に役立ちそうです。",
        "佐藤さんと田中さんはどちらも常連です。",
    ]
    assert render(s.reasons, NAMES, "en")[0] == (
        "佐藤 offers “採用支援・求人広告の運用代行” (recruiting and staffing), "
        "which may help 田中 with “求人を出しても応募が来ない”.")


def test_snippets_are_kept_short(ctx):
    long_offer = ("中小企業向けの採用支援と求人広告の運用代行、面接の代行、"
                  "内定者フォローまで一貫してお手伝いします")
    # The words alone (no tag verifier): how a snippet is cut, whatever the doubts.
    features = Features([Profile(1, offers=(long_offer,)),
                         Profile(2, asks=("採用に課題。求人広告を出しても応募が来ない",))],
                        verdicts=None)
    (s,) = suggest(features, History())
    offer = [r for r in s.reasons if r.code == "offers_for_ask"][0].params["offer"]
    assert len(offer) <= 40 and offer.endswith("…")
    assert long_offer.startswith(offer[:-1])


def test_english_snippets_end_on_a_word_boundary(ctx):
    long_offer = ("Payroll service and monthly management reports for small firms and sole "
                  "traders across Kanagawa")
    features = Features([Profile(1, offers=(long_offer,)),
                         Profile(2, asks=("Our payroll takes days every month",))],
                        verdicts=None)
    (s,) = suggest(features, History())
    offer = [r for r in s.reasons if r.code == "offers_for_ask"][0].params["offer"]
    assert offer.endswith("…") and len(offer) <= 61
    words = offer[:-1].split()
    assert words and all(w in long_offer.split() or w + "," in long_offer.split()
                         for w in words)
    assert long_offer.startswith(offer[:-1])
    assert cut_snippet("Supercalifragilisticexpialidocious" * 3).endswith("…")


def test_stored_common_ground_reasons_still_render(ctx):
    # The engine no longer writes "common_ground"; introductions stored with it still read.
    reason = Reason("common_ground", {"a": 1, "b": 2, "offer": "交流会の主催",
                                      "ask": "知り合いを増やしたい"})
    assert render([reason], NAMES, "ja") == [
        "佐藤さんの「交流会の主催」と田中さんの「知り合いを増やしたい」には、共通するテーマがあります。"]
    assert render([reason], NAMES, "en") == [
        "佐藤's “交流会の主催” and 田中's “知り合いを増やしたい” touch on the same subject."]


@pytest.mark.usefixtures("words_only")
def test_an_offer_that_only_names_the_thing_says_both_are_about_it(ctx):
    # The offer works on websites (subtitles them) rather than building them: the engine
    # still suggests the pair but says only what is true, in both languages.
    features = Features([
        Profile(1, offers=("We subtitle websites, menus and manuals in Thai for hotels",),
                prefecture="13", level="regular"),
        Profile(2, asks=("We need a new website for the shop",), prefecture="13",
                level="regular"),
    ])
    (s,) = suggest(features, History())
    assert [r.code for r in s.reasons][0] == "shared_concept"
    assert all(r.code != "offers_for_ask" for r in s.reasons)
    ja, en = render(s.reasons, NAMES, "ja")[0], render(s.reasons, NAMES, "en")[0]
    assert ja.startswith("佐藤さんの「We subtitle websites, menus and manuals in Thai for")
    assert ja.endswith("は、どちらもWeb制作・ホームページに関わる内容です。")
    assert en.endswith("“We need a new website for the shop” are both about web design and "
                       "development.")
    assert s.reasons[0].params["offer"] == (
        "We subtitle websites, menus and manuals in Thai for hotels")
