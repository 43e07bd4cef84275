"""A picture per series or per meetup, and the organizer's public contact."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joren.platform.db import Base, Timestamped, intpk
from joren.platform.tenancy import TenantScoped


class EventImage(TenantScoped, Timestamped, Base):
    """The picture of one series or one meetup (a meetup without its own shows its series').

    ``storage_key`` starts with the community's id; the file itself lives in the storage
    (platform/storage.py) and is only ever read through this row, so another community's
    picture is a 404 like any other of its rows.
    """

    __tablename__ = "event_images"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "series_id"),
        UniqueConstraint("tenant_id", "meetup_id"),
        UniqueConstraint("storage_key"),
        CheckConstraint("(series_id IS NULL) <> (meetup_id IS NULL)", name="one_owner"),
        ForeignKeyConstraint(
            ["tenant_id", "series_id"], ["meetup_series.tenant_id", "meetup_series.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "meetup_id"], ["meetups.tenant_id", "meetups.id"], ondelete="CASCADE",
        ),
    )

    id: Mapped[intpk]
    series_id: Mapped[int | None] = mapped_column()
    meetup_id: Mapped[int | None] = mapped_column()
    storage_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    byte_size: Mapped[int] = mapped_column()


class PublicContact(TenantScoped, Timestamped, Base):
    """Whom a visitor of the public pages can ask: a name, and an email address or a page."""

    __tablename__ = "public_contacts"
    __table_args__ = (UniqueConstraint("tenant_id"), UniqueConstraint("tenant_id", "id"))

    id: Mapped[intpk]
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_url: Mapped[str] = mapped_column(String(500), default="")

    @property
    def is_set(self) -> bool:
        return bool(self.contact_email or self.contact_url)
