"""Optional error reporting to Sentry, on when ``SENTRY_DSN`` is set.

Without it nothing of sentry-sdk is imported. With it, unhandled errors in requests and RQ jobs
are reported without personal data (``send_default_pii=False``), and tokens are scrubbed from
URLs, query strings, headers, breadcrumbs and messages before anything leaves the process.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from joren.platform.observability.logs import SECRET_FIELDS, scrub

SCRUBBED_HEADERS = {"authorization", "cookie", "set-cookie", "x-csrftoken", "x-csrf-token"}


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: "[redacted]" if isinstance(k, str) and SECRET_FIELDS.search(k)
                else _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def scrub_event(event: dict[str, Any], _hint: Any = None) -> dict[str, Any]:
    """Remove tokens from an event: request URL, query string, headers, data and messages."""
    req = event.get("request")
    if isinstance(req, dict):
        req.pop("query_string", None)
        req.pop("cookies", None)
        req.pop("data", None)
        headers = req.get("headers") or {}
        req["headers"] = {k: "[redacted]" if k.lower() in SCRUBBED_HEADERS else v
                          for k, v in headers.items()}
        if isinstance(req.get("url"), str):
            req["url"] = scrub(req["url"].split("?", 1)[0])
    for key in ("message", "logentry", "breadcrumbs", "exception", "extra", "contexts",
                "transaction"):
        if key in event:
            event[key] = _scrub_value(event[key])
    return event


def init_app(app: Flask) -> None:
    """Start sentry-sdk with the Flask and RQ integrations when SENTRY_DSN is set."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config["JOREN_ENV"],
        integrations=[FlaskIntegration(), RqIntegration()],
        send_default_pii=False,
        include_local_variables=False,  # a frame's locals may hold a token or an address
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=lambda crumb, _hint: _scrub_value(crumb),
        traces_sample_rate=app.config.get("SENTRY_TRACES_SAMPLE_RATE") or 0.0,
        **app.config.get("SENTRY_OPTIONS", {}),
    )
