"""The door page on a phone-sized screen in a real browser (Chromium through Playwright, CSRF
on): staff type a reading in hiragana, the list filters as they type, one tap checks a person in
and the counts update without leaving the page; the camera scanner loads the local decoder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from joren.models import Attendance, AttendanceStatus, Role
from joren.platform.db import Base, utcnow
from joren.platform.tenancy import unscoped
from tests import factories
from tests.live import live_app
from tests.tenants.helpers import meetup
from tests.tenants.meetups.helpers_checkin import guest, person, register

pytestmark = pytest.mark.browser

STAFF = "door-staff@browser.example.jp"


@pytest.fixture(scope="module")
def door_server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('door') / 'door.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug="door-test", name="梅田朝活交流会")
        staff = factories.account(s, STAFF)
        factories.member(s, community, staff, Role.STAFF, family_name="鈴木",
                         given_name="受付", family_name_kana="スズキ", given_name_kana="ウケツケ")
        tonight = meetup(s, community, "朝活定例会", starts_at=utcnow() + timedelta(minutes=5))
        people = [
            person(s, community, "渡辺", "大輔", "ワタナベ", "ダイスケ", company="渡辺工務店"),
            guest(s, community, "田中", "由美", "タナカ", "ユミ", company="株式会社タナカ"),
            person(s, community, "石川", "誠", "イシカワ", "マコト"),
        ]
        for p in people:
            register(s, tonight, p)
        s.commit()
        ids = {"meetup": tonight.id, "tanaka": people[1].id}
    try:
        with live_app(database_url, app_config, "door-browser-secret") as base_url:
            yield {"base": base_url, "engine": engine, **ids}
    finally:
        engine.dispose()


def test_staff_check_people_in_on_a_phone(door_server, browser):
    base = door_server["base"]
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", STAFF)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").last.click()

    door = f"{base}/c/door-test/admin/meetups/{door_server['meetup']}/checkin"
    response = page.goto(door)
    assert response is not None and response.status == 200
    rows = page.locator("#checkin-results li[data-member-id]")
    assert rows.count() == 3
    assert page.locator("[data-checked-in-count]").inner_text() == "0"

    # Typing a reading in hiragana filters the list in place (no navigation).
    page.fill("#checkin-q", "たなか")
    # Locator waits, not wait_for_function: its predicates need eval, which the
    # Content-Security-Policy forbids.
    expect(page.locator("#checkin-results li[data-member-id]")).to_have_count(1)
    row = page.locator(f"#checkin-results li[data-member-id='{door_server['tanaka']}']")
    assert "株式会社タナカ" in row.inner_text()
    button = row.locator("button.checkin-tap")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44  # a thumb target
    url_before = page.url
    button.tap()
    expect(page.locator("[data-checked-in-count]")).to_have_text("1")
    page.wait_for_selector(f"li[data-member-id='{door_server['tanaka']}'] [data-checked-in]")
    assert page.url == url_before
    assert "田中 由美" in page.locator("#checkin-status").inner_text()

    with Session(door_server["engine"]) as s, unscoped(s):
        rows_in_db = s.execute(select(Attendance.member_id, Attendance.status)).all()
        assert rows_in_db == [(door_server["tanaka"], AttendanceStatus.PRESENT)]
        assert s.scalar(select(func.count(Attendance.id))) == 1

    # The camera scanner starts with the browser's detector or the locally served jsQR.
    page.locator("[data-scan-start]").tap()
    page.wait_for_selector("[data-scan-video]:not(.d-none)")
    has_detector = page.evaluate("'BarcodeDetector' in window")
    if not has_detector:  # evaluate() goes through DevTools, which the CSP does not block
        expect(page.locator("script[src$='jsQR.js']")).to_have_count(1)
        for _ in range(100):
            if page.evaluate("typeof window.jsQR === 'function'"):
                break
            page.wait_for_timeout(100)
        else:
            pytest.fail("jsQR did not load")
    page.locator("[data-scan-stop]").tap()
    context.close()
