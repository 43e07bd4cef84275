"""A community's own retention periods (retention.py); without a row, the installation's."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, intpk
from joren.platform.tenancy import TenantScoped


class RetentionSettings(TenantScoped, Timestamped, Base):
    __tablename__ = "retention_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    import_days: Mapped[int | None] = mapped_column(default=None)
    outbox_days: Mapped[int | None] = mapped_column(default=None)
