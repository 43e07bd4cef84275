"""What Flask works out anew for every request although the answer never changes.

- ``ensure_sync``: before calling each hook, view and error handler (some twenty a request),
  Flask asks whether it is a coroutine function (``inspect``); a function stays what it is,
  so the answer is kept per function.
- The session cookie's serializer: Flask builds an ``itsdangerous`` serializer twice a
  request (to read the cookie and to write it), from the secret keys; it is built once per
  set of keys (a changed ``SECRET_KEY`` or fallback list gets its own).
- The session cookie itself: a signed-in browser sends the same cookie on every request
  until the session changes, and Flask verifies its signature, inflates and parses it each
  time (about a twentieth of a page served from the page cache). A cookie once verified
  with a serializer is the same data for good (the signature covers the data and its
  timestamp), so its data is kept per serializer and cookie: only the age is checked
  again on each request (``max_age``, as the serializer checks it). Only sessions whose
  values are immutable (text, numbers, booleans) are kept, so no request can change what
  another one reads (flashed messages, a list, are never kept). Tampered cookies, cookies
  signed with another key and expired ones take Flask's own path, as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

_LIMIT = 1024
_COOKIE_LIMIT = 8192
_IMMUTABLE = (str, int, float, bool, type(None))


def keep_sync_checks(app: Flask) -> None:
    """``app.ensure_sync`` answered once per function (see the module's docstring)."""
    original = app.ensure_sync
    if getattr(original, "joren_kept", False):
        return
    checked: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return checked[func]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable
            return original(func)
        if len(checked) >= _LIMIT:
            checked.clear()
        found = checked[func] = original(func)
        return found

    ensure_sync.joren_kept = True  # type: ignore[attr-defined]
    app.ensure_sync = ensure_sync  # type: ignore[method-assign]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the serializer built once per set of secret keys."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}
        # (serializer, cookie) -> (the data it holds, its signature's time in seconds)
        self._opened: dict[tuple[object, str], tuple[dict[str, Any], int]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        try:
            return self._serializers[key]
        except KeyError:
            pass
        except TypeError:  # a key that cannot be a dictionary key
            return super().get_signing_serializer(app)
        if len(self._serializers) >= _LIMIT:
            self._serializers.clear()
        found = self._serializers[key] = super().get_signing_serializer(app)
        return found

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's, with the data of a cookie verified before kept (see the docstring)."""
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = self._opened.get((s, val))
        if kept is not None:
            age = int(time.time()) - kept[1]  # as itsdangerous's TimestampSigner ages it
            if 0 <= age <= max_age:
                return self.session_class(kept[0])
        try:
            data, signed_at = s.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _IMMUTABLE) for v in data.values()):
            if len(self._opened) >= _COOKIE_LIMIT:
                self._opened.clear()
            self._opened[(s, val)] = (dict(data), int(signed_at.timestamp()))
        return self.session_class(data)


def init_app(app: Flask) -> None:
    keep_sync_checks(app)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SessionInterface()
