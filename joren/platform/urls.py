"""Absolute links, always on BASE_URL.

Emails, calendar feeds and the addresses handed to Stripe leave the request that made them:
a job sends them later, with no request at all, and a request's own Host header is whatever
the client (or a proxy in front of the app) put there. So every absolute link is built from
BASE_URL's scheme, host, port and path prefix, never from the request and never from
``SERVER_NAME`` (production does not set it; Flask's ``url_for(..., _external=True)`` then
fails outside a request and follows the Host header inside one).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request
from werkzeug.routing import MapAdapter

__all__ = ["external_url", "site_host"]


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` on BASE_URL, the same inside a request or a job.

    Takes what ``url_for`` takes: a blueprint-relative endpoint (``".page"``) inside a request,
    URL defaults (the community's ``slug`` of the current request), ``_anchor``; other values
    that are not part of the route become the query string.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if endpoint.startswith("."):
        blueprint = request.blueprint if has_request_context() else None
        if blueprint is None:
            raise ValueError(f"relative endpoint {endpoint!r} outside a blueprint's request")
        endpoint = blueprint + endpoint
    anchor = values.pop("_anchor", None)
    app.inject_url_defaults(endpoint, values)
    url = _adapter().build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def site_host() -> str:
    """BASE_URL's host (and port): the stable part of calendar UIDs, so they never change
    between emails and feeds."""
    return urlsplit(current_app.config["BASE_URL"]).netloc or "joren.localhost"


def _adapter() -> MapAdapter:
    base = urlsplit(current_app.config["BASE_URL"])
    return current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
