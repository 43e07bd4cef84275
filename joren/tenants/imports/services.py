"""CSV import of members and past attendance: mapping, dry run, and the batched import.

The plan (what each row will do) is computed the same way for the dry run and for the import,
so the preview is exactly what the job then writes. Matching an existing member: by email,
else by family + given name + reading + company. Writes are bulk (executemany per chunk);
existing members, meetups and attendance are loaded in one query each.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from joren.platform.billing.plans import PlanLimitReached, check_limit
from joren.platform.db import utcnow
from joren.platform.identity.community import community_of
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.names import romaji_search_key, to_katakana
from joren.tenants.imports.csv_decode import CsvFileError, decode, read_rows, sniff_delimiter
from joren.tenants.imports.models import (
    ImportBatch,
    ImportKind,
    ImportPreset,
    ImportStatus,
)
from joren.tenants.meetups.models import Attendance, AttendanceStatus, Meetup

CHUNK = 1000
PREVIEW_ROWS = 300
# blanks of an existing member that an import may fill in (it never overwrites)
FILLABLE = ("email", "family_name_kana", "given_name_kana", "company", "title", "industry")

FIELDS: dict[str, Any] = {
    "": _l("(ignore)"),
    "full_name": _l("Full name"),
    "family_name": _l("Family name"),
    "given_name": _l("Given name"),
    "full_name_kana": _l("Full name reading"),
    "family_name_kana": _l("Family name reading"),
    "given_name_kana": _l("Given name reading"),
    "email": _l("Email"),
    "company": _l("Company"),
    "title": _l("Job title"),
    "industry": _l("Industry"),
    "meetup_date": _l("Meetup date"),
    "meetup_title": _l("Meetup title"),
    "attendance_status": _l("Attendance status"),
}
MEMBER_FIELDS = ("full_name", "family_name", "given_name", "full_name_kana", "family_name_kana",
                 "given_name_kana", "email", "company", "title", "industry")
ATTENDANCE_FIELDS = ("meetup_date", "meetup_title", "attendance_status")
MAX_LENGTH = {"family_name": 60, "given_name": 60, "family_name_kana": 60,
              "given_name_kana": 60, "email": 320, "company": 120, "title": 80,
              "industry": 80, "meetup_title": 200}

_GUESSES = {
    "full_name": ("氏名", "名前", "お名前", "参加者名", "表示名", "ユーザー名", "name",
                  "full name", "fullname", "your name", "ニックネーム"),
    "family_name": ("姓", "苗字", "名字", "last name", "lastname", "family name", "surname"),
    "given_name": ("名", "first name", "firstname", "given name"),
    "full_name_kana": ("フリガナ", "ふりがな", "よみがな", "ヨミガナ", "氏名(フリガナ)",
                       "氏名フリガナ", "カナ", "reading", "kana"),
    "family_name_kana": ("セイ", "せい", "姓(フリガナ)", "姓フリガナ", "姓(カナ)",
                         "last name kana"),
    "given_name_kana": ("メイ", "めい", "名(フリガナ)", "名フリガナ", "名(カナ)",
                        "first name kana"),
    "email": ("メールアドレス", "メール", "eメール", "e-mail", "email", "mail",
              "email address", "e-mailアドレス", "メールアドレス(半角)"),
    "company": ("会社名", "会社", "所属", "企業名", "勤務先", "社名", "company",
                "organization", "organisation", "所属先"),
    "title": ("役職", "肩書", "肩書き", "職位", "title", "job title", "position"),
    "industry": ("業種", "業界", "industry"),
    "meetup_date": ("参加日", "開催日", "日付", "例会日", "イベント開催日", "イベント日",
                    "開催日時", "date", "event date"),
    "meetup_title": ("イベント名", "例会名", "会名", "イベントタイトル", "event",
                     "event name", "event title"),
    "attendance_status": ("出欠", "出席", "参加状況", "出欠状況", "ステータス",
                          "出席状況", "status", "attendance", "attended"),
}
_GUESS_INDEX = {unicodedata.normalize("NFKC", h).lower(): key
                for key, headers in _GUESSES.items() for h in headers}

_STATUS_WORDS = {
    AttendanceStatus.PRESENT: ("出席", "参加", "参加済", "参加済み", "来場", "来場済み",
                               "チェックイン済", "チェックイン済み", "〇", "○", "◯", "yes",
                               "present", "attended", "checked in", "1"),
    AttendanceStatus.LATE: ("遅刻", "late"),
    AttendanceStatus.ABSENT: ("欠席", "不参加", "no show", "no-show", "absent", "×", "0"),
    AttendanceStatus.EXCUSED: ("キャンセル", "欠席連絡", "cancelled", "canceled", "excused"),
    AttendanceStatus.SUBSTITUTE: ("代理", "代理出席", "substitute"),
}
_STATUS_INDEX = {w: s for s, words in _STATUS_WORDS.items() for w in words}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPACE = re.compile(r"[ \u3000]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T\u3000(（].*)?$")


class ImportError_(ValueError):  # noqa: N801 - "ImportError" is a builtin
    """The import cannot go on; ``str(error)`` is the message for the organizer."""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def guess_field(header: str) -> str:
    key = _norm(header)
    if key in _GUESS_INDEX:
        return _GUESS_INDEX[key]
    key = re.sub(r"[\s*＊※]|\(必須\)|（必須）", "", key)
    return _GUESS_INDEX.get(key, "")


def guess_mapping(header: list[str], preset: ImportPreset | None = None) -> list[str]:
    """One field key per column: the preset's choice for that header, else a guess."""
    mapping, used = [], set()
    for col in header:
        key = preset.mapping.get(col, "") if preset else guess_field(col)
        if key and key in used:
            key = ""
        used.add(key)
        mapping.append(key if key in FIELDS else "")
    return mapping


def mapping_problems(kind: ImportKind, mapping: list[str]) -> list[str]:
    """Why a mapping cannot be used (empty when it can)."""
    keys = [k for k in mapping if k]
    problems = []
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    for key in dupes:
        problems.append(_("“%(field)s” is chosen for more than one column.",
                          field=FIELDS[key]))
    if "full_name" not in keys and "family_name" not in keys:
        problems.append(_("Choose a column for the name (full name or family name)."))
    if kind == ImportKind.ATTENDANCE and "meetup_date" not in keys:
        problems.append(_("Choose a column for the meetup date."))
    return problems


def create_batch(session: Session, *, kind: ImportKind, filename: str, data: bytes,
                 actor: Member | None) -> ImportBatch:
    """Store an uploaded file (decoded) as a new batch; raises CsvFileError if unreadable."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    header, rows = read_rows(text, delimiter)
    if not rows:
        raise CsvFileError(_("The file has a header but no data rows."))
    batch = ImportBatch(kind=kind, filename=filename[:255], encoding=encoding,
                        delimiter=delimiter, text=text, total=len(rows),
                        created_by_id=actor.id if actor else None)
    session.add(batch)
    session.flush()
    return batch


def batch_rows(batch: ImportBatch) -> tuple[list[str], list[tuple[int, list[str]]]]:
    return read_rows(batch.text, batch.delimiter)


def save_mapping(session: Session, batch: ImportBatch, mapping: list[str], *,
                 preset_name: str = "", actor: Member | None = None) -> list[str]:
    """Store the column mapping (and, if named, a preset); returns problems if unusable."""
    if batch.status in (ImportStatus.RUNNING, ImportStatus.DONE):
        return [_("This file has already been imported.")]
    header, _rows = batch_rows(batch)
    mapping = [m if m in FIELDS else "" for m in mapping][: len(header)]
    mapping += [""] * (len(header) - len(mapping))
    problems = mapping_problems(batch.kind, mapping)
    if problems:
        return problems
    batch.mapping = mapping
    batch.status = ImportStatus.MAPPED
    preset_name = preset_name.strip()[:80]
    if preset_name:
        preset = session.scalar(select(ImportPreset).where(
            ImportPreset.kind == batch.kind, ImportPreset.name == preset_name))
        if preset is None:
            preset = ImportPreset(kind=batch.kind, name=preset_name,
                                  created_by_id=actor.id if actor else None)
            session.add(preset)
        preset.mapping = {h: m for h, m in zip(header, mapping, strict=True) if m}
    session.flush()
    return []


def presets(session: Session, kind: ImportKind | None = None) -> list[ImportPreset]:
    stmt = select(ImportPreset).order_by(ImportPreset.name)
    if kind:
        stmt = stmt.where(ImportPreset.kind == kind)
    return list(session.scalars(stmt))


# --- the plan ---------------------------------------------------------------------------

def parse_date(value: str) -> date | None:
    m = _DATE.match(unicodedata.normalize("NFKC", value or "").strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@dataclass
class Person:
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    email: str = ""
    company: str = ""
    title: str = ""
    industry: str = ""

    def name_key(self) -> tuple[str, str, str, str]:
        return (_norm(self.family_name), _norm(self.given_name),
                _norm(self.family_name_kana + self.given_name_kana), _norm(self.company))


@dataclass
class RowPlan:
    line: int
    action: str  # create / merge / reject
    reason: str = ""
    person: Person | None = None
    member_id: int | None = None  # existing member (merge)
    new_key: int | None = None  # index into Plan.new_people (create, or repeat of a new one)
    meetup_date: date | None = None
    meetup_title: str = ""
    status: AttendanceStatus | None = None
    attendance: str = ""  # new / exists (attendance files)


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    new_people: list[Person] = field(default_factory=list)
    merges: dict[int, Person] = field(default_factory=dict)  # member id -> values to fill

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action == "reject"]


def _split(text: str) -> tuple[str, str]:
    parts = _SPACE.split(text.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


def _row_person(values: dict[str, str]) -> tuple[Person | None, str]:
    p = Person()
    if values.get("full_name"):
        p.family_name, p.given_name = _split(values["full_name"])
    p.family_name = values.get("family_name") or p.family_name
    p.given_name = values.get("given_name") or p.given_name
    if values.get("full_name_kana"):
        p.family_name_kana, p.given_name_kana = _split(values["full_name_kana"])
    p.family_name_kana = values.get("family_name_kana") or p.family_name_kana
    p.given_name_kana = values.get("given_name_kana") or p.given_name_kana
    p.family_name_kana = to_katakana(p.family_name_kana).strip()
    p.given_name_kana = to_katakana(p.given_name_kana).strip()
    p.email = values.get("email", "").strip().lower()
    for key in ("company", "title", "industry"):
        setattr(p, key, values.get(key, "").strip())
    if not p.family_name:
        return None, _("The name is empty.")
    if p.email and not _EMAIL.match(p.email):
        return None, _("“%(value)s” is not a valid email address.", value=p.email[:80])
    for key, limit in MAX_LENGTH.items():
        value = getattr(p, key, None)
        if value is not None and len(value) > limit:
            return None, _("“%(field)s” is longer than %(max)d characters.",
                           field=FIELDS.get(key, key), max=limit)
    return p, ""


def _local_day(when: datetime, tz: ZoneInfo) -> date:
    return when.astimezone(tz).date()


def build_plan(session: Session, batch: ImportBatch) -> Plan:
    """What each row will do. Reads existing members, meetups and attendance once each."""
    header, rows = batch_rows(batch)
    mapping = batch.mapping or []
    problems = mapping_problems(batch.kind, mapping)
    if problems:
        raise ImportError_(" ".join(problems))
    tz = community_of(session, batch.tenant_id).zone

    by_email: dict[str, int] = {}
    by_name: dict[tuple[str, str, str, str], int] = {}
    has_email: set[int] = set()
    for m in session.execute(select(Member.id, Member.email, Member.family_name,
                                    Member.given_name, Member.family_name_kana,
                                    Member.given_name_kana, Member.company)
                             .order_by(Member.id)):
        if m.email:
            by_email[m.email.lower()] = m.id
            has_email.add(m.id)
        key = (_norm(m.family_name), _norm(m.given_name),
               _norm(m.family_name_kana + m.given_name_kana), _norm(m.company))
        by_name.setdefault(key, m.id)
    meetup_by_day: dict[date, int] = {}
    attended: set[tuple[int, int]] = set()
    if batch.kind == ImportKind.ATTENDANCE:
        for mt in session.execute(select(Meetup.id, Meetup.starts_at).order_by(Meetup.id)):
            meetup_by_day.setdefault(_local_day(mt.starts_at, tz), mt.id)
        attended = {(a.meetup_id, a.member_id)
                    for a in session.execute(select(Attendance.meetup_id, Attendance.member_id))}

    plan = Plan()
    new_by_email: dict[str, int] = {}
    new_by_name: dict[tuple[str, str, str, str], int] = {}
    seen_pairs: set[tuple[Any, Any]] = set()
    for line, record in rows:
        values = {key: (record[i].strip() if i < len(record) else "")
                  for i, key in enumerate(mapping) if key}
        person, reason = _row_person(values)
        row = RowPlan(line=line, action="reject", reason=reason, person=person)
        plan.rows.append(row)
        if person is None:
            continue
        if batch.kind == ImportKind.ATTENDANCE:
            row.meetup_date = parse_date(values.get("meetup_date", ""))
            if row.meetup_date is None:
                row.reason = _("“%(value)s” is not a date (use e.g. 2024-04-15).",
                               value=values.get("meetup_date", "")[:40])
                continue
            row.meetup_title = values.get("meetup_title", "")
            if len(row.meetup_title) > MAX_LENGTH["meetup_title"]:
                row.reason = _("“%(field)s” is longer than %(max)d characters.",
                               field=FIELDS["meetup_title"], max=MAX_LENGTH["meetup_title"])
                continue
            word = _norm(values.get("attendance_status", ""))
            row.status = _STATUS_INDEX.get(word) if word else AttendanceStatus.PRESENT
            if row.status is None:
                row.reason = _("“%(value)s” is not an attendance status we know.",
                               value=values.get("attendance_status", "")[:40])
                continue
        row.reason = ""
        existing = by_email.get(person.email) if person.email else None
        if existing is None:
            # no email match: the same name, reading and company, unless that member
            # already has another email address
            candidate = by_name.get(person.name_key())
            if candidate is not None and not (person.email and candidate in has_email):
                existing = candidate
        if existing is not None:
            row.action, row.member_id = "merge", existing
            fill = plan.merges.setdefault(existing, Person())
            for key in ("email", "family_name_kana", "given_name_kana", "company", "title",
                        "industry"):
                if getattr(person, key) and not getattr(fill, key):
                    setattr(fill, key, getattr(person, key))
            who: Any = ("m", existing)
        else:
            idx = new_by_email.get(person.email) if person.email else \
                new_by_name.get(person.name_key())
            if idx is None:
                idx = len(plan.new_people)
                plan.new_people.append(person)
                if person.email:
                    new_by_email[person.email] = idx
                new_by_name.setdefault(person.name_key(), idx)
                row.action = "create"
            else:
                row.action = "merge"  # the same person earlier in this file
            row.new_key = idx
            who = ("n", idx)
        if batch.kind == ImportKind.ATTENDANCE:
            meetup_id = meetup_by_day.get(row.meetup_date)  # type: ignore[arg-type]
            pair = (meetup_id or row.meetup_date, who)
            if (meetup_id is not None and row.member_id is not None
                    and (meetup_id, row.member_id) in attended) or pair in seen_pairs:
                row.attendance = "exists"
            else:
                row.attendance = "new"
            seen_pairs.add(pair)
    return plan


def preview(session: Session, batch: ImportBatch) -> Plan:
    """The dry run: the plan, and nothing written except the batch's own counts."""
    plan = build_plan(session, batch)
    if batch.status in (ImportStatus.MAPPED, ImportStatus.PREVIEWED, ImportStatus.FAILED):
        batch.status = ImportStatus.PREVIEWED
        batch.rejected = plan.count("reject")
        session.flush()
    return plan


def confirm(session: Session, batch: ImportBatch, *, valid_only: bool) -> None:
    """Start the import job. With rejected rows, ``valid_only`` must be chosen explicitly."""
    from joren.platform.jobs import enqueue_after_commit

    if batch.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
        raise ImportError_(_("Check the preview before importing."))
    plan = build_plan(session, batch)
    if plan.rejected and not valid_only:
        raise ImportError_(_("Some rows cannot be imported. Tick “Import only the valid rows” "
                             "to import the others, or fix the file and upload it again."))
    if plan.count("reject") == len(plan.rows):
        raise ImportError_(_("No row can be imported."))
    problem = _beyond_plan(session, batch, plan)
    if problem:
        raise ImportError_(problem)
    batch.valid_only = valid_only
    batch.status = ImportStatus.RUNNING
    batch.processed = batch.created = batch.merged = batch.skipped = 0
    batch.attendance_created = 0
    batch.error = ""
    session.flush()
    enqueue_after_commit(session, "joren.workers.import_jobs.run_import", batch.tenant_id,
                         batch.id, queue="default")


def _beyond_plan(session: Session, batch: ImportBatch, plan: Plan) -> str:
    """The upgrade message if the new members would go beyond the community's plan."""
    if batch.kind != ImportKind.MEMBERS or not plan.new_people:
        return ""  # attendance files add guests, which no plan limits
    try:
        check_limit(session, batch.tenant_id, "members", adding=len(plan.new_people))
    except PlanLimitReached as exc:
        return str(exc)
    return ""


# --- the import -------------------------------------------------------------------------

def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def run_import(session: Session, batch_id: int, *,
               progress: Callable[[], None] | None = None) -> ImportBatch | None:
    """Write the plan: new members, filled-in blanks, missing meetups and attendance.

    ``progress`` (the job passes ``session.commit``) is called after each chunk so the
    progress page sees ``processed`` move."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status != ImportStatus.RUNNING:
        return None
    tenant_id = batch.tenant_id
    plan = build_plan(session, batch)
    if plan.rejected and not batch.valid_only:
        batch.status, batch.error = ImportStatus.FAILED, _("Some rows cannot be imported.")
        return batch
    problem = _beyond_plan(session, batch, plan)
    if problem:  # members were added since the preview: write nothing
        batch.status, batch.error = ImportStatus.FAILED, problem
        return batch
    now = utcnow()
    members = Member.__table__
    new_status = (MemberStatus.GUEST if batch.kind == ImportKind.ATTENDANCE
                  else MemberStatus.MEMBER)

    # 1. new members, in chunks
    new_rows = [{
        "tenant_id": tenant_id, "role": Role.MEMBER.value, "status": new_status.value,
        "email": p.email or None, "family_name": p.family_name, "given_name": p.given_name,
        "family_name_kana": p.family_name_kana, "given_name_kana": p.given_name_kana,
        "name_romaji": romaji_search_key(p.family_name_kana, p.given_name_kana),
        "company": p.company, "title": p.title, "industry": p.industry, "joined_at": now,
        "created_at": now,
    } for p in plan.new_people]
    for chunk in _chunks(new_rows, CHUNK):
        session.execute(insert(members), chunk)
        if batch.kind == ImportKind.MEMBERS:
            batch.processed = min(batch.total, batch.processed + len(chunk))
            if progress:
                progress()

    # 2. blanks of existing members filled in (never overwriting what is there)
    if plan.merges:
        existing = {m.id: m for m in session.execute(
            select(Member.id, Member.email, Member.family_name_kana, Member.given_name_kana,
                   Member.company, Member.title, Member.industry)
            .where(Member.id.in_(list(plan.merges))))}
        updates = []
        for member_id, fill in plan.merges.items():
            cur = existing.get(member_id)
            if cur is None:
                continue
            values = {k: getattr(fill, k) for k in FILLABLE
                      if getattr(fill, k) and not getattr(cur, k)}
            if not values:
                continue
            row = {k: getattr(cur, k) for k in FILLABLE}
            row.update(values)
            row["name_romaji"] = romaji_search_key(row["family_name_kana"],
                                                   row["given_name_kana"])
            row["b_id"] = member_id
            updates.append(row)
        stmt = (update(members)
                .where(and_(members.c.id == bindparam("b_id"), members.c.tenant_id == tenant_id))
                .values(**{k: bindparam(k) for k in (*FILLABLE, "name_romaji")}))
        for chunk in _chunks(updates, CHUNK):
            session.connection().execute(stmt, chunk)

    # ids of the new members: one query, matched the way the plan matched them
    new_ids: dict[int, int] = {}
    if plan.new_people:
        by_email: dict[str, int] = {}
        by_name: dict[tuple[str, str, str, str], int] = {}
        for m in session.execute(select(Member.id, Member.email, Member.family_name,
                                        Member.given_name, Member.family_name_kana,
                                        Member.given_name_kana, Member.company)
                                 .order_by(Member.id)):
            if m.email:
                by_email[m.email.lower()] = m.id
            by_name[(_norm(m.family_name), _norm(m.given_name),
                                _norm(m.family_name_kana + m.given_name_kana),
                                _norm(m.company))] = m.id  # newest wins: ids ascend
        for idx, p in enumerate(plan.new_people):
            found = by_email.get(p.email) if p.email else by_name.get(p.name_key())
            if found is not None:
                new_ids[idx] = found

    # 3. meetups and attendance
    attendance_created = 0
    if batch.kind == ImportKind.ATTENDANCE:
        community = community_of(session, tenant_id)
        tz = community.zone
        meetup_by_day: dict[date, int] = {}
        for mt in session.execute(select(Meetup.id, Meetup.starts_at).order_by(Meetup.id)):
            meetup_by_day.setdefault(_local_day(mt.starts_at, tz), mt.id)
        titles: dict[date, str] = {}
        for r in plan.rows:
            if r.action != "reject" and r.meetup_date not in meetup_by_day:
                titles.setdefault(r.meetup_date, r.meetup_title)  # type: ignore[arg-type]
                if r.meetup_title and not titles[r.meetup_date]:  # type: ignore[index]
                    titles[r.meetup_date] = r.meetup_title  # type: ignore[index]
        if titles:
            meetup_rows = []
            language = community.default_language if community else "ja"
            for day, title in sorted(titles.items()):
                if not title:
                    with force_locale(language):  # stored text: the community's language
                        title = _("Meetup of %(date)s", date=day.isoformat())
                start = datetime.combine(day, time(19, 0), tz)
                meetup_rows.append({
                    "tenant_id": tenant_id,
                    "title": title,
                    "starts_at": start, "ends_at": start + timedelta(hours=2),
                    "is_public": False, "description": "", "created_at": now,
                })
            for chunk in _chunks(meetup_rows, CHUNK):
                session.execute(insert(Meetup.__table__), chunk)
            made = []
            for mt in session.execute(select(Meetup.id, Meetup.starts_at)
                                      .order_by(Meetup.id)):
                day = _local_day(mt.starts_at, tz)
                if day in titles and day not in meetup_by_day:
                    meetup_by_day[day] = mt.id
                    made.append(mt.id)
            batch.meetups_created = sorted(made)
        existing_pairs = {(a.meetup_id, a.member_id) for a in session.execute(
            select(Attendance.meetup_id, Attendance.member_id))}
        new_att = []
        for r in plan.rows:
            if r.action == "reject":
                continue
            member_id = r.member_id if r.member_id is not None else new_ids.get(r.new_key or 0)
            meetup_id = meetup_by_day.get(r.meetup_date)  # type: ignore[arg-type]
            if member_id is None or meetup_id is None:
                continue
            if (meetup_id, member_id) in existing_pairs:
                continue
            existing_pairs.add((meetup_id, member_id))
            new_att.append({"tenant_id": tenant_id, "meetup_id": meetup_id,
                            "member_id": member_id, "status": r.status.value,  # type: ignore[union-attr]
                            "note": "", "substitute_name": "", "created_at": now})
        for chunk in _chunks(new_att, CHUNK):
            session.execute(insert(Attendance.__table__), chunk)
            attendance_created += len(chunk)
            batch.processed = min(batch.total, batch.processed + len(chunk))
            if progress:
                progress()

    batch.created = plan.count("create")
    batch.merged = plan.count("merge")
    batch.rejected = plan.count("reject")
    batch.attendance_created = attendance_created
    batch.skipped = (sum(1 for r in plan.rows if r.attendance == "exists")
                     if batch.kind == ImportKind.ATTENDANCE else 0)
    batch.processed = batch.total
    batch.status = ImportStatus.DONE
    session.flush()
    if attendance_created:
        from joren.platform.jobs import enqueue_after_commit

        # the register changed outside check-in: refresh everyone's engagement once
        enqueue_after_commit(session, "joren.workers.engagement_jobs.recompute_community",
                             tenant_id)
    return batch


def mark_failed(session: Session, batch_id: int, message: str) -> None:
    batch = session.get(ImportBatch, batch_id)
    if batch is not None:
        batch.status = ImportStatus.FAILED
        batch.error = message[:2000]
