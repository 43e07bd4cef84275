"""The session cookie's data, kept once verified (platform/dispatch.py, issue 14): a browser's
unchanged cookie is not verified, inflated and parsed again on every request, and what is
kept never lets through a cookie Flask would refuse (tampered, signed with another key,
expired), nor shares a mutable value between requests."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask, flash, session
from werkzeug.test import EnvironBuilder

from joren.platform import dispatch


def _open(app: Flask, cookie: str) -> Any:
    name = app.config["SESSION_COOKIE_NAME"]
    builder = EnvironBuilder(headers={"Cookie": f"{name}={cookie}"})
    try:
        request = app.request_class(builder.get_environ())
    finally:
        builder.close()
    return app.session_interface.open_session(app, request)


def _signed(app: Flask, data: dict[str, Any]) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    return str(serializer.dumps(data))


@pytest.fixture
def loads(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The verifications of a cookie's signature (the serializer's ``loads``) counted."""
    assert isinstance(app.session_interface, dispatch.SessionInterface)
    serializer = app.session_interface.get_signing_serializer(app)
    calls = [0]
    original = serializer.loads

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(serializer, "loads", counting)
    return calls


def test_an_unchanged_cookie_is_verified_once(app, loads):
    cookie = _signed(app, {"_user_id": "1:secret", "csrf_token": "abc", "_fresh": True})
    first, second = _open(app, cookie), _open(app, cookie)
    assert dict(first) == dict(second) == {"_user_id": "1:secret", "csrf_token": "abc",
                                           "_fresh": True}
    assert loads[0] == 1
    assert first is not second and not second.modified
    second["csrf_token"] = "changed"  # a request's change stays its own
    assert _open(app, cookie)["csrf_token"] == "abc"


def test_a_tampered_cookie_is_refused_after_the_true_one_was_kept(app, loads):
    cookie = _signed(app, {"_user_id": "1:secret"})
    assert _open(app, cookie)["_user_id"] == "1:secret"
    payload, _, signature = cookie.rpartition(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert dict(_open(app, forged)) == {}
    other = _signed(app, {"_user_id": "2:other"})
    spliced = f"{other.rpartition('.')[0]}.{signature}"  # another payload, the kept signature
    assert dict(_open(app, spliced)) == {}


def test_a_cookie_of_another_secret_key_is_refused_after_it_was_kept(app, monkeypatch):
    cookie = _signed(app, {"_user_id": "1:secret"})
    assert _open(app, cookie)["_user_id"] == "1:secret"
    monkeypatch.setattr(app, "secret_key", "another-" + "k" * 40)
    assert dict(_open(app, cookie)) == {}


def test_an_expired_cookie_is_refused_after_it_was_kept(app, monkeypatch):
    cookie = _signed(app, {"_user_id": "1:secret"})
    assert _open(app, cookie)["_user_id"] == "1:secret"
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert dict(_open(app, cookie)) == {}


def test_a_session_with_a_mutable_value_is_verified_every_time(app, loads):
    with app.test_request_context():
        session["_user_id"] = "1:secret"
        flash("hello")
        cookie = _signed(app, dict(session))
    first = _open(app, cookie)
    first["_flashes"].append(("message", "added by this request"))
    second = _open(app, cookie)
    assert second["_flashes"] == [("message", "hello")]
    assert loads[0] == 2


def test_a_signed_in_person_stays_signed_in_and_a_signed_out_cookie_does_not(
        app, client, login, people, tenant):
    signed_in = login(people.organizer)
    for _ in range(2):
        assert signed_in.get(f"/c/{tenant.slug}/admin/settings").status_code == 200
    assert signed_in.post("/logout", data={}).status_code in (302, 303)
    response = signed_in.get(f"/c/{tenant.slug}/admin/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
