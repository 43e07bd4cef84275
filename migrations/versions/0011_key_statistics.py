"""joren_refresh_key_statistics(): the app may ask PostgreSQL to ANALYZE members and meetups

The app's role owns no table, so it cannot ANALYZE. An attendance import takes the members
and meetups tables from a few rows to thousands in one job, before autovacuum looks at them;
the planner then believes they hold a few rows, every index starting with tenant_id looks as
good as the unique (tenant_id, id) one, and each attendance row's foreign-key check walked
all of the community's members (the import ran at ~1,000–3,000 rows a second).

This SECURITY DEFINER function, owned by the migrating role, runs ANALYZE on either table
only when the planner's row count is below what the caller is about to reference; nothing
else, no argument reaches SQL. Only the app role may execute it (``joren db upgrade`` grants
it with the tables). SQLite: nothing to do.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
CREATE OR REPLACE FUNCTION joren_refresh_key_statistics(members_expected bigint, meetups_expected bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF (SELECT reltuples FROM pg_class WHERE oid = 'members'::regclass) < members_expected THEN
    ANALYZE members;
  END IF;
  IF (SELECT reltuples FROM pg_class WHERE oid = 'meetups'::regclass) < meetups_expected THEN
    ANALYZE meetups;
  END IF;
END $$""")
    op.execute("REVOKE ALL ON FUNCTION joren_refresh_key_statistics(bigint, bigint) FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS joren_refresh_key_statistics(bigint, bigint)")
