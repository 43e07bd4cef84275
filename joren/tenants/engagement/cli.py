"""``joren engagement recompute [--community SLUG]``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from joren.platform.db import db
from joren.platform.identity.community import Community
from joren.platform.tenancy import set_tenant
from joren.tenants.engagement.services import recompute_community


@click.group("engagement")
def engagement_group() -> None:
    """Engagement levels (regulars, one-timers, lapsed regulars)."""


@engagement_group.command("recompute")
@click.option("--community", "slug", default=None, help="Only this community (its slug).")
@with_appcontext
def recompute(slug: str | None) -> None:
    """Recompute every member's engagement, for one community or all of them."""
    with db.sessionmaker() as session:
        stmt = select(Community.id, Community.slug).order_by(Community.id)
        if slug:
            stmt = stmt.where(Community.slug == slug)
        communities = session.execute(stmt).all()
    if slug and not communities:
        raise click.ClickException(f"No community with the address {slug!r}.")
    for community_id, community_slug in communities:
        with db.sessionmaker() as session:
            set_tenant(session, community_id)
            count = recompute_community(session)
            session.commit()
        click.echo(f"{community_slug}: {count} members recomputed.")


def register(app: Flask) -> None:
    app.cli.add_command(engagement_group)
