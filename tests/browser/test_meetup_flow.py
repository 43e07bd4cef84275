"""A meetup from creation to the door, in a real browser (Chromium via Playwright, CSRF on).

The organizer creates a monthly series with two seats; a member registers from the portal and a
guest from the public page (confirming by the emailed link); the meetup is full, so a second
member lands on the waitlist; the first member cancels and the waitlisted one is promoted and
emailed; staff then check people in on a phone-sized screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import (
    Attendance,
    Meetup,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
)
from joren.platform.db import Base, utcnow
from joren.platform.tenancy import unscoped
from tests import factories
from tests.live import live_app

pytestmark = pytest.mark.browser

SLUG = "honmachi-keiei"
ORGANIZER = "organizer@meetup-flow.example.jp"
STAFF = "staff@meetup-flow.example.jp"
FIRST = "first@meetup-flow.example.jp"
SECOND = "second@meetup-flow.example.jp"
GUEST = "guest@meetup-flow.example.jp"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('flow') / 'flow.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="本町経営者交流会")
        for email, role, family, kana in (
            (ORGANIZER, Role.OWNER, "幹事", "カンジ"), (STAFF, Role.STAFF, "受付", "ウケツケ"),
            (FIRST, Role.MEMBER, "青木", "アオキ"), (SECOND, Role.MEMBER, "上田", "ウエダ"),
        ):
            factories.member(s, community, factories.account(s, email), role,
                             family_name=family, given_name="一", family_name_kana=kana,
                             given_name_kana="ハジメ")
        s.commit()
    try:
        with live_app(database_url, app_config, "meetup-flow-secret") as base_url:
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


def _first_meetup(engine: Any) -> Meetup:
    with Session(engine) as s, unscoped(s):
        return s.scalars(select(Meetup).order_by(Meetup.starts_at)).first()


def _status(engine: Any, email: str) -> RegistrationStatus | None:
    from joren.models import Member

    with Session(engine) as s, unscoped(s):
        return s.scalar(select(Registration.status).join(
            Member, (Member.id == Registration.member_id)
            & (Member.tenant_id == Registration.tenant_id)).where(Member.email == email))


def _mail_link(page: Any, base: str, to: str, path: str) -> str:
    page.goto(f"{base}/dev/mail")
    row = page.locator("tbody tr").filter(has=page.get_by_text(to, exact=True)).first
    with page.expect_navigation():
        row.locator("a").click()
    href = page.locator(f'pre a[href*="{path}"]').first.get_attribute("href")
    assert href and href.startswith(base), href
    return href


def test_series_to_door(server, browser):
    base, engine = server["base"], server["engine"]
    desk = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    organizer = desk.new_page()
    _sign_in(organizer, base, ORGANIZER)

    # 1. The organizer creates a monthly series with two seats.
    first_day = (utcnow() + timedelta(days=7)).astimezone(ZoneInfo("Asia/Tokyo")).date()
    organizer.goto(f"{base}/c/{SLUG}/admin/meetups/series/new")
    organizer.fill("input[name=title]", "本町モーニング例会")
    organizer.select_option("select[name=pattern]", "monthly_weekday")
    organizer.fill("input[name=first_date]", first_day.isoformat())
    organizer.fill("input[name=start_time]", "19:00")
    organizer.fill("input[name=capacity]", "2")
    organizer.fill("input[name=venue_name]", "本町ビジネスセンター")
    organizer.select_option("select[name=visibility]", "public")
    _click(organizer, "button[name=action][value=save]")
    meetup = _first_meetup(engine)
    assert meetup is not None and meetup.capacity == 2 and meetup.series_id is not None
    detail = f"{base}/c/{SLUG}/meetups/{meetup.id}"

    # 2. A member registers from the portal.
    first = browser.new_context(locale="ja-JP").new_page()
    _sign_in(first, base, FIRST)
    first.goto(detail)
    _click(first, f"form[action$='/meetups/{meetup.id}/register'] button[type=submit]")
    assert _status(engine, FIRST) == RegistrationStatus.GOING

    # 3. A guest registers from the public page and confirms by the emailed link.
    guest = browser.new_context(locale="ja-JP").new_page()
    guest.goto(f"{base}/c/{SLUG}/meetups/{meetup.id}/guest")
    for name, value in (("family_name", "来客"), ("given_name", "花子"),
                        ("family_name_kana", "ライキャク"), ("given_name_kana", "ハナコ"),
                        ("email", GUEST), ("company", "株式会社ゲスト"), ("industry", "製造業")):
        guest.fill(f"input[name={name}]", value)
    guest.check("input[name=notice_read]")
    _click(guest, "main form button[type=submit]")
    assert _status(engine, GUEST) is not None, guest.inner_text("main")
    guest.goto(_mail_link(guest, base, GUEST, "/registrations/confirm/"))
    _click(guest, "main form button[type=submit]")
    assert _status(engine, GUEST) == RegistrationStatus.GOING

    # 4. Full: the second member joins the waitlist.
    second = browser.new_context(locale="ja-JP").new_page()
    _sign_in(second, base, SECOND)
    second.goto(detail)
    _click(second, f"form[action$='/meetups/{meetup.id}/register'] button[type=submit]")
    assert _status(engine, SECOND) == RegistrationStatus.WAITLISTED

    # 5. The first member cancels; the waitlisted member is promoted and told by email.
    first.goto(detail)
    _click(first, f"form[action$='/meetups/{meetup.id}/cancel'] button[type=submit]")
    assert _status(engine, FIRST) == RegistrationStatus.CANCELLED
    assert _status(engine, SECOND) == RegistrationStatus.GOING
    with Session(engine) as s:
        assert s.scalar(select(OutboxMessage.id).where(
            OutboxMessage.to_email == SECOND,
            OutboxMessage.template == "meetups/registrations/promoted")) is not None

    # The organizer sees it on the registrations tab.
    organizer.goto(f"{base}/c/{SLUG}/admin/meetups/{meetup.id}/registrations")
    page = organizer.content()
    assert "上田" in page and "来客" in page

    # 6. Staff check people in at the door on a phone.
    phone = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True).new_page()
    _sign_in(phone, base, STAFF)
    phone.goto(f"{base}/c/{SLUG}/admin/meetups/{meetup.id}/checkin")
    phone.fill("#checkin-q", "うえだ")
    # Locator waits, not wait_for_function: its string predicates need eval, which the
    # Content-Security-Policy forbids.
    expect(phone.locator("#checkin-results li[data-member-id]")).to_have_count(1)
    # The meetup is a week away: the door asks before checking in on another day.
    asked: list[str] = []

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    phone.once("dialog", answer)
    phone.locator("#checkin-results li[data-member-id] button.checkin-tap").first.tap()
    expect(phone.locator("[data-checked-in-count]")).to_have_text("1")
    assert len(asked) == 1
    with Session(engine) as s, unscoped(s):
        attended = s.scalars(select(Attendance).where(Attendance.meetup_id == meetup.id)).all()
    assert len(attended) == 1
