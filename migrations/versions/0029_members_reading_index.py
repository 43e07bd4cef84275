"""a community's members by status in reading order, read from an index alone (issue 14)

Lists of the members with one status (dues, the directory, the console's member list) are
sorted by reading (kana, then name, then id). This index holds those columns after
(tenant, status), so the page's members are chosen from the index without reading every
member's wide row. A plain index: nothing to do for row-level security.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 19:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_members_tenant_status_reading"
COLUMNS = ["tenant_id", "status", "family_name_kana", "given_name_kana", "family_name", "id"]


def upgrade() -> None:
    op.create_index(NAME, "members", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index(NAME, table_name="members")
