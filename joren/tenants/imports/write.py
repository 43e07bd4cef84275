"""The import job's work: check the plan again, write new members and filled-in blanks in
chunks, then (attendance files) meetups and attendance, and record the summary.

The plan is rebuilt from the database at the start, so a retried or re-run job continues
without duplicating members or attendance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, update
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.models import Member, MemberStatus, Role, door_keys
from joren.platform.names import member_search_key, romaji_search_key
from joren.tenants.imports.attendance import write_attendance
from joren.tenants.imports.bulk import insert_rows
from joren.tenants.imports.chunks import Progress, chunks
from joren.tenants.imports.matching import FILLABLE
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus
from joren.tenants.imports.plan import Plan, beyond_plan, blanks_to_fill, build_plan
from joren.tenants.imports.rows import Person, name_key
from joren.tenants.members.signals import profiles_changed


def run_import(session: Session, batch_id: int, *,
               progress: Callable[[], None] | None = None,
               run: int | None = None) -> ImportBatch | None:
    """Write the plan: new members, filled-in blanks, missing meetups and attendance.

    ``progress`` (the job passes ``session.commit``) is called after each chunk so the
    progress page sees ``processed`` move. ``run`` is the run number the job was enqueued
    with: a job outlived by a newer run (the sweep resumed the batch) does nothing."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status != ImportStatus.RUNNING:
        return None
    if run is not None and batch.runs != run:
        return None
    plan = build_plan(session, batch)
    problem = _why_not(session, batch, plan)
    if problem:
        batch.status, batch.error = ImportStatus.FAILED, problem
        return batch
    tenant_id, kind = batch.tenant_id, batch.kind
    counter = Progress(session, batch, progress)
    now = utcnow()
    new_ids = _insert_members(session, tenant_id, kind, plan.new_people, now, counter)
    filled = _fill_blanks(session, tenant_id, plan)
    attendance_created = 0
    if kind == ImportKind.ATTENDANCE:
        attendance_created = write_attendance(session, batch, plan, new_ids, now, counter)
    _record_summary(batch, plan, attendance_created, counter.total)
    session.flush()
    written = {*new_ids.values(), *filled}
    if written:
        # One announcement for the whole batch (features that keep something computed from
        # profiles refresh them in one piece of work), not one per row.
        fields = {column for cols in filled.values() for column in cols}
        if new_ids:
            fields.update(_MEMBER_COLUMNS)
        profiles_changed.send(session, tenant_id=tenant_id, member_ids=sorted(written),
                              fields=frozenset(fields))
    if attendance_created:
        # the register changed outside check-in: refresh everyone's engagement once
        enqueue_after_commit(session, "joren.workers.engagement_jobs.recompute_community",
                             tenant_id)
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


_MEMBER_COLUMNS = ("email", "family_name", "given_name", "family_name_kana", "given_name_kana",
                   "name_romaji", "company", "title", "industry", "search_key",
                   "search_romaji", "search_romaji_given", "search_company")
DOOR_KEYS = ("search_romaji", "search_romaji_given", "search_company")
_MEMBER_RETURNING = ("id", "email", "family_name", "given_name", "family_name_kana",
                     "given_name_kana", "company")


def _member_row(p: Person) -> tuple[str | None, ...]:
    """One new person's values in ``_MEMBER_COLUMNS`` order; the hand-written INSERT runs no
    column defaults, so the door's search keys are computed here."""
    romaji = romaji_search_key(p.family_name_kana, p.given_name_kana)
    return (p.email or None, p.family_name, p.given_name, p.family_name_kana, p.given_name_kana,
            romaji, p.company, p.title, p.industry,
            member_search_key(p.family_name, p.given_name, p.family_name_kana or "",
                              p.given_name_kana or "", romaji, p.company or ""),
            *door_keys(romaji, p.company or "").values())


def _member_rows(people: list[Person]) -> list[tuple[str | None, ...]]:
    return [_member_row(p) for p in people]


def _member_rows_ahead(people: list[Person]) -> Iterator[list[tuple[str | None, ...]]]:
    """The rows of each chunk, computed ahead in a second thread: the search keys are pure
    Python, and the driver lets other threads run while it waits for the database, so the
    keys of the next chunks are computed while one is written (on a machine with a core to
    spare, the wall time is the larger of the two, not their sum; the CPU time is the same).
    """
    parts = list(chunks(people))
    if len(parts) < 2:
        yield from map(_member_rows, parts)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-keys") as pool:
        futures = [pool.submit(_member_rows, part) for part in parts]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:  # the job stopped early: no work for nothing
                future.cancel()


def _insert_members(session: Session, tenant_id: int, kind: ImportKind,
                    people: list[Person], now: datetime, counter: Progress) -> dict[int, int]:
    """Insert the new people, one multi-row INSERT per chunk (an attendance file makes them
    guests); their ids by their index in the plan."""
    status = MemberStatus.GUEST if kind == ImportKind.ATTENDANCE else MemberStatus.MEMBER
    shared = {"tenant_id": tenant_id, "role": Role.MEMBER.value, "status": status.value,
              "joined_at": now, "created_at": now}
    # The rows come back in no promised order: they are told apart as the plan told the new
    # people apart (by email, else by name, reading and company).
    index = {p.email or p.name_key(): idx for idx, p in enumerate(people)}
    # when everyone has an email, the email alone tells the rows apart
    returning = _MEMBER_RETURNING if not all(p.email for p in people) else ("id", "email")
    new_ids: dict[int, int] = {}
    for chunk in _member_rows_ahead(people):
        for m in insert_rows(session, Member.__table__, _MEMBER_COLUMNS, chunk, shared=shared,
                             returning=returning):
            key = m.email or name_key(m.family_name, m.given_name, m.family_name_kana or "",
                                      m.given_name_kana or "", m.company)
            new_ids[index[key]] = m.id
        if kind == ImportKind.MEMBERS:
            counter.advance(len(chunk))
    return new_ids


def _fill_blanks(session: Session, tenant_id: int, plan: Plan) -> dict[int, dict[str, str]]:
    """Fill in blanks of existing members (never overwriting what is there): per chunk, one
    UPDATE per column filled, ``SET column = CASE id WHEN … END`` over the chunk's members.
    Returns the columns written, per member."""
    fills = blanks_to_fill(plan)
    for member_id, cols in fills.items():
        # Whatever was filled, the romaji and the door's search key (Member.search_key) are
        # recomputed from the member's readings: a Core UPDATE must keep them current itself.
        now = dict(zip(FILLABLE, plan.members.fillable[member_id], strict=True)) | cols
        family, given = plan.members.names.get(member_id, ("", ""))
        cols["name_romaji"] = romaji = romaji_search_key(now["family_name_kana"] or "",
                                                         now["given_name_kana"] or "")
        cols["search_key"] = member_search_key(
            family, given, now["family_name_kana"] or "", now["given_name_kana"] or "",
            romaji, now["company"] or "")
        cols.update(door_keys(romaji, now["company"] or ""))
    members = Member.__table__
    for chunk in chunks(list(fills.items())):
        for column in (*FILLABLE, "name_romaji", "search_key", *DOOR_KEYS):
            values = {member_id: cols[column] for member_id, cols in chunk if column in cols}
            if values:
                session.execute(
                    update(members)
                    .where(members.c.tenant_id == tenant_id, members.c.id.in_(list(values)))
                    .values({column: case(values, value=members.c.id)}))
    return fills


def _record_summary(batch: ImportBatch, plan: Plan, attendance_created: int,
                    total: int) -> None:
    batch.created = plan.count("create")
    batch.merged = plan.count("merge")
    batch.rejected = plan.count("reject")
    batch.attendance_created = attendance_created
    batch.skipped = (sum(1 for r in plan.rows if r.attendance == "exists")
                     if batch.kind == ImportKind.ATTENDANCE else 0)
    batch.processed = total
    batch.status = ImportStatus.DONE
