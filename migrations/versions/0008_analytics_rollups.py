"""analytics rollups: the analytics page reads stored aggregates, kept current by jobs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:06

Four tenant tables (engagement_rollup_states, engagement_meetup_rollups,
engagement_member_rollups, engagement_cohort_rollups). On PostgreSQL each gets row-level
security exactly as 0004 set it up for the tables of its time: ENABLE and FORCE, and the
tenant_isolation policy on the transaction's joren.tenant_id (or joren.bypass). They start
empty: the first engagement recompute (nightly, or ``joren engagement rebuild-rollups``)
fills them, and until then the page computes its figures from the register.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "engagement_rollup_states",
    "engagement_meetup_rollups",
    "engagement_member_rollups",
    "engagement_cohort_rollups",
)
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
        "engagement_cohort_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_engagement_cohort_rollups_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_cohort_rollups")),
        sa.UniqueConstraint(
            "tenant_id",
            "first_month",
            "month",
            name=op.f("uq_engagement_cohort_rollups_tenant_id_first_month_month"),
        ),
    )
    with op.batch_alter_table("engagement_cohort_rollups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagement_cohort_rollups_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "engagement_rollup_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regular_min", sa.Integer(), nullable=False),
        sa.Column("regular_window", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_engagement_rollup_states_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_rollup_states")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_engagement_rollup_states_tenant_id")),
    )
    with op.batch_alter_table("engagement_rollup_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagement_rollup_states_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "engagement_member_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_month", sa.Integer(), nullable=True),
        sa.Column("first_position", sa.Integer(), nullable=True),
        sa.Column("second_position", sa.Integer(), nullable=True),
        sa.Column("first_walk_in", sa.Boolean(), nullable=False),
        sa.Column("contribution", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_engagement_member_rollups_tenant_id_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_engagement_member_rollups_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_member_rollups")),
        sa.UniqueConstraint(
            "tenant_id", "member_id", name=op.f("uq_engagement_member_rollups_tenant_id_member_id")
        ),
    )
    with op.batch_alter_table("engagement_member_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engagement_member_rollups_tenant_first_month",
            ["tenant_id", "first_month"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_engagement_member_rollups_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "engagement_meetup_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("first_timers", sa.Integer(), nullable=False),
        sa.Column("returners", sa.Integer(), nullable=False),
        sa.Column("regulars", sa.Integer(), nullable=False),
        sa.Column("going", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meetup_id"],
            ["meetups.tenant_id", "meetups.id"],
            name=op.f("fk_engagement_meetup_rollups_tenant_id_meetup_id_meetups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_engagement_meetup_rollups_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_meetup_rollups")),
        sa.UniqueConstraint(
            "tenant_id", "meetup_id", name=op.f("uq_engagement_meetup_rollups_tenant_id_meetup_id")
        ),
    )
    with op.batch_alter_table("engagement_meetup_rollups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagement_meetup_rollups_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_engagement_meetup_rollups_tenant_position", ["tenant_id", "position"], unique=False
        )
    _secure()


def downgrade() -> None:
    with op.batch_alter_table("engagement_meetup_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_meetup_rollups_tenant_position")
        batch_op.drop_index(batch_op.f("ix_engagement_meetup_rollups_tenant_id"))

    op.drop_table("engagement_meetup_rollups")
    with op.batch_alter_table("engagement_member_rollups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_member_rollups_tenant_id"))
        batch_op.drop_index("ix_engagement_member_rollups_tenant_first_month")

    op.drop_table("engagement_member_rollups")
    with op.batch_alter_table("engagement_rollup_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_rollup_states_tenant_id"))

    op.drop_table("engagement_rollup_states")
    with op.batch_alter_table("engagement_cohort_rollups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_cohort_rollups_tenant_id"))

    op.drop_table("engagement_cohort_rollups")
