"""What a signed-in request works out once and keeps (issue 14): Flask's check of each hook
for a coroutine, the session cookie's serializer, the signed CSRF token of a session's secret,
the request's language and time zone as text, and (PostgreSQL) the description of a result's
columns, which nothing reads. Counted, not timed; and each kept answer stays right: the CSRF
token still guards the forms, another session gets its own, a forced language still wins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from flask import render_template_string
from flask_babel import force_locale, get_locale, refresh

from joren.platform import i18n, templating

pytestmark = pytest.mark.usefixtures("clock")

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def counted(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> Iterator[list[int]]:
    """Count the calls of ``owner.name`` inside the block."""
    calls = [0]
    original = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(owner, name, counting)
        yield calls


def _settings(client, tenant) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/c/{tenant.slug}/admin/settings")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_flask_checks_each_hook_for_a_coroutine_once(app, organizer_client, tenant,
                                                     monkeypatch):
    import flask.app

    _settings(organizer_client, tenant)
    with counted(monkeypatch, flask.app, "iscoroutinefunction") as calls:
        _settings(organizer_client, tenant)
    assert calls[0] == 0  # 23 hooks, views and handlers a request, each asked once


def test_the_session_cookies_serializer_is_built_once(app, organizer_client, tenant,
                                                      monkeypatch):
    import flask.sessions

    _settings(organizer_client, tenant)
    with counted(monkeypatch, flask.sessions, "URLSafeTimedSerializer") as calls:
        _settings(organizer_client, tenant)
    assert calls[0] == 0


def test_a_changed_secret_key_gets_its_own_serializer(app, organizer_client, tenant,
                                                      monkeypatch):
    _settings(organizer_client, tenant)
    monkeypatch.setattr(app, "secret_key", "another-" + "k" * 40)
    # The cookie signed with the old key no longer reads: the person is signed out.
    response = organizer_client.get(f"/c/{tenant.slug}/admin/settings")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_sessions_csrf_token_is_signed_once_a_minute_and_still_guards_forms(
        app, organizer_client, member_client, tenant, monkeypatch):
    import flask_wtf.csrf

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    first = CSRF.search(_settings(organizer_client, tenant)).group(1)
    with counted(monkeypatch, flask_wtf.csrf, "URLSafeTimedSerializer") as calls:
        again = CSRF.search(_settings(organizer_client, tenant)).group(1)
    assert calls[0] == 0
    assert again == first
    # Another session has its own secret, so its own token; neither works for the other.
    theirs = CSRF.search(member_client.get(f"/c/{tenant.slug}/about").get_data(
        as_text=True)).group(1)
    assert theirs != first
    refused = member_client.post("/language", data={"language": "en", "csrf_token": first})
    assert refused.status_code == 400
    accepted = organizer_client.post("/language", data={"language": "en",
                                                        "csrf_token": again})
    assert accepted.status_code == 302
    # After the minute, the token is signed anew (with the same secret: both still work).
    monkeypatch.setattr(templating, "CSRF_TOKEN_REUSE_SECONDS", 0.0)
    with counted(monkeypatch, flask_wtf.csrf, "URLSafeTimedSerializer") as calls:
        _settings(organizer_client, tenant)
    assert calls[0] == 1


def test_a_signed_out_visitor_gets_a_token_that_guards_the_form(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    page = client.get("/login")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    assert client.post("/language", data={"language": "en"}).status_code == 400
    assert client.post("/language", data={"language": "en", "csrf_token": token}
                       ).status_code == 302


def test_the_language_is_written_out_once_a_request(app, organizer_client, tenant,
                                                    monkeypatch):
    import babel.core

    _settings(organizer_client, tenant)
    with counted(monkeypatch, babel.core.Locale, "__str__") as calls:
        _settings(organizer_client, tenant)
    # Every layout fragment's key, date, amount and ``current_language`` read it (eight
    # times written out on this page before); it is written out for the request's first,
    # and Flask-Babel's own lookups write it out twice more.
    assert calls[0] <= 3


def test_the_language_as_text_follows_force_locale_and_refresh(app, app_ctx):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert i18n.locale_code() == "en"
        assert render_template_string("{{ current_language() }}") == "en"
        with force_locale("ja"):
            assert i18n.locale_code() == "ja"
            assert render_template_string("{{ current_language() }}") == "ja"
        assert i18n.locale_code() == "en"
        refresh()
        assert i18n.locale_code() == "en"
        assert i18n.timezone_code() == i18n.DEFAULT_TIMEZONE
    assert i18n.locale_code() == str(get_locale())  # as Flask-Babel answers, whatever it is


@pytest.mark.postgres
def test_no_signed_in_page_describes_its_columns(app, organizer_client, tenant, monkeypatch):
    from joren.platform import pg_cursor

    described: list[str] = []
    original = pg_cursor.Column

    def column(result, index):  # type: ignore[no-untyped-def]
        described.append(result.pgresult.fname(index).decode())
        return original(result, index)

    _settings(organizer_client, tenant)
    organizer_client.get(f"/c/{tenant.slug}/about")
    monkeypatch.setattr(pg_cursor, "Column", column)
    _settings(organizer_client, tenant)
    assert organizer_client.get(f"/c/{tenant.slug}/about").status_code == 200
    # Only textual statements (the tenant settings, which the tests' shared connection sends
    # on its own) have no cached layout: SQLAlchemy reads their description. The sign-in
    # lookup's ~55 columns and the pages' own statements are never described.
    assert set(described) <= {"set_config"}, described


@pytest.mark.postgres
def test_a_lazy_description_is_psycopgs_own(app, app_ctx):
    import psycopg

    from joren.platform import pg_cursor

    engine = app.extensions["sqlalchemy"].engine
    raw = engine.raw_connection()
    try:
        lazy = raw.driver_connection.cursor()
        assert isinstance(lazy, pg_cursor.LazyDescriptionCursor)
        plain = psycopg.Cursor(raw.driver_connection)
        query = "SELECT 1 AS one, 'x'::varchar(5) AS two, now() AS three"
        lazy.execute(query)
        plain.execute(query)
        described, expected = lazy.description, plain.description
        lazy.execute("SELECT 2 AS other")  # the description read before stays as it was
        assert len(described) == 3
        assert [tuple(c) for c in described] == [tuple(c) for c in expected]
        assert [c.name for c in described[1:]] == ["two", "three"]
        lazy.execute("SELECT")
        assert lazy.description is not None and len(lazy.description) == 0
        lazy.execute("SET LOCAL statement_timeout = 0")
        assert lazy.description is None and plain.description is not None
    finally:
        raw.rollback()
        raw.close()


def _headers_as_setdefault_sets_them(app, response, endpoint, view_args):  # type: ignore[no-untyped-def]
    """The security headers as they were set before one pass read the names once: a
    ``setdefault`` per header (the reference for the test below)."""
    from joren.platform.headers import HSTS, carries_secret

    headers = response.headers
    headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy",
                       "camera=(self), microphone=(), geolocation=(), payment=()")
    if app.config["JOREN_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if carries_secret(endpoint, view_args):
        headers["Referrer-Policy"] = "no-referrer"
        if "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
        headers.setdefault("X-Robots-Tag", "noindex")
    return response


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("given", [
    {},
    {"content-security-policy": "default-src 'self'; frame-ancestors *"},
    {"Content-Security-Policy": "frame-ancestors 'none'", "x-frame-options": "SAMEORIGIN"},
    {"Referrer-Policy": "no-referrer", "Cache-Control": "private"},
    {"Strict-Transport-Security": "max-age=1", "X-Content-Type-Options": "nosniff"},
])
@pytest.mark.parametrize("token", [False, True])
def test_the_security_headers_are_those_setdefault_gave(app, monkeypatch, environment, given,
                                                        token):
    from flask import Response

    from joren.platform.headers import apply_security_headers

    monkeypatch.setitem(app.config, "JOREN_ENV", environment)
    endpoint, view_args = "community.feeds.ticket", ({"token": "t"} if token else {"n": 1})
    with app.test_request_context("/"):
        from flask import request

        request.url_rule = SimpleNamespace(endpoint=endpoint)  # type: ignore[assignment]
        request.view_args = view_args
        ours = apply_security_headers(Response("x", headers=dict(given)))
        reference = _headers_as_setdefault_sets_them(
            app, Response("x", headers=dict(given)), endpoint, view_args)
    assert list(ours.headers.items()) == list(reference.headers.items())
