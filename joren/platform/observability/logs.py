"""Structured logs through structlog, rendering every standard ``logging`` record.

``LOG_FORMAT=json`` (the default outside development) writes one JSON object a line; ``text``
(the default in development) writes readable lines. Each line carries what is bound in the
current context: ``request_id`` for a request, ``job_id``, ``queue`` and ``job`` for an RQ job,
and ``community_id`` / ``account_id`` once the request or job is inside a community or signed in.

Secrets stay out: request paths are logged as their URL rule with only ids and the community
slug filled in (a ``<token>`` stays a placeholder), query strings never, and a scrubber masks
token-like path segments and query strings in any message (werkzeug's development server,
third-party libraries).

The request line is written once per request, so it has a fast path. The JSON handler's
formatter (``JsonFormatter``) renders it (a ``RequestRecord``) directly, with the same
processors in the same order and the same JSON encoder as structlog's ``ProcessorFormatter``,
without its copy of the record and its chain of calls; and when Joren's JSON handler is the only
place the line would go (production), ``_finish_request`` writes that rendering to its stream
without making a log record at all. The same line, field for field (tests/platform/
test_observability.py compares the renderings), for less than half the CPU (callgrind, a
minimal Flask app with this module configured: the line cost 306,000 instructions a request
through structlog, 134,000 written directly).
Any other record, and the text format, go through structlog as before.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import IO, Any

import structlog
from flask import Flask, g, has_request_context, request
from structlog.contextvars import bind_contextvars, clear_contextvars, merge_contextvars

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
        elif isinstance(value, str) and "/" in value:  # scrub's patterns start at a slash
            event[key] = scrub(value)
    return event


def _loaded_id(obj: Any) -> Any:
    """An ORM object's id without loading anything (a log call must never query)."""
    return None if obj is None else getattr(obj, "__dict__", {}).get("id")


def _add_request_context(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """The community and account of the current request, when already loaded."""
    if has_request_context():
        values = g._get_current_object()  # one lookup of the context-local, not two
        community_id = _loaded_id(values.get("community"))
        if community_id is not None:
            event.setdefault("community_id", community_id)
        account_id = _loaded_id(values.get("_login_user"))
        if account_id is not None:
            event.setdefault("account_id", account_id)
    return event


_TIMESTAMPER = structlog.processors.TimeStamper(fmt="iso", utc=True)


def _processors() -> list[Any]:
    return [
        merge_contextvars,
        _add_request_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _TIMESTAMPER,
        structlog.processors.format_exc_info,
        _scrub_event,
    ]


# What a LogRecord holds by itself; everything else on a record came as ``extra`` (structlog's
# ExtraAdder copies exactly these others into the line).
_RECORD_KEYS = frozenset(logging.LogRecord("name", 0, "pathname", 0, "msg", (), None).__dict__)


class RequestRecord(logging.LogRecord):
    """The request line's record (``_finish_request``): ``JsonFormatter`` renders it directly.
    Its fields come as attributes, as ``extra`` would set them."""


class JsonFormatter(structlog.stdlib.ProcessorFormatter):
    """structlog's JSON rendering of standard records, with a direct path for the request line.

    ``format`` of a ``RequestRecord`` (no exception, no stack) builds the event as the foreign
    chain would (the message, the extras in the record's order, then ``_processors()`` in
    order: context variables, community and account, level, logger name, time stamp, the
    scrubber) and encodes it with the renderer's own encoder settings, so that the line is the
    same as structlog's, which renders every other record."""

    def __init__(self, renderer: structlog.processors.JSONRenderer) -> None:
        super().__init__(
            foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *_processors()],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer])
        encoder = json.JSONEncoder(**renderer._dumps_kw)  # noqa: SLF001 - the renderer's own
        self._encode = encoder.encode
        if c_make_encoder is not None and not encoder.ensure_ascii and encoder.indent is None:
            # What ``encoder.encode`` builds on every call, built once. No circular check (it
            # keeps a dict of the objects being encoded, which threads would share): a request
            # line holds strings and numbers only.
            made = c_make_encoder(None, encoder.default, encode_basestring, None,
                                  encoder.key_separator, encoder.item_separator,
                                  encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)
            self._encode = lambda event: "".join(made(event, 0))

    def format(self, record: logging.LogRecord) -> str:
        if type(record) is not RequestRecord or record.exc_info or record.stack_info \
                or record.args:
            return super().format(record)
        event: dict[str, Any] = {"event": str(record.msg)}
        for key, value in record.__dict__.items():
            if key not in _RECORD_KEYS:
                event[key] = value
        return self.render(event, record.levelname.lower(), record.name)

    def render(self, event: dict[str, Any], level: str, logger: str) -> str:
        """The line of ``event`` (the message and the extras, in order) as structlog's chain
        renders a foreign record: ``_processors()`` in order, then the JSON renderer."""
        merge_contextvars(None, "", event)
        _add_request_context(None, "", event)
        event["level"] = level
        event["logger"] = logger
        _TIMESTAMPER(None, "", event)
        _scrub_event(None, "", event)
        return self._encode(event)


def make_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler that renders every record as JSON or readable text, with the bound context."""
    formatter: logging.Formatter
    if log_format == "json":
        formatter = JsonFormatter(structlog.processors.JSONRenderer(ensure_ascii=False))
    else:
        formatter = structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *_processors()],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        structlog.dev.ConsoleRenderer(colors=False)],
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
    values = g._get_current_object()  # the context-locals looked up once each
    request_id = values.get("request_id")
    if request_id is None:
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    path = loggable_path()
    asked = request._get_current_object()  # type: ignore[attr-defined]
    # gunicorn's access log prints this instead of the raw path (deploy/gunicorn.conf.py).
    asked.environ[ROUTE_ENVIRON_KEY] = path
    started = values.get("request_started")
    if not _log.isEnabledFor(logging.INFO):
        return response
    fields = {
        "method": asked.method,
        "path": path,
        "endpoint": asked.endpoint or "none",
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    }
    handler = _sole_json_handler()
    if handler is not None:
        _write_directly(handler, fields)
    else:
        # As ``_log.info("request", extra=fields)`` would, without looking up the caller.
        record = RequestRecord(_log.name, logging.INFO, __file__, 0, "request", (), None,
                               "_finish_request")
        record.__dict__.update(fields)
        _log.handle(record)
    return response


def _sole_json_handler() -> logging.StreamHandler[Any] | None:
    """Joren's own JSON handler when it is the only place the request line would go (as in
    production: the handler ``configure`` put on the root logger, no other handler or filter
    on the way, nothing disabled); otherwise None, and the line goes through ``logging``."""
    found: logging.Handler | None = None
    logger: logging.Logger | None = _log
    while logger is not None:
        if logger.filters or logger.disabled:
            return None
        for handler in logger.handlers:
            if found is not None:
                return None
            found = handler
        if not logger.propagate:
            break
        logger = logger.parent
    if (found is None or not getattr(found, _JOREN_HANDLER, False) or found.filters
            or found.level > logging.INFO or type(found.formatter) is not JsonFormatter
            or not isinstance(found, logging.StreamHandler)):
        return None
    return found


def _write_directly(handler: logging.StreamHandler[Any], fields: dict[str, Any]) -> None:
    """The request line written as the handler would write the ``RequestRecord``, without the
    record and logging's dispatch (the same text: JsonFormatter.render)."""
    formatter = handler.formatter
    assert isinstance(formatter, JsonFormatter)
    line = formatter.render({"event": "request", **fields}, "info", _log.name)
    with handler.lock:  # type: ignore[union-attr]
        try:
            handler.stream.write(line + handler.terminator)
            handler.flush()
        except Exception:  # noqa: BLE001 - as StreamHandler.emit: logging never breaks a request
            handler.handleError(RequestRecord(_log.name, logging.INFO, __file__, 0, line, (),
                                              None))


def _forget_request(_exc: BaseException | None) -> None:
    clear_contextvars()
