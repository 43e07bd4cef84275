"""audit_entries: the console's audit log (issue 17), append-only for the app's role

On PostgreSQL the app's role may read and add a community's entries (row-level security, as
every tenant table) but has no policy to change or delete them; only the retention purge,
which runs with the bypass setting, deletes old ones.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT = "tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
BYPASS = "current_setting('joren.bypass', true) = 'on'"


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_member_id", sa.Integer(), nullable=True),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["communities.id"],
                                name=op.f("fk_audit_entries_tenant_id_communities"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_tenant_id"), "audit_entries", ["tenant_id"])
    op.create_index("ix_audit_entries_tenant_created", "audit_entries",
                    ["tenant_id", "created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE "audit_entries" ENABLE ROW LEVEL SECURITY')
        op.execute('ALTER TABLE "audit_entries" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY audit_read ON "audit_entries" FOR SELECT '
                   f"USING ({BYPASS} OR {TENANT})")
        op.execute(f'CREATE POLICY audit_add ON "audit_entries" FOR INSERT '
                   f"WITH CHECK ({BYPASS} OR {TENANT})")
        op.execute(f'CREATE POLICY audit_purge ON "audit_entries" FOR DELETE USING ({BYPASS})')


def downgrade() -> None:
    op.drop_index("ix_audit_entries_tenant_created", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_tenant_id"), table_name="audit_entries")
    op.drop_table("audit_entries")
