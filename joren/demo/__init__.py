"""The demo community loaded by ``joren demo``."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from joren.demo import loader
from joren.demo.people import MEMBER_EMAIL, OWNER_EMAIL, PASSWORD, STAFF_EMAIL
from joren.platform import inprocess
from joren.platform.db import db
from joren.platform.urls import external_url


def register(app: Flask) -> None:
    """Add the demo command to the ``joren`` group."""
    app.cli.add_command(demo_command)


@click.command("demo")
@with_appcontext
@click.option("--reset", is_flag=True,
              help="Delete the demo community and its accounts, then load them again.")
def demo_command(reset: bool) -> None:
    """Load the demo community (大阪, about 120 members, a year of meetups). Idempotent."""
    started = time.monotonic()
    session = db.sessionmaker()
    try:
        summary = loader.load_demo(session, reset=reset)
        session.commit()
        if summary.created:
            # Without Redis the profiles' judging (queued by the load) runs in this process's
            # background runner: let it finish, so the first cycle reads its verdicts.
            inprocess.runner.drain()
            loader.first_introductions(session)
            session.commit()
    finally:
        session.close()
    if summary.created:
        click.echo(f"Loaded the demo community {summary.name} in "
                   f"{time.monotonic() - started:.1f}s.")
    else:
        click.echo(f"The demo community {summary.name} is already loaded "
                   "(use --reset to load it afresh).")
    click.echo(f"  {summary.members} members, {summary.meetups} meetups, "
               f"{summary.attendances} attendance records.")
    for line in sign_in_details(summary.slug):
        click.echo(line)


def sign_in_details(slug: str) -> list[str]:
    """Where to sign in and with what, on this installation's BASE_URL."""
    login = external_url("accounts.login")
    console = external_url("community.console.dashboard", slug=slug)
    portal = external_url("community.portal.home", slug=slug)
    return [
        "",
        f"Sign in at {login}",
        f"  organizer (owner): {OWNER_EMAIL}",
        f"  staff (check-in):  {STAFF_EMAIL}",
        f"  member (regular):  {MEMBER_EMAIL}",
        f"  password:          {PASSWORD}",
        f"Organizer console:   {console}",
        f"Member portal:       {portal}",
    ]
