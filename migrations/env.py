"""Alembic environment: Joren's models are the target; the URL comes from the app's config.

`joren db upgrade` passes the configured DATABASE_URL; run as plain `alembic`, this reads
DATABASE_URL (or falls back to the embedded SQLite file). Tests may hand over an open
connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

import logging
import os
from logging.config import fileConfig
from pathlib import Path
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection

import joren.models  # noqa: F401 - every model registers its table on Base.metadata
from joren.platform.config import load_config
from joren.platform.db import Base, UTCDateTime

ROOT = Path(__file__).resolve().parents[1]
config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    environ = {"DATABASE_URL": os.environ.get("DATABASE_URL", "")}
    return str(load_config(str(ROOT / "instance"), environ)["DATABASE_URL"])


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write UTCDateTime as the plain column type it stores, so migrations import no app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def migrate(connection: Connection) -> None:
    """Run the migrations. On SQLite, foreign keys are off meanwhile: a batch migration copies
    a table and drops the old one, and with foreign keys on that DROP would delete or null the
    rows that refer to it. Whatever the migrations left inconsistent is checked afterwards."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # outside any transaction, or SQLite ignores the pragma
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.connection.driver_connection.execute(
                "PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left broken foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        migrate(given)
        return
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        migrate(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
