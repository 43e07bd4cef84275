"""Registration questions, the survey and announcements in a real browser (Chromium via
Playwright, CSRF on): the organizer adds a question to a meetup, a member answers it when
registering from the portal, the door shows the answer, and the organizer writes, previews and
schedules an announcement to the people registered for the meetup; an attendee of last week's
meetup answers the survey from its link and the organizer reads the results.

Screenshots go to ``$JOREN_SCREENSHOTS`` (else the test's temporary folder): look at them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from joren.models import Attendance, AttendanceStatus, Meetup, Role
from joren.platform.db import Base, utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.announcements.models import Announcement, AnnouncementStatus
from joren.tenants.meetups.questions.models import RegistrationAnswer
from joren.tenants.meetups.survey.links import SURVEY
from tests import factories
from tests.live import live_app

pytestmark = pytest.mark.browser

SLUG = "umeda-igyoshu"
ORGANIZER = "organizer@questions-flow.example.jp"
MEMBER = "member@questions-flow.example.jp"
TOKYO = ZoneInfo("Asia/Tokyo")
SECRET = "questions-flow-secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('questions') / 'flow.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug=SLUG, name="梅田異業種交流会")
        factories.member(s, community, factories.account(s, ORGANIZER), Role.OWNER,
                         family_name="主催", given_name="花子", family_name_kana="シュサイ",
                         given_name_kana="ハナコ")
        factories.member(s, community, factories.account(s, MEMBER), Role.MEMBER,
                         family_name="青木", given_name="翔太", family_name_kana="アオキ",
                         given_name_kana="ショウタ", company="青木製作所")
        attendee = factories.member(s, community, family_name="井上", given_name="美咲",
                                    family_name_kana="イノウエ", given_name_kana="ミサキ")
        starts = utcnow() + timedelta(days=7)
        with unscoped(s):
            meetup = Meetup(tenant_id=community.id, title="梅田ランチ交流会", starts_at=starts,
                            ends_at=starts + timedelta(hours=2), capacity=20,
                            venue_name="梅田スカイビル")
            past = Meetup(tenant_id=community.id, title="梅田モーニング交流会",
                          starts_at=starts - timedelta(days=10),
                          ends_at=starts - timedelta(days=10, hours=-2))
            s.add_all([meetup, past])
            s.flush()
            s.add(Attendance(tenant_id=community.id, meetup_id=past.id, member_id=attendee.id,
                             status=AttendanceStatus.PRESENT))
        s.commit()
        meetup_id = meetup.id
        token = URLSafeTimedSerializer(SECRET, salt=SURVEY.salt).dumps(
            {"c": community.id, "m": past.id, "p": attendee.id})
    try:
        with live_app(database_url, app_config, SECRET) as base_url:
            yield {"base": base_url, "engine": engine, "meetup": meetup_id, "past": past.id,
                   "survey_token": token}
    finally:
        engine.dispose()


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JOREN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


def test_question_to_door_and_announcement(server, browser, shots):
    base, engine, meetup_id = server["base"], server["engine"], server["meetup"]
    desk = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    organizer = desk.new_page()
    _sign_in(organizer, base, ORGANIZER)

    # 1. The organizer adds a required one-choice question to the meetup.
    organizer.goto(f"{base}/c/{SLUG}/admin/meetups/{meetup_id}/questions")
    organizer.fill("input[name=prompt]", "今回いちばん会いたい業種は？")
    organizer.select_option("select[name=kind]", "single")
    organizer.fill("textarea[name=choices_text]", "製造業\n士業\nIT・Web")
    organizer.check("input[name=is_required]")
    _click(organizer, "form[action$='/questions'] button[type=submit]")
    expect(organizer.locator("[data-questions=registration]")).to_contain_text(
        "今回いちばん会いたい業種は？")
    expect(organizer.locator("[data-questions=registration]")).to_contain_text("必須")
    organizer.screenshot(path=str(shots / "1-questions-console.png"), full_page=True)

    # 2. A member registers from the portal, answering it.
    phone = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True)
    member = phone.new_page()
    _sign_in(member, base, MEMBER)
    member.goto(f"{base}/c/{SLUG}/meetups/{meetup_id}")
    box = member.locator("[data-registration-questions]")
    expect(box).to_contain_text("今回いちばん会いたい業種は？")
    member.screenshot(path=str(shots / "2-portal-question.png"), full_page=True)
    # Without an answer, nobody is registered and the page says why.
    _click(member, "[data-registration-questions] button[type=submit]")
    expect(member.locator(".alert-danger")).to_contain_text("にお答えください")
    member.get_by_label("士業").check()
    _click(member, "[data-registration-questions] button[type=submit]")
    expect(member.locator(".alert-success")).to_be_visible()
    with Session(engine) as s, unscoped(s):
        assert s.scalars(select(RegistrationAnswer.answer)).all() == [["士業"]]

    # 3. The door shows the answer next to the name.
    organizer.goto(f"{base}/c/{SLUG}/admin/meetups/{meetup_id}/checkin")
    row = organizer.locator("#checkin-results li").filter(has_text="青木")
    expect(row.locator("[data-answers]")).to_contain_text("士業")
    organizer.screenshot(path=str(shots / "3-door-answers.png"), full_page=True)

    # 4. An announcement to those registered for the meetup: preview, then schedule.
    organizer.goto(f"{base}/c/{SLUG}/admin/announcements")
    _click(organizer, "a[href$='/admin/announcements/new']")
    organizer.select_option("select[name=segment]", "registered")
    organizer.select_option("select[name=meetup_id]", str(meetup_id))
    organizer.fill("input[name=subject]", "ランチ交流会の持ち物")
    organizer.fill("textarea[name=body]",
                   "名刺を30枚ほどお持ちください。\n\n当日は11時45分に受付を開始します。")
    _click(organizer, "form[data-announcement-form] button[type=submit]")
    expect(organizer.locator("[data-recipient-count]")).to_contain_text("1")
    expect(organizer.locator("[data-sample]")).to_contain_text("青木 翔太")
    preview = organizer.frame_locator("iframe[data-preview]")
    expect(preview.locator("body")).to_contain_text("名刺を30枚ほどお持ちください。")
    expect(preview.locator("body")).to_contain_text("青木 翔太")
    organizer.screenshot(path=str(shots / "4-announcement-preview.png"), full_page=True)

    send_at = (utcnow() + timedelta(days=1)).astimezone(TOKYO).replace(hour=9, minute=0, second=0,
                                                                    microsecond=0)
    organizer.fill("input[name=send_at]", send_at.strftime("%Y-%m-%dT%H:%M"))
    _click(organizer, "button[name=action][value=schedule]")
    expect(organizer.locator("[data-status]")).to_have_attribute("data-status", "scheduled")
    expect(organizer.locator("[data-send-at]")).to_contain_text(send_at.strftime("%H:%M"))
    organizer.screenshot(path=str(shots / "5-announcement-scheduled.png"), full_page=True)
    with Session(engine) as s, unscoped(s):
        scheduled = s.scalar(select(Announcement))
    assert scheduled.status == AnnouncementStatus.SCHEDULED
    assert scheduled.send_at == send_at  # 09:00 in the community's time zone
    organizer.goto(f"{base}/c/{SLUG}/admin/announcements")
    expect(organizer.locator("[data-announcements]")).to_contain_text("送信予約済み")

    # 5. An attendee of last week's meetup answers the survey from the emailed link (the
    #    email's "4" button preselects 4); the organizer reads the results.
    member.goto(f"{base}/c/{SLUG}/survey/{server['survey_token']}?s=4")
    expect(member.locator("#s4")).to_be_checked()
    member.locator("label[for=s5]").click()
    member.fill("textarea[name=comment]", "初めての方とも話しやすい雰囲気でした。")
    member.screenshot(path=str(shots / "6-survey-answer.png"), full_page=True)
    _click(member, "form button[type=submit].btn-primary")
    expect(member.locator("[data-survey-done]")).to_be_visible()
    organizer.goto(f"{base}/c/{SLUG}/admin/meetups/{server['past']}/survey")
    expect(organizer.locator("[data-survey-average]")).to_contain_text("5.00")
    expect(organizer.locator("[data-comments]")).to_contain_text("話しやすい雰囲気")
    organizer.screenshot(path=str(shots / "7-survey-results.png"), full_page=True)
    desk.close()
    phone.close()
