"""The community switcher in the navbar: the signed-in person's communities, read with the
account itself (accounts.signed_in, through ``remember``), else at most once per request and
only when a page shows the switcher."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.local import LocalProxy

from joren.platform.accounts.memberships import Membership, list_memberships
from joren.platform.db import db


def remember(memberships: list[Membership], every: list[Membership] | None = None) -> None:
    """The signed-in person's active communities (and ``every`` membership, whatever its
    status), read together with their account."""
    g.my_communities = memberships
    if every is not None:
        g.every_membership = every


def every_membership(session: Any, account_id: int) -> list[Membership]:
    """Every community the account belongs to, whatever the status (the account page): as
    read with the signed-in account in this request, else from the database."""
    found = g.get("every_membership")
    if found is not None and getattr(current_user, "id", None) == account_id:
        return found  # type: ignore[no-any-return]
    return list_memberships(session, account_id)


def my_communities() -> list[Membership]:
    """The signed-in person's active communities, loaded on first use and kept for the request.

    A separate short-lived session keeps this cross-community read away from the request's
    own session, which the edge may have bound to one community.
    """
    if "my_communities" not in g:
        if not current_user.is_authenticated:
            g.my_communities = []
        else:
            try:
                with db.sessionmaker() as own:
                    g.my_communities = [
                        m for m in list_memberships(own, current_user.id) if m.is_active
                    ]
            except SQLAlchemyError:  # the navbar must not take the page (or error page) down
                current_app.logger.exception("could not list the communities for the navbar")
                g.my_communities = []
    return g.my_communities


def inject_my_communities() -> dict[str, Any]:
    """``my_communities`` for every template: a proxy, so a page without the switcher (or a
    signed-out visitor) costs no query, and one that shows it queries once (my_communities)."""
    return {"my_communities": LocalProxy(my_communities)}
