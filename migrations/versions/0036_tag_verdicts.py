"""tag verdicts: the trained verifier's verdict on each tag of a profile sentence, judged
once when the profile changes and read by every cycle (issue 15)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 20:30:00

One tenant table, tag_verdicts: per community, model version, side ("offer" / "need"), a
64-bit digest of the sentence's text and a vocabulary concept code, whether the verifier
vetoes that tag (joren/tenants/introductions/verifier.py, verdicts.py). Nothing to backfill:
a cycle judges in one batch whatever it does not find here. On PostgreSQL it gets row-level
security as 0004 set it up, with the policy in 0031's form: ENABLE and FORCE, and the
tenant_isolation policy on the transaction's joren.tenant_id (or joren.bypass). Deleting a
community deletes its verdicts (ON DELETE CASCADE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | Sequence[str] | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "tag_verdicts"
CONDITION = (
    "(SELECT current_setting('joren.bypass', true)) = 'on' "
    "OR tenant_id = (SELECT NULLIF(current_setting('joren.tenant_id', true), '')::integer)"
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("sentence", sa.BigInteger(), nullable=False),
        sa.Column("concept", sa.String(length=64), nullable=False),
        sa.Column("doubt", sa.Float(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_tag_verdicts_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_verdicts")),
        sa.UniqueConstraint(
            "tenant_id", "model_version", "side", "sentence", "concept",
            name=op.f("uq_tag_verdicts_tenant_id_model_version_side_sentence_concept"),
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_verdicts_tenant_id"), ["tenant_id"],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER TABLE "{TABLE}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{TABLE}" FORCE ROW LEVEL SECURITY')
        op.execute(
            f'CREATE POLICY tenant_isolation ON "{TABLE}" '
            f"USING ({CONDITION}) WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_verdicts_tenant_id"))
    op.drop_table(TABLE)
