"""organizers' notes on members; a receipt's addressee (宛名) and honorific

One tenant table, member_notes (what an organizer noted about a member, and whether it
records a follow-up), with row-level security on PostgreSQL exactly as 0004 set it up: ENABLE
and FORCE, and the tenant_isolation policy on the transaction's joren.tenant_id (or
joren.bypass). Two columns on payments: receipt_addressee (empty: the member's own name) and
receipt_honorific ("sama" 様 or "onchu" 御中).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = (
    "current_setting('joren.bypass', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
)


def _secure(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY tenant_isolation ON "{table}" '
        f"USING ({CONDITION}) WITH CHECK ({CONDITION})"
    )


def upgrade() -> None:
    op.create_table(
        "member_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("contacted", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "author_id"], ["members.tenant_id", "members.id"],
            name=op.f("fk_member_notes_tenant_id_author_id_members"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"],
            name=op.f("fk_member_notes_tenant_id_member_id_members"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["communities.id"],
            name=op.f("fk_member_notes_tenant_id_communities"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_notes")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_member_notes_tenant_id_id")),
    )
    with op.batch_alter_table("member_notes", schema=None) as batch_op:
        batch_op.create_index("ix_member_notes_tenant_member_created",
                              ["tenant_id", "member_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_notes_tenant_id"), ["tenant_id"],
                              unique=False)
    _secure("member_notes")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_addressee", sa.String(length=200),
                                      server_default="", nullable=False))
        batch_op.add_column(sa.Column("receipt_honorific", sa.String(length=8),
                                      server_default="sama", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("receipt_honorific")
        batch_op.drop_column("receipt_addressee")
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS tenant_isolation ON "member_notes"')
    with op.batch_alter_table("member_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_notes_tenant_id"))
        batch_op.drop_index("ix_member_notes_tenant_member_created")
    op.drop_table("member_notes")
