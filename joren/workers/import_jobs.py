"""The CSV import job: writes a previewed batch in chunks, committing progress as it goes.

Each chunk is committed so the progress page sees it; the plan is idempotent, so a retried or
re-run job continues without duplicating members or attendance.

A batch whose job is gone would otherwise say "running" for ever: RQ retries a job whose
worker was killed (``Retry(max=3)``) but, once those retries are spent or Redis has lost the
job, nothing runs the batch again and the organizer cannot start it again either (only a
failed batch can be confirmed anew). ``sweep_imports`` (cron, every 10 minutes) looks at the
batches that have not moved for ``STALE_AFTER``: a batch whose job is still queued, running or
waiting for a retry is left alone; one whose job Redis no longer knows is resumed (a new
numbered run: the plan is rebuilt from the database, so rows already written are not written
twice); one whose job failed or ended without finishing the batch is marked failed, so that the
organizer sees it and may start it again from the preview.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform import jobs as platform_jobs
from joren.platform.tenancy import unscoped
from joren.tenants.imports import services, write
from joren.tenants.imports.models import ImportBatch, ImportStatus, run_job_id
from joren.workers.context import platform_job, tenant_job

SWEEP_EVERY_MINUTES = 10
RESUME_JOB = "joren.workers.import_jobs.resume_import"


@tenant_job
def run_import(session: Session, batch_id: int, run: int | None = None) -> str | None:
    try:
        batch = write.run_import(session, batch_id, progress=session.commit, run=run)
    except Exception as exc:
        session.rollback()
        write.mark_failed(session, batch_id, f"{type(exc).__name__}: {exc}")
        session.commit()
        raise
    return batch.status.value if batch else None


@platform_job
def sweep_imports(session: Session) -> int:
    """For cron: resume or fail the running batches whose job is gone (see the module's
    docstring); returns how many were handed to ``resume_import`` (each run once)."""
    with unscoped(session):
        stale = services.stale_runs(session)
    handed = 0
    for tenant_id, batch_id, run in stale:
        state = platform_jobs.job_state(run_job_id(tenant_id, batch_id, run))
        if state in platform_jobs.WAITING_STATES:
            continue
        job = platform_jobs.enqueue_now(RESUME_JOB, tenant_id, batch_id, run, state is None,
                                        queue=platform_jobs.PERIODIC_QUEUE,
                                        job_id=f"import-sweep-{tenant_id}-{batch_id}-{run}",
                                        unique_for=3600)  # once per run
        handed += job is not None
    return handed


@tenant_job
def resume_import(session: Session, batch_id: int, run: int, lost: bool) -> str:
    """Start run ``run + 1`` of a batch whose job Redis lost, or mark the batch failed when its
    job failed or ended without finishing it. Nothing happens if the batch moved on since the
    sweep looked (another run started, or it finished)."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status != ImportStatus.RUNNING or batch.runs != run:
        return "moved on"
    if lost:
        services.start_run(session, batch)
        return "resumed"
    write.mark_failed(session, batch_id,
                      f"run {run}: its job ended without finishing the import "
                      "(the worker was stopped or killed); start it again from the preview")
    return "failed"
