"""deferred jobs: jobs that wait in the database while Redis is unreachable

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deferred_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column("job_name", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deferred_jobs")),
    )
    op.create_index("ix_deferred_jobs_created", "deferred_jobs", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deferred_jobs_created", table_name="deferred_jobs")
    op.drop_table("deferred_jobs")
