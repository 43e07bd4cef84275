"""A public page worth sharing, in a real browser (Chromium via Playwright, CSRF on).

The organizer uploads a picture for a series (a text file first: refused with a message), sets
the contact for visitors and reads the embed code; a visitor opens the next meetup's public
page, whose card tags name the picture, share links and copy button work; the organizer's own
site embeds the calendar with the one-line script. Screenshots go to $JOREN_SCREENSHOTS (or the
test's temporary folder).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import Meetup, Role
from joren.platform.db import Base, utcnow
from joren.platform.tenancy import set_tenant, unscoped
from joren.tenants.meetups.series import services as series_service
from tests import factories
from tests.live import free_port, live_app
from tests.tenants.meetups.public.pictures import picture

pytestmark = pytest.mark.browser

SLUG = "umeda-keiei"
ORGANIZER = "organizer@public-page.example.jp"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("public-page")
    database_url = f"sqlite:///{folder / 'public.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="梅田経営者交流会",
                                        description="梅田で毎月開く経営者の交流会です。")
        owner = factories.member(s, community, factories.account(s, ORGANIZER), Role.OWNER,
                                 family_name="山田", given_name="花子",
                                 family_name_kana="ヤマダ", given_name_kana="ハナコ")
        s.commit()
        set_tenant(s, community.id)
        start = (utcnow() + timedelta(days=10)).astimezone(community.zone).date()
        series = series_service.create_series(
            s, community, owner, title="梅田モーニング交流会", rrule="FREQ=WEEKLY",
            dtstart_local=f"{start}T07:30:00", duration_minutes=90,
            venue_name="梅田スカイビル 会議室A", venue_address="大阪府大阪市北区大淀中1-1-88",
            capacity=30, price=2000, description="朝の1時間半、経営者同士で紹介し合います。")
        s.commit()
        series_id = series.id
    try:
        with live_app(database_url, app_config, "public-page-secret",
                      extra={"STORAGE_URL": f"file://{folder / 'uploads'}"}) as base_url:
            yield {"base": base_url, "engine": engine, "series_id": series_id}
    finally:
        engine.dispose()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JOREN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").last.click()


@contextmanager
def _organizer_site(folder: Path, snippet: str) -> Iterator[str]:
    """The organizer's own website: a static page with the snippet, on another origin."""
    (folder / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>梅田の会社</title>"
        f"<h1>梅田の会社のサイト</h1><p>次回の交流会はこちら</p>{snippet}", encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    port = free_port()
    httpd = ThreadingHTTPServer(("localhost", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}/"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def _next_meetup(engine: Any) -> Meetup:
    with Session(engine) as s, unscoped(s):
        return s.scalars(select(Meetup).where(Meetup.starts_at >= utcnow())
                         .order_by(Meetup.starts_at)).first()


def test_a_shared_meetup_page_shows_a_card_share_links_and_an_embeddable_calendar(
        server, browser, tmp_path):
    base, shots = server["base"], _shots(tmp_path)
    community = f"{base}/c/{SLUG}"
    organizer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = organizer.new_page()
    _sign_in(page, base, ORGANIZER)

    # A text file named .jpg is refused with a message in Japanese.
    page.goto(f"{community}/admin/meetups/series/{server['series_id']}/image")
    page.set_input_files("input[name=image]", {"name": "notes.jpg", "mimeType": "image/jpeg",
                                               "buffer": b"not a picture at all"})
    with page.expect_navigation():
        page.locator("button[value=upload]").click()
    expect(page.locator(".invalid-feedback, .text-danger").first).to_contain_text("JPEG、PNG、WebP")
    page.screenshot(path=str(shots / "public-01-bad-upload.png"), full_page=True)

    page.set_input_files("input[name=image]", {"name": "morning.png", "mimeType": "image/png",
                                               "buffer": picture("PNG", size=(1600, 840))})
    with page.expect_navigation():
        page.locator("button[value=upload]").click()
    expect(page.locator(".alert-success")).to_contain_text("画像を保存しました")
    expect(page.locator("img[data-current-picture]")).to_be_visible()
    page.screenshot(path=str(shots / "public-02-picture-saved.png"), full_page=True)

    # The contact for visitors, and the embed code.
    page.goto(f"{community}/admin/public-page")
    page.fill("input[name=contact_name]", "事務局 山田")
    page.fill("input[name=contact_email]", "info@umeda.example.jp")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    embed_code = page.locator("#embed-script").input_value()
    assert embed_code == f'<script src="{community}/embed.js" async></script>'
    page.screenshot(path=str(shots / "public-03-settings.png"), full_page=True)
    organizer.close()

    # A visitor opens the shared link.
    meetup = _next_meetup(server["engine"])
    visitor = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    visitor.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = visitor.new_page()
    page.goto(f"{community}/meetups/{meetup.id}")
    url = f"{community}/meetups/{meetup.id}"
    og = {p: page.locator(f'meta[property="og:{p}"]').get_attribute("content")
          for p in ("title", "url", "type", "image", "description")}
    assert og["title"] == "梅田モーニング交流会" and og["url"] == url
    assert og["type"] == "article" and og["description"]
    assert og["image"].startswith(f"{community}/images/")
    assert page.locator('meta[name="twitter:card"]').get_attribute("content") == (
        "summary_large_image")
    served = page.request.get(og["image"])
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    expect(page.locator("img.event-picture")).to_be_visible()
    assert page.locator("img.event-picture").evaluate("i => i.naturalWidth") == 1200
    line = page.locator("a[data-share=line]").get_attribute("href")
    assert line.startswith("https://social-plugins.line.me/lineit/share?url=")
    assert page.locator("a[data-share=x]").get_attribute("href").startswith(
        "https://x.com/intent/post?")
    assert page.locator("a[data-share=facebook]").get_attribute("href").startswith(
        "https://www.facebook.com/sharer/sharer.php?u=")
    expect(page.locator("[data-contact]")).to_contain_text("info@umeda.example.jp")
    assert "google.com/maps/search" in page.locator("a[data-map-link]").get_attribute("href")
    copy = page.locator("button[data-copy-target=share-url]")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("コピーしました")
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.screenshot(path=str(shots / "public-04-meetup-page-phone.png"), full_page=True)
    visitor.close()

    # The organizer's own site (another origin) embeds the calendar with the one-line script.
    site = browser.new_context(viewport={"width": 1024, "height": 700}, locale="ja-JP")
    page = site.new_page()
    with _organizer_site(tmp_path, embed_code) as site_url:
        page.goto(site_url)
        frame = page.frame_locator("iframe")
        expect(frame.locator("[data-embed-meetup]").first).to_contain_text("梅田モーニング交流会")
        expect(frame.locator("img.embed-thumb").first).to_be_visible()
        page.screenshot(path=str(shots / "public-05-embedded-calendar.png"), full_page=True)
    site.close()
