"""The door page: search by kanji, kana and romaji in reading order, one-tap check-in, walk-ins,
QR scans, the printable list, the door CSV, and that nothing crosses communities."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.models import Attendance, AttendanceStatus, Member, MemberStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import AttendanceChange, RegistrationStatus
from tests.tenants.helpers import count_statements, in_english, meetup, reload
from tests.tenants.meetups.helpers_checkin import guest, person, register

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=10))


@pytest.fixture()
def crowd(session, tenant, evening):  # type: ignore[no-untyped-def]
    """Going: 渡辺, 佐藤, 田中, 石川 (created out of reading order); 中村 is a member not going."""
    rows = {
        "watanabe": person(session, tenant, "渡辺", "大輔", "ワタナベ", "ダイスケ",
                           company="渡辺工務店", title="代表取締役"),
        "sato": person(session, tenant, "佐藤", "健", "サトウ", "ケン", company="佐藤商事"),
        "tanaka": guest(session, tenant, "田中", "由美", "タナカ", "ユミ", company="株式会社タナカ",
                        title="営業部長"),
        "ishikawa": person(session, tenant, "石川", "誠", "イシカワ", "マコト"),
        "nakamura": person(session, tenant, "中村", "優", "ナカムラ", "ユウ"),
    }
    for key in ("watanabe", "sato", "tanaka", "ishikawa"):
        register(session, evening, rows[key])
    session.commit()
    return rows


def _url(tenant, evening, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{evening.id}/checkin{suffix}"


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="list-group-item[^"]*" data-member-id="(\d+)"',
                                       html)]


def test_door_lists_the_going_in_reading_order_with_company_and_counts(
        staff_client, tenant, evening, crowd):
    response = staff_client.get(_url(tenant, evening))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    expected = [crowd[k].id for k in ("ishikawa", "sato", "tanaka", "watanabe")]  # イ サ タ ワ
    assert _ids(html) == expected
    assert "株式会社タナカ" in html and "営業部長" in html
    assert re.search(r"data-checked-in-count>0<.*data-going-count>4<", html, re.S)
    assert "checkin/door.js" in html and "checkin/scan.js" in html
    assert "vendor/jsqr/jsQR.js" in html


@pytest.mark.parametrize("query", ["田中", "たなか", "タナカ", "tanaka", "ﾀﾅｶ", "TANAKA yumi"])
def test_search_by_kanji_kana_and_romaji(staff_client, tenant, evening, crowd, people, query):
    html = staff_client.get(_url(tenant, evening), query_string={"q": query}).get_data(
        as_text=True)
    ids = _ids(html)
    assert crowd["tanaka"].id in ids
    # the only other match is the other 田中 (タナカ サブロウ), who sorts first by reading
    assert ids in ([crowd["tanaka"].id], [people.member_member.id, crowd["tanaka"].id])


@pytest.mark.parametrize("query", ["satou", "sato", "さとう", "佐藤"])
def test_search_satou_and_sato_both_find_sato(staff_client, tenant, evening, crowd, query):
    html = staff_client.get(_url(tenant, evening, "/search"), query_string={"q": query}).get_data(
        as_text=True)
    assert crowd["sato"].id in _ids(html)


def test_search_finds_members_who_are_not_going_and_json(staff_client, tenant, evening, crowd):
    data = staff_client.get(_url(tenant, evening, "/search"),
                            query_string={"q": "なかむら", "format": "json"}).get_json()
    assert [(r["member_id"], r["going"], r["checked_in"]) for r in data["results"]] == [
        (crowd["nakamura"].id, False, False)]
    html = staff_client.get(_url(tenant, evening, "/search"), query_string={"q": "zzz"}).get_data(
        as_text=True)
    assert _ids(html) == []


def test_one_tap_check_in_without_js_and_with_fetch(staff_client, session, tenant, evening,
                                                    crowd, people):
    response = staff_client.post(_url(tenant, evening, "/check-in"),
                                 data={"member_id": crowd["sato"].id, "q": "sato"})
    assert response.status_code == 302 and "q=sato" in response.headers["Location"]
    data = staff_client.post(_url(tenant, evening, "/check-in"),
                             data={"member_id": crowd["tanaka"].id},
                             headers={"Accept": "application/json"}).get_json()
    assert data["ok"] and data["checked_in"] == 2 and data["going"] == 4
    with unscoped(session):
        rows = session.scalars(select(Attendance).order_by(Attendance.member_id)).all()
        assert {(r.member_id, r.status) for r in rows} == {
            (crowd["sato"].id, AttendanceStatus.PRESENT),
            (crowd["tanaka"].id, AttendanceStatus.PRESENT)}
        assert {c.changed_by_id for c in session.scalars(select(AttendanceChange))} == {
            people.staff_member.id}
    html = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert "data-checked-in-count>2<" in html
    # undo
    data = staff_client.post(_url(tenant, evening, "/check-in"),
                             data={"member_id": crowd["tanaka"].id, "action": "undo"},
                             headers={"Accept": "application/json"}).get_json()
    assert data["ok"] and data["checked_in"] == 1


def test_check_in_of_unknown_or_foreign_member_is_404(staff_client, session, tenant,
                                                      other_tenant, evening, crowd):
    outsider = person(session, other_tenant, "他所", "者", "ヨソ", "モノ")
    session.commit()
    for value in (str(outsider.id), "999999", "abc", ""):
        response = staff_client.post(_url(tenant, evening, "/check-in"),
                                     data={"member_id": value})
        assert response.status_code == 404
    with unscoped(session):
        assert session.scalar(select(func.count(Attendance.id))) == 0


def test_walk_in_from_the_door(staff_client, session, tenant, evening, crowd):
    in_english(staff_client)
    response = staff_client.post(_url(tenant, evening, "/walk-in"), data={
        "family_name": "小林", "given_name": "翼", "family_name_kana": "こばやし",
        "given_name_kana": "つばさ", "company": "小林デザイン", "title": "デザイナー",
        "email": "kobayashi@example.jp"}, follow_redirects=True)
    assert "小林 翼 was added as a walk-in." in response.get_data(as_text=True)
    with unscoped(session):
        member = session.scalar(select(Member).where(Member.family_name == "小林"))
        assert member.tenant_id == tenant.id and member.status == MemberStatus.GUEST
        assert member.family_name_kana == "コバヤシ"
        attendance = session.scalar(select(Attendance).where(Attendance.member_id == member.id))
        assert attendance.status == AttendanceStatus.WALK_IN
    html = staff_client.get(_url(tenant, evening), query_string={"q": "kobayashi"}).get_data(
        as_text=True)
    assert _ids(html) == [member.id] and "Checked in" in html
    bad = staff_client.post(_url(tenant, evening, "/walk-in"), data={"family_name": ""},
                            headers={"Accept": "application/json"})
    assert bad.status_code == 400 and not bad.get_json()["ok"]
    bad = staff_client.post(_url(tenant, evening, "/walk-in"),
                            data={"family_name": "x", "email": "nope"})
    assert bad.status_code == 302
    with unscoped(session):
        assert session.scalar(select(func.count(Member.id)).where(Member.family_name == "x")) == 0


def test_qr_scan_valid_other_meetup_and_other_community(staff_client, session, tenant,
                                                        other_tenant, evening, crowd):
    in_english(staff_client)
    ticket = register(session, evening, crowd["nakamura"])
    later = meetup(session, tenant, "翌月")
    other_ticket = register(session, later, crowd["nakamura"])
    foreign_meetup = meetup(session, other_tenant, "他会")
    foreign_ticket = register(session, foreign_meetup,
                              person(session, other_tenant, "外", "人", "ソト", "ヒト"))
    session.commit()
    for token in (other_ticket.checkin_token, foreign_ticket.checkin_token, "x" * 200):
        response = staff_client.post(_url(tenant, evening, "/scan"), data={"token": token},
                                     headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert response.get_json()["message"] == "This QR code is not for this meetup."
    response = staff_client.post(_url(tenant, evening, "/scan"),
                                 data={"token": foreign_ticket.checkin_token},
                                 follow_redirects=True)
    assert "This QR code is not for this meetup." in response.get_data(as_text=True)
    with unscoped(session):
        assert session.scalar(select(func.count(Attendance.id))) == 0
    data = staff_client.post(_url(tenant, evening, "/scan"), data={"token": ticket.checkin_token},
                             headers={"Accept": "application/json"}).get_json()
    assert data["ok"] and data["member_id"] == crowd["nakamura"].id and data["checked_in"] == 1
    with unscoped(session):
        change = session.scalar(select(AttendanceChange))
        assert change.via == "qr" and change.meetup_id == evening.id


def test_printable_list_is_a4_sorted_by_reading(staff_client, tenant, evening, crowd):
    html = staff_client.get(_url(tenant, evening, "/print")).get_data(as_text=True)
    ids = [int(x) for x in re.findall(r'<tr data-member-id="(\d+)"', html)]
    assert ids == [crowd[k].id for k in ("ishikawa", "sato", "tanaka", "watanabe")]
    assert "checkin/print.css" in html
    assert "イシカワ マコト" in html and "渡辺工務店" in html and "代表取締役" in html
    assert 'class="box"' in html


def test_print_css_sets_a4(app):
    with app.open_resource("static/checkin/print.css") as f:
        css = f.read().decode()
    assert "size: A4" in css


def test_door_csv_has_bom_and_japanese(staff_client, organizer_client, tenant, evening, crowd):
    url = f"/c/{tenant.slug}/admin/meetups/{evening.id}/attendance.csv"
    assert staff_client.get(url, query_string={"list": "door"}).status_code == 403  # no exports
    response = organizer_client.get(url, query_string={"list": "door"})
    body = response.get_data()
    assert response.status_code == 200 and body.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == ["石川 誠", "佐藤 健", "田中 由美", "渡辺 大輔"]
    assert rows[3][2] == "株式会社タナカ"


def test_members_cannot_reach_the_door_and_other_communities_404(
        member_client, owner_client, staff_client, session, tenant, other_tenant, evening, crowd):
    for suffix in ("", "/search", "/print"):
        assert member_client.get(_url(tenant, evening, suffix)).status_code == 403
    assert member_client.post(_url(tenant, evening, "/check-in"),
                              data={"member_id": crowd["sato"].id}).status_code == 403
    assert staff_client.post(_url(tenant, evening, "/self-window"),
                             data={"action": "open"}).status_code == 403
    foreign = meetup(session, other_tenant, "他会の定例会")
    session.commit()
    for suffix in ("", "/search", "/print"):
        assert owner_client.get(_url(tenant, foreign, suffix)).status_code == 404
    for suffix in ("/check-in", "/walk-in", "/scan", "/self-window"):
        response = owner_client.post(_url(tenant, foreign, suffix), data={
            "member_id": crowd["sato"].id, "family_name": "侵入", "token": "x",
            "action": "open"})
        assert response.status_code == 404
    assert reload(session, type(foreign), foreign.id).checkin_code == ""
    with unscoped(session):
        assert session.scalar(select(func.count(Attendance.id))) == 0
        assert session.scalar(select(func.count(Member.id)).where(
            Member.family_name == "侵入")) == 0


def test_organizer_opens_and_closes_self_checkin_from_the_door(organizer_client, session,
                                                               tenant, evening):
    in_english(organizer_client)
    response = organizer_client.post(_url(tenant, evening, "/self-window"),
                                     data={"action": "open", "code": "2468"},
                                     follow_redirects=True)
    assert "The code is 2468." in response.get_data(as_text=True)
    row = reload(session, type(evening), evening.id)
    assert row.checkin_code == "2468"
    assert row.checkin_opens_at == evening.starts_at - timedelta(minutes=30)
    response = organizer_client.post(_url(tenant, evening, "/self-window"),
                                     data={"action": "open", "code": "12"}, follow_redirects=True)
    assert "The code must be 4 to 6 digits." in response.get_data(as_text=True)
    assert reload(session, type(evening), evening.id).checkin_code == "2468"
    organizer_client.post(_url(tenant, evening, "/self-window"), data={"action": "close"})
    assert reload(session, type(evening), evening.id).checkin_code == ""


def test_door_page_does_not_query_per_row(app, staff_client, session, tenant, evening, crowd):
    staff_client.get(_url(tenant, evening))  # warm up (session, language)
    with count_statements(app) as few:
        assert staff_client.get(_url(tenant, evening)).status_code == 200
    for n in range(20):
        m = person(session, tenant, "大勢", f"{n}", "オオゼイ", f"ヒト{n}")
        register(session, evening, m)
        if n % 2:
            with unscoped(session):
                session.add(Attendance(tenant_id=tenant.id, meetup_id=evening.id,
                                       member_id=m.id, status=AttendanceStatus.PRESENT))
    session.commit()
    with count_statements(app) as many:
        html = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert len(_ids(html)) == 24
    assert len(many) == len(few), many.statements


def test_cancelled_registrations_are_not_listed_as_going(staff_client, session, tenant,
                                                         evening, crowd):
    register(session, evening, crowd["nakamura"], RegistrationStatus.CANCELLED)
    session.commit()
    html = staff_client.get(_url(tenant, evening)).get_data(as_text=True)
    assert crowd["nakamura"].id not in _ids(html)
    assert "data-going-count>4<" in html


def test_self_checkin_window_times_are_in_the_communitys_timezone(organizer_client, session,
                                                                 tenant, evening):
    in_english(organizer_client)
    organizer_client.post(_url(tenant, evening, "/self-window"), data={
        "action": "open", "opens_at": "2030-04-01T18:30", "closes_at": "2030-04-01T21:00"})
    row = reload(session, type(evening), evening.id)
    assert row.checkin_opens_at.isoformat() == "2030-04-01T09:30:00+00:00"  # 18:30 JST
    assert row.checkin_closes_at.isoformat() == "2030-04-01T12:00:00+00:00"
    for opens, closes in (("yesterday", ""), ("2030-04-01T21:00", "2030-04-01T18:30")):
        response = organizer_client.post(_url(tenant, evening, "/self-window"), data={
            "action": "open", "opens_at": opens, "closes_at": closes}, follow_redirects=True)
        assert "The check-in window must close after it opens." in response.get_data(as_text=True)
    assert reload(session, type(evening), evening.id).checkin_opens_at == row.checkin_opens_at


# The row loop print.html had before the rows were written in Python: the same bytes still.
_LOOP = ('{%- for row in rows %}\n<tr data-member-id="{{ row.member_id }}"'
         '{% if row.is_checked_in %} data-in{% endif %}><td><td>{{ loop.index }}'
         '<td>{{ row.name }}{% if row.is_guest %}'
         '{{ guest }}{% endif %}<td>{{ row.reading }}<td>{{ row.company }}<td>{{ row.title }}\n'
         '  {%- endfor %}')


def test_printed_rows_are_what_the_template_wrote_and_escaped(app):
    from markupsafe import Markup

    from joren.tenants.meetups.checkin.lists import SheetRow
    from joren.tenants.meetups.checkin.printing import sheet_rows_html

    rows = [SheetRow(7, '<script>"x"</script>', "ア&イ", "株式会社'A&B'", "<b>社長</b>",
                     True, True, True),
            SheetRow(8, "佐藤 健", "サトウ ケン", "", "", False, False, False),
            SheetRow(9, "&amp; already", "", "a > b", "it's", False, True, True)]
    guest = Markup(" <small>(ゲスト)</small>")
    with app.app_context():
        expected = app.jinja_env.from_string(_LOOP).render(rows=rows, guest=guest)
    written = sheet_rows_html(rows, guest)
    assert isinstance(written, Markup) and str(written) == expected
    assert "<script>" not in written and "&lt;script&gt;&#34;x&#34;" in written
    assert "&amp;amp; already" in written
    # a plain string (not the template's own markup) is escaped too
    assert "&lt;i&gt;" in sheet_rows_html(rows[:1], "<i>")


def test_printable_list_escapes_what_people_typed(staff_client, session, tenant, evening, crowd):
    with unscoped(session):
        someone = session.get(Member, crowd["sato"].id)
        someone.company = '<img src=x onerror="alert(1)">&Co'
        session.commit()
    html = staff_client.get(_url(tenant, evening, "/print")).get_data(as_text=True)
    assert '<img src=x' not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&amp;Co" in html
