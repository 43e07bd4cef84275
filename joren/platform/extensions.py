"""Flask extension objects, created unbound and initialised by create_app()."""

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_rq import RQ
from flask_wtf.csrf import CSRFProtect

from joren.platform.db import db

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
rq = RQ()

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "rq"]


def limited_methods(limiter_: Limiter) -> frozenset[str] | None:
    """The HTTP methods any declared rate limit applies to (upper case), or None when one
    applies to every method (an application-wide, default, meta or fallback limit, or a route
    or blueprint limit without ``methods``)."""
    manager = limiter_.limit_manager
    groups = [*manager._application_limits, *manager._default_limits,  # noqa: SLF001
              *limiter_._meta_limits, *limiter_._in_memory_fallback]  # noqa: SLF001
    if groups:
        return None
    methods: set[str] = set()
    for declared in (*manager._decorated_limits.values(),  # noqa: SLF001
                     *manager._blueprint_limits.values()):  # noqa: SLF001
        for limit in declared:
            if not limit.methods:
                return None
            methods.update(m.upper() for m in limit.methods)
    return frozenset(methods)


def skip_limiter_where_no_limit_applies(app: Flask, limiter_: Limiter) -> None:
    """Every Joren rate limit is on a POST (sign-in, sign-up, reset, guest registration, self
    check-in); Flask-Limiter still resolves the view's limits on every GET, for nothing. Its
    check runs only for the methods some limit names (read at the first request, when every
    view has declared its own), and for every request as soon as any limit names none."""
    checks = app.before_request_funcs.setdefault(None, [])
    original = limiter_._check_request_limit  # noqa: SLF001
    position = next((i for i, f in enumerate(checks) if f == original), None)
    if position is None:
        return
    known: list[frozenset[str] | None] = []

    def check_request_limit() -> None:
        if not known:
            try:
                known.append(limited_methods(limiter_))
            except AttributeError:  # another Flask-Limiter keeps its limits elsewhere
                known.append(None)
        methods = known[0]
        if methods is not None and request.method not in methods:
            return None
        return original()

    checks[position] = check_request_limit
