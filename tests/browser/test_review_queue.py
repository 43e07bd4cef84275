"""The review queue in a real browser (Chromium via Playwright, CSRF on): the organizer
narrows the queue with a filter, selects two suggestions from the keyboard and approves them
together, then types a note into another card and approves it with the button. The note is
stored, both decisions reach the database, and the page is never reloaded (a marker set on
the window survives and the scroll position stays where it was).

Screenshots go to ``JOREN_SCREENSHOTS`` when set (else the test's temporary folder)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import Role
from joren.platform.db import Base
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from tests import factories
from tests.live import live_app

pytestmark = pytest.mark.browser

SLUG = "nihonbashi-kouryu"
ORGANIZER = "organizer@queue.example.jp"
FAMILIES = ("青木", "石井", "上野", "遠藤", "大野", "加藤", "木村", "工藤", "小林", "斉藤",
            "佐藤", "清水", "鈴木", "高橋", "田中", "中村")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('queue') / 'queue.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="日本橋異業種交流会")
        factories.member(s, community, factories.account(s, ORGANIZER), Role.OWNER,
                         family_name="幹事", given_name="一")
        people = [factories.member(s, community, email=f"m{n}@queue.example.jp",
                                   family_name=family, given_name="太郎",
                                   company=f"{family}商事", accepts_introductions=True)
                  for n, family in enumerate(FAMILIES)]
        with unscoped(s):
            for n, member in enumerate(people):
                s.add(MemberEngagement(tenant_id=community.id, member_id=member.id,
                                       level=Level.REGULAR if n < 6 else Level.RETURNING))
            for n in range(8):
                a, b = people[2 * n], people[2 * n + 1]
                code = "regulars" if n < 3 else "same_region"
                params = {"a": a.id, "b": b.id, "prefecture": "13"}
                s.add(Introduction(tenant_id=community.id, member_low_id=a.id,
                                   member_high_id=b.id, source=IntroductionSource.ENGINE,
                                   status=IntroductionStatus.SUGGESTED, score=0.9 - n * 0.1,
                                   reasons=[{"code": code, "params": params}]))
        s.commit()
    try:
        with live_app(database_url, app_config, "queue-secret") as base_url:
            yield {"base": base_url, "engine": engine}
    finally:
        engine.dispose()


def _rows(engine: Any) -> dict[int, Introduction]:
    with Session(engine) as s, unscoped(s):
        return {i.id: i for i in s.scalars(select(Introduction))}


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JOREN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_filter_select_two_approve_in_bulk_then_one_with_a_note(server, browser, tmp_path):
    base, engine = server["base"], server["engine"]
    shots = _shots(tmp_path)
    page = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", ORGANIZER)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").last.click()

    page.goto(f"{base}/c/{SLUG}/admin/introductions")
    expect(page.locator("[data-queue-keys]")).to_be_visible()  # the shortcuts' help
    expect(page.locator("[data-introduction]")).to_have_count(8)
    page.screenshot(path=str(shots / "queue-1-all.png"), full_page=True)

    page.select_option("select[name=reason]", "regulars")
    with page.expect_navigation():
        page.get_by_role("button", name="絞り込む").click()
    cards = page.locator("[data-introduction]")
    expect(cards).to_have_count(3)
    expect(page.locator("[data-filtered-count]")).to_contain_text("3件")
    page.evaluate("window.__sameDocument = true")

    page.locator("body").press("j")  # the first card
    expect(cards.nth(0)).to_have_attribute("aria-current", "true")
    expect(cards.nth(0)).to_be_focused()
    page.keyboard.press("x")
    page.keyboard.press("j")
    expect(cards.nth(1)).to_be_focused()
    page.keyboard.press("x")
    expect(cards.nth(0).locator("[data-select]")).to_be_checked()
    expect(cards.nth(1).locator("[data-select]")).to_be_checked()
    expect(page.locator("[data-selected-count]")).to_contain_text("選択中：2件")
    chosen = [int(cards.nth(k).get_attribute("data-introduction")) for k in (0, 1)]
    page.screenshot(path=str(shots / "queue-2-selected.png"), full_page=True)

    page.get_by_role("button", name="選択した提案を承認して送信").click()
    for k in (0, 1):
        expect(cards.nth(k)).to_have_class("card mb-3 queue-card is-decided")
        expect(cards.nth(k).locator("[data-card-state]")).to_have_text("送信済み")
        expect(cards.nth(k).locator("[data-card-status]")).to_contain_text("紹介を送信しました（2件）")
    rows = _rows(engine)
    assert [rows[i].status for i in chosen] == [IntroductionStatus.SENT] * 2
    assert page.evaluate("window.__sameDocument") is True

    third = cards.nth(2)
    note = third.locator("textarea")
    note.fill("お二人とも常連です。次回の会でぜひ。")
    approve = third.get_by_role("button", name="承認して送信")
    approve.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    approve.click()
    expect(third.locator("[data-card-state]")).to_have_text("送信済み")
    expect(third.locator("[data-card-status]")).to_contain_text("送信しました")
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert page.evaluate("window.scrollY") == scrolled
    page.screenshot(path=str(shots / "queue-3-approved.png"), full_page=False)
    third_id = int(third.get_attribute("data-introduction"))
    row = _rows(engine)[third_id]
    assert row.status == IntroductionStatus.SENT
    assert row.message == "お二人とも常連です。次回の会でぜひ。"
    expect(page.locator("[data-waiting]")).to_contain_text("5件")

    # From the keyboard alone: j to the first card, a approves it, the focus goes on.
    page.goto(f"{base}/c/{SLUG}/admin/introductions")
    page.evaluate("window.__sameDocument = true")
    cards = page.locator("[data-introduction]")
    expect(cards).to_have_count(5)
    page.locator("body").press("j")
    first_id = int(cards.nth(0).get_attribute("data-introduction"))
    page.keyboard.press("a")
    expect(cards.nth(0).locator("[data-card-state]")).to_have_text("送信済み")
    expect(cards.nth(1)).to_be_focused()
    expect(cards.nth(1)).to_have_attribute("aria-current", "true")
    page.keyboard.press("?")
    expect(page.locator("[data-queue-keys]")).to_be_hidden()
    page.keyboard.press("?")
    expect(page.locator("[data-queue-keys]")).to_be_visible()
    page.screenshot(path=str(shots / "queue-4-keyboard.png"), full_page=False)
    assert page.evaluate("window.__sameDocument") is True
    assert _rows(engine)[first_id].status == IntroductionStatus.SENT
