"""``joren engagement recompute [--community SLUG]`` (levels and the analytics rollups) and
``joren engagement rebuild-rollups [--community SLUG]`` (the rollups alone)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from joren.platform.db import db
from joren.platform.identity.community import Community
from joren.platform.tenancy import set_tenant
from joren.tenants.engagement.rollups.store import rebuild
from joren.tenants.engagement.services import recompute_community


@click.group("engagement")
def engagement_group() -> None:
    """Engagement levels (regulars, one-timers, lapsed regulars)."""


def _communities(slug: str | None) -> list[tuple[int, str]]:
    with db.sessionmaker() as session:
        stmt = select(Community.id, Community.slug).order_by(Community.id)
        if slug:
            stmt = stmt.where(Community.slug == slug)
        communities = [(row[0], row[1]) for row in session.execute(stmt)]
    if slug and not communities:
        raise click.ClickException(f"No community with the address {slug!r}.")
    return communities


@engagement_group.command("recompute")
@click.option("--community", "slug", default=None, help="Only this community (its slug).")
@with_appcontext
def recompute(slug: str | None) -> None:
    """Recompute every member's engagement and the analytics rollups, for one community or
    all of them."""
    for community_id, community_slug in _communities(slug):
        with db.sessionmaker() as session:
            set_tenant(session, community_id)
            count = recompute_community(session)
            rebuild(session)
            session.commit()
        click.echo(f"{community_slug}: {count} members recomputed.")


@engagement_group.command("rebuild-rollups")
@click.option("--community", "slug", default=None, help="Only this community (its slug).")
@with_appcontext
def rebuild_rollups(slug: str | None) -> None:
    """Rebuild the analytics rollups from the attendance register."""
    for community_id, community_slug in _communities(slug):
        with db.sessionmaker() as session:
            set_tenant(session, community_id)
            count = rebuild(session)
            session.commit()
        click.echo(f"{community_slug}: analytics rollups rebuilt ({count} people).")


def register(app: Flask) -> None:
    app.cli.add_command(engagement_group)
