"""The migrations build exactly the schema the models describe, and unwind cleanly.

A blank SQLite file always; when DATABASE_URL points at PostgreSQL, also a scratch database
created on that server for this test and dropped after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import joren.models  # noqa: F401
from joren.platform.config import normalise_database_url
from joren.platform.db import Base

ROOT = Path(__file__).resolve().parents[2]


def _alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'blank.sqlite3'}"


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql")):
        pytest.fail("postgres_url is only requested when DATABASE_URL is PostgreSQL")
    server = make_url(normalise_database_url(configured))
    name = f"joren_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _databases() -> list[str]:
    targets = ["sqlite_url"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
        targets.append("postgres_url")
    return targets


def _schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("database", _databases())
def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(request, database):
    url = request.getfixturevalue(database)
    cfg = _alembic_config(url)

    command.upgrade(cfg, "head")

    assert set(Base.metadata.tables) <= _tables(url)
    assert _schema_differences(url) == []

    command.downgrade(cfg, "base")

    assert _tables(url) <= {"alembic_version"}


def test_there_is_one_head_starting_from_the_initial_migration():
    scripts = ScriptDirectory.from_config(_alembic_config("sqlite://"))
    assert len(scripts.get_heads()) == 1
    assert [s.revision for s in scripts.walk_revisions()][-1] == "0001"


def test_the_blank_database_really_differs_before_upgrade(sqlite_url):
    """The comparison used above does see a missing schema (so its empty result means something)."""
    differences = _schema_differences(sqlite_url)
    added = {d[1].name for d in differences if d[0] == "add_table"}
    assert set(Base.metadata.tables) <= added


def _policies(url: str) -> dict[tuple[str, str], tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {(table, name): (qual, check) for table, name, qual, check in conn.execute(
                text("SELECT tablename, policyname, coalesce(qual, ''), "
                     "coalesce(with_check, '') FROM pg_policies "
                     "WHERE schemaname = current_schema()"))}
    finally:
        engine.dispose()


def test_migrated_policies_are_the_ones_the_code_defines(request):
    """On PostgreSQL the policies the migrations leave are exactly those
    ``enable_row_level_security`` writes (the settings read once per statement, 0031), and
    downgrading 0031 writes back the per-row form."""
    if "postgres_url" not in _databases():
        pytest.skip("PostgreSQL only: DATABASE_URL is not PostgreSQL")
    from joren.platform.rls import create_session_members_function, enable_row_level_security

    url = request.getfixturevalue("postgres_url")
    cfg = _alembic_config(url)
    command.upgrade(cfg, "head")
    migrated = _policies(url)
    assert migrated and all("SELECT current_setting" in qual + check
                            for qual, check in migrated.values())

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            enable_row_level_security(conn)
    finally:
        engine.dispose()
    assert _policies(url) == migrated

    command.downgrade(cfg, "0030")
    before = _policies(url)
    # Tables made after 0031 (0033's data_changes, 0036's tag_verdicts) leave with their own
    # migrations.
    later = {"data_changes", "tag_verdicts"}
    assert set(before) == {key for key in migrated if key[0] not in later}
    assert not any("SELECT current_setting" in qual + check for qual, check in before.values())
    command.upgrade(cfg, "head")
    assert _policies(url) == migrated

    # The sign-in's function, likewise: PL/pgSQL since 0035 (its plan kept between calls),
    # exactly as ``rls`` writes it, and SQL again below 0035.
    migrated_function = _session_function(url)
    assert migrated_function[0] == "plpgsql"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            create_session_members_function(conn)
    finally:
        engine.dispose()
    assert _session_function(url) == migrated_function
    command.downgrade(cfg, "0034")
    assert _session_function(url)[0] == "sql"
    command.upgrade(cfg, "head")
    assert _session_function(url) == migrated_function


def _session_function(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT l.lanname, pg_get_functiondef(p.oid) FROM pg_proc p "
                "JOIN pg_language l ON l.oid = p.prolang "
                "WHERE p.proname = 'joren_session_members'")).one()
            return row[0], row[1]
    finally:
        engine.dispose()
