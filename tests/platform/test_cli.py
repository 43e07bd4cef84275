"""The ``joren`` command: its listing, migrations from any folder, and create-admin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select

from joren.models import Account
from joren.platform.security import verify_password
from tests import factories

JOREN = Path(sys.executable).with_name("joren")


def _run_joren(args: list[str], cwd: Path, database_url: str) -> subprocess.CompletedProcess:
    assert JOREN.exists(), f"the joren console script is not installed next to {sys.executable}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SMTP_URL")}
    env.update(DATABASE_URL=database_url, JOREN_ENV="development")
    return subprocess.run([str(JOREN), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


# -- the command line itself ---------------------------------------------------------------

def test_help_lists_every_command_from_any_folder(tmp_path):
    result = _run_joren(["--help"], tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode == 0, result.stderr
    commands = result.stdout.split("Commands:")[1]
    listed = {line.split()[0] for line in commands.splitlines() if line.strip()}
    assert {"db", "run", "worker", "cron", "create-admin", "demo"} <= listed


def test_db_upgrade_creates_the_schema_from_another_folder(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    result = _run_joren(["db", "upgrade"], tmp_path, f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    engine = create_engine(f"sqlite:///{database}")
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"accounts", "communities", "members", "meetups", "attendances",
            "outbox_messages", "alembic_version"} <= tables


# -- create-admin ----------------------------------------------------------------------------

def _account(session, email):
    session.expire_all()
    return session.scalar(select(Account).where(Account.email == email))


def test_create_admin_creates_a_verified_admin_from_stdin(app, session):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "Root@Example.JP", "--password-stdin"],
        input="a long admin password\n",
    )
    assert result.exit_code == 0, result.output
    account = _account(session, "root@example.jp")
    assert account.is_platform_admin and account.is_verified
    assert verify_password(account.password_hash, "a long admin password")
    assert "Created platform admin root@example.jp" in result.output


def test_create_admin_prompts_for_the_password_twice(app, session):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "prompted@example.jp"],
        input="typed password 1\ntyped password 1\n",
    )
    assert result.exit_code == 0, result.output
    assert verify_password(_account(session, "prompted@example.jp").password_hash,
                           "typed password 1")


def test_create_admin_promotes_an_existing_account_keeping_its_password(app, session):
    existing = factories.account(session, "someone@example.jp")
    session.commit()
    before = (existing.password_hash, existing.session_token)

    result = app.test_cli_runner().invoke(args=["create-admin", "someone@example.jp"])

    assert result.exit_code == 0, result.output
    assert "Promoted" in result.output
    account = _account(session, "someone@example.jp")
    assert account.is_platform_admin
    assert (account.password_hash, account.session_token) == before


def test_create_admin_with_a_new_password_signs_the_account_out_elsewhere(app, session):
    existing = factories.account(session, "someone@example.jp")
    session.commit()
    old_token = existing.session_token
    result = app.test_cli_runner().invoke(
        args=["create-admin", "someone@example.jp", "--password-stdin"],
        input="a brand new password\n",
    )
    assert result.exit_code == 0, result.output
    account = _account(session, "someone@example.jp")
    assert verify_password(account.password_hash, "a brand new password")
    assert account.session_token != old_token


@pytest.mark.parametrize(("email", "password", "message"), [
    ("not-an-email", "long enough password", "not a valid email address"),
    ("short@example.jp", "short", "between 10 and 200 characters"),
    ("empty@example.jp", "", "between 10 and 200 characters"),
])
def test_create_admin_refuses_bad_input_and_changes_nothing(app, session, email, password,
                                                            message):
    result = app.test_cli_runner().invoke(
        args=["create-admin", email, "--password-stdin"], input=f"{password}\n")
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert session.scalar(select(Account).where(Account.is_platform_admin)) is None
    assert _account(session, email.lower()) is None
