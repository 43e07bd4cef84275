"""accounts.deletion_requested_at: a person asked to delete their account (issue 17)

The account is deleted when the grace period after this time has passed, unless the person
cancels before. A plain column on a platform table (accounts have no row-level security).

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 13:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("deletion_requested_at", sa.DateTime(timezone=True),
                                        nullable=True))
    op.create_index("ix_accounts_deletion_requested_at", "accounts",
                    ["deletion_requested_at"])


def downgrade() -> None:
    op.drop_index("ix_accounts_deletion_requested_at", table_name="accounts")
    op.drop_column("accounts", "deletion_requested_at")
