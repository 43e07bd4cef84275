"""A large register comes in pages of 50: the figures (going, checked in, no-shows) count all
of it, Save all saves the page shown and comes back to it, and the history shows the newest
50 changes with a link to every change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from joren.models import Attendance, AttendanceStatus, Member
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.checkin.lists import REGISTER_PER_PAGE
from joren.tenants.meetups.checkin.views import HISTORY_SHOWN
from joren.tenants.meetups.models import AttendanceChange, Registration, RegistrationStatus
from tests.tenants.helpers import count_statements, in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")

GOING = REGISTER_PER_PAGE + 5


@pytest.fixture()
def big(session, tenant, people):  # type: ignore[no-untyped-def]
    """Last week's meetup: 55 going (the first 10 came), 60 changes in its history."""
    past = meetup(session, tenant, "先週の定例会", starts_at=utcnow() - timedelta(days=7))
    with unscoped(session):
        session.execute(insert(Member), [
            {"tenant_id": tenant.id, "email": f"reg{n}@big.example.jp", "family_name": "会員",
             "given_name": f"{n:03d}", "family_name_kana": "カイイン",
             "given_name_kana": f"{n:03d}"} for n in range(GOING)])
        ids = session.scalars(select(Member.id).where(Member.email.like("reg%@big.example.jp"))
                              .order_by(Member.given_name_kana)).all()
        session.execute(insert(Registration), [
            {"tenant_id": tenant.id, "meetup_id": past.id, "member_id": mid,
             "status": RegistrationStatus.GOING.value, "checkin_token": f"t{mid}",
             "confirmed_at": utcnow(), "status_changed_at": utcnow()} for mid in ids])
        session.execute(insert(Attendance), [
            {"tenant_id": tenant.id, "meetup_id": past.id, "member_id": mid,
             "status": AttendanceStatus.PRESENT.value} for mid in ids[:10]])
        session.execute(insert(AttendanceChange), [
            {"tenant_id": tenant.id, "meetup_id": past.id, "member_id": ids[n % 10],
             "new_status": AttendanceStatus.PRESENT.value, "via": "door",
             "changed_at": utcnow() - timedelta(days=7, minutes=-n)}
            for n in range(HISTORY_SHOWN + 10)])
    session.commit()
    return past, ids


def _rows(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-member-id="(\d+)"', html)]


def test_pages_count_everything_and_save_the_page_shown(organizer_client, session, tenant,
                                                        big):
    past, ids = big
    c = in_english(organizer_client)
    url = f"/c/{tenant.slug}/admin/meetups/{past.id}/attendance"
    first = c.get(url).get_data(as_text=True)
    assert _rows(first) == ids[:REGISTER_PER_PAGE]
    assert "1 / 2" in first and "Save all saves the people on this page." in first
    assert f"data-no-show-count>{GOING - 10}<" in first  # over both pages
    assert "<strong>10</strong> / Going <strong>55</strong>" in " ".join(first.split())
    second = c.get(url, query_string={"page": "2"}).get_data(as_text=True)
    assert _rows(second) == ids[REGISTER_PER_PAGE:]
    for odd in ("0", "99", "x"):
        assert c.get(url, query_string={"page": odd}).status_code == 200

    last = ids[-1]
    saved = c.post(url, data={"page": "2", f"m{last}-status": "excused",
                              f"m{last}-note": "体調不良"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("attendance?page=2")
    with unscoped(session):
        row = session.scalar(select(Attendance).where(Attendance.meetup_id == past.id,
                                                      Attendance.member_id == last))
        assert row.status == AttendanceStatus.EXCUSED and row.note == "体調不良"
        untouched = session.scalar(select(Attendance).where(Attendance.meetup_id == past.id,
                                                            Attendance.member_id == ids[0]))
        assert untouched.status == AttendanceStatus.PRESENT


def test_the_newest_changes_then_every_change(app, staff_client, tenant, big):
    past, _ids = big
    c = in_english(staff_client)
    url = f"/c/{tenant.slug}/admin/meetups/{past.id}/attendance"
    entry = re.compile(r'<li class="list-group-item">')
    html = c.get(url).get_data(as_text=True)
    assert len(entry.findall(html)) == HISTORY_SHOWN and "Show every change" in html
    every = c.get(url, query_string={"history": "all"}).get_data(as_text=True)
    assert len(entry.findall(every)) == HISTORY_SHOWN + 10
    assert "Show every change" not in every
    with count_statements(app) as counter:
        assert c.get(url).status_code == 200
    assert len(counter) <= 10
