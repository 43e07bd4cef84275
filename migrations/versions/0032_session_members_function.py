"""joren_session_members(): the sign-in lookup reads one session's memberships without the bypass

A signed-in request read its session, account, community and memberships in one statement
(accounts/signed_in.py), but that statement crosses communities (the navbar's switcher), so
on PostgreSQL it ran with ``joren.bypass`` on: one round trip to set it, and another to put
the transaction's scope back to the community of the URL. This SECURITY DEFINER function,
owned by the migrating role, returns the members rows of the account of ONE live session,
named by its id and the SHA-256 of its secret; the bypass is on inside it only (a function's
SET clause). Only the app role may execute it (``joren db upgrade`` grants it with the
tables). The argument for its safety is in joren/platform/rls.py. SQLite: nothing to do.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
CREATE OR REPLACE FUNCTION joren_session_members(session_id bigint, secret_hash text)
RETURNS SETOF members LANGUAGE sql STABLE SECURITY DEFINER
SET search_path FROM CURRENT SET joren.bypass TO 'on' AS $$
  SELECT m.* FROM account_sessions s JOIN members m ON m.account_id = s.account_id
  WHERE s.id = session_id AND s.token_hash = secret_hash AND s.revoked_at IS NULL
$$""")
    op.execute("REVOKE ALL ON FUNCTION joren_session_members(bigint, text) FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS joren_session_members(bigint, text)")
