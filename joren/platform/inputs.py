"""Malformed input stops at the edge, before any view or query runs.

PostgreSQL refuses what SQLite swallows: an integer id beyond its 4-byte ``integer``, a NUL
character in text. So ``<int:...>`` URL arguments are bounded to real ids (anything else is a
404 without a query), text with NUL characters or lone surrogates and URLs that are not valid
UTF-8 answer 400, and a body over ``MAX_CONTENT_LENGTH`` (a url-encoded form: over
``MAX_FORM_MEMORY_SIZE``) answers 413 before it is read.
Forms and query strings get the same bounds through ``BoundedIntegerField`` and ``int_arg``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, ValidationError
from wtforms import IntegerField
from wtforms import ValidationError as FormValidationError

# PostgreSQL's ``integer``: every id column and every count the forms store.
MAX_INT = 2**31 - 1
_MAX_DIGITS = len(str(MAX_INT))
# NUL (PostgreSQL text cannot hold it) and lone surrogates (not encodable as UTF-8).
_INVALID_TEXT = re.compile("[\x00\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """Flask's ``int`` URL converter, limited to ids the database can hold (1 to 2³¹-1).

    Anything else does not match the route, so it answers 404 and never reaches a query.
    """

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 1,  # noqa: A002
                 max: int | None = MAX_INT, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> Any:
        # Python refuses to parse very long digit strings at all (ValueError, not a mismatch).
        if len(value.lstrip("-").lstrip("0")) > _MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)


def parse_id(raw: str | None) -> int | None:
    """An id typed into a form or query string, or None unless it is one the database can hold."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw.lstrip("0")) > _MAX_DIGITS:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_INT else None


def int_arg(name: str, default: int, minimum: int = 1, maximum: int = MAX_INT) -> int:
    """An integer from the query string, ``default`` when absent, malformed or out of range."""
    raw = request.args.get(name, "").strip()
    digits = raw[1:] if raw.startswith("-") else raw
    if not digits.isascii() or not digits.isdigit() or len(digits.lstrip("0")) > _MAX_DIGITS:
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default


class BoundedIntegerField(IntegerField):
    """WTForms' IntegerField, refusing numbers the database cannot store with a clear message."""

    def __init__(self, *args: Any, minimum: int = -MAX_INT - 1, maximum: int = MAX_INT,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not self.minimum <= self.data <= self.maximum:
            raise FormValidationError(_l("This number is too large."))


def _texts() -> Iterator[str]:
    yield request.path
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            yield key
            yield value
        for key, upload in request.files.items(multi=True):
            yield key
            yield upload.filename or ""


def storable(text: str) -> bool:
    """Whether every database can hold this text (no NUL, no lone surrogate)."""
    return not _INVALID_TEXT.search(text)


def _is_utf8(wsgi: str, quoted: bool = False) -> bool:
    """Whether a WSGI string (bytes as latin-1; ``quoted``: still percent-encoded) is UTF-8."""
    try:
        raw = wsgi.encode("latin-1")
        (unquote_to_bytes(raw) if quoted else raw).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return False
    return True


def reject_malformed_input() -> None:
    """Before any view: 413 for an oversized body, 400 for text no database column can hold."""
    limit = request.max_content_length
    if request.mimetype == "application/x-www-form-urlencoded":
        # Werkzeug reads such a body whole, so the per-field memory limit applies to all of it.
        limit = min(filter(None, (limit, request.max_form_memory_size)), default=None)
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)
    environ = request.environ
    if not _is_utf8(environ.get("PATH_INFO", "")) or not _is_utf8(
        environ.get("QUERY_STRING", ""), quoted=True
    ):
        abort(400)
    if any(_INVALID_TEXT.search(text) for text in _texts()):
        abort(400)


def init_app(app: Flask) -> None:
    """Bound ``<int:...>`` (call before any blueprint is registered) and guard every request."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(reject_malformed_input)
