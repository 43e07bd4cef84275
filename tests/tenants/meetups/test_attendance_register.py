"""The attendance register page: statuses per row and in bulk, no-shows, history, CSV, roles
and communities."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.models import Attendance, AttendanceStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import AttendanceChange
from tests.tenants.helpers import attend, count_statements, in_english, meetup
from tests.tenants.meetups.helpers_checkin import person, register

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def past(session, tenant, people):  # type: ignore[no-untyped-def]
    """Last week's meetup."""
    return meetup(session, tenant, "先週の定例会", starts_at=utcnow() - timedelta(days=7))


@pytest.fixture()
def crowd(session, tenant, past):  # type: ignore[no-untyped-def]
    rows = {
        "ueda": person(session, tenant, "上田", "明", "ウエダ", "アキラ", company="上田建設"),
        "aoki": person(session, tenant, "青木", "一", "アオキ", "ハジメ"),
        "okada": person(session, tenant, "岡田", "五", "オカダ", "ゴ"),
        "hayashi": person(session, tenant, "林", "美咲", "ハヤシ", "ミサキ"),
    }
    for key in ("ueda", "aoki", "okada"):
        register(session, past, rows[key])
    attend(session, past, rows["aoki"])
    session.commit()
    return rows


def _url(tenant, m, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{m.id}/attendance{suffix}"


def _status(session, meetup_id, member_id):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        row = session.scalar(select(Attendance).where(Attendance.meetup_id == meetup_id,
                                                      Attendance.member_id == member_id))
        return row


def test_register_lists_everyone_in_reading_order_with_no_shows(staff_client, tenant, past,
                                                                crowd):
    in_english(staff_client)
    html = staff_client.get(_url(tenant, past)).get_data(as_text=True)
    ids = [int(x) for x in re.findall(r'<tr data-member-id="(\d+)"', html)]
    assert ids == [crowd["aoki"].id, crowd["ueda"].id, crowd["okada"].id]  # ア ウ オ
    no_shows = [int(x) for x in re.findall(r'<tr data-member-id="(\d+)" class="table-danger"',
                                           html)]
    assert no_shows == [crowd["ueda"].id, crowd["okada"].id]
    assert "data-no-show-count>2<" in html
    assert "<select" not in html  # staff view only
    assert 'name="row"' not in html


def test_organizer_saves_one_row(organizer_client, session, tenant, past, crowd, people):
    in_english(organizer_client)
    p = f"m{crowd['ueda'].id}-"
    response = organizer_client.post(_url(tenant, past), data={
        "row": crowd["ueda"].id, p + "status": "excused", p + "note": "通院のため",
        f"m{crowd['okada'].id}-status": "present"}, follow_redirects=True)
    assert "The register is saved." in response.get_data(as_text=True)
    row = _status(session, past.id, crowd["ueda"].id)
    assert row.status == AttendanceStatus.EXCUSED and row.note == "通院のため"
    assert _status(session, past.id, crowd["okada"].id) is None  # only the saved row
    html = organizer_client.get(_url(tenant, past)).get_data(as_text=True)
    assert "通院のため" in html and "Excused" in html
    history = html.split('id="attendance-history"')[1]
    assert "上田 明" in history and "by 佐藤 花子" in history


def test_bulk_save_substitute_and_correction_afterwards(organizer_client, session, tenant, past,
                                                        crowd, people):
    in_english(organizer_client)
    ids = {k: crowd[k].id for k in crowd}
    organizer_client.post(_url(tenant, past), data={
        f"m{ids['ueda']}-status": "substitute", f"m{ids['ueda']}-substitute": "林 美咲",
        f"m{ids['okada']}-status": "substitute", f"m{ids['okada']}-substitute": "部下の木村さん",
        f"m{ids['aoki']}-status": "late"})
    ueda = _status(session, past.id, ids["ueda"])
    okada = _status(session, past.id, ids["okada"])
    assert ueda.status == AttendanceStatus.SUBSTITUTE
    assert ueda.substitute_member_id == ids["hayashi"]
    assert okada.substitute_member_id is None and okada.substitute_name == "部下の木村さん"
    assert _status(session, past.id, ids["aoki"]).status == AttendanceStatus.LATE
    # a correction afterwards is one more history entry
    organizer_client.post(_url(tenant, past), data={
        "row": ids["aoki"], f"m{ids['aoki']}-status": "present"})
    with unscoped(session):
        changes = session.scalars(select(AttendanceChange).where(
            AttendanceChange.member_id == ids["aoki"]).order_by(AttendanceChange.id)).all()
        assert [(c.old_status, c.new_status, c.changed_by_id) for c in changes] == [
            ("present", "late", people.organizer_member.id),
            ("late", "present", people.organizer_member.id)]


def test_bad_rows_save_nothing_and_say_why(organizer_client, session, tenant, past, crowd):
    in_english(organizer_client)
    ids = {k: crowd[k].id for k in crowd}
    response = organizer_client.post(_url(tenant, past), data={
        f"m{ids['ueda']}-status": "excused",
        f"m{ids['okada']}-status": "substitute", f"m{ids['okada']}-substitute": "",
        f"m{ids['aoki']}-status": "teleported"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Say who came instead" in html and "Choose a valid status." in html
    assert "Nothing was saved." in html
    assert _status(session, past.id, ids["ueda"]) is None
    # a row that is not in this register
    response = organizer_client.post(_url(tenant, past), data={"row": ids["hayashi"]})
    assert response.status_code == 404


def test_staff_cannot_edit_and_members_cannot_see(staff_client, member_client, session, tenant,
                                                  past, crowd):
    p = f"m{crowd['ueda'].id}-"
    assert staff_client.post(_url(tenant, past), data={p + "status": "present"}).status_code == 403
    assert member_client.get(_url(tenant, past)).status_code == 403
    assert member_client.get(_url(tenant, past, ".csv")).status_code == 403
    assert _status(session, past.id, crowd["ueda"].id) is None


def test_other_communitys_meetup_is_404(owner_client, session, tenant, other_tenant, crowd):
    foreign = meetup(session, other_tenant, "他会", starts_at=utcnow() - timedelta(days=1))
    stranger = person(session, other_tenant, "他", "人", "タ", "ヒト")
    register(session, foreign, stranger)
    session.commit()
    assert owner_client.get(_url(tenant, foreign)).status_code == 404
    assert owner_client.get(_url(tenant, foreign, ".csv")).status_code == 404
    response = owner_client.post(_url(tenant, foreign),
                                 data={f"m{stranger.id}-status": "absent", "row": stranger.id})
    assert response.status_code == 404
    with unscoped(session):
        assert session.scalar(select(func.count(Attendance.id)).where(
            Attendance.meetup_id == foreign.id)) == 0


def test_register_csv(staff_client, organizer_client, session, tenant, past, crowd):
    with unscoped(session):
        row = session.scalar(select(Attendance).where(Attendance.member_id == crowd["aoki"].id))
        row.note = "=cmd|'/c calc'!A1"
    session.commit()
    assert staff_client.get(_url(tenant, past, ".csv")).status_code == 403  # no exports
    in_english(organizer_client)
    response = organizer_client.get(_url(tenant, past, ".csv"))
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:6] == ["Name", "Reading", "Company", "Job title", "Email", "Status"]
    assert [r[0] for r in rows[1:]] == ["青木 一", "上田 明", "岡田 五"]
    assert rows[1][5] == "Present" and rows[1][9] == "'=cmd|'/c calc'!A1"
    assert rows[2][2] == "上田建設" and rows[2][6] == "Yes"  # no-show


def test_register_page_does_not_query_per_row(app, staff_client, organizer_client, session,
                                              tenant, past, crowd):
    organizer_client.get(_url(tenant, past))
    with count_statements(app) as few:
        assert organizer_client.get(_url(tenant, past)).status_code == 200
    for n in range(15):
        m = person(session, tenant, "大勢", f"{n}", "オオゼイ", f"ヒト{n}")
        register(session, past, m)
        attend(session, past, m, AttendanceStatus.SUBSTITUTE)
        with unscoped(session):
            session.scalar(select(Attendance).where(Attendance.member_id == m.id)
                           ).substitute_member_id = crowd["hayashi"].id
            session.add(AttendanceChange(tenant_id=tenant.id, meetup_id=past.id, member_id=m.id,
                                         changed_by_id=crowd["aoki"].id, new_status="present"))
    session.commit()
    with count_statements(app) as many:
        html = organizer_client.get(_url(tenant, past)).get_data(as_text=True)
    assert html.count("<tr data-member-id=") == 18
    assert len(many) == len(few), many.statements
