"""Structured logs through structlog, rendering every standard ``logging`` record.

``LOG_FORMAT=json`` (the default outside development) writes one JSON object a line; ``text``
(the default in development) writes readable lines. Each line carries what is bound in the
current context: ``request_id`` for a request, ``job_id``, ``queue`` and ``job`` for an RQ job,
and ``community_id`` / ``account_id`` once the request or job is inside a community or signed in.

Secrets stay out: request paths are logged as their URL rule with only ids and the community
slug filled in (a ``<token>`` stays a placeholder), query strings never, and a scrubber masks
token-like path segments and query strings in any message (werkzeug's development server,
third-party libraries).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from functools import lru_cache
from typing import IO, Any

import structlog
from flask import Flask, g, has_request_context, request
from structlog.contextvars import bind_contextvars, clear_contextvars

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it cannot inject anything into a log line or a header.
REQUEST_ID_FORMAT = re.compile(r"[A-Za-z0-9._:@/+=-]{8,128}")
FORMATS = ("json", "text")
ROUTE_ENVIRON_KEY = "joren.log_path"

# A path segment that looks like a signed token, and a query string after a path.
TOKEN_SEGMENT = re.compile(r"/[A-Za-z0-9_\-.=~]{32,}")
QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
SECRET_FIELDS = re.compile(r"(?i)(password|secret|token|authorization|cookie|api[_-]?key)")
_JOREN_HANDLER = "_joren_log_handler"
_log = logging.getLogger("joren.request")


def scrub(text: str) -> str:
    """Mask token-like path segments and query strings."""
    if "/" not in text:  # both patterns start at a slash: nothing to mask
        return text
    return TOKEN_SEGMENT.sub("/[redacted]", QUERY_STRING.sub(r"\1?[redacted]", text))


@lru_cache(maxsize=1024)
def _secret_field(key: str) -> bool:
    return key != "event" and SECRET_FIELDS.search(key) is not None


def _scrub_event(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    for key, value in list(event.items()):
        if isinstance(key, str) and _secret_field(key):
            event[key] = "[redacted]"
        elif isinstance(value, str):
            event[key] = scrub(value)
    return event


def _loaded_id(obj: Any) -> Any:
    """An ORM object's id without loading anything (a log call must never query)."""
    return None if obj is None else getattr(obj, "__dict__", {}).get("id")


def _add_request_context(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """The community and account of the current request, when already loaded."""
    if has_request_context():
        community_id = _loaded_id(g.get("community"))
        if community_id is not None:
            event.setdefault("community_id", community_id)
        account_id = _loaded_id(g.get("_login_user"))
        if account_id is not None:
            event.setdefault("account_id", account_id)
    return event


def _processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        _add_request_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        _scrub_event,
    ]


def make_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler that renders every record as JSON or readable text, with the bound context."""
    renderer: Any = (structlog.processors.JSONRenderer(ensure_ascii=False) if log_format == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *_processors()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    setattr(handler, _JOREN_HANDLER, True)
    return handler


def configure(app: Flask) -> None:
    """Route standard logging through the structured handler and bind request context."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _JOREN_HANDLER, False):
            root.removeHandler(handler)
    if not root.handlers:  # a test runner or a host that set up logging keeps its own
        root.addHandler(make_handler(app.config["LOG_FORMAT"]))
        root.setLevel(app.config["LOG_LEVEL"])
    structlog.configure(
        processors=[*_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_forget_request)


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is well-formed, else a new one."""
    if header and REQUEST_ID_FORMAT.fullmatch(header):
        return header
    return uuid.uuid4().hex


def loggable_path() -> str:
    """The request's URL rule with ids and the community slug filled in and secrets left as
    placeholders (``/c/osaka/tickets/<token>``); the masked raw path when no rule matched."""
    rule = request.url_rule
    if rule is None:
        return scrub(request.path)
    values = dict(request.view_args or {})
    slug = g.get("community_slug")
    if slug is not None:
        values.setdefault("slug", slug)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).rpartition(":")[2]
        value = values.get(name)
        if isinstance(value, int) or (name == "slug" and isinstance(value, str)):
            return str(value)
        return f"<{name}>"

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def _start_request() -> None:
    clear_contextvars()
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()
    bind_contextvars(request_id=g.request_id)


def _finish_request(response: Any) -> Any:
    request_id = g.get("request_id")
    if request_id is None:
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    path = loggable_path()
    # gunicorn's access log prints this instead of the raw path (deploy/gunicorn.conf.py).
    request.environ[ROUTE_ENVIRON_KEY] = path
    started = g.get("request_started")
    _log.info("request", extra={
        "method": request.method,
        "path": path,
        "endpoint": request.endpoint or "none",
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    })
    return response


def _forget_request(_exc: BaseException | None) -> None:
    clear_contextvars()
