"""who came to and who is going to a meetup, read from an index alone (issue 14)

The (tenant, meetup, status) indexes of attendances and registrations gain member_id as
their last column, so the pages that list a meetup's people by status (the dashboard's unpaid
fees, the payments list, the register) read the member ids from the index instead of looking
up every row. Same names, plain indexes: nothing to do for row-level security.

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-06 16:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (("ix_attendances_tenant_meetup_status", "attendances"),
           ("ix_registrations_tenant_meetup_status", "registrations"))


def upgrade() -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, ["tenant_id", "meetup_id", "status", "member_id"],
                        unique=False)


def downgrade() -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, ["tenant_id", "meetup_id", "status"], unique=False)
