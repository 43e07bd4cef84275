"""retention_settings: a community's own retention periods (issue 17)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = (
    "current_setting('joren.bypass', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
)


def upgrade() -> None:
    op.create_table(
        "retention_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_days", sa.Integer(), nullable=True),
        sa.Column("outbox_days", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["communities.id"],
                                name=op.f("fk_retention_settings_tenant_id_communities"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_retention_settings_tenant_id")),
    )
    op.create_index(op.f("ix_retention_settings_tenant_id"), "retention_settings",
                    ["tenant_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE "retention_settings" ENABLE ROW LEVEL SECURITY')
        op.execute('ALTER TABLE "retention_settings" FORCE ROW LEVEL SECURITY')
        op.execute('CREATE POLICY tenant_isolation ON "retention_settings" '
                   f"USING ({CONDITION}) WITH CHECK ({CONDITION})")


def downgrade() -> None:
    op.drop_index(op.f("ix_retention_settings_tenant_id"), table_name="retention_settings")
    op.drop_table("retention_settings")
