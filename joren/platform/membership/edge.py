"""The edge: resolve the community once per request from ``/c/<slug>/...`` and check roles.

Every tenant blueprint is registered under the blueprint ``community_blueprint`` builds.
The community is loaded here, the session is bound to it (so the ORM guard filters every
query), and the signed-in person's membership is looked up. Views get ``g.community`` and
``g.membership``. For a signed-in person both come with the account, in the one statement
that loads it (``resolved_with_sign_in``); a visitor costs one statement for the community.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from joren.platform.db import db
from joren.platform.identity.community import Community
from joren.platform.membership.capabilities import Capability, has_capability
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.tenancy import set_tenant

F = TypeVar("F", bound=Callable[..., Any])

def _pull_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values is not None:
        g.community_slug = values.pop("slug", None)


def _add_slug(endpoint: str, values: dict[str, Any]) -> None:
    if "slug" not in values and g.get("community") is not None:
        values["slug"] = g.community.slug


_RESOLVED = "_edge_resolved"


def resolved_with_sign_in(slug: str, community: Community | None,
                          membership: Member | None) -> None:
    """Hand the edge the community of ``slug`` and the membership there, read together with
    the signed-in person (accounts.signed_in) so that the edge need not read them again."""
    if membership is not None and (community is None or membership.tenant_id != community.id):
        raise ValueError("a membership must belong to the community it is handed with")
    g.setdefault(_RESOLVED, (slug, community, membership))


def _resolve_community() -> None:
    slug = g.get("community_slug")
    # Asking who is signed in loads the account together with this community and the
    # membership in it (one statement, accounts.signed_in), which lands in g.
    signed_in = current_user.is_authenticated
    resolved = g.pop(_RESOLVED, None)
    if signed_in and resolved is not None and resolved[0] == slug:
        _, community, membership = resolved
        if community is None or community.deleted_at is not None:
            abort(404)  # a deleted community's tombstone is nobody's page
        set_tenant(db.session, community.id)
    else:
        community = db.session.scalar(select(Community).where(Community.slug == slug))
        if community is None or community.deleted_at is not None:
            abort(404)
        set_tenant(db.session, community.id)
        membership = None
        if signed_in:
            membership = db.session.scalar(
                select(Member).where(Member.account_id == current_user.id)
            )
    g.community = community
    g.membership = membership


def active_membership() -> Member | None:
    membership: Member | None = g.get("membership")
    if membership is None or membership.status == MemberStatus.INACTIVE:
        return None
    return membership


def member_required(view: F) -> F:
    """Signed-in members (any role) of this community; others are sent to sign in or refused."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if active_membership() is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(minimum: Role) -> Callable[[F], F]:
    """Members whose role is at least ``minimum`` (owner > organizer > staff > member)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            membership = active_membership()
            if membership is None or not membership.role.at_least(minimum):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def require(capability: Capability, *, post: Capability | None = None) -> Callable[[F], F]:
    """Members who hold ``capability`` (``post``: a different one for POST requests).

    Anonymous visitors are sent to sign in; a member of this community whose role falls short
    gets 403 (the community is theirs, so hiding it would mislead); another community's
    objects still answer 404 in the view. The needs are kept on the view as
    ``required_capabilities`` so that tests can check every console route declares them.
    """
    needs = {"GET": capability, "POST": post or capability}

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            need = needs["POST"] if request.method == "POST" else needs["GET"]
            if not has_capability(active_membership(), need):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_capabilities = needs  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def can(capability: str) -> bool:
    """For templates: whether the signed-in member may use ``capability`` here."""
    return has_capability(g.get("membership"), Capability(capability))


def community_blueprint(children: Iterable[Blueprint]) -> Blueprint:
    """``/c/<slug>/…``: the edge's hooks, with every tenant feature's blueprint under it.

    Built anew for each app (tests build many), so no app sees another's nesting."""
    bp = Blueprint("community", __name__, url_prefix="/c/<slug>")
    bp.url_value_preprocessor(_pull_slug)
    bp.url_defaults(_add_slug)
    bp.before_request(_resolve_community)
    bp.add_app_template_global(can)
    for child in children:
        bp.register_blueprint(child)
    return bp


def get_or_404(model: type[Any], object_id: int) -> Any:
    """Fetch a tenant-owned row by id; another community's id is simply not found (404)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj
