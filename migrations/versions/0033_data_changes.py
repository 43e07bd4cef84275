"""data_changes: one row per writing transaction of a community, the fingerprint of its cached
pages (issue 14)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 04:00:00

One tenant table, data_changes: every transaction that writes a community's rows appends a row
(weight 1, a random token); cached pages are keyed by the community's sum of weights and sum of
tokens (joren/platform/pagecache.py); each community that exists gets its first row here. Older rows are folded into newer ones by the app. On
SQLite the ids are never reused (AUTOINCREMENT). On PostgreSQL it gets row-level security as
0004 set it up and 0031 wrote it: ENABLE and FORCE, and the tenant_isolation policy on the
transaction's joren.tenant_id (or joren.bypass), each read once per statement.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | Sequence[str] | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "data_changes"
# As 0031 left every policy: the settings read once per statement (sub-SELECTs).
CONDITION = (
    "(SELECT current_setting('joren.bypass', true)) = 'on' "
    "OR tenant_id = (SELECT NULLIF(current_setting('joren.tenant_id', true), '')::integer)"
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_data_changes_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_changes_tenant_id"), ["tenant_id"],
                              unique=False)
    postgresql = op.get_bind().dialect.name == "postgresql"
    # Every community starts with one mark (a random token), so its pages are kept from the
    # first view on, not only after its first write.
    if postgresql:
        op.execute("INSERT INTO data_changes (tenant_id, weight, token) "
                   "SELECT id, 1, floor(random() * 1099511627776)::bigint FROM communities")
    else:
        op.execute("INSERT INTO data_changes (tenant_id, weight, token) "
                   "SELECT id, 1, abs(random()) % 1099511627776 FROM communities")
    if postgresql:
        op.execute(f'ALTER TABLE "{TABLE}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{TABLE}" FORCE ROW LEVEL SECURITY')
        op.execute(
            f'CREATE POLICY tenant_isolation ON "{TABLE}" '
            f"USING ({CONDITION}) WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_changes_tenant_id"))
    op.drop_table(TABLE)
