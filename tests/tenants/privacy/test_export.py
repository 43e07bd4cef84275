"""Download my data (issue 17): one archive with the person's rows from every community they
belong to, and nobody else's; no secrets; CSVs that open in Excel."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from joren.models import AttendanceStatus, AuditEntry, Role
from joren.platform.mail.models import OutboxMessage
from joren.platform.tenancy import unscoped
from tests import factories
from tests.tenants.helpers import attend, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _archive(client) -> tuple[zipfile.ZipFile, dict]:  # type: ignore[no-untyped-def]
    response = client.post("/account/data/archive")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    zipped = zipfile.ZipFile(io.BytesIO(response.data))
    return zipped, json.loads(zipped.read("joren-data/data.json"))


def test_the_archive_holds_my_rows_in_every_community_and_nobody_elses(
        app, session, login, people, tenant, other_tenant):
    mine_there = factories.member(session, other_tenant, people.member, Role.MEMBER,
                                  family_name="田中", given_name="三郎", company="田中商店")
    here = meetup(session, tenant, "四月の定例会")
    there = meetup(session, other_tenant, "北区の会")
    attend(session, here, people.member_member)
    attend(session, there, mine_there, AttendanceStatus.PRESENT)
    attend(session, here, people.staff_member)  # someone else's attendance
    with unscoped(session):
        session.add(OutboxMessage(idempotency_key="privacy-test-1", template="t",
                                  to_email=people.member.email, language="ja",
                                  subject="ご案内", text_body="本文", html_body="<p>本文</p>",
                                  community_id=tenant.id))
        session.add(OutboxMessage(idempotency_key="privacy-test-2", template="t",
                                  to_email=people.staff.email, language="ja",
                                  subject="他の人あて", text_body="本文", html_body="<p>本文</p>",
                                  community_id=tenant.id))
    session.commit()

    zipped, document = _archive(login(people.member))
    data = document["data"]
    assert set(document["communities"]) == {tenant.slug, other_tenant.slug}
    members_here = data[tenant.slug]["members"]
    assert [m["id"] for m in members_here] == [people.member_member.id]
    assert [m["company"] for m in data[other_tenant.slug]["members"]] == ["田中商店"]
    assert [a["meetup_id"] for a in data[tenant.slug]["attendances"]] == [here.id]
    assert [a["meetup_id"] for a in data[other_tenant.slug]["attendances"]] == [there.id]
    # The emails sent to me, filed under the community that sent them.
    assert [m["subject"] for m in data[tenant.slug]["outbox_messages"]] == ["ご案内"]
    text = zipped.read("joren-data/data.json").decode()
    assert "他の人あて" not in text
    assert people.staff.email not in text and people.organizer.email not in text
    assert [a["email"] for a in data["account"]["accounts"]] == [people.member.email]
    # Secrets stay out: the password hash, session tokens.
    assert "password_hash" not in text and "token_hash" not in text
    assert people.member.password_hash not in text
    # Each community's rows also come as Excel-ready CSV.
    csv = zipped.read(f"joren-data/{tenant.slug}/attendances.csv").decode("utf-8")
    assert csv.startswith("\ufeff") and "\r\n" in csv
    assert "README.txt" in zipped.namelist()[0]


def test_the_readme_speaks_the_account_language(app, session, login, people, tenant):
    session.commit()
    zipped, _ = _archive(login(people.member))  # people.member speaks English
    assert "Your data at Joren" in zipped.read("joren-data/README.txt").decode()
    zipped, _ = _archive(login(people.organizer))
    assert "Joren に保存されているあなたのデータ" in zipped.read(
        "joren-data/README.txt").decode()


def test_the_data_page_needs_a_signed_in_person(app, client, session, login, people):
    session.commit()
    assert client.get("/account/data").status_code == 302
    assert client.post("/account/data/archive").status_code in (302, 400)
    page = login(people.organizer).get("/account/data")
    assert page.status_code == 200
    assert "データをダウンロード" in page.get_data(as_text=True)


def test_an_outsider_gets_only_their_account(app, session, login, people, tenant):
    attend(session, meetup(session, tenant), people.member_member)
    session.commit()
    _, document = _archive(login(people.outsider))
    assert document["communities"] == {}
    assert set(document["data"]) == {"account"}
    assert "attendances" not in json.dumps(document)


def test_an_owner_exports_the_whole_community_and_nothing_of_another(
        app, session, login, people, tenant, other_tenant):
    attend(session, meetup(session, tenant, "四月の定例会"), people.member_member)
    attend(session, meetup(session, other_tenant, "北区の会"), people.other_owner_member)
    session.commit()
    owner = login(people.owner)
    response = owner.post(f"/c/{tenant.slug}/admin/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    zipped = zipfile.ZipFile(io.BytesIO(response.data))
    document = json.loads(zipped.read("joren-data/data.json"))
    tables = document["data"][tenant.slug]
    assert {m["id"] for m in tables["members"]} == {
        people.owner_member.id, people.organizer_member.id, people.staff_member.id,
        people.member_member.id}
    assert [m["title"] for m in tables["meetups"]] == ["四月の定例会"]
    text = zipped.read("joren-data/data.json").decode()
    assert "北区の会" not in text and "高橋" not in text
    assert "token_hash" not in text and "checkin_token" not in text
    assert f"joren-data/{tenant.slug}/members.csv" in zipped.namelist()
    with unscoped(session):  # the download is in the audit log
        assert [e.action for e in session.scalars(select(AuditEntry))] == ["export"]
    # Organizers cannot; another community's owner gets nothing of this one.
    assert login(people.organizer).post(f"/c/{tenant.slug}/admin/export").status_code == 403
    assert login(people.other_owner).post(
        f"/c/{tenant.slug}/admin/export").status_code in (403, 404)
