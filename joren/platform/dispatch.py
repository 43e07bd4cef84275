"""What Flask works out anew for every request although the answer never changes.

- ``ensure_sync``: before calling each hook, view and error handler (some twenty a request),
  Flask asks whether it is a coroutine function (``inspect``); a function stays what it is,
  so the answer is kept per function.
- The session cookie's serializer: Flask builds an ``itsdangerous`` serializer twice a
  request (to read the cookie and to write it), from the secret keys; it is built once per
  set of keys (a changed ``SECRET_KEY`` or fallback list gets its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

_LIMIT = 1024


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


def init_app(app: Flask) -> None:
    keep_sync_checks(app)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SessionInterface()
