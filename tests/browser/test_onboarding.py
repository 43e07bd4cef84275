"""The whole onboarding in a real browser: Chromium driven by Playwright against a live server.

An organizer signs up and confirms the address from the captured email, creates a community
and invites a member; the member accepts, later signs in again by magic link and sees the
portal: all in Japanese first, then in English after switching language. The server is the
real app (CSRF on, email captured, jobs run inline) on its own fresh SQLite database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine

from joren.platform.db import Base
from tests.live import live_app

pytestmark = pytest.mark.browser

ORGANIZER = "owner@browser.example.jp"
MEMBER = "member@browser.example.jp"
PASSWORD = "a long organizer password"
SLUG = "umeda-asakai"
COMMUNITY = "梅田朝活交流会"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[str]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    with live_app(database_url, app_config, "browser-test-secret") as base_url:
        yield base_url


def _goto(page: Any, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)


def _submit(page: Any, form_selector: str) -> None:
    """Press the form's submit button and check the page it leads to is not an error."""
    with page.expect_navigation() as navigation:
        page.locator(f"{form_selector} button[type=submit]").last.click()
    response = navigation.value
    assert response is not None and response.status < 400, (page.url, response.status)


def _open_mail_link(page: Any, base: str, to: str, path: str) -> str:
    """Open the newest captured email to ``to`` at /dev/mail and follow its ``path`` link."""
    _goto(page, f"{base}/dev/mail")
    row = page.locator("tbody tr").filter(has=page.get_by_text(to, exact=True)).first
    with page.expect_navigation():
        row.locator("a").click()
    link = page.locator(f'pre a[href*="{path}"]').first
    href = link.get_attribute("href")
    assert href and href.startswith(base), href
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value is not None and navigation.value.status < 400, href
    return href


def test_organizer_signs_up_creates_a_community_and_a_member_joins(live_server, browser):
    base = live_server
    organizer = browser.new_context(locale="ja-JP")
    page = organizer.new_page()

    # 1. The organizer signs up, in Japanese.
    _goto(page, f"{base}/signup")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.fill("input[name=email]", ORGANIZER)
    page.fill("input[name=display_name]", "梅田 花子")
    page.fill("input[name=password]", PASSWORD)
    page.select_option("select[name=language]", "ja")
    _submit(page, "form[action$='/signup']")

    # 2. The confirmation email, captured at /dev/mail, confirms the address.
    _open_mail_link(page, base, ORGANIZER, "/verify/")

    # 3. Onboarding: create the community.
    _goto(page, f"{base}/communities/new")
    page.fill("input[name=name]", COMMUNITY)
    page.fill("input[name=slug]", SLUG)
    page.select_option("select[name=kind]", "cross_industry")
    page.fill("input[name=city]", "大阪市北区")
    _submit(page, "form[action$='/communities/new']")
    assert page.url.startswith(f"{base}/c/{SLUG}/admin/"), page.url
    assert COMMUNITY in page.locator("main").inner_text()

    # 4. Invite a member by email.
    _goto(page, f"{base}/c/{SLUG}/admin/invitations")
    page.fill("textarea[name=emails]", MEMBER)
    page.select_option("select[name=role]", "member")
    _submit(page, "form[action$='/admin/invitations/new']")
    assert MEMBER in page.locator("main").inner_text()

    # 5. The member opens the invitation email in another browser and joins.
    member = browser.new_context(locale="ja-JP")
    member_page = member.new_page()
    invitation = _open_mail_link(member_page, base, MEMBER, "/invite/")
    assert "/invite/" in member_page.url
    assert COMMUNITY in member_page.locator("main").inner_text()
    _submit(member_page, "main form[method=post]")
    # Joining shows the community's privacy notice (利用目的) first; the choices are recorded.
    assert f"/c/{SLUG}/privacy" in member_page.url, member_page.url
    member_page.check("input[name=introductions]")
    _submit(member_page, "main form[method=post]")
    assert member_page.url.rstrip("/") == f"{base}/c/{SLUG}", member_page.url

    # 6. Later, signed out, the member comes back through a magic link.
    _submit(member_page, "form[action$='/logout']")
    _goto(member_page, f"{base}/login/email")
    member_page.fill("input[name=email]", MEMBER)
    _submit(member_page, "form[action$='/login/email']")
    _open_mail_link(member_page, base, MEMBER, "/login/email/")
    _submit(member_page, "main form[method=post]")
    assert member_page.url.rstrip("/") == f"{base}/c/{SLUG}", member_page.url

    # 7. The portal, in Japanese.
    assert member_page.locator("html").get_attribute("lang") == "ja"
    portal = member_page.locator("main").inner_text()
    assert COMMUNITY in portal
    heading = member_page.locator("#next-title").inner_text()
    assert heading and not heading.isascii(), heading
    assert member_page.get_by_role("button", name="サインアウト").count() == 1

    # 8. The same portal in English after switching language.
    _submit(member_page, "form[action$='/language']")
    assert member_page.locator("html").get_attribute("lang") == "en"
    assert member_page.locator("#next-title").inner_text() == "Next meetups"
    assert member_page.get_by_role("button", name="Sign out").count() == 1
    assert COMMUNITY in member_page.locator("main").inner_text()

    # The invitation cannot be used twice.
    _goto(member_page, invitation, status=410)

    member.close()
    organizer.close()
