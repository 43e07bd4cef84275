"""Joren's own commands of the ``joren`` command (database, admin, demo, workers, engagement);
the command itself is ``joren.app.main``, so this module needs nothing above it."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from joren.demo import register as register_demo
from joren.platform.admin.cli import register as register_admin
from joren.platform.db import db
from joren.platform.rls import grant_app_role, isolation_problems
from joren.tenants.engagement.cli import register as register_engagement
from joren.workers.cli import register as register_workers

ROOT = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """Where alembic.ini and migrations/ live: the source checkout, or, for an installed copy
    (the Docker image), the working directory."""
    for candidate in (ROOT, Path.cwd()):
        if (candidate / "alembic.ini").is_file() and (candidate / "migrations").is_dir():
            return candidate
    raise click.ClickException(
        "alembic.ini and migrations/ were not found next to the joren package nor in the "
        "current directory; run this command from the project folder."
    )


def migration_url() -> str:
    """The schema owner's address when it differs from the app's, else the app's."""
    return current_app.config.get("MIGRATION_DATABASE_URL") or current_app.config["DATABASE_URL"]


def alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    root = project_root()
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    cfg.set_main_option("sqlalchemy.url", migration_url().replace("%", "%%"))
    return cfg


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date (creates everything on a new database)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"Database is at {revision}.")
    app_role = _separate_app_role()
    if app_role:
        from sqlalchemy import create_engine

        engine = create_engine(migration_url())
        with engine.begin() as conn:
            grant_app_role(conn, app_role)
        engine.dispose()
        click.echo(f"Granted {app_role} access to the tables (it owns none of them).")


def _separate_app_role() -> str | None:
    """The app's PostgreSQL role, when migrations run as another one (the owner)."""
    from sqlalchemy.engine import make_url

    owner_url = current_app.config.get("MIGRATION_DATABASE_URL")
    if not owner_url:
        return None
    app_url, owner = make_url(current_app.config["DATABASE_URL"]), make_url(owner_url)
    if app_url.get_backend_name() != "postgresql" or app_url.username == owner.username:
        return None
    return app_url.username


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Say whether PostgreSQL's row-level security applies to the app's database role."""
    with db.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            click.echo("SQLite: tenant isolation rests on the ORM guard alone (no row-level "
                       "security).")
            return
        problems = isolation_problems(conn)
    if problems:
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        raise click.ClickException(
            "row-level security does not protect this role; see SECURITY.md")
    click.echo("Row-level security applies to this role on every tenant table.")


@db_group.command("revision")
@with_appcontext
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    command.revision(alembic_config(), message=message, autogenerate=True)


def register_commands(app: Flask) -> None:
    """Add Joren's commands to ``app.cli`` (create_app calls this; ``joren`` is joren.app.main)."""
    app.cli.add_command(db_group)
    register_admin(app)
    register_demo(app)
    register_workers(app)
    register_engagement(app)

