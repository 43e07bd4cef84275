"""CSV import of members and past attendance: the life of a batch from upload to the job.

Upload (decode and store) → mapping (columns to fields, optionally saved as a preset) → dry
run (the plan, plan.py) → confirm (enqueue the job, which runs write.py). Matching an existing
member: by email, else by family + given name + reading + company (matching.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_after_commit
from joren.platform.membership.models import Member
from joren.tenants.imports.columns import FIELDS, mapping_problems
from joren.tenants.imports.csv_decode import CsvFileError, decode, read_rows, sniff_delimiter
from joren.tenants.imports.models import (
    ImportBatch,
    ImportKind,
    ImportPreset,
    ImportStatus,
)
from joren.tenants.imports.plan import ImportError_, Plan, beyond_plan, build_plan
from joren.tenants.imports.rows import batch_rows

PREVIEW_ROWS = 300


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
    if batch.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
        raise ImportError_(_("Check the preview before importing."))
    plan = build_plan(session, batch)
    if plan.rejected and not valid_only:
        raise ImportError_(_("Some rows cannot be imported. Tick “Import only the valid rows” "
                             "to import the others, or fix the file and upload it again."))
    if plan.count("reject") == len(plan.rows):
        raise ImportError_(_("No row can be imported."))
    problem = beyond_plan(session, batch, plan)
    if problem:
        raise ImportError_(problem)
    batch.valid_only = valid_only
    batch.status = ImportStatus.RUNNING
    batch.processed = batch.created = batch.merged = batch.skipped = 0
    batch.attendance_created = 0
    batch.error = ""
    start_run(session, batch)


IMPORT_JOB = "joren.workers.import_jobs.run_import"
# A running batch that has not moved for this long is looked at by the sweep
# (joren.workers.import_jobs): a chunk of 1,000 rows takes about a second.
STALE_AFTER = timedelta(minutes=30)


def start_run(session: Session, batch: ImportBatch) -> None:
    """Number a new run of ``batch`` and enqueue its job (with that number, and an id made of
    it) when the transaction commits."""
    batch.runs = (batch.runs or 0) + 1
    batch.progressed_at = utcnow()
    session.flush()
    enqueue_after_commit(session, IMPORT_JOB, batch.tenant_id, batch.id, batch.runs,
                         queue="default", job_id=batch.job_id)


def stale_runs(session: Session, now: datetime | None = None,
               limit: int = 500) -> list[tuple[int, int, int]]:
    """(community id, batch id, run) of running batches that have not moved for
    ``STALE_AFTER``. The caller runs this unscoped (all communities)."""
    cutoff = (now or utcnow()) - STALE_AFTER
    moved = func.coalesce(ImportBatch.progressed_at, ImportBatch.created_at)
    return [(int(t), int(b), int(r)) for t, b, r in session.execute(
        select(ImportBatch.tenant_id, ImportBatch.id, ImportBatch.runs)
        .where(ImportBatch.status == ImportStatus.RUNNING, moved < cutoff)
        .order_by(moved).limit(limit))]
