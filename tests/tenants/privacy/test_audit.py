"""The console's audit log (issue 17): a change made in the console is written down with who,
when, from where and the changed fields before and after; a download too; owners read,
filter and download the log; nobody edits it; another community's log stays its own."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from joren.models import AuditEntry, MemberStatus
from joren.platform.tenancy import unscoped
from tests import factories
from tests.tenants.helpers import in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _entries(session) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_console_edit_is_recorded_with_before_and_after(session, tenant, people,
                                                          organizer_client):
    guest = factories.member(session, tenant, family_name="上田", given_name="由美",
                             company="ウエダ不動産", status=MemberStatus.GUEST)
    session.commit()
    response = organizer_client.post(f"/c/{tenant.slug}/admin/members/{guest.id}", data={
        "action": "profile", "profile-family_name": "上田", "profile-given_name": "由美",
        "profile-company": "上田不動産"}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    [entry] = [e for e in _entries(session) if e.entity == "members"]
    assert (entry.action, entry.entity_id, entry.tenant_id) == ("update", guest.id, tenant.id)
    assert entry.changes["company"] == ["ウエダ不動産", "上田不動産"]
    assert "given_name" not in entry.changes  # unchanged fields are not listed
    assert entry.actor_member_id == people.organizer_member.id
    assert entry.actor_name == people.organizer_member.display_name
    assert entry.ip == "203.0.113.7" and entry.method == "POST"


def test_pages_and_portal_actions_write_nothing(session, tenant, people, organizer_client,
                                                member_client):
    session.commit()
    organizer_client.get(f"/c/{tenant.slug}/admin/members")
    member_client.get(f"/c/{tenant.slug}/")
    assert _entries(session) == []


def test_a_download_of_personal_data_is_recorded(session, tenant, organizer_client):
    m = meetup(session, tenant)
    session.commit()
    csv_file = organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{m.id}/registrations.csv")
    assert csv_file.status_code == 200
    [entry] = _entries(session)
    assert entry.action == "export" and "registrations" in entry.changes["file"]


def test_the_download_keeps_its_filters(session, tenant, owner_client, organizer_client):
    guest = factories.member(session, tenant, company="旧社名", status=MemberStatus.GUEST)
    m = meetup(session, tenant)
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/members/{guest.id}", data={
        "action": "profile", "profile-family_name": "上田", "profile-company": "新社名"})
    organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{m.id}/registrations.csv")

    def rows(query: str) -> list[list[str]]:
        download = owner_client.get(f"/c/{tenant.slug}/admin/audit.csv{query}")
        assert download.status_code == 200
        return list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))

    [_header, edit] = rows("?entity=members")
    assert any("新社名" in cell for cell in edit)
    # each download of the log is itself recorded: the first one is listed from now on
    [_header, *exports] = rows("?action=export&entity=")
    assert len(exports) == 2 and any("registrations" in row[-1] for row in exports)
    assert all(row[4] == "ダウンロード" for row in exports)
    # a kind of thing the log never names is no filter (explained on the page), as before
    assert len(rows("?entity=no_such_table")) == 1 + 4  # the edit and the four downloads


def test_owners_read_filter_and_download_the_log(session, tenant, other_tenant, people,
                                                 owner_client, organizer_client, login):
    guest = factories.member(session, tenant, company="旧社名", status=MemberStatus.GUEST)
    m = meetup(session, tenant)
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/members/{guest.id}", data={
        "action": "profile", "profile-family_name": "上田", "profile-company": "新社名"})
    organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{m.id}/registrations.csv")
    in_english(owner_client)
    page = owner_client.get(f"/c/{tenant.slug}/admin/audit").get_data(as_text=True)
    assert page.count("data-audit-entry=") == 2 and "旧社名 → 新社名" in page
    only = owner_client.get(f"/c/{tenant.slug}/admin/audit?action=export").get_data(as_text=True)
    assert only.count("data-audit-entry=") == 1
    bad = owner_client.get(f"/c/{tenant.slug}/admin/audit?since=not-a-date")
    assert bad.status_code == 200  # a bad filter is explained, never a 500
    download = owner_client.get(f"/c/{tenant.slug}/admin/audit.csv")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3 and any("新社名" in cell for cell in rows[-1] + rows[-2])
    # Organizers do not read the log; another community's owner gets nothing of ours.
    assert organizer_client.get(f"/c/{tenant.slug}/admin/audit").status_code == 403
    theirs = login(people.other_owner)
    assert theirs.get(f"/c/{tenant.slug}/admin/audit").status_code in (403, 404)
    own = theirs.get(f"/c/{other_tenant.slug}/admin/audit").get_data(as_text=True)
    assert "新社名" not in own and "旧社名" not in own
    # Reading and downloading the log are recorded too (the download is personal data).
    assert [e.action for e in _entries(session)][-1] == "export"
