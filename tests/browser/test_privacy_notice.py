"""The privacy notice (利用目的) in Chromium (issue 17): the organizer publishes the notice
from the privacy page after a preview; a member sees the banner, reads the notice and makes
their choices; a guest cannot register without ticking that they read it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import ConsentRecord, Member, PrivacyNotice, Registration, Role
from joren.platform.db import Base
from joren.platform.tenancy import unscoped
from tests import factories
from tests.live import live_app
from tests.tenants.helpers import meetup

pytestmark = pytest.mark.browser

SLUG = "minato-keiei"
OWNER, MEMBER = "owner@notice.example.jp", "member@notice.example.jp"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('notice') / 'notice.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="港区経営者交流会")
        factories.member(s, community, factories.account(s, OWNER), Role.OWNER)
        factories.member(s, community, factories.account(s, MEMBER), Role.MEMBER,
                         family_name="港", given_name="花子")
        public = meetup(s, community, "十二月の定例会", capacity=20)
        s.commit()
        meetup_id = public.id
    try:
        with live_app(database_url, app_config, "notice-secret") as base_url:
            yield {"base": base_url, "engine": engine, "meetup_id": meetup_id}
    finally:
        engine.dispose()


def _sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").first.click()


def _click(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_the_notice_from_the_organizer_to_a_member_and_a_guest(server, browser):
    base, engine = server["base"], server["engine"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    owner = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}
                                ).new_page()
    _sign_in(owner, base, OWNER)
    owner.goto(f"{base}/c/{SLUG}/admin/privacy")
    _click(owner, "[data-section=notice] a")
    assert "港区経営者交流会における個人情報の利用目的" in owner.input_value("textarea[name=body]")
    owner.fill("textarea[name=body]", owner.input_value("textarea[name=body]")
               + "\nお問い合わせ：事務局 info@minato.example.jp")
    _click(owner, "button[value=preview]")
    assert owner.locator("[data-section=preview]").is_visible()
    owner.screenshot(path=str(SHOTS / "notice-editor.png"), full_page=True)
    _click(owner, "button[value=publish]")
    assert owner.locator("[data-section=versions] tbody tr").count() == 1

    member = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}
                                 ).new_page()
    _sign_in(member, base, MEMBER)
    member.goto(f"{base}/c/{SLUG}/")
    assert member.locator("[data-banner=notice]").is_visible()
    _click(member, "[data-banner=notice] a")
    assert "info@minato.example.jp" in member.inner_text("[data-notice]")
    member.check("input[name=introductions]")
    member.uncheck("input[name=follow_ups]")
    member.screenshot(path=str(SHOTS / "notice-member.png"), full_page=True)
    _click(member, "main form button[type=submit]")
    assert member.locator("[data-banner=notice]").count() == 0  # back home, banner gone
    with Session(engine) as s, unscoped(s):
        me = s.scalar(select(Member).where(Member.email == MEMBER))
        assert me.accepts_introductions
        answers = {r.purpose: r.granted for r in s.scalars(
            select(ConsentRecord).where(ConsentRecord.member_id == me.id))}
        assert answers == {"notice": True, "introductions": True, "directory": True,
                           "announcements": True, "follow_ups": False}
        assert s.scalar(select(PrivacyNotice.version)) == 1

    guest = browser.new_context(locale="ja-JP").new_page()
    guest.goto(f"{base}/c/{SLUG}/meetups/{server['meetup_id']}/guest")
    guest.fill("input[name=family_name]", "来客")
    guest.fill("input[name=given_name]", "太郎")
    guest.fill("input[name=email]", "guest@notice.example.jp")
    _click(guest, "main form button[type=submit]")
    assert guest.locator("input[name=notice_read].is-invalid").count() == 1
    guest.locator("[data-section=notice] summary").click()
    guest.screenshot(path=str(SHOTS / "notice-guest.png"), full_page=True)
    guest.check("input[name=notice_read]")
    _click(guest, "main form button[type=submit]")
    assert "guest@notice.example.jp" in guest.inner_text("main")
    with Session(engine) as s, unscoped(s):
        assert s.scalar(select(Registration.id)) is not None
