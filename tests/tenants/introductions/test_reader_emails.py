"""The proposal email speaks to its reader: "you" / 「あなた」 for the recipient and the other
member by name, in the text and the HTML part, in both languages; the member's own page too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from joren.platform.mail.models import OutboxMessage
from joren.platform.tenancy import unscoped
from joren.tenants.introductions import perspective, services
from joren.tenants.introductions.models import IntroductionSource
from joren.tenants.introductions.reasons import render
from tests.tenants.helpers import in_english
from tests.tenants.introductions.intro_support import introduction, pair

pytestmark = pytest.mark.usefixtures("clock")

A, B = 101, 202
NAMES = {A: "山本 翔太", B: "佐藤 健"}
ALL_CODES = [
    {"code": "offers_for_ask",
     "params": {"a": A, "b": B, "offer": "記帳代行", "ask": "請求書の処理"}},
    {"code": "fits_target_industry", "params": {"a": A, "b": B, "industry": "R"}},
    {"code": "fits_target_size", "params": {"a": A, "b": B, "size": "1-9"}},
    {"code": "same_industry_partners", "params": {"a": A, "b": B, "industry": "R"}},
    {"code": "met_not_spoken", "params": {"a": A, "b": B, "meetups": 3}},
    {"code": "regulars", "params": {"a": A, "b": B}},
    {"code": "welcome_first_timer", "params": {"a": A, "b": B}},
    {"code": "same_region", "params": {"a": A, "b": B, "prefecture": "13"}},
    {"code": "meet_again", "params": {"a": A, "b": B}},
    {"code": "offers_for_ask", "params": {"a": A, "b": B, "offer": "記帳代行",
                                          "ask": "請求書の処理", "concept": "bookkeeping"}},
    {"code": "shared_concept", "params": {"a": A, "b": B, "offer": "宣材写真の撮影",
                                          "ask": "ホームページ用の写真", "concept": "photo_video"}},
    {"code": "shared_words", "params": {"a": A, "b": B, "word": "撮影"}},
    {"code": "common_ground", "params": {"a": A, "b": B, "offer": "交流会", "ask": "人脈"}},
]


def _fallback(language: str) -> Any:
    return lambda reasons: render(reasons, NAMES, language)


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("reader", [A, B])
def test_every_reason_addresses_its_reader(app, language, reader):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        lines = perspective.render_for_reader(ALL_CODES, reader, NAMES, language,
                                              _fallback(language))
    other = NAMES[B if reader == A else A]
    assert len(lines) == len(ALL_CODES)
    you = "あなた" if language == "ja" else "you"
    for line in lines:
        assert NAMES[reader] not in line, line
        assert other in line, line
        assert you in line.lower(), line


def test_reader_sentences_in_japanese(app):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        giver = perspective.render_for_reader(ALL_CODES[:1], A, NAMES, "ja", _fallback("ja"))
        helped = perspective.render_for_reader(ALL_CODES[:1], B, NAMES, "ja", _fallback("ja"))
        english = perspective.render_for_reader(ALL_CODES[:1], B, NAMES, "en", _fallback("en"))
    assert giver == ["あなたの「記帳代行」が、佐藤 健さんの「請求書の処理」に役立ちそうです。"]
    assert helped == ["山本 翔太さんの「記帳代行」が、あなたの「請求書の処理」に役立ちそうです。"]
    assert english == ["山本 翔太 offers “記帳代行”, which may help you with “請求書の処理”."]
    with app.test_request_context():
        about = perspective.render_for_reader(ALL_CODES[-4:], B, NAMES, "ja", _fallback("ja"))
    assert about == [
        "山本 翔太さんの「記帳代行」（経理・記帳）が、あなたの「請求書の処理」に役立ちそうです。",
        "山本 翔太さんの「宣材写真の撮影」とあなたの「ホームページ用の写真」は、"
        "どちらも写真撮影に関わる内容です。",
        "あなたも山本 翔太さんも、「撮影」について書いています。",
        "山本 翔太さんの「交流会」とあなたの「人脈」には、共通するテーマがあります。"]


def test_a_reason_this_module_does_not_know_is_left_to_the_engine(app):  # type: ignore[no-untyped-def]
    unknown = [{"code": "something_new", "params": {"a": A, "b": B}}]
    with app.test_request_context():
        lines = perspective.render_for_reader(unknown, A, NAMES, "en",
                                              lambda reasons: [f"engine: {len(reasons)}"])
    assert lines == ["engine: 1"]


def test_the_proposal_emails_say_you_in_text_and_html(app, session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)  # 佐藤 reads English, 田中 Japanese
    session.commit()
    s = scoped(tenant)
    intro = introduction(s, sato, tanaka, source=IntroductionSource.ENGINE, reasons=[
        {"code": "offers_for_ask", "params": {"a": sato.id, "b": tanaka.id,
                                               "offer": "採用支援", "ask": "若手の採用"}},
        {"code": "regulars", "params": {"a": sato.id, "b": tanaka.id}}])
    s.commit()
    with app.test_request_context():
        services.approve(s, intro, None)
        s.commit()
    with unscoped(session):
        mail = {m.to_email: m for m in session.scalars(select(OutboxMessage))}
    to_sato, to_tanaka = mail["sato@example.jp"], mail["tanaka@example.jp"]
    for body in (to_sato.text_body, to_sato.html_body):
        assert "You offer “採用支援”, which may help 田中 美咲 with “若手の採用”." in body
        assert "You and 田中 美咲 are both regulars." in body
        assert "佐藤 健 offers" not in body and "佐藤 健 and" not in body
    for body in (to_tanaka.text_body, to_tanaka.html_body):
        assert "佐藤 健さんの「採用支援」が、あなたの「若手の採用」に役立ちそうです。" in body
        assert "あなたも佐藤 健さんも常連です。" in body
        assert "田中 美咲さん" not in body.split("様")[-1]


def test_the_members_page_says_you_too(app, session, tenant, people, scoped, login):  # type: ignore[no-untyped-def]
    sato, other = pair(session, tenant)
    session.commit()
    s = scoped(tenant)
    intro = introduction(s, people.member_member, other, source=IntroductionSource.ORGANIZER,
                         reasons=[{"code": "regulars", "params": {
                             "a": people.member_member.id, "b": other.id}}])
    s.commit()
    with app.test_request_context():
        services.approve(s, intro, None)
        s.commit()
    page = in_english(login(people.member)).get(f"/c/{tenant.slug}/introductions")
    assert "You and 田中 美咲 are both regulars." in page.get_data(as_text=True)
