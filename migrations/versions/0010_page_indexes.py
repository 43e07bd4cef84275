"""indexes for the big-community pages (issue 14): attendance counted by meetup and status,
members counted by status and role

The meetups console counts each shown meetup's attendance by status, the relationships
ledger reads recent meetups' attendees by status, and the members list and console dashboard
count members by status and look for a member of a role; each read the whole table
before. Plain indexes: nothing to do for row-level security.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-06 11:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_attendances_tenant_meetup_status", "attendances",
                    ["tenant_id", "meetup_id", "status"], unique=False)
    op.create_index("ix_members_tenant_status_role", "members",
                    ["tenant_id", "status", "role"], unique=False)
    op.create_index("ix_members_tenant_role", "members", ["tenant_id", "role"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_members_tenant_role", table_name="members")
    op.drop_index("ix_members_tenant_status_role", table_name="members")
    op.drop_index("ix_attendances_tenant_meetup_status", table_name="attendances")
