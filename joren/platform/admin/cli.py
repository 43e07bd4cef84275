"""Platform admin commands: ``joren create-admin EMAIL`` (an operator's action: audited)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from joren.platform.accountability import operator_command
from joren.platform.accounts.forms import PASSWORD_MAX, PASSWORD_MIN
from joren.platform.accounts.services import find_account
from joren.platform.admin.services import AdminError, make_platform_admin, normalized_email
from joren.platform.db import db

PROBLEMS = {
    "invalid_email": "That is not a valid email address.",
    "password_length": "The password must be between {min} and {max} characters.",
    "password_required": "A new account needs a password.",
}


def register(app: Flask) -> None:
    """Add the admin commands to the ``joren`` group."""
    app.cli.add_command(create_admin)


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
@operator_command
def create_admin(email: str, password_stdin: bool) -> None:
    """Create a platform admin account for EMAIL, or promote the existing account.

    A new account asks for a password; an existing one keeps its password unless
    --password-stdin gives a new one.
    """
    session = db.sessionmaker()
    try:
        try:
            email = normalized_email(email)
            password: str | None = None
            if password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            elif find_account(session, email) is None:
                password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            account, created = make_platform_admin(session, email, password)
        except AdminError as exc:
            session.rollback()
            message = PROBLEMS[exc.code].format(min=PASSWORD_MIN, max=PASSWORD_MAX)
            raise click.ClickException(message) from exc
        session.commit()
        verb = "Created" if created else "Promoted"
        click.echo(f"{verb} platform admin {account.email}. The admin pages are at /admin/.")
    finally:
        session.close()
