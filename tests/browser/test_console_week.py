"""The organizer's Monday in a real browser (Chromium via Playwright, CSRF on, Japanese fonts):
the dashboard says what needs doing, a phone call becomes a registration by hand (the meetup is
full, so the caller joins the waitlist), the member's story page follows, and the portal's
navigation fits on one line at 1280 and 1366 pixels for an organizer (issue 16).

Screenshots go to ``JOREN_SCREENSHOTS`` (a directory) when it is set, else to a temporary
directory; look at them after a change to these pages.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import (
    Attendance,
    AttendanceStatus,
    Meetup,
    MemberStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from joren.platform.db import Base, utcnow
from joren.platform.tenancy import set_tenant, unscoped
from joren.platform.tenant_guard import TenantSession
from joren.tenants.engagement.rollups.store import rebuild
from tests import factories
from tests.live import live_app

pytestmark = pytest.mark.browser

SLUG = "kitahama-biz"
NAME = "北浜・本町 異業種交流会 ビジネスマッチング倶楽部"
ORGANIZER = "organizer@console-week.example.jp"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("JOREN_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("console-week-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _seed(engine: Any) -> None:
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name=NAME)
        factories.member(s, community, factories.account(s, ORGANIZER), Role.OWNER,
                         family_name="主催", given_name="一郎", family_name_kana="シュサイ",
                         given_name_kana="イチロウ", joined_at=utcnow() - timedelta(days=300))
        people = [factories.member(s, community, family_name=family, given_name="太郎",
                                   family_name_kana=kana, given_name_kana="タロウ",
                                   joined_at=utcnow() - timedelta(days=200))
                  for family, kana in (("青木", "アオキ"), ("上田", "ウエダ"), ("江口", "エグチ"))]
        guest = factories.member(s, community, status=MemberStatus.GUEST, family_name="小野",
                                 given_name="花子", family_name_kana="オノ",
                                 given_name_kana="ハナコ", joined_at=utcnow() - timedelta(days=20))
        with unscoped(s):
            past = Meetup(tenant_id=community.id, title="十一月の定例会",
                          starts_at=utcnow() - timedelta(days=14),
                          ends_at=utcnow() - timedelta(days=14) + timedelta(hours=2))
            nxt = Meetup(tenant_id=community.id, title="十二月の定例会", capacity=2,
                         starts_at=utcnow() + timedelta(days=4),
                         ends_at=utcnow() + timedelta(days=4, hours=2))
            s.add_all([past, nxt])
            s.flush()
            s.add_all([Attendance(tenant_id=community.id, meetup_id=past.id, member_id=p.id,
                                  status=AttendanceStatus.PRESENT) for p in [*people, guest]])
            s.add_all([Registration(tenant_id=community.id, meetup_id=nxt.id, member_id=p.id,
                                    status=RegistrationStatus.GOING) for p in people[:2]])
            s.add(Registration(tenant_id=community.id, meetup_id=nxt.id,
                               member_id=people[2].id, status=RegistrationStatus.WAITLISTED,
                               waitlist_position=1))
        s.commit()
        community_id = community.id
    with TenantSession(engine) as scoped:
        set_tenant(scoped, community_id)
        rebuild(scoped)
        scoped.commit()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('week') / 'week.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    _seed(engine)
    try:
        with live_app(database_url, app_config, "console-week-secret") as base_url:
            yield {"base": base_url, "engine": engine}
    finally:
        engine.dispose()


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").last.click()


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation() as navigation:
        page.locator(selector).first.click()
    assert navigation.value is not None and navigation.value.status < 400, page.url


def test_monday_dashboard_and_a_registration_by_phone(server, browser, shots):
    base = server["base"]
    page = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(page, base, ORGANIZER)
    page.goto(f"{base}/c/{SLUG}/admin/")
    todo = page.locator("[data-todo='next-meetup']")
    assert "十二月の定例会" in todo.inner_text()
    assert "2 / 2" in todo.locator("[data-next='seats']").inner_text()
    assert "江口" in page.locator("[data-names='waitlisted']").inner_text()
    assert "小野 花子" in page.locator("[data-names='follow_up']").inner_text()
    page.screenshot(path=str(shots / "dashboard-1280.png"), full_page=True)

    _click(page, "a[href$='/register-by-hand']")
    page.fill("input[name=family_name]", "電話")
    page.fill("input[name=given_name]", "受付子")
    page.fill("input[name=family_name_kana]", "デンワ")
    page.fill("input[name=given_name_kana]", "ウケツケコ")
    page.select_option("select[name=source]", "phone")
    page.fill("input[name=note]", "月曜の朝に電話で申込")
    page.screenshot(path=str(shots / "manual-registration-1280.png"), full_page=True)
    _click(page, "#manual-form button[type=submit]")
    assert "/registrations" in page.url
    waitlist = page.locator("h2#waitlisted + div table")
    assert "電話 受付子" in waitlist.inner_text()
    assert "電話（主催者が受付）" in waitlist.inner_text()
    page.screenshot(path=str(shots / "registrations-after-phone-1280.png"), full_page=True)
    with Session(server["engine"]) as s, unscoped(s):
        row = s.scalars(select(Registration).where(Registration.source == "phone")).one()
        assert (row.status, row.note) == (RegistrationStatus.WAITLISTED, "月曜の朝に電話で申込")

    page.goto(f"{base}/c/{SLUG}/admin/")
    _click(page, "[data-names='follow_up'] a")
    assert "これまでの歩み" in page.inner_text("main")
    page.fill("textarea[name=body]", "LINEでお礼を送りました")
    page.check("input[name=contacted]")
    _click(page, "[data-section='notes'] button[type=submit]")
    assert "LINEでお礼を送りました" in page.inner_text("[data-section='notes']")
    page.screenshot(path=str(shots / "member-story-1280.png"), full_page=True)
    page.goto(f"{base}/c/{SLUG}/admin/")
    assert page.locator("[data-todo-count='follow_up']").inner_text() == "0"


def _fits_on_one_line(page: Any, width: int) -> None:
    """Nothing wraps below the brand, nothing runs past the window's edge."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    brand = page.locator(".navbar-brand").bounding_box()
    for item in page.locator("nav.navbar .navbar-nav > li").all():
        box = item.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width + 1, item.inner_text()
        assert abs((box["y"] + box["height"] / 2) - (brand["y"] + brand["height"] / 2)) < 12, (
            item.inner_text())
    assert page.locator(".navbar-nav .community-name").is_visible()


@pytest.mark.parametrize("width", [1280, 1366])
def test_the_portal_navigation_fits_for_an_organizer(server, browser, shots, width):
    page = browser.new_context(locale="ja-JP",
                               viewport={"width": width, "height": 800}).new_page()
    _sign_in(page, server["base"], ORGANIZER)
    page.goto(f"{server['base']}/c/{SLUG}/")
    assert page.locator(".navbar .community-name").get_attribute("title") == NAME
    # Both languages (the choice is kept with the account, so start from either).
    for _ in range(2):
        language = page.evaluate("document.documentElement.lang")
        page.screenshot(path=str(shots / f"portal-nav-{width}-{language}.png"))
        _fits_on_one_line(page, width)
        _click(page, "nav.navbar button[name=language]")
