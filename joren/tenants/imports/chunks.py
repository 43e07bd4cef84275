"""Chunked writes: how many rows go into one multi-row INSERT, slicing a list into chunks, and
the progress stored after each chunk.

The size is read when a chunking starts, so a test can make chunks small."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from joren.platform.db import utcnow
from joren.tenants.imports.models import ImportBatch

CHUNK = 1000


def chunks(items: list[Any]) -> Iterable[list[Any]]:
    size = CHUNK
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Progress:
    """The batch's ``processed`` count, stored after each chunk with one UPDATE and then
    handed to ``commit`` (the job passes ``session.commit``) so the progress page sees it.

    The batch object is never read again after a commit has expired it: that would reload
    it (one read per chunk) and, before its stored file was deferred, the whole file."""

    def __init__(self, session: Session, batch: ImportBatch,
                 commit: Callable[[], None] | None) -> None:
        self.session, self.batch, self.commit = session, batch, commit
        self.batch_id, self.total, self.done = batch.id, batch.total, batch.processed

    def advance(self, rows: int) -> None:
        self.done = min(self.total, self.done + rows)
        table = ImportBatch.__table__
        now = utcnow()
        self.session.execute(update(table).where(table.c.id == self.batch_id)
                             .values(processed=self.done, progressed_at=now))
        set_committed_value(self.batch, "processed", self.done)
        set_committed_value(self.batch, "progressed_at", now)
        if self.commit:
            self.commit()
