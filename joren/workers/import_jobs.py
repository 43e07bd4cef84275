"""The CSV import job: writes a previewed batch in chunks, committing progress as it goes.

Each chunk is committed so the progress page sees it; the plan is idempotent, so a retried or
re-run job continues without duplicating members or attendance.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.tenants.imports import write
from joren.workers.context import tenant_job


@tenant_job
def run_import(session: Session, batch_id: int) -> str | None:
    try:
        batch = write.run_import(session, batch_id, progress=session.commit)
    except Exception as exc:
        session.rollback()
        write.mark_failed(session, batch_id, f"{type(exc).__name__}: {exc}")
        session.commit()
        raise
    return batch.status.value if batch else None
