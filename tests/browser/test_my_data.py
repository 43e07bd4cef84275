"""A member downloads their data and asks for their account to be deleted, in Chromium
(issue 17): the account page leads to both; the archive holds their rows; the deletion waits
its grace period and can be cancelled."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from joren.models import Account, Role
from joren.platform.db import Base
from tests import factories
from tests.live import live_app
from tests.tenants.helpers import attend, meetup

pytestmark = pytest.mark.browser

EMAIL = "member@my-data.example.jp"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_config) -> Iterator[dict[str, Any]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('mydata') / 'mydata.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        community = factories.community(s, slug="kita-asakai", name="北区朝活交流会")
        owner = factories.account(s, "owner@my-data.example.jp")
        factories.member(s, community, owner, Role.OWNER)
        person = factories.member(s, community, factories.account(s, EMAIL), Role.MEMBER,
                                  family_name="北村", given_name="優子", company="北村会計事務所")
        attend(s, meetup(s, community, "十一月の朝会"), person)
        s.commit()
    try:
        with live_app(database_url, app_config, "my-data-secret") as base_url:
            yield {"base": base_url, "engine": engine}
    finally:
        engine.dispose()


def test_a_member_downloads_their_data_and_deletes_their_account(server, browser):
    base, engine = server["base"], server["engine"]
    page = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900},
                               accept_downloads=True).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").first.click()

    page.goto(f"{base}/account")
    with page.expect_navigation():
        page.locator("#your-data a[href$='/account/data']").click()
    assert "ファイルの内容" in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "my-data.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="データをダウンロード").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    document = json.loads(archive.read("joren-data/data.json"))
    [me] = document["data"]["kita-asakai"]["members"]
    assert me["company"] == "北村会計事務所"
    assert len(document["data"]["kita-asakai"]["attendances"]) == 1

    page.goto(f"{base}/account")
    with page.expect_navigation():
        page.locator("#your-data a[href$='/account/delete']").click()
    assert "法人税法" in page.content()  # what is kept, and why
    page.check("#confirm-delete")
    with page.expect_navigation():
        page.get_by_role("button", name="アカウントを削除する").click()
    assert "取り消せます" in page.content()
    page.screenshot(path=str(SHOTS / "delete-account-scheduled.png"), full_page=True)
    with Session(engine) as s:
        account = s.query(Account).filter_by(email=EMAIL).one()
        assert account.deletion_requested_at is not None

    with page.expect_navigation():
        page.get_by_role("button", name="アカウントを残す").click()
    with Session(engine) as s:
        assert s.query(Account).filter_by(email=EMAIL).one().deletion_requested_at is None
