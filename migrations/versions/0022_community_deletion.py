"""communities: an owner deletes the community, after a grace period (issue 17)

``deletion_requested_at`` (and by which account): the community closes — no new registrations
or members, no scheduled emails — until the grace period ends; the daily job then erases it
and sets ``deleted_at``. The row stays as a tombstone: payment records kept for tax law point
at it, and its slug is never given to another community. ``deletion_stripe_step`` and
``deletion_stripe_error``: what Joren still has to tell Stripe, retried daily until done.
A plain platform table (communities have no row-level security).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deletion_requested_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("deletion_requested_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deletion_stripe_step", sa.String(length=20),
                                      server_default="", nullable=False))
        batch_op.add_column(sa.Column("deletion_stripe_error", sa.String(length=500),
                                      server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("deletion_stripe_error")
        batch_op.drop_column("deletion_stripe_step")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("deletion_requested_by_id")
        batch_op.drop_column("deletion_requested_at")
