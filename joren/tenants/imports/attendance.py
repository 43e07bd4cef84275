"""Writing an attendance file: the meetups it names that do not exist yet, then the new
attendance rows, in chunks (one multi-row INSERT each).

A day without a meetup gets one at 19:00 local time, titled from the file or, failing that,
"Meetup of <date>" in the community's language (it is stored text, not shown per reader).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert
from sqlalchemy.orm import Session

from joren.platform.identity.community import community_of
from joren.platform.rls import refresh_key_statistics
from joren.tenants.imports.bulk import insert_rows
from joren.tenants.imports.chunks import Progress, chunks
from joren.tenants.imports.matching import local_day
from joren.tenants.imports.models import ImportBatch
from joren.tenants.imports.plan import Plan
from joren.tenants.meetups.models import Attendance, Meetup
from joren.tenants.meetups.signals import attendance_imported


def write_attendance(session: Session, batch: ImportBatch, plan: Plan,
                     new_ids: dict[int, int], now: datetime, counter: Progress) -> int:
    """Create the missing meetups, then the attendance not yet recorded (one multi-row
    INSERT per chunk, then the progress); how many rows."""
    tenant_id = batch.tenant_id
    meetup_by_day = dict(plan.meetup_by_day)
    titles = _missing_meetups(plan, meetup_by_day)
    if titles:
        community = community_of(session, tenant_id)
        made = _create_meetups(session, tenant_id, titles, community.zone,
                               community.default_language, now)
        meetup_by_day.update(made)
        batch.meetups_created = sorted(made.values())
    rows = _new_attendance(plan, new_ids, meetup_by_day)
    if rows:
        # the job may just have written thousands of members and meetups: without fresh
        # statistics each row's foreign-key checks can walk every member of the community
        refresh_key_statistics(session.connection(), members=len({r[1] for r in rows}),
                               meetups=len({r[0] for r in rows}))
    shared = {"tenant_id": tenant_id, "note": "", "substitute_name": "", "created_at": now}
    for chunk in chunks(rows):
        insert_rows(session, Attendance.__table__, ("meetup_id", "member_id", "status"), chunk,
                    shared=shared)
        counter.advance(len(chunk))
    if rows:
        attendance_imported.send(session, tenant_id=tenant_id,
                                 meetup_ids=sorted({r[0] for r in rows}))
    return len(rows)


def _missing_meetups(plan: Plan, meetup_by_day: dict[date, int]) -> dict[date, str]:
    """The days the file names without a meetup, each with the first title given for it."""
    titles: dict[date, str] = {}
    for r in plan.rows:
        if r.action != "reject" and r.meetup_date not in meetup_by_day:
            titles.setdefault(r.meetup_date, r.meetup_title)  # type: ignore[arg-type]
            if r.meetup_title and not titles[r.meetup_date]:  # type: ignore[index]
                titles[r.meetup_date] = r.meetup_title  # type: ignore[index]
    return titles


def _create_meetups(session: Session, tenant_id: int, titles: dict[date, str], tz: ZoneInfo,
                    language: str, now: datetime) -> dict[date, int]:
    """Insert one meetup per day; the ids of the new ones by day."""
    meetup_rows = []
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
    meetups = Meetup.__table__
    # one multi-row INSERT per chunk (RETURNING makes it so); the rows, in no promised order,
    # are told apart by their day
    stmt = insert(meetups).returning(meetups.c.id, meetups.c.starts_at)
    made: dict[date, int] = {}
    for chunk in chunks(meetup_rows):
        made.update((local_day(m.starts_at, tz), m.id) for m in session.execute(stmt, chunk))
    return made


def _new_attendance(plan: Plan, new_ids: dict[int, int],
                    meetup_by_day: dict[date, int]) -> list[tuple[int, int, str]]:
    """The attendance to insert, (meetup, member, status): one per pair not yet recorded."""
    existing_pairs = set(plan.attended)
    rows = []
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
        rows.append((meetup_id, member_id, r.status.value))  # type: ignore[union-attr]
    return rows
