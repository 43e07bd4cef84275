"""CSV import of members and attendance: encodings, mapping presets, dry run, the job,
idempotent re-import, malformed files, and tenant isolation."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from joren.models import Attendance, AttendanceStatus, Meetup, Member
from joren.platform.names import romaji_search_key
from joren.platform.tenancy import TenantScopeError, unscoped
from joren.platform.tenant_guard import without_orm_guard
from joren.tenants.imports import bulk, write
from joren.tenants.imports import chunks as chunking
from joren.tenants.imports import services as imports
from joren.tenants.imports.chunks import Progress
from joren.tenants.imports.columns import guess_mapping
from joren.tenants.imports.csv_decode import CsvFileError, decode, sniff_delimiter
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportPreset, ImportStatus
from joren.tenants.imports.plan import Plan
from joren.tenants.imports.rows import Person
from joren.tenants.imports.write import run_import
from tests.tenants.helpers import attend, meetup

pytestmark = pytest.mark.usefixtures("clock")

DATA = Path(__file__).parent / "data"
BASE = "/c/osaka-mixer/admin/imports/"


def upload(client, data: bytes, kind: str = "members", name: str = "members.csv"):  # type: ignore[no-untyped-def]
    return client.post(BASE, data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def batch_id_of(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/imports/(\d+)/mapping", response.headers["Location"])
    assert match
    return int(match[1])


def count(session, model, tenant) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(func.count()).select_from(model)
                              .where(model.tenant_id == tenant.id))


def members_of(session, tenant) -> list[Member]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(Member).where(Member.tenant_id == tenant.id)
                                    .order_by(Member.id)))


def map_and_import(client, batch_id: int, form: dict[str, str], run_jobs,  # type: ignore[no-untyped-def]
                   valid_only: bool = False):
    r = client.post(f"{BASE}{batch_id}/mapping", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    assert client.get(f"{BASE}{batch_id}/preview").status_code == 200
    data = {"valid_only": "y"} if valid_only else {}
    r = client.post(f"{BASE}{batch_id}/preview", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    run_jobs()
    return client.get(f"{BASE}{batch_id}/status?format=json").get_json()


MEMBER_FORM = {"col0": "full_name", "col1": "full_name_kana", "col2": "email",
               "col3": "company", "col4": "title"}


# --- decoding ------------------------------------------------------------------------------

def test_decode_detects_utf8_bom_and_cp932(app_ctx) -> None:  # type: ignore[no-untyped-def]
    assert decode((DATA / "members_utf8.csv").read_bytes())[1] == "utf-8"
    text, enc = decode((DATA / "members_utf8_bom.csv").read_bytes())
    assert enc == "utf-8-sig" and text.startswith("氏名")
    text, enc = decode((DATA / "attendance_cp932.tsv").read_bytes())
    assert enc == "cp932" and "伊藤会計事務所" in text
    assert sniff_delimiter(text) == "\t"


@pytest.mark.parametrize("data", [
    "氏名,メール\n山田,a@example.jp\n".encode("utf-16"),
    b"name,company\nJos\xe9,Caf\xe9 \xe0 la cr\xe8me\n\x80\x80\n",
])
def test_decode_refuses_other_encodings(app_ctx, data: bytes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CsvFileError) as err:
        decode(data)
    assert "UTF" in str(err.value)


def test_guess_mapping_from_japanese_and_english_headers() -> None:
    header = ["氏名", "フリガナ", "メールアドレス", "会社名", "役職", "参加日", "出欠", "Email",
              "謎の列"]
    assert guess_mapping(header) == [
        "full_name", "full_name_kana", "email", "company", "title", "meetup_date",
        "attendance_status", "", ""]


# --- the whole flow ------------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["members_utf8.csv", "members_utf8_bom.csv"])
def test_import_members_utf8_with_preset(organizer_client, session, tenant, people, run_jobs,  # type: ignore[no-untyped-def]
                                         filename: str) -> None:
    session.commit()
    before = count(session, Member, tenant)
    bid = batch_id_of(upload(organizer_client, (DATA / filename).read_bytes()))
    page = organizer_client.get(f"{BASE}{bid}/mapping").get_data(as_text=True)
    assert 'value="full_name" selected' in page  # guessed from 氏名
    status = map_and_import(organizer_client, bid, {**MEMBER_FORM, "preset_name": "名簿"},
                            run_jobs)
    assert status["status"] == "done" and status["created"] == 3
    assert status["processed"] == status["total"] == 3
    rows = members_of(session, tenant)
    assert len(rows) == before + 3
    misaki = next(m for m in rows if m.email == "misaki@example.jp")
    assert (misaki.family_name, misaki.given_name) == ("中村", "美咲")  # full-width space
    kenichi = next(m for m in rows if m.email == "kenichi@example.jp")
    assert (kenichi.family_name_kana, kenichi.given_name_kana) == ("ヤマモト", "ケンイチ")
    assert "yamamoto kenichi" in kenichi.name_romaji
    assert kenichi.company == "山本商事" and kenichi.title == "代表取締役"
    with unscoped(session):
        preset = session.scalar(select(ImportPreset).where(ImportPreset.tenant_id == tenant.id))
    assert preset.name == "名簿" and preset.mapping["氏名"] == "full_name"


def default_title(app, day: str) -> str:  # type: ignore[no-untyped-def]
    """「<date>の例会」 in the community's language (ja), as the job stores it."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("ja"):
        return gettext("Meetup of %(date)s", date=day)


def test_cp932_attendance_with_preset_creates_meetups_and_is_idempotent(  # type: ignore[no-untyped-def]
        app, organizer_client, session, tenant, people, run_jobs) -> None:
    session.commit()
    data = (DATA / "attendance_cp932.tsv").read_bytes()
    bid = batch_id_of(upload(organizer_client, data, "attendance", "connpass.tsv"))
    form = {"col0": "meetup_date", "col1": "meetup_title", "col2": "family_name",
            "col3": "given_name", "col4": "family_name_kana", "col5": "given_name_kana",
            "col6": "email", "col7": "company", "col8": "attendance_status",
            "preset_name": "connpass"}
    status = map_and_import(organizer_client, bid, form, run_jobs)
    assert status["status"] == "done"
    assert status["created"] == 2 and status["attendance_created"] == 4
    with unscoped(session):
        batch = session.get(ImportBatch, bid)
        session.refresh(batch)
        assert batch.encoding == "cp932"
        meetups = list(session.scalars(select(Meetup).where(Meetup.tenant_id == tenant.id)
                                       .order_by(Meetup.starts_at)))
        assert [m.title for m in meetups] == ["第1回例会", default_title(app, "2024-05-20")]
        assert not any(m.is_public for m in meetups)
        assert sorted(batch.meetups_created) == sorted(m.id for m in meetups)
        statuses = sorted(a.status for a in session.scalars(
            select(Attendance).where(Attendance.tenant_id == tenant.id)))
    assert statuses == sorted([AttendanceStatus.PRESENT, AttendanceStatus.PRESENT,
                               AttendanceStatus.ABSENT, AttendanceStatus.LATE])
    members_before = count(session, Member, tenant)

    # the same file again, with the saved preset: nothing changes
    bid2 = batch_id_of(upload(organizer_client, data, "attendance", "connpass.tsv"))
    with unscoped(session):
        preset = session.scalar(select(ImportPreset).where(ImportPreset.tenant_id == tenant.id))
    page = organizer_client.get(f"{BASE}{bid2}/mapping?preset={preset.id}").get_data(as_text=True)
    assert 'value="attendance_status" selected' in page
    chosen = {f"col{i}": key for i, key in enumerate(
        guess_mapping(list(preset.mapping), preset))}
    status = map_and_import(organizer_client, bid2, chosen, run_jobs)
    assert status["created"] == 0 and status["merged"] == 4
    assert status["attendance_created"] == 0 and status["skipped"] == 4
    assert count(session, Member, tenant) == members_before
    assert count(session, Meetup, tenant) == 2
    assert count(session, Attendance, tenant) == 4


def test_existing_member_matched_by_email_and_by_name(organizer_client, session, tenant,  # type: ignore[no-untyped-def]
                                                      people, run_jobs) -> None:
    from tests import factories

    by_email = factories.member(session, tenant, email="kenichi@example.jp",
                                family_name="山本", given_name="健一", company="")
    factories.member(session, tenant, email=None, family_name="小林", given_name="大輔",
                     family_name_kana="コバヤシ", given_name_kana="ダイスケ",
                     company="小林工務店")
    session.commit()
    before = count(session, Member, tenant)
    bid = batch_id_of(upload(organizer_client, (DATA / "members_utf8.csv").read_bytes()))
    organizer_client.post(f"{BASE}{bid}/mapping", data=MEMBER_FORM)
    page = organizer_client.get(f"{BASE}{bid}/preview").get_data(as_text=True)
    assert "New members: 1" in page or "新しいメンバー: 1" in page
    status = map_and_import(organizer_client, bid, MEMBER_FORM, run_jobs)
    assert (status["created"], status["merged"]) == (1, 2)
    assert count(session, Member, tenant) == before + 1
    with unscoped(session):
        session.refresh(by_email)
    assert by_email.company == "山本商事"  # blank filled in, nothing overwritten
    assert by_email.family_name_kana == "ヤマダ"  # factory's reading kept


def test_dry_run_writes_nothing(organizer_client, session, tenant, people, run_jobs) -> None:  # type: ignore[no-untyped-def]
    session.commit()
    before = count(session, Member, tenant)
    bid = batch_id_of(upload(organizer_client, (DATA / "members_utf8.csv").read_bytes()))
    organizer_client.post(f"{BASE}{bid}/mapping", data=MEMBER_FORM)
    page = organizer_client.get(f"{BASE}{bid}/preview")
    assert page.status_code == 200 and "山本" in page.get_data(as_text=True)
    assert run_jobs() == 0
    assert count(session, Member, tenant) == before
    with unscoped(session):
        batch = session.get(ImportBatch, bid)
        session.refresh(batch)
    assert batch.status == ImportStatus.PREVIEWED and batch.created == 0


# --- malformed files -----------------------------------------------------------------------

def test_wrong_encoding_is_refused_with_a_message(organizer_client, session, people) -> None:  # type: ignore[no-untyped-def]
    session.commit()
    r = upload(organizer_client, "氏名\n山田\n".encode("utf-16"))
    assert r.status_code == 400
    assert "UTF-16" in r.get_data(as_text=True)
    r = upload(organizer_client, b"name\nJos\xe9 \xe0\n\x80\x80\n")
    assert r.status_code == 400
    assert "Shift_JIS" in r.get_data(as_text=True)
    r = upload(organizer_client, b"")
    assert r.status_code == 400


def test_missing_required_column_refused_before_rows(organizer_client, session, people) -> None:  # type: ignore[no-untyped-def]
    session.commit()
    data = "会社名,メールアドレス\n山本商事,a@example.jp\n".encode()
    bid = batch_id_of(upload(organizer_client, data, "attendance"))
    r = organizer_client.post(f"{BASE}{bid}/mapping", data={"col0": "company", "col1": "email"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    # The message names both missing columns, in the page's language.
    assert ("name" in body.lower() and "meetup date" in body.lower()) or (
        "氏名" in body and "例会の日付" in body)
    r = organizer_client.post(f"{BASE}{bid}/preview", data={"valid_only": "y"})
    assert r.status_code == 302 and "/mapping" in r.headers["Location"]


def test_bad_rows_reported_by_line_and_never_imported_silently(  # type: ignore[no-untyped-def]
        organizer_client, session, tenant, people, run_jobs) -> None:
    session.commit()
    data = ("参加日,氏名,メールアドレス,会社名\n"
            "2024-04-15,山本 健一,kenichi@example.jp,山本商事\n"
            "2024-13-45,伊藤 誠,,伊藤会計\n"
            "2024-04-15,佐々木 望,not-an-email,佐々木\n"
            f"2024-04-15,長井 翔,,{'株' * 130}\n").encode()
    bid = batch_id_of(upload(organizer_client, data, "attendance"))
    form = {"col0": "meetup_date", "col1": "full_name", "col2": "email", "col3": "company"}
    assert organizer_client.post(f"{BASE}{bid}/mapping", data=form).status_code == 302
    page = organizer_client.get(f"{BASE}{bid}/preview").get_data(as_text=True)
    rejected = page.split('id="rejected-rows"')[1].split("</table>")[0]
    assert re.search(r"<td>3</td><td>[^<]*2024-13-45", rejected)
    assert re.search(r"<td>4</td><td>[^<]*not-an-email", rejected)
    assert re.search(r"<td>5</td><td>[^<]*120", rejected)
    before = (count(session, Member, tenant), count(session, Attendance, tenant))
    r = organizer_client.post(f"{BASE}{bid}/preview", data={})  # not explicitly valid-only
    assert r.status_code == 400
    assert run_jobs() == 0
    assert (count(session, Member, tenant), count(session, Attendance, tenant)) == before
    status = map_and_import(organizer_client, bid, form, run_jobs, valid_only=True)
    assert (status["created"], status["rejected"], status["attendance_created"]) == (1, 3, 1)
    assert count(session, Member, tenant) == before[0] + 1


def test_oversized_file_refused(organizer_client, session, people, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from joren.tenants.imports import csv_decode

    monkeypatch.setattr(csv_decode, "MAX_BYTES", 100)
    session.commit()
    r = upload(organizer_client, ("氏名\n" + "山田 太郎\n" * 50).encode())
    assert r.status_code == 400
    assert "MB" in r.get_data(as_text=True)


# --- progress, permissions and isolation ---------------------------------------------------

def test_job_progress_is_stored_per_chunk(session, scoped, tenant, people, monkeypatch,  # type: ignore[no-untyped-def]
                                          app_ctx) -> None:
    monkeypatch.setattr(chunking, "CHUNK", 2)
    s = scoped(tenant)
    text = "氏名,メール\n" + "".join(f"会員 {i},m{i}@example.jp\n" for i in range(5))
    batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                 data=text.encode(), actor=None)
    assert imports.save_mapping(s, batch, ["full_name", "email"]) == []
    imports.preview(s, batch)
    imports.confirm(s, batch, valid_only=False)
    seen: list[int] = []
    run_import(s, batch.id, progress=lambda: seen.append(batch.processed))
    assert seen == [2, 4, 5]
    assert batch.status == ImportStatus.DONE and batch.created == 5


def test_only_organizers_import_and_export(staff_client, member_client, outsider_client,  # type: ignore[no-untyped-def]
                                           client, session, people) -> None:
    session.commit()
    for c in (staff_client, member_client, outsider_client):
        assert c.get(BASE).status_code == 403
        assert upload(c, (DATA / "members_utf8.csv").read_bytes()).status_code == 403
        assert c.get("/c/osaka-mixer/admin/members/export.csv").status_code == 403
    assert client.get(BASE).status_code == 302


def test_another_communitys_batch_is_not_found(login, organizer_client, session, tenant,  # type: ignore[no-untyped-def]
                                               other_tenant, people, run_jobs) -> None:
    session.commit()
    bid = batch_id_of(upload(organizer_client, (DATA / "members_utf8.csv").read_bytes()))
    other = login(people.other_owner)
    for path in ("mapping", "preview", "status"):
        assert other.get(f"/c/kobe-study/admin/imports/{bid}/{path}").status_code == 404
    assert other.post(f"/c/kobe-study/admin/imports/{bid}/mapping",
                      data=MEMBER_FORM).status_code == 404
    assert other.post(f"/c/kobe-study/admin/imports/{bid}/preview",
                      data={"valid_only": "y"}).status_code == 404
    # A's import never writes B
    other_before = count(session, Member, other_tenant)
    map_and_import(organizer_client, bid, MEMBER_FORM, run_jobs)
    assert count(session, Member, other_tenant) == other_before
    # and B's preset is not offered to A
    with unscoped(session):
        session.add(ImportPreset(tenant_id=other_tenant.id, kind=ImportKind.MEMBERS,
                                 name="神戸の名簿", mapping={"氏名": "full_name"}))
        session.commit()
        preset_id = session.scalar(select(ImportPreset.id).where(
            ImportPreset.tenant_id == other_tenant.id))
    assert "神戸の名簿" not in organizer_client.get(f"{BASE}{bid}/mapping").get_data(as_text=True)
    assert organizer_client.get(f"{BASE}{bid}/mapping?preset={preset_id}").status_code == 404


def test_job_for_a_never_touches_b(session, scoped, tenant, other_tenant, people, app_ctx) -> None:  # type: ignore[no-untyped-def]
    # B has a member with the same email: A's import creates its own, B's is untouched
    from tests import factories

    b_member = factories.member(session, other_tenant, email="kenichi@example.jp",
                                family_name="別人", given_name="健一", company="")
    session.commit()
    s = scoped(tenant)
    batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                 data=(DATA / "members_utf8.csv").read_bytes(), actor=None)
    imports.save_mapping(s, batch, list(MEMBER_FORM.values()))
    plan = imports.preview(s, batch)
    assert plan.count("create") == 3
    imports.confirm(s, batch, valid_only=False)
    run_import(s, batch.id)
    s.commit()
    with unscoped(session):
        session.refresh(b_member)
    assert b_member.company == "" and b_member.family_name == "別人"
    assert count(session, Member, tenant) == len(members_of(session, tenant))


# --- export --------------------------------------------------------------------------------

def test_export_members_is_utf8_bom_with_japanese(  # type: ignore[no-untyped-def]
        organizer_client, session, tenant, people) -> None:
    m = meetup(session, tenant)
    attend(session, m, people.member_member)
    session.commit()
    r = organizer_client.get("/c/osaka-mixer/admin/members/export.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    body = r.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "佐藤" in text and "タナカ" in text
    assert "高橋" not in text  # another community's member
    header = text.splitlines()[0]
    assert header.count(",") >= 10


def test_status_page_shows_a_progress_bar(organizer_client, session, people, run_jobs) -> None:  # type: ignore[no-untyped-def]
    session.commit()
    bid = batch_id_of(upload(organizer_client, (DATA / "members_utf8.csv").read_bytes()))
    map_and_import(organizer_client, bid, MEMBER_FORM, run_jobs)
    page = organizer_client.get(f"{BASE}{bid}/status").get_data(as_text=True)
    assert 'class="progress-bar" style="width: 100%"' in page
    status = organizer_client.get(f"{BASE}{bid}/status",
                                  headers={"Accept": "application/json"}).get_json()
    assert status["percent"] == 100 and status["status"] == "done"


def test_name_match_fills_a_missing_email(session, scoped, tenant, people, app_ctx) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    kept = factories.member(session, tenant, email=None, family_name="中村", given_name="美咲",
                            family_name_kana="ナカムラ", given_name_kana="ミサキ",
                            company="中村デザイン")
    session.commit()
    s = scoped(tenant)
    batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                 data=(DATA / "members_utf8.csv").read_bytes(), actor=None)
    imports.save_mapping(s, batch, list(MEMBER_FORM.values()))
    plan = imports.preview(s, batch)
    assert [r.action for r in plan.rows] == ["create", "merge", "create"]
    imports.confirm(s, batch, valid_only=False)
    run_import(s, batch.id)
    s.commit()
    with unscoped(session):
        session.refresh(kept)
    assert kept.email == "misaki@example.jp" and kept.title == "デザイナー"


def test_attendance_job_for_a_never_touches_b(session, scoped, tenant, other_tenant, people,  # type: ignore[no-untyped-def]
                                              app_ctx) -> None:
    """The job's multi-row INSERTs (members, meetups, attendance) write only A's rows, even
    when B has a meetup on the same day and a member with the same email."""
    from tests import factories

    b_member = factories.member(session, other_tenant, email="kenichi@example.jp",
                                family_name="別人", given_name="健一", company="")
    b_meetup = meetup(session, other_tenant, title="神戸の例会",
                      starts_at=datetime(2024, 4, 15, 10, 0, tzinfo=UTC))
    attend(session, b_meetup, b_member)
    session.commit()
    b_before = [count(session, model, other_tenant) for model in (Member, Meetup, Attendance)]
    text = ("参加日,氏名,メールアドレス,出欠\n"
            "2024-04-15,山本 健一,kenichi@example.jp,出席\n"
            "2024-04-15,新人 花子,hanako@example.jp,遅刻\n")
    s = scoped(tenant)
    batch = imports.create_batch(s, kind=ImportKind.ATTENDANCE, filename="a.csv",
                                 data=text.encode(), actor=None)
    assert imports.save_mapping(s, batch, ["meetup_date", "full_name", "email",
                                           "attendance_status"]) == []
    imports.preview(s, batch)
    imports.confirm(s, batch, valid_only=False)
    run_import(s, batch.id)
    s.commit()
    assert (batch.created, batch.attendance_created) == (2, 2)
    assert [count(session, model, other_tenant) for model in (Member, Meetup, Attendance)] \
        == b_before
    with unscoped(session):
        session.refresh(b_member)
        a_meetups = list(session.scalars(select(Meetup).where(Meetup.tenant_id == tenant.id)))
        a_attendance = list(session.scalars(select(Attendance)
                                            .where(Attendance.tenant_id == tenant.id)))
    assert b_member.family_name == "別人"
    assert [m.id for m in a_meetups] == batch.meetups_created
    assert {a.meetup_id for a in a_attendance} == {a_meetups[0].id}
    a_ids = {m.id for m in members_of(session, tenant)}
    assert {a.member_id for a in a_attendance} <= a_ids


def test_filled_readings_refresh_the_romaji_search_key(session, scoped, tenant, people,  # type: ignore[no-untyped-def]
                                                       app_ctx) -> None:
    from tests import factories

    bare = factories.member(session, tenant, email="kenichi@example.jp", family_name="山本",
                            given_name="健一", family_name_kana="", given_name_kana="",
                            company="")
    session.commit()
    s = scoped(tenant)
    batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                 data=(DATA / "members_utf8.csv").read_bytes(), actor=None)
    imports.save_mapping(s, batch, list(MEMBER_FORM.values()))
    imports.preview(s, batch)
    imports.confirm(s, batch, valid_only=False)
    run_import(s, batch.id)
    s.commit()
    with unscoped(session):
        session.refresh(bare)
    assert (bare.family_name_kana, bare.given_name_kana) == ("ヤマモト", "ケンイチ")
    assert bare.name_romaji == romaji_search_key("ヤマモト", "ケンイチ")
    assert bare.company == "山本商事" and bare.family_name == "山本"


def test_bulk_writes_of_the_job_never_reach_another_community(  # type: ignore[no-untyped-def]
        session, scoped, tenant, other_tenant, app_ctx, monkeypatch) -> None:
    """Filling blanks names members by id: another community's member stays untouched (the
    UPDATE is scoped by the guard, by its own WHERE and, on PostgreSQL, by row-level security
    alone); the hand-written multi-row INSERT of members for another community is refused by
    its own check and, on PostgreSQL, by row-level security alone."""
    from tests import factories

    b_member = factories.member(session, other_tenant, email=None, family_name="別人",
                                given_name="健一", company="")
    session.commit()
    forged = Plan(merges={b_member.id: Person(company="乗っ取り", email="x@example.jp")})
    forged.members.fillable[b_member.id] = (None, "", "", "", "", "")
    s = scoped(tenant)
    write._fill_blanks(s, tenant.id, forged)
    with without_orm_guard():
        write._fill_blanks(s, tenant.id, forged)
    s.commit()
    with unscoped(session):
        session.refresh(b_member)
    assert b_member.company == "" and b_member.email is None
    s = scoped(tenant)
    with pytest.raises(TenantScopeError):
        write._insert_members(s, other_tenant.id, ImportKind.MEMBERS,
                              [Person(family_name="越境")], datetime.now(UTC),
                              Progress(s, ImportBatch(id=0, total=1, processed=0), None))
    s.rollback()
    if s.get_bind().dialect.name == "postgresql":
        # row-level security alone: the statement's own check is fooled into agreeing
        s = scoped(tenant)
        monkeypatch.setattr(bulk, "current_tenant_id", lambda _session: other_tenant.id)
        with pytest.raises(DBAPIError, match="row-level security"):
            write._insert_members(s, other_tenant.id, ImportKind.MEMBERS,
                                  [Person(family_name="越境")], datetime.now(UTC),
                                  Progress(s, ImportBatch(id=0, total=1, processed=0), None))
        s.rollback()
    assert count(session, Member, other_tenant) == 1


def test_a_row_with_an_email_matches_by_name_only_a_member_without_one() -> None:
    """The oldest member of a name key decides: a row with an email never merges into a
    member holding another address, nor past it into a younger namesake without one; a
    row without an email merges into the oldest; in the file, a later row without an email
    merges into the first new person of its name."""
    from joren.tenants.imports.matching import MemberIndex
    from joren.tenants.imports.plan import _Planner

    def person(email: str = "", company: str = "A社") -> Person:
        return Person(family_name="佐藤", given_name="太郎", family_name_kana="サトウ",
                      given_name_kana="タロウ", email=email, company=company)

    index = MemberIndex()
    for member_id, email in ((1, "old@example.jp"), (2, None)):
        if email:
            index.by_email[email] = member_id
            index.has_email.add(member_id)
        index._names.append((member_id, "佐藤", "太郎", "サトウタロウ", "A社"))
        index.fillable[member_id] = (email, "サトウ", "タロウ", "A社", "", "")
    assert index.existing(person("new@example.jp")) is None
    assert index.existing(person()) == 1
    assert index.existing(person("old@example.jp")) == 1
    index = MemberIndex()
    index._names.append((3, "佐藤", "太郎", "サトウタロウ", "A社"))
    index.fillable[3] = (None, "サトウ", "タロウ", "A社", "", "")
    assert index.existing(person("new@example.jp")) == 3

    planner = _Planner(ImportKind.MEMBERS, MemberIndex(), ["full_name", "email"])
    for line, values in enumerate(({"full_name": "佐藤 太郎", "email": "a@example.jp"},
                                   {"full_name": "佐藤 太郎", "email": "b@example.jp"},
                                   {"full_name": "佐藤 太郎", "email": ""}), start=2):
        planner.add(line, values)
    assert [(r.action, r.new_key) for r in planner.plan.rows] == [
        ("create", 0), ("create", 1), ("merge", 0)]
