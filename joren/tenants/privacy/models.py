"""A community's own retention periods (retention.py); without a row, the installation's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, UTCDateTime, intpk, utcnow
from joren.platform.tenancy import TenantScoped


class RetentionSettings(TenantScoped, Timestamped, Base):
    __tablename__ = "retention_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    import_days: Mapped[int | None] = mapped_column(default=None)
    outbox_days: Mapped[int | None] = mapped_column(default=None)


class AuditEntry(TenantScoped, Base):
    """One thing done in the console that changed data or took personal data out: who, when,
    from where, what, and the changed fields before and after (audit.py). Append-only: the
    app's database role may add and read entries, never change or delete them (the retention
    purge excepted)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Plain ids, no foreign keys: an entry outlives the member or account it names.
    actor_member_id: Mapped[int | None] = mapped_column(default=None)
    actor_account_id: Mapped[int | None] = mapped_column(default=None)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(8), default="")
    path: Mapped[str] = mapped_column(String(500), default="")
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, bulk, export
    entity: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[int | None] = mapped_column(default=None)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
