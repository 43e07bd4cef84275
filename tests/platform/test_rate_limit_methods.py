"""Flask-Limiter's check runs only for the methods a declared limit names (issue 14): every
limit of Joren's is on a POST, so a GET page skips it; a limit that names no method (or an
application-wide one) brings the check back for every request."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from joren.platform import extensions


def test_joren_limits_only_posts(app):
    with app.test_request_context("/"):
        assert extensions.limited_methods(extensions.limiter) == frozenset({"POST"})


def _tiny(declare) -> tuple[Flask, Limiter]:  # type: ignore[no-untyped-def]
    tiny = Flask("tiny")
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    limiter.init_app(tiny)
    extensions.skip_limiter_where_no_limit_applies(tiny, limiter)
    declare(tiny, limiter)
    return tiny, limiter


def test_a_limit_on_posts_still_holds_and_gets_skip_the_check():
    def declare(tiny, limiter):  # type: ignore[no-untyped-def]
        @tiny.route("/form", methods=["GET", "POST"])
        @limiter.limit("1 per day", methods=["POST"])
        def form() -> str:
            return "ok"

    tiny, limiter = _tiny(declare)
    client = tiny.test_client()
    assert [client.get("/form").status_code for _ in range(3)] == [200, 200, 200]
    assert [client.post("/form").status_code for _ in range(2)] == [200, 429]
    assert extensions.limited_methods(limiter) == frozenset({"POST"})


def test_a_limit_without_methods_brings_the_check_back_for_every_request():
    def declare(tiny, limiter):  # type: ignore[no-untyped-def]
        @tiny.route("/page")
        @limiter.limit("1 per day")
        def page() -> str:
            return "ok"

    tiny, limiter = _tiny(declare)
    client = tiny.test_client()
    assert [client.get("/page").status_code for _ in range(2)] == [200, 429]
    assert extensions.limited_methods(limiter) is None


def test_an_application_limit_brings_the_check_back_too():
    tiny = Flask("tiny")
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://",
                      application_limits=["1 per day"])
    limiter.init_app(tiny)
    extensions.skip_limiter_where_no_limit_applies(tiny, limiter)

    @tiny.route("/page")
    def page() -> str:
        return "ok"

    client = tiny.test_client()
    assert [client.get("/page").status_code for _ in range(2)] == [200, 429]
