"""What a habit email may say about another member: the fields and the engine's reasons that
member shows to other members, nothing more."""

from __future__ import annotations

from joren.platform.membership.models import Member, ProfileVisibility
from joren.tenants.introductions.features import Reason
from joren.tenants.relationships.habits.people import public_name, shown_reasons

MEMBERS, ORGANIZERS = ProfileVisibility.MEMBERS, ProfileVisibility.ORGANIZERS


def _member(**fields) -> Member:  # type: ignore[no-untyped-def]
    values = {"id": 7, "family_name": "木村", "given_name": "三", "offer_1": "税務申告の代行",
              "ask_description": "採用に課題がある", "challenges": "後継者がいない",
              "business_description": "会計事務所です", "work_visibility": MEMBERS,
              "family_name_kana": "", "given_name_kana": "",
              "give_ask_visibility": MEMBERS, "goals_visibility": ORGANIZERS}
    values.update(fields)
    return Member(**values)


def _offer(a: int, b: int, offer: str, ask: str) -> Reason:
    return Reason("offers_for_ask", {"a": a, "b": b, "offer": offer, "ask": ask})


def test_a_quoted_ask_or_offer_must_come_from_a_field_the_member_shows():
    kimura = _member()
    mine = 3
    asks_shown = _offer(mine, 7, "採用支援", "採用に課題がある")
    asks_hidden = _offer(mine, 7, "事業承継の支援", "後継者がいない")  # a challenge: goals group
    offers_shown = _offer(7, mine, "税務申告の代行", "税理士を探しています")
    cut_short = _offer(7, mine, "会計事務所…", "税理士を探しています")
    assert shown_reasons([asks_shown, asks_hidden, offers_shown, cut_short], kimura) == [
        asks_shown, offers_shown, cut_short]
    private = _member(give_ask_visibility=ORGANIZERS, work_visibility=ORGANIZERS)
    assert shown_reasons([asks_shown, offers_shown, cut_short], private) == []
    open_goals = _member(goals_visibility=MEMBERS)
    assert shown_reasons([asks_hidden], open_goals) == [asks_hidden]


def test_a_field_or_a_word_in_common_is_shown_only_from_fields_the_member_shows():
    kimura = _member()
    # 木村 (id 7) shows offers, asks and work to members, not goals and challenges.
    field = Reason("shared_concept", {"a": 3, "b": 7, "offer": "求人広告の運用",
                                      "ask": "採用に課題がある", "concept": "recruiting"})
    hidden = Reason("shared_concept", {"a": 3, "b": 7, "offer": "M&Aの仲介",
                                       "ask": "後継者がいない", "concept": "succession_ma"})
    word = Reason("shared_words", {"a": 7, "b": 3, "word": "会計"})  # in 会計事務所です
    asked = Reason("shared_words", {"a": 3, "b": 7, "word": "後継者"})  # a hidden challenge
    assert shown_reasons([field, hidden, word, asked], kimura) == [field, word]
    private = _member(give_ask_visibility=ORGANIZERS, work_visibility=ORGANIZERS)
    assert shown_reasons([field, word], private) == []


def test_profile_fields_in_reasons_follow_the_privacy_groups():
    work_hidden = _member(work_visibility=ORGANIZERS)
    fits = Reason("fits_target_industry", {"a": 3, "b": 7, "industry": "E"})
    targets = Reason("fits_target_size", {"a": 7, "b": 3, "size": "20-49"})
    region = Reason("same_region", {"a": 3, "b": 7, "prefecture": "27"})
    regulars = Reason("regulars", {"a": 3, "b": 7})
    unknown = {"code": "something_new", "params": {"a": 3, "b": 7}}
    assert shown_reasons([fits, targets, region, regulars, unknown], work_hidden) == [
        targets, regulars]
    assert shown_reasons([fits, targets, region], _member()) == [fits, targets, region]
    asks_hidden = _member(give_ask_visibility=ORGANIZERS)
    assert shown_reasons([fits, targets], asks_hidden) == [fits]


def test_a_public_name_never_falls_back_to_the_email_address():
    assert public_name(_member()) == "木村 三"
    nameless = _member(family_name="", given_name="", email="x@example.jp")
    assert public_name(nameless) == ""
    nameless.family_name_kana, nameless.given_name_kana = "キムラ", "サン"
    assert public_name(nameless) == "キムラ サン"
