"""A community's own retention periods (retention.py); without a row, the installation's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform import pagecache
from joren.platform.db import Base, Timestamped, UTCDateTime, intpk, utcnow
from joren.platform.tenancy import TenantScoped


class RetentionSettings(TenantScoped, Timestamped, Base):
    __tablename__ = "retention_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[intpk]
    import_days: Mapped[int | None] = mapped_column(default=None)
    outbox_days: Mapped[int | None] = mapped_column(default=None)
    audit_days: Mapped[int | None] = mapped_column(default=None)


class ActorKind:
    """Who did it: a member in the console, a Joren operator on the platform admin pages, or
    an operator's ``joren`` command on the server."""

    MEMBER = "member"
    OPERATOR = "operator"
    CLI = "cli"


class AuditEntry(TenantScoped, Base):
    """One thing done that changed data or took personal data out: who, when, from where,
    what, and the changed fields before and after (audit.py). Done in a community's console,
    or by a Joren operator (platform admin pages, ``joren`` commands): an operator's entry
    about a community's data carries that community (its owners see it, the actor shown as
    "Joren operator"); one about no community (an account, the installation) carries none and
    only operators see it. Append-only: the app's database role may add and read entries,
    never change them, and delete them only in the retention purge (audit_log.purge)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_tenant_created", "tenant_id", "created_at"),
                      Index("ix_audit_entries_actor_kind_created", "actor_kind", "created_at"))

    id: Mapped[intpk]
    # No community for an operator's action on no community's data (migration 0024).
    tenant_id: Mapped[int | None] = mapped_column(  # type: ignore[assignment]
        ForeignKey("communities.id", ondelete="CASCADE"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(10), default=ActorKind.MEMBER,
                                            server_default=ActorKind.MEMBER)
    # Plain ids, no foreign keys: an entry outlives the member or account it names.
    actor_member_id: Mapped[int | None] = mapped_column(default=None)
    actor_account_id: Mapped[int | None] = mapped_column(default=None)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(8), default="")
    path: Mapped[str] = mapped_column(String(500), default="")
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, bulk, export, erase
    entity: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[int | None] = mapped_column(default=None)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# The log's rows mark no community's kept pages, so a download, which records itself here,
# leaves them alone; its download is computed on every view, and its page, kept, reads the
# log's state (entries, newest id) again on every view (views.audit_page).
pagecache.shown_on_no_kept_page(AuditEntry)
