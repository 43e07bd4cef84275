"""retention_settings.audit_days: a community's own audit log period (issue 17)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("retention_settings") as batch:
        batch.add_column(sa.Column("audit_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("retention_settings") as batch:
        batch.drop_column("audit_days")
