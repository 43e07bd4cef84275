"""PostgreSQL row-level security: the database's own tenant isolation (see SECURITY.md).

Every tenant table has ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and one policy that admits
a row only when its ``tenant_id`` is the transaction's ``joren.tenant_id`` setting, or when the
transaction is inside ``unscoped()`` (``joren.bypass`` = ``on``). The tenant guard
(``joren.platform.tenancy``) sets both with ``set_config(..., true)`` in every transaction.

The policies are created by migration 0004 (in their present form by 0031);
``enable_row_level_security`` builds the same on
a schema made with ``create_all`` (the tests). The web and worker processes must connect as a
role that owns no table and has neither SUPERUSER nor BYPASSRLS, or PostgreSQL skips the
policies: ``grant_app_role`` gives such a role what it needs, and ``isolation_problems``
says what is wrong with the role in use.

The app's role owns no table, so it cannot ANALYZE one. A large import takes the members and
meetups tables from a few rows to thousands within one job, before autovacuum has looked at
them; with statistics that say "a few rows", every index starting with ``tenant_id`` looks as
cheap as the unique ``(tenant_id, id)`` one, and the foreign-key check of each attendance row
may walk all of the community's members (measured: 4,999 rows removed by filter per check).
``joren_refresh_key_statistics`` (migration 0011, SECURITY DEFINER, executable by the app
role only) lets the app ask for what autovacuum would do anyway: ANALYZE of those two tables,
only when the planner believes they hold fewer rows than the caller is about to reference.
``joren_session_members`` (migration 0032, the same kind) gives the sign-in lookup one
session's memberships without the bypass (its security is argued beside its SQL below).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

POLICY = "tenant_isolation"
# Each setting is read in a sub-SELECT, so PostgreSQL evaluates it once per statement (an
# InitPlan) instead of calling current_setting() twice for every row it looks at: measured on
# a 200,000-row table as the app role, a scan took 47-53 ms with the bare calls and 18-20 ms
# with the sub-SELECTs (migration 0031 changes the existing policies to this form).
CONDITION = (
    "(SELECT current_setting('joren.bypass', true)) = 'on' "
    "OR tenant_id = (SELECT NULLIF(current_setting('joren.tenant_id', true), '')::integer)"
)


def tenant_table_names(connection: Connection) -> list[str]:
    """The tables of the current schema that carry a tenant_id column."""
    return list(connection.scalars(text(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name = 'tenant_id' "
        "ORDER BY table_name"
    )))


# Tables the app may read and add to but never change (migrations 0021, 0024): their own
# policies. No UPDATE policy at all; DELETE only in a transaction that set PURGE_SETTING (the
# retention purge, ``allow_purge``), not merely the bypass of ``unscoped()``.
APPEND_ONLY = {"audit_entries"}
PURGE_SETTING = "joren.audit_purge"
_PURGE = f"(SELECT current_setting('{PURGE_SETTING}', true)) = 'on'"
APPEND_ONLY_POLICIES = (
    ("audit_read", f"FOR SELECT USING ({CONDITION})"),
    ("audit_add", f"FOR INSERT WITH CHECK ({CONDITION})"),
    ("audit_purge", f"FOR DELETE USING ({_PURGE})"),
)


def allow_purge(connection: Connection) -> None:
    """Let this transaction delete append-only rows (PostgreSQL; the setting ends with it)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT set_config(:name, 'on', true)"),
                           {"name": PURGE_SETTING})


def enable_row_level_security(connection: Connection) -> list[str]:
    """Enable, force and define the tenant policy on every tenant table (idempotent)."""
    tables = tenant_table_names(connection)
    for table in tables:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        connection.exec_driver_sql(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        connection.exec_driver_sql(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        if table in APPEND_ONLY:
            for name, rule in APPEND_ONLY_POLICIES:
                connection.exec_driver_sql(f'DROP POLICY IF EXISTS {name} ON "{table}"')
                connection.exec_driver_sql(f'CREATE POLICY {name} ON "{table}" {rule}')
            continue
        connection.exec_driver_sql(
            f'CREATE POLICY {POLICY} ON "{table}" USING ({CONDITION}) WITH CHECK ({CONDITION})'
        )
    create_statistics_function(connection)
    create_session_members_function(connection)
    return tables


STATISTICS_FUNCTION = "joren_refresh_key_statistics"
# As migration 0011 creates it (kept equal; the migration keeps its own frozen copy).
STATISTICS_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION joren_refresh_key_statistics(members_expected bigint,
                                                        meetups_expected bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF (SELECT reltuples FROM pg_class WHERE oid = 'members'::regclass) < members_expected THEN
    ANALYZE members;
  END IF;
  IF (SELECT reltuples FROM pg_class WHERE oid = 'meetups'::regclass) < meetups_expected THEN
    ANALYZE meetups;
  END IF;
END $$;
REVOKE ALL ON FUNCTION joren_refresh_key_statistics(bigint, bigint) FROM PUBLIC;
"""


def create_statistics_function(connection: Connection) -> None:
    """The function that lets the app refresh the planner's statistics (see above)."""
    connection.exec_driver_sql(STATISTICS_FUNCTION_SQL)


SESSION_MEMBERS_FUNCTION = "joren_session_members"
# As migration 0035 creates it (kept equal; the migration keeps its own frozen copy).
#
# Why a signed-in request may read these rows without ``joren.bypass``: the sign-in lookup
# (accounts/signed_in.py) must read the person's memberships in every community (the navbar's
# switcher) before any community is in scope, which used to cost a set_config round trip to
# turn the bypass on, and another to turn it off. This function answers exactly that question
# and nothing wider:
# - it returns the members rows whose account is the account of ONE sign-in session, named by
#   its id AND the SHA-256 of its secret (the cookie's), and only while that session is not
#   revoked: without a session's secret it returns nothing, so it cannot be pointed at another
#   session or another person, and it never returns another person's membership, whatever
#   community;
# - the caller cannot widen it: no argument reaches SQL as text, the body is fixed, the
#   search path is pinned, and ``joren.bypass`` is on only inside it (a function's SET clause
#   is undone when it returns), so the caller's transaction keeps its own scope;
# - only the app role may execute it (REVOKE from PUBLIC; ``grant_app_role`` grants it).
# The app role could already turn the bypass on for itself (``unscoped()``): the function
# gives it nothing it did not have, it only lets the lookup ask in one round trip without
# lifting the policies for the rest of its statement.
# PL/pgSQL (migration 0035), not SQL: a SQL function with SET clauses is never inlined and is
# planned again on every call; a PL/pgSQL one keeps its query's plan for the connection
# (about 0.21 → 0.10 ms of the server's CPU a call).
SESSION_MEMBERS_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION joren_session_members(session_id bigint, secret_hash text)
RETURNS SETOF members LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path FROM CURRENT SET joren.bypass TO 'on' AS $$
BEGIN
  RETURN QUERY SELECT m.* FROM account_sessions s JOIN members m ON m.account_id = s.account_id
  WHERE s.id = $1 AND s.token_hash = $2 AND s.revoked_at IS NULL;
END
$$;
REVOKE ALL ON FUNCTION joren_session_members(bigint, text) FROM PUBLIC;
"""
APP_FUNCTIONS = (f"{STATISTICS_FUNCTION}(bigint, bigint)",
                 f"{SESSION_MEMBERS_FUNCTION}(bigint, text)")


def create_session_members_function(connection: Connection) -> None:
    """The function the sign-in lookup reads a session's memberships through (see above)."""
    connection.exec_driver_sql(SESSION_MEMBERS_FUNCTION_SQL)


def refresh_key_statistics(connection: Connection, *, members: int, meetups: int) -> None:
    """Before many rows that reference members and meetups by key (PostgreSQL): ANALYZE
    either table whose statistics count fewer rows than will be referenced, so the foreign
    key checks look rows up by the unique ``(tenant_id, id)`` index (one statement)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT {STATISTICS_FUNCTION}(:members, :meetups)"),
                           {"members": members, "meetups": meetups})


def grant_app_role(connection: Connection, role: str) -> None:
    """Let ``role`` read and write every table of the schema, now and after later migrations,
    without owning any of them (run as the owner)."""
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ):
        connection.exec_driver_sql(statement)
    for function in APP_FUNCTIONS:
        if connection.scalar(text("SELECT to_regprocedure(:f) IS NOT NULL"), {"f": function}):
            connection.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {function} TO {quoted}")


def isolation_problems(connection: Connection) -> list[str]:
    """Why row-level security would not apply to the connected role (empty when it does)."""
    if connection.dialect.name != "postgresql":
        return []
    problems = []
    role = connection.execute(text(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )).one()
    if role.rolsuper:
        problems.append(f"role {role.current_user} is a superuser")
    if role.rolbypassrls:
        problems.append(f"role {role.current_user} has BYPASSRLS")
    owned = connection.scalars(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
        "AND pg_get_userbyid(c.relowner) = current_user ORDER BY c.relname"
    )).all()
    if owned:
        problems.append(f"role {role.current_user} owns {len(owned)} tables ({owned[0]}, …)")
    unprotected = connection.scalars(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN information_schema.columns col ON col.table_name = c.relname "
        "AND col.table_schema = n.nspname AND col.column_name = 'tenant_id' "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
        "AND NOT (c.relrowsecurity AND c.relforcerowsecurity) ORDER BY c.relname"
    )).all()
    if unprotected:
        problems.append(f"{len(unprotected)} tenant tables have no row-level security "
                        f"({unprotected[0]}, …): run joren db upgrade")
    return problems
