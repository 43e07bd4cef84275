"""import_batches.runs and progressed_at: an import whose job was lost is resumed or failed
by a sweep instead of staying "running" for ever

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 07:00:00

``runs`` counts the jobs started for a batch (each job carries its number, so a job outlived by
a newer one does nothing); ``progressed_at`` is when the batch last moved (confirmed, resumed
or a chunk written). Existing batches get runs 0 and no time: a running one among them is
judged by its creation time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | Sequence[str] | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("runs", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("progressed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("progressed_at")
        batch.drop_column("runs")
