"""The matching engine's scoring rules and exclusions, each on a small hand-built community."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from joren.tenants.introductions import candidates, matching
from joren.tenants.introductions.features import Features, History, Profile, Suggestion, company_key
from joren.tenants.introductions.matching import rank_among, suggest

RECRUITER = ("採用支援・求人広告の運用代行",)
HIRING_PAIN = ("採用に課題。求人を出しても応募が来ない",)


def p(member_id: int, **fields) -> Profile:  # type: ignore[no-untyped-def]
    return Profile(member_id, **fields)


def pairs(suggestions: list[Suggestion]) -> set[tuple[int, int]]:
    return {(s.a, s.b) for s in suggestions}


def score_of(features: Features, a: int, b: int, history: History | None = None) -> float:
    ranked = rank_among(features, history or History(), [a, b], top=1)
    return ranked[a][0].score if ranked[a] else 0.0


def codes(s: Suggestion) -> list[str]:
    return [r.code for r in s.reasons]


def test_complementary_text_is_suggested_with_the_matched_lines():
    features = Features([
        p(1, offers=RECRUITER + ("人材紹介",), asks=("経理の効率化",)),
        p(2, offers=("ワインの輸入販売",), asks=HIRING_PAIN),
        p(3, offers=("ヨガ教室",), asks=("健康経営について知りたい",)),
    ])
    result = suggest(features, History())
    assert pairs(result) == {(1, 2)}
    (reason,) = [r for r in result[0].reasons if r.code == "offers_for_ask"]
    assert reason.params == {"a": 1, "b": 2, "offer": "採用支援・求人広告の運用代行",
                             "ask": "求人を出しても応募が来ない", "concept": "recruiting"}


@pytest.mark.usefixtures("words_only")
def test_complementarity_counts_both_ways():
    one_way = Features([p(1, offers=RECRUITER), p(2, asks=HIRING_PAIN)])
    both_ways = Features([p(1, offers=RECRUITER, asks=("税理士を探している。決算が不安",)),
                          p(2, offers=("税理士事務所。税務顧問と申告代行",), asks=HIRING_PAIN)])
    assert score_of(both_ways, 1, 2) > score_of(one_way, 1, 2) > 0
    reasons = rank_among(both_ways, History(), [1, 2])[2][0].reasons
    givers = [(r.params["a"], r.params["b"]) for r in reasons if r.code == "offers_for_ask"]
    assert sorted(givers) == [(1, 2), (2, 1)]


def test_english_text_matches_on_words():
    features = Features([
        p(1, offers=("Bookkeeping and payroll outsourcing",)),
        p(2, asks=("Our payroll takes days and the bookkeeping is behind",)),
        p(3, asks=("We want to open a restaurant in Kyoto",)),
    ])
    assert rank_among(features, History(), [1, 2, 3])[1][0].b == 2


def test_fit_to_the_target_industry_and_size_both_ways():
    base = dict(offers=("経営相談",), asks=("人脈を広げたい",))
    features = Features([
        p(1, industry="G", company_size="5-19", ask_industries=frozenset({"E"}),
          ask_sizes=frozenset({"50-99"}), **base),
        p(2, industry="E", company_size="50-99", **base),
        p(3, industry="I", company_size="50-99", **base),
        p(4, industry="E", company_size="1-4", ask_industries=frozenset({"G"}), **base),
    ])
    assert score_of(features, 1, 2) > score_of(features, 1, 3)
    # 4 is what 1 looks for (industry), and 1 is what 4 looks for: both directions count.
    assert score_of(features, 1, 4) > score_of(features, 1, 2) - 0.05 * 1  # size only one way
    reasons = rank_among(features, History(), [1, 2])[1][0].reasons
    assert ("fits_target_industry", {"a": 1, "b": 2, "industry": "E"}) in [
        (r.code, r.params) for r in reasons]
    assert ("fits_target_size", {"a": 1, "b": 2, "size": "50-99"}) in [
        (r.code, r.params) for r in reasons]
    both = [(r.params["a"], r.params["b"]) for r in rank_among(features, History(), [1, 4])[1][0]
            .reasons if r.code == "fits_target_industry"]
    assert sorted(both) == [(1, 4), (4, 1)]


def test_same_prefecture_beats_same_region_beats_far_away():
    text = dict(offers=RECRUITER, asks=("経営相談",))
    features = Features([
        p(1, prefecture="27", offers=("経営相談",), asks=HIRING_PAIN),
        p(2, prefecture="27", **text),     # 大阪府
        p(3, prefecture="28", **text),     # 兵庫県: same 近畿 block
        p(4, prefecture="13", **text),     # 東京都
        p(5, prefecture="01"), p(6, prefecture="40"), p(7, prefecture="13"),
    ])
    assert score_of(features, 1, 2) > score_of(features, 1, 3) > score_of(features, 1, 4)
    same = [r for r in rank_among(features, History(), [1, 3])[1][0].reasons
            if r.code == "same_region"]
    assert same[0].params == {"a": 1, "b": 3, "region": "kinki"}
    same = [r for r in rank_among(features, History(), [1, 2])[1][0].reasons
            if r.code == "same_region"]
    assert same[0].params == {"a": 1, "b": 2, "prefecture": "27"}


def test_a_place_most_members_share_is_no_reason_but_still_counts():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([p(1, prefecture="27", **text), p(2, prefecture="27", **text),
                         p(3, prefecture="27", **text), p(4, prefecture="13", **text)])
    top = rank_among(features, History(), [1, 2, 3, 4])[1][0]
    assert top.b == 2 and "same_region" not in codes(top)
    assert score_of(features, 1, 2) > score_of(features, 1, 4)


def test_regulars_with_regulars_and_a_first_timer_with_a_welcoming_regular():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([
        p(1, level="regular", **text), p(2, level="regular", **text),
        p(3, level="returning", **text), p(4, level="returning", **text),
        p(5, level="first_timer", **text), p(6, level="first_timer", **text),
    ])
    assert score_of(features, 1, 2) > score_of(features, 3, 4)
    assert score_of(features, 1, 5) > score_of(features, 3, 5)
    assert score_of(features, 1, 5) > score_of(features, 5, 6)
    welcome = rank_among(features, History(), [5, 1])[5][0]
    assert [r.params for r in welcome.reasons if r.code == "welcome_first_timer"] == [
        {"a": 1, "b": 5}]
    assert "regulars" in codes(rank_among(features, History(), [1, 2])[1][0])


def test_attended_together_but_never_spoke_is_preferred():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([p(1, **text), p(2, **text), p(3, **text)])
    met = History(met_together={(2, 1): 3, (1, 3): 3}, spoken=frozenset({(1, 3)}))
    assert score_of(features, 1, 2, met) > score_of(features, 1, 3, met)
    assert score_of(features, 1, 3, met) == score_of(features, 1, 3)
    top = rank_among(features, met, [1, 2, 3])[1][0]
    assert top.b == 2
    assert [r.params for r in top.reasons if r.code == "met_not_spoken"] == [
        {"a": 1, "b": 2, "meetups": 3}]


def test_pairs_who_met_are_candidates_even_without_any_text():
    features = Features([p(1, level="regular"), p(2, level="regular"), p(3, level="regular")])
    met = History(met_together={(1, 2): 4})
    assert pairs(suggest(features, met)) == {(1, 2)}


def test_an_introduced_pair_is_never_suggested_again():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([p(1, **text), p(2, **text), p(3, **text)])
    history = History(excluded=frozenset({(2, 1)}))
    assert (1, 2) not in pairs(suggest(features, history, cap=5))
    assert 2 not in [s.b for s in rank_among(features, history, [1, 2, 3])[1]]


def test_a_connected_pair_only_comes_back_to_meet_again_at_a_meetup():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([p(1, **text), p(2, **text)])
    history = History(excluded=frozenset({(1, 2)}), connected=frozenset({(1, 2)}),
                      spoken=frozenset({(1, 2)}))
    assert suggest(features, history) == []
    (again,) = rank_among(features, history, [1, 2])[1]
    assert again.b == 2 and "meet_again" in codes(again)
    assert again.score < score_of(features, 1, 2)


def test_same_company_is_never_introduced():
    assert company_key("株式会社 アルファ") == company_key("アルファ(株)") == "アルファ"
    assert company_key("ＡＬＰＨＡ Co., Ltd.") == company_key("alpha") == "alpha"
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([
        p(1, company="株式会社アルファ", **text), p(2, company="アルファ（株）", **text),
        p(3, company="Beta Inc.", **text), p(4, company="beta", **text),
        p(5, company="", **text), p(6, company="", **text),
    ])
    found = pairs(suggest(features, History(), cap=5))
    assert (1, 2) not in found and (3, 4) not in found
    assert (5, 6) in found   # no company on either side is not "the same company"


def test_self_is_never_suggested():
    # Offers exactly what they ask for themselves.
    features = Features([p(1, offers=RECRUITER, asks=HIRING_PAIN), p(2, offers=("ヨガ",))])
    assert all(s.a != s.b for s in suggest(features, History(), cap=5))
    assert all(s.b != 1 for s in rank_among(features, History(), [1, 2])[1])


def test_only_consenting_active_members():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([
        p(1, **text), p(2, accepts_introductions=False, **text), p(3, active=False, **text),
        p(4, **text),
    ])
    assert pairs(suggest(features, History(), cap=5)) == {(1, 4)}
    ranked = rank_among(features, History(), [1, 2, 3, 4])
    assert ranked[2] == [] and ranked[3] == []
    assert [s.b for s in ranked[1]] == [4]


def test_same_industry_is_a_bonus_only_when_asked_for():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    plain = Features([p(1, industry="D", **text), p(2, industry="D", **text),
                      p(3, industry="E", **text)])
    assert score_of(plain, 1, 2) < score_of(plain, 1, 3)
    flagged = Features([p(1, industry="D", seeks_same_industry=True, **text),
                        p(2, industry="D", **text), p(3, industry="E", **text)])
    assert score_of(flagged, 1, 2) > score_of(flagged, 1, 3)
    top = rank_among(flagged, History(), [1, 2, 3])[1][0]
    assert top.b == 2
    assert [r.params for r in top.reasons if r.code == "same_industry_partners"] == [
        {"a": 1, "b": 2, "industry": "D"}]


def test_same_industry_flag_brings_candidates_without_text():
    features = Features([p(1, industry="D", seeks_same_industry=True), p(2, industry="D"),
                         p(3, industry="E")])
    assert pairs(suggest(features, History())) == {(1, 2)}


def test_caps_keep_a_popular_member_from_being_flooded():
    features = Features([p(1, offers=RECRUITER)]
                        + [p(i, asks=HIRING_PAIN + (f"課題{i}",)) for i in range(2, 8)])
    result = suggest(features, History())
    assert sum(1 in (s.a, s.b) for s in result) == 2
    assert sum(1 in (s.a, s.b) for s in suggest(features, History(), cap=1)) == 1
    caps = np.array([4, 1, 1, 1, 1, 1, 1])
    counted = suggest(features, History(), cap=caps)
    assert sum(1 in (s.a, s.b) for s in counted) == 4
    for member in range(2, 8):
        assert sum(member in (s.a, s.b) for s in counted) <= 1


def test_allocation_is_greedy_by_score():
    features = Features([
        p(1, offers=RECRUITER, level="regular"), p(2, asks=HIRING_PAIN, level="regular"),
        p(3, asks=HIRING_PAIN), p(4, asks=("ヨガ",)),
    ])
    assert suggest(features, History(), cap=1)[0] == suggest(features, History())[0]
    assert pairs(suggest(features, History(), cap=1)) == {(1, 2)}


def test_deterministic_and_independent_of_input_order():
    rng = np.random.default_rng(3)
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    profiles = [p(i, **text) for i in range(10, 26)]   # all ties
    first = suggest(Features(profiles), History())
    shuffled = [profiles[k] for k in rng.permutation(len(profiles))]
    assert suggest(Features(shuffled), History()) == first
    assert all(s.a < s.b for s in first)
    # Everyone gets a first before anyone a second; then seconds up to the cap of two.
    served = {m: sum(m in (s.a, s.b) for s in first) for m in range(10, 26)}
    assert set(served.values()) == {2}


def test_rank_among_only_within_the_given_members():
    text = dict(offers=RECRUITER, asks=HIRING_PAIN)
    features = Features([p(i, **text) for i in range(1, 8)])
    ranked = rank_among(features, History(), [1, 2, 3, 99], top=2)
    assert set(ranked) == {1, 2, 3, 99}
    assert ranked[99] == []
    for member in (1, 2, 3):
        assert len(ranked[member]) == 2
        assert all(s.a == member and s.b in {1, 2, 3} - {member} for s in ranked[member])


@pytest.mark.usefixtures("words_only")
def test_sampled_postings_keep_every_member_served(monkeypatch):
    from tests.tenants.introductions.test_matching_quality import community

    features, _partner = community(seed=5, size=120)
    default = suggest(features, History())
    # What a large community goes through: small blocks, each group with its own sample of
    # the texts sharing a common feature.
    monkeypatch.setattr(candidates, "BLOCK", 16)
    monkeypatch.setattr(candidates, "POSTINGS", 8)
    sampled = suggest(Features(features.profiles), History())

    def served(found: list[Suggestion]) -> set[int]:
        return {m for s in found for m in (s.a, s.b)}

    # Most of these 120 members write only noise (「店舗の認知度を上げたい」 …); since the
    # allocation serves confirmed pairs first and falls back only on shared specific words,
    # about two thirds of them are served, and that must not fall with sampling.
    assert len(served(default)) > 60
    assert len(served(sampled)) >= 0.95 * len(served(default))
    assert sampled[0] == default[0]          # the strongest pair is found either way


def test_empty_and_tiny_communities():
    assert suggest(Features([]), History()) == []
    assert suggest(Features([p(1, offers=RECRUITER)]), History()) == []
    assert rank_among(Features([p(1)]), History(), [1]) == {1: []}


def test_the_garbage_collector_is_as_it_was_after_a_cycle():
    features = Features([p(1, offers=RECRUITER), p(2, asks=HIRING_PAIN)])
    assert gc.isenabled()
    assert pairs(suggest(features, History())) == {(1, 2)}
    assert gc.isenabled()
    gc.disable()
    try:
        suggest(features, History())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_memory_is_handed_back_only_in_a_large_community(monkeypatch):
    """Each stage trims the heap (``give_back_memory``) from ``TRIM_FROM`` members on, and
    not below: the same suggestions either way."""
    trims: list[int] = []
    monkeypatch.setattr(matching, "_TRIM", lambda pad: trims.append(pad) or 0)
    features = Features([p(1, offers=RECRUITER), p(2, asks=HIRING_PAIN),
                         p(3, offers=("翻訳と通訳の代行",), asks=("海外の取引先との契約",))])
    small = suggest(features, History())
    assert pairs(small) == {(1, 2)} and trims == []
    monkeypatch.setattr(matching, "TRIM_FROM", 3)
    assert suggest(features, History()) == small
    assert trims and set(trims) == {0}
