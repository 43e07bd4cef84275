"""The import job's work: check the plan again, write new members and filled-in blanks in
chunks, then (attendance files) meetups and attendance, and record the summary.

The plan is rebuilt from the database at the start, so a retried or re-run job continues
without duplicating members or attendance.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.names import member_search_key, romaji_search_key
from joren.tenants.imports.attendance import write_attendance
from joren.tenants.imports.chunks import chunks
from joren.tenants.imports.matching import MemberIndex
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus
from joren.tenants.imports.plan import FILLABLE, Plan, beyond_plan, build_plan
from joren.tenants.imports.rows import Person


def run_import(session: Session, batch_id: int, *,
               progress: Callable[[], None] | None = None) -> ImportBatch | None:
    """Write the plan: new members, filled-in blanks, missing meetups and attendance.

    ``progress`` (the job passes ``session.commit``) is called after each chunk so the
    progress page sees ``processed`` move."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status != ImportStatus.RUNNING:
        return None
    plan = build_plan(session, batch)
    problem = _why_not(session, batch, plan)
    if problem:
        batch.status, batch.error = ImportStatus.FAILED, problem
        return batch
    now = utcnow()
    _insert_members(session, batch, plan.new_people, now, progress)
    _fill_blanks(session, batch.tenant_id, plan.merges)
    attendance_created = 0
    if batch.kind == ImportKind.ATTENDANCE:
        new_ids = _inserted_ids(session, plan.new_people)
        attendance_created = write_attendance(session, batch, plan, new_ids, now, progress)
    _record_summary(batch, plan, attendance_created)
    session.flush()
    if attendance_created:
        # the register changed outside check-in: refresh everyone's engagement once
        enqueue_after_commit(session, "joren.workers.engagement_jobs.recompute_community",
                             batch.tenant_id)
    return batch


def mark_failed(session: Session, batch_id: int, message: str) -> None:
    batch = session.get(ImportBatch, batch_id)
    if batch is not None:
        batch.status = ImportStatus.FAILED
        batch.error = message[:2000]


def _why_not(session: Session, batch: ImportBatch, plan: Plan) -> str:
    """Why nothing may be written (empty when the import can go on)."""
    if plan.rejected and not batch.valid_only:
        return _("Some rows cannot be imported.")
    # members may have been added since the preview: then write nothing
    return beyond_plan(session, batch, plan)


def _insert_members(session: Session, batch: ImportBatch, people: list[Person],
                    now: datetime, progress: Callable[[], None] | None) -> None:
    """Insert the new people, in chunks; an attendance file makes them guests."""
    status = MemberStatus.GUEST if batch.kind == ImportKind.ATTENDANCE else MemberStatus.MEMBER
    rows = [{
        "tenant_id": batch.tenant_id, "role": Role.MEMBER.value, "status": status.value,
        "email": p.email or None, "family_name": p.family_name, "given_name": p.given_name,
        "family_name_kana": p.family_name_kana, "given_name_kana": p.given_name_kana,
        "name_romaji": romaji_search_key(p.family_name_kana, p.given_name_kana),
        "company": p.company, "title": p.title, "industry": p.industry, "joined_at": now,
        "created_at": now,
    } for p in people]
    for chunk in chunks(rows):
        session.execute(insert(Member.__table__), chunk)
        if batch.kind == ImportKind.MEMBERS:
            batch.processed = min(batch.total, batch.processed + len(chunk))
            if progress:
                progress()


def _fill_blanks(session: Session, tenant_id: int, merges: dict[int, Person]) -> None:
    """Fill in blanks of existing members (never overwriting what is there), in chunks."""
    if not merges:
        return
    current = {m.id: m for m in session.execute(
        select(Member.id, Member.email, Member.family_name, Member.given_name,
               Member.family_name_kana, Member.given_name_kana, Member.company, Member.title,
               Member.industry)
        .where(Member.id.in_(list(merges))))}
    updates = [row for member_id, fill in merges.items()
               if (row := _filled(member_id, current.get(member_id), fill))]
    members = Member.__table__
    stmt = (update(members)
            .where(and_(members.c.id == bindparam("b_id"), members.c.tenant_id == tenant_id))
            .values(**{k: bindparam(k) for k in (*FILLABLE, "name_romaji", "search_key")}))
    for chunk in chunks(updates):
        session.connection().execute(stmt, chunk)


def _filled(member_id: int, cur: Any, fill: Person) -> dict[str, Any] | None:
    """The member's fillable columns with their blanks filled in, or None if none change."""
    if cur is None:
        return None
    values = {k: getattr(fill, k) for k in FILLABLE if getattr(fill, k) and not getattr(cur, k)}
    if not values:
        return None
    row = {k: getattr(cur, k) for k in FILLABLE}
    row.update(values)
    row["name_romaji"] = romaji_search_key(row["family_name_kana"], row["given_name_kana"])
    row["search_key"] = member_search_key(cur.family_name, cur.given_name,
                                          row["family_name_kana"], row["given_name_kana"],
                                          row["name_romaji"], row["company"])
    row["b_id"] = member_id
    return row


def _inserted_ids(session: Session, people: list[Person]) -> dict[int, int]:
    """The ids of the new people by their index in the plan: one query, matched the way
    the plan told them apart."""
    if not people:
        return {}
    index = MemberIndex.load(session, newest_wins=True)
    found = ((idx, index.inserted(p)) for idx, p in enumerate(people))
    return {idx: member_id for idx, member_id in found if member_id is not None}


def _record_summary(batch: ImportBatch, plan: Plan, attendance_created: int) -> None:
    batch.created = plan.count("create")
    batch.merged = plan.count("merge")
    batch.rejected = plan.count("reject")
    batch.attendance_created = attendance_created
    batch.skipped = (sum(1 for r in plan.rows if r.attendance == "exists")
                     if batch.kind == ImportKind.ATTENDANCE else 0)
    batch.processed = batch.total
    batch.status = ImportStatus.DONE
