"""CSV import batches (one uploaded file on its way in) and saved column-mapping presets."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk
from joren.platform.tenancy import TenantScoped


def _enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(cls, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])


class ImportKind(enum.StrEnum):
    MEMBERS = "members"
    ATTENDANCE = "attendance"


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    MAPPED = "mapped"
    PREVIEWED = "previewed"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def run_job_id(tenant_id: int, batch_id: int, run: int) -> str:
    return f"import-{tenant_id}-{batch_id}-{run}"


class ImportBatch(TenantScoped, Timestamped, Base):
    __tablename__ = "import_batches"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(
            ["tenant_id", "created_by_id"], ["members.tenant_id", "members.id"],
            ondelete="SET NULL",
        ),
    )

    id: Mapped[intpk]
    created_by_id: Mapped[int | None] = mapped_column()
    kind: Mapped[ImportKind] = mapped_column(_enum(ImportKind))
    filename: Mapped[str] = mapped_column(String(255), default="")
    encoding: Mapped[str] = mapped_column(String(20), default="")
    delimiter: Mapped[str] = mapped_column(String(1), default=",")
    status: Mapped[ImportStatus] = mapped_column(_enum(ImportStatus),
                                                 default=ImportStatus.UPLOADED)
    # the decoded file (megabytes): loaded only when read, never by the progress page
    text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    mapping: Mapped[list[str] | None] = mapped_column(JSON)  # one field key per column
    valid_only: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    attendance_created: Mapped[int] = mapped_column(default=0)
    meetups_created: Mapped[list[int] | None] = mapped_column(JSON)  # meetups made by this file
    error: Mapped[str] = mapped_column(Text, default="")
    # jobs started for this batch (each job carries its number: an outlived one does nothing)
    runs: Mapped[int] = mapped_column(default=0, server_default="0")
    # when the batch last moved (confirmed, resumed, a chunk written): the sweep's clock
    progressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def job_id(self) -> str:
        """The RQ job id of this batch's current run."""
        return run_job_id(self.tenant_id, self.id, self.runs)

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status.value, "total": self.total,
                "processed": self.processed, "created": self.created, "merged": self.merged,
                "rejected": self.rejected, "skipped": self.skipped,
                "attendance_created": self.attendance_created, "percent": self.percent,
                "failed": self.status == ImportStatus.FAILED}


class ImportPreset(TenantScoped, Timestamped, Base):
    __tablename__ = "import_presets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "kind", "name"),
        ForeignKeyConstraint(
            ["tenant_id", "created_by_id"], ["members.tenant_id", "members.id"],
            ondelete="SET NULL",
        ),
    )

    id: Mapped[intpk]
    created_by_id: Mapped[int | None] = mapped_column()
    kind: Mapped[ImportKind] = mapped_column(_enum(ImportKind))
    name: Mapped[str] = mapped_column(String(80))
    # header text (as in the file) -> field key
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
