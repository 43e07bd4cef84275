"""meetup fee tallies: the console's unpaid fees read one stored row per meetup (issue 14)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 22:10:00

One tenant table, meetup_fee_tallies: per meetup, how many people owe its fee (registered as
going or recorded as attending) and how many of them have no paid meetup fee. The app keeps it
current whenever it writes registrations, attendance or payments
(joren/tenants/payments/tallies.py); this migration counts it once from the rows that exist.
On PostgreSQL it gets row-level security as 0004 set it up: ENABLE and FORCE, and the
tenant_isolation policy on the transaction's joren.tenant_id (or joren.bypass).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "meetup_fee_tallies"
CONDITION = (
    "current_setting('joren.bypass', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
)
# The statuses as this revision stores them (RegistrationStatus.GOING, ATTENDED,
# PaymentKind.MEETUP_FEE, PaymentStatus.PAID).
BACKFILL = """
INSERT INTO meetup_fee_tallies (tenant_id, meetup_id, due, unpaid)
SELECT due.tenant_id, due.meetup_id, count(*), count(*) - count(paid.member_id)
FROM (
    SELECT tenant_id, meetup_id, member_id FROM registrations WHERE status = 'going'
    UNION
    SELECT tenant_id, meetup_id, member_id FROM attendances
    WHERE status IN ('present', 'late', 'walk_in')
) AS due
LEFT OUTER JOIN (
    SELECT DISTINCT tenant_id, meetup_id, member_id FROM payments
    WHERE kind = 'meetup_fee' AND status = 'paid' AND meetup_id IS NOT NULL
) AS paid
ON paid.tenant_id = due.tenant_id AND paid.meetup_id = due.meetup_id
   AND paid.member_id = due.member_id
GROUP BY due.tenant_id, due.meetup_id
"""


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("unpaid", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meetup_id"],
            ["meetups.tenant_id", "meetups.id"],
            name=op.f("fk_meetup_fee_tallies_tenant_id_meetup_id_meetups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_meetup_fee_tallies_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetup_fee_tallies")),
        sa.UniqueConstraint(
            "tenant_id", "meetup_id", name=op.f("uq_meetup_fee_tallies_tenant_id_meetup_id")
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetup_fee_tallies_tenant_id"), ["tenant_id"],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER TABLE "{TABLE}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{TABLE}" FORCE ROW LEVEL SECURITY')
        op.execute(
            f'CREATE POLICY tenant_isolation ON "{TABLE}" '
            f"USING ({CONDITION}) WITH CHECK ({CONDITION})"
        )
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetup_fee_tallies_tenant_id"))
    op.drop_table(TABLE)
