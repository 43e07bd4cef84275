"""privacy_notices, consent_records: the community's privacy notice (利用目的) in versions and
each person's consent history (issue 17)

Both are tenant tables: row-level security with the tenant_isolation policy on PostgreSQL.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = (
    "current_setting('joren.bypass', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
)


def _secure(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "{table}" '
               f"USING ({CONDITION}) WITH CHECK ({CONDITION})")


def upgrade() -> None:
    op.create_table(
        "privacy_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "published_by_id"], ["members.tenant_id", "members.id"],
            name=op.f("fk_privacy_notices_tenant_id_published_by_id_members")),
        sa.ForeignKeyConstraint(["tenant_id"], ["communities.id"],
                                name=op.f("fk_privacy_notices_tenant_id_communities"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notices")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_privacy_notices_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "version",
                            name=op.f("uq_privacy_notices_tenant_id_version")),
    )
    op.create_index(op.f("ix_privacy_notices_tenant_id"), "privacy_notices", ["tenant_id"])
    _secure("privacy_notices")
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("surface", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"], ["members.tenant_id", "members.id"],
            name=op.f("fk_consent_records_tenant_id_member_id_members"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "notice_id"], ["privacy_notices.tenant_id", "privacy_notices.id"],
            name=op.f("fk_consent_records_tenant_id_notice_id_privacy_notices")),
        sa.ForeignKeyConstraint(["tenant_id"], ["communities.id"],
                                name=op.f("fk_consent_records_tenant_id_communities"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(op.f("ix_consent_records_tenant_id"), "consent_records", ["tenant_id"])
    op.create_index("ix_consent_records_tenant_member_recorded", "consent_records",
                    ["tenant_id", "member_id", "recorded_at"])
    _secure("consent_records")


def downgrade() -> None:
    op.drop_index("ix_consent_records_tenant_member_recorded", table_name="consent_records")
    op.drop_index(op.f("ix_consent_records_tenant_id"), table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_index(op.f("ix_privacy_notices_tenant_id"), table_name="privacy_notices")
    op.drop_table("privacy_notices")
