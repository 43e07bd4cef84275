"""public sharing: event pictures and the public contact

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:44:02

Two tenant tables: event_images (the picture of one series or one meetup; the file lives in
the storage under a key that starts with the community's id) and public_contacts (whom a
visitor of the public pages can ask). On PostgreSQL each gets row-level security as 0004 set
it up: ENABLE and FORCE, and the tenant_isolation policy on the transaction's joren.tenant_id
(or joren.bypass).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("event_images", "public_contacts")
CONDITION = (
    "current_setting('joren.bypass', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
)


def _secure() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(
            f'CREATE POLICY tenant_isolation ON "{table}" '
            f"USING ({CONDITION}) WITH CHECK ({CONDITION})"
        )


def upgrade() -> None:
    op.create_table(
        "public_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_url", sa.String(length=500), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_public_contacts_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_contacts")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_public_contacts_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_public_contacts_tenant_id")),
    )
    with op.batch_alter_table("public_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_contacts_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "event_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("meetup_id", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(series_id IS NULL) <> (meetup_id IS NULL)", name=op.f("ck_event_images_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meetup_id"],
            ["meetups.tenant_id", "meetups.id"],
            name=op.f("fk_event_images_tenant_id_meetup_id_meetups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "series_id"],
            ["meetup_series.tenant_id", "meetup_series.id"],
            name=op.f("fk_event_images_tenant_id_series_id_meetup_series"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_event_images_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_images")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_event_images_storage_key")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_event_images_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "meetup_id", name=op.f("uq_event_images_tenant_id_meetup_id")
        ),
        sa.UniqueConstraint(
            "tenant_id", "series_id", name=op.f("uq_event_images_tenant_id_series_id")
        ),
    )
    with op.batch_alter_table("event_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_images_tenant_id"), ["tenant_id"], unique=False)

    _secure()


def downgrade() -> None:
    with op.batch_alter_table("event_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_images_tenant_id"))

    op.drop_table("event_images")
    with op.batch_alter_table("public_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_contacts_tenant_id"))

    op.drop_table("public_contacts")
