"""audit_entries: Joren operators' actions too (platform admin pages, `joren` commands)

- ``tenant_id`` may be empty: an operator's action on no community's data (an account, the
  installation). Row-level security already keeps such an entry from every community (its
  ``tenant_id`` never equals the transaction's community); only the bypass reads or adds it.
- ``actor_kind``: member (the console, and every entry written before), operator (the
  platform admin pages) or cli.
- The purge policy asks for its own setting (``joren.audit_purge``, set only by the retention
  purge for its transaction) instead of the general bypass, so no other unscoped statement of
  the app can delete an entry; nothing may update one.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BYPASS = "current_setting('joren.bypass', true) = 'on'"
PURGE = "current_setting('joren.audit_purge', true) = 'on'"


def upgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("tenant_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("actor_kind", sa.String(length=10), nullable=False,
                                   server_default="member"))
    op.create_index("ix_audit_entries_actor_kind_created", "audit_entries",
                    ["actor_kind", "created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS audit_purge ON "audit_entries"')
        op.execute(f'CREATE POLICY audit_purge ON "audit_entries" FOR DELETE USING ({PURGE})')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS audit_purge ON "audit_entries"')
        op.execute(f'CREATE POLICY audit_purge ON "audit_entries" FOR DELETE USING ({BYPASS})')
    op.execute("DELETE FROM audit_entries WHERE tenant_id IS NULL")
    op.drop_index("ix_audit_entries_actor_kind_created", table_name="audit_entries")
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("actor_kind")
        batch.alter_column("tenant_id", existing_type=sa.Integer(), nullable=False)
