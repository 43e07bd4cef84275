"""The review queue's "introduce two members yourself" form in a real browser (Chromium via
Playwright, CSRF on): the organizer types part of a reading, picks the member from the list
the search-as-you-type endpoint returns, does the same for the second member, and the pair
lands in the queue. The page lists no members of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import Member, Role
from joren.platform.db import Base
from joren.platform.names import romaji_search_key
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import Introduction, IntroductionSource
from tests import factories
from tests.live import live_app

pytestmark = pytest.mark.browser

SLUG = "kyobashi-kouryu"
ORGANIZER = "organizer@picker.example.jp"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('picker') / 'picker.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="京橋異業種交流会")
        factories.member(s, community, factories.account(s, ORGANIZER), Role.OWNER,
                         family_name="幹事", given_name="一", family_name_kana="カンジ",
                         given_name_kana="ハジメ")
        for family, kana, email in (("青木", "アオキ", "aoki"), ("青山", "アオヤマ", "aoyama"),
                                    ("上田", "ウエダ", "ueda")):
            factories.member(s, community, email=f"{email}@picker.example.jp",
                             family_name=family, given_name="太郎", family_name_kana=kana,
                             given_name_kana="タロウ", company=f"{family}商事",
                             name_romaji=romaji_search_key(kana, "タロウ"))
        s.commit()
    try:
        with live_app(database_url, app_config, "picker-secret") as base_url:
            yield {"base": base_url, "engine": engine}
    finally:
        engine.dispose()


def _member_id(engine: Any, email: str) -> int:
    with Session(engine) as s, unscoped(s):
        return s.scalar(select(Member.id).where(Member.email == email))


def test_pick_two_members_as_you_type(server, browser):
    base, engine = server["base"], server["engine"]
    page = browser.new_context(locale="ja-JP").new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", ORGANIZER)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").last.click()

    page.goto(f"{base}/c/{SLUG}/admin/introductions")
    manual = page.locator("form[action$='/admin/introductions/new']")
    assert manual.locator("option").count() == 0  # no member list in the page
    first = page.locator("[data-member-picker]").nth(0)
    first.locator("input[type=text]").fill("あお")  # hiragana finds アオキ and アオヤマ
    options = first.locator("[data-member-picker-results] button")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_contain_text("青山 太郎（青山商事）")
    options.nth(1).click()
    expect(first.locator("input[type=hidden]")).to_have_value(
        str(_member_id(engine, "aoyama@picker.example.jp")))

    second = page.locator("[data-member-picker]").nth(1)
    second.locator("input[type=text]").fill("ueda")
    expect(second.locator("[data-member-picker-results] button")).to_have_count(1)
    second.locator("[data-member-picker-results] button").first.click()
    page.fill("textarea[name=manual-message]", "ご近所同士です")
    with page.expect_navigation():
        page.locator("form[action$='/admin/introductions/new'] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("青山 太郎")

    with Session(engine) as s, unscoped(s):
        made = s.scalars(select(Introduction).where(
            Introduction.source == IntroductionSource.ORGANIZER)).all()
    pair = sorted((_member_id(engine, "aoyama@picker.example.jp"),
                   _member_id(engine, "ueda@picker.example.jp")))
    assert [(i.member_low_id, i.member_high_id, i.message) for i in made] == [
        (pair[0], pair[1], "ご近所同士です")]
