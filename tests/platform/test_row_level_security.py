"""PostgreSQL's row-level security, the way an operator sets it up: migrations run as the
owner (MIGRATION_DATABASE_URL), the app connects as a role that owns nothing, `joren db
upgrade` grants that role what it needs, and `joren db check` says whether it is protected.

On SQLite there is no row-level security; `joren db check` says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from joren.models import Community, CommunityKind, Member
from joren.platform.rls import refresh_key_statistics
from joren.platform.tenancy import tenant_tables
from tests.platform.test_migrations import postgres_url  # noqa: F401 - a fixture

JOREN = Path(sys.executable).with_name("joren")
APP_LOGIN = "joren_rls_probe"


def _joren(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "SMTP_URL", "DATABASE_URL", "MIGRATION_DATABASE_URL")}
    environ.update(JOREN_ENV="development", **env)
    return subprocess.run([str(JOREN), *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=180)


def test_db_check_on_sqlite_says_the_orm_guard_stands_alone(tmp_path):
    result = _joren(["db", "check"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 0, result.stderr
    assert "ORM guard alone" in result.stdout


if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):

    @pytest.fixture()
    def app_role_url(postgres_url):  # noqa: F811
        owner = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with owner.connect() as conn:
            conn.exec_driver_sql(
                f"DO $$ BEGIN CREATE ROLE {APP_LOGIN} LOGIN; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
        owner.dispose()
        return make_url(postgres_url).set(username=APP_LOGIN, password=None).render_as_string(
            hide_password=False)

    def test_the_app_role_sees_only_the_community_in_scope(tmp_path, postgres_url,  # noqa: F811
                                                           app_role_url):
        upgrade = _joren(["db", "upgrade"], tmp_path, DATABASE_URL=app_role_url,
                         MIGRATION_DATABASE_URL=postgres_url)
        assert upgrade.returncode == 0, upgrade.stderr
        assert f"Granted {APP_LOGIN} access" in upgrade.stdout

        owner = create_engine(postgres_url)
        with owner.begin() as conn:
            protected = set(conn.scalars(text(
                "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname "
                "WHERE c.relrowsecurity AND c.relforcerowsecurity "
                "AND p.policyname IN ('tenant_isolation', 'audit_read')")))
            assert protected == set(tenant_tables())
            # The audit log is append-only: read and add, no policy to change or delete.
            assert set(conn.scalars(text(
                "SELECT policyname FROM pg_policies WHERE tablename = 'audit_entries'"))) == {
                "audit_read", "audit_add", "audit_purge"}
            ids = [conn.execute(insert(Community.__table__).values(
                slug=slug, name=slug, kind=CommunityKind.STUDY_GROUP)).inserted_primary_key[0]
                for slug in ("rls-a", "rls-b")]
            for tenant_id in ids:
                conn.execute(insert(Member.__table__).values(tenant_id=tenant_id,
                                                             family_name="山田"))
        owner.dispose()

        app = create_engine(app_role_url)
        try:
            with app.begin() as conn:
                assert conn.scalar(text("SELECT count(*) FROM members")) == 0
                conn.execute(text("SELECT set_config('joren.tenant_id', :t, true)"),
                             {"t": str(ids[0])})
                assert list(conn.scalars(text("SELECT tenant_id FROM members"))) == [ids[0]]
                assert conn.execute(text("UPDATE members SET company = 'x' "
                                         "WHERE tenant_id = :t"), {"t": ids[1]}).rowcount == 0
                conn.execute(text(
                    "INSERT INTO audit_entries (tenant_id, created_at, actor_name, ip, method, "
                    "path, action, entity, changes) VALUES (:t, now(), '', '', 'POST', '/', "
                    "'update', 'members', '{}')"), {"t": ids[0]})
                assert conn.scalar(text("SELECT count(*) FROM audit_entries")) == 1
                assert conn.execute(text("UPDATE audit_entries SET actor_name = 'x'")
                                    ).rowcount == 0
                assert conn.execute(text("DELETE FROM audit_entries")).rowcount == 0
            with app.begin() as conn:  # the app may ask for the two tables' statistics
                # (it owns neither, so its own ANALYZE would only warn and skip them)
                refresh_key_statistics(conn, members=2, meetups=0)
                assert conn.scalar(text("SELECT reltuples FROM pg_class "
                                        "WHERE relname = 'members'")) == 2
            with app.begin() as conn:  # the setting ended with the transaction
                assert conn.scalar(text("SELECT count(*) FROM members")) == 0
                conn.execute(text("SELECT set_config('joren.bypass', 'on', true)"))
                assert conn.scalar(text("SELECT count(*) FROM members")) == 2
            with pytest.raises(DBAPIError, match="row-level security"), app.begin() as conn:
                conn.execute(text("SELECT set_config('joren.tenant_id', :t, true)"),
                             {"t": str(ids[0])})
                conn.execute(text("UPDATE members SET tenant_id = :other"), {"other": ids[1]})
        finally:
            app.dispose()

        checked = _joren(["db", "check"], tmp_path, DATABASE_URL=app_role_url)
        assert checked.returncode == 0, checked.stderr
        assert "Row-level security applies" in checked.stdout
        refused = _joren(["db", "check"], tmp_path, DATABASE_URL=postgres_url)
        assert refused.returncode != 0
        assert "superuser" in refused.stderr
