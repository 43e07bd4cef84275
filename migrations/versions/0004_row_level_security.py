"""row-level security on every tenant table (PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 04:30:00

Every table with a tenant_id column gets ENABLE and FORCE ROW LEVEL SECURITY and one policy:
a row is visible and writable only when its tenant_id is the transaction's joren.tenant_id
setting, or inside unscoped() (joren.bypass = 'on'). The app sets both with
set_config(..., true) per transaction. SQLite has no row-level security: nothing to do there.
A later migration that adds a tenant table must add the same policy to it
(tests/platform/test_migrations.py checks that every tenant table has it).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = (
    "current_setting('joren.bypass', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
)


def _tenant_tables() -> list[str]:
    return [row[0] for row in op.get_bind().exec_driver_sql(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name = 'tenant_id' "
        "ORDER BY table_name"
    )]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _tenant_tables():
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON "{table}" '
                   f"USING ({CONDITION}) WITH CHECK ({CONDITION})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _tenant_tables():
        op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
