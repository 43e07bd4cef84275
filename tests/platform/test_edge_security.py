"""The edge: security headers, proxy trust, sign-in limits that spare the owner, and a
production that refuses to run without a way to send mail."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from joren.app import create_app
from joren.platform.config import ConfigError, load_config
from joren.platform.db import db
from tests import factories
from tests.platform.test_accounts import is_signed_in

ROOT = Path(__file__).resolve().parents[2]
BAD_TOKEN = "x" * 40
ATTACKER, OWNER_PLACE, PROXY = "203.0.113.66", "198.51.100.7", "10.0.0.2"


def _assert_site_headers(response, what: str) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, what
    assert "script-src 'self';" in csp and "object-src 'none'" in csp, what
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy"), what
    assert "Strict-Transport-Security" not in headers, what  # not outside production


# Headers ---------------------------------------------------------------------------------------

def test_every_kind_of_page_carries_the_security_headers(client, owner_client, session, tenant,
                                                          people):
    session.commit()
    anonymous = ["/", "/login", "/signup", "/healthz", "/static/css/joren.css",
                 "/no-such-page", f"/c/{tenant.slug}/", f"/c/{tenant.slug}/calendar.ics"]
    for path in anonymous:
        response = client.get(path)
        assert response.status_code < 500, path
        _assert_site_headers(response, path)
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
    for path in [f"/c/{tenant.slug}/admin/", f"/c/{tenant.slug}/admin/members", "/account"]:
        response = owner_client.get(path)
        assert response.status_code == 200, path
        _assert_site_headers(response, path)
    # An error page and a POST answer too.
    response = client.post("/login", data={"email": "nobody@example.jp", "password": "x"})
    _assert_site_headers(response, "POST /login")


def test_hsts_only_in_production(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setitem(app.config, "JOREN_ENV", "production")
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


def _secret_bearing_urls(app, slug: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET route whose URL holds a token, built with a made-up one."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "token" not in rule.arguments or "GET" not in (rule.methods or ()):
            continue
        values = {name: 1 for name in rule.arguments}
        values.update(token=BAD_TOKEN, slug=slug)
        with app.test_request_context():
            from flask import url_for
            urls.append(url_for(rule.endpoint, **values))
    return urls


def test_every_page_with_a_secret_in_its_url_is_never_stored_nor_sent_as_referer(
        app, client, session, tenant, people):
    session.commit()
    urls = _secret_bearing_urls(app, tenant.slug)
    # ticket (+ its QR), "we talked", introduction answer, seat offer, "can't make it", guest
    # confirmation, calendar feed, unsubscribe, invitation, magic link, verify, reset
    assert len(urls) >= 13, urls
    urls.append(f"/c/{tenant.slug}/meetups/1/paid?session_id=cs_test_someone")
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert response.headers["Referrer-Policy"] == "no-referrer", url
        assert "no-store" in response.headers["Cache-Control"], url
        _assert_site_headers(response, url)


def test_a_valid_calendar_feed_link_is_not_cached_either(app, client, session, tenant, people):
    from joren.tenants.meetups.calendar import links as calendar_links

    session.commit()
    with app.app_context():
        token = calendar_links.member_feed_token(people.member_member)
    response = client.get(f"/c/{tenant.slug}/calendar/{token}.ics")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def plain_wsgi_app(environ, start_response):  # type: ignore[no-untyped-def]
    """What gunicorn serves in the Server-header test: nothing of Joren's own."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_gunicorn_with_the_deploy_config_sends_no_server_header(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "tests.platform.test_edge_security:plain_wsgi_app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        response = None
        for _ in range(100):  # wait until it listens (not a timing assertion)
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        assert response is not None and response.status == 200
        assert response.headers.get("Server") is None
    finally:
        process.terminate()
        process.wait(timeout=30)


# Proxy trust -----------------------------------------------------------------------------------

@pytest.fixture()
def behind_proxy(app_config, connection):  # type: ignore[no-untyped-def]
    """The app as deployed behind one load balancer (TRUSTED_PROXY_COUNT=1)."""
    proxied = create_app({**app_config, "TRUSTED_PROXY_COUNT": 1,
                          "LOGIN_RATE_LIMIT": "3 per minute"})
    with proxied.app_context():
        db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    return proxied


def _post_login(client, email: str, password: str, **kwargs):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(behind_proxy, session, people):
    session.commit()
    via = {"environ_base": {"REMOTE_ADDR": PROXY}}
    first, second = behind_proxy.test_client(), behind_proxy.test_client()
    for n in range(3):
        assert _post_login(first, f"a{n}@example.jp", "wrong password!", **via,
                           headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert _post_login(first, "a9@example.jp", "wrong password!", **via,
                       headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    # Another client through the same load balancer is not in that bucket.
    response = _post_login(second, "owner@example.jp", factories.PASSWORD, **via,
                           headers={"X-Forwarded-For": "198.51.100.2"})
    assert response.status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(app, client, session,
                                                                       monkeypatch):
    session.commit()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    statuses = [_post_login(client, f"b{n}@example.jp", "wrong password!",
                            headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code
                for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_only_the_configured_number_of_hops_is_trusted(behind_proxy, session):
    session.commit()
    client = behind_proxy.test_client()
    # The client forged a first hop; the load balancer appended the address it saw.
    forged = {"X-Forwarded-For": "192.0.2.1, 198.51.100.3"}
    for _ in range(3):
        _post_login(client, "c@example.jp", "wrong password!", headers=forged,
                    environ_base={"REMOTE_ADDR": PROXY})
    forged_again = {"X-Forwarded-For": "192.0.2.200, 198.51.100.3"}
    assert _post_login(client, "c@example.jp", "wrong password!", headers=forged_again,
                       environ_base={"REMOTE_ADDR": PROXY}).status_code == 429


# Sign-in limits --------------------------------------------------------------------------------

def test_the_owner_signs_in_after_an_attacker_used_up_the_guesses_on_their_address(
        app, session, people):
    session.commit()
    attacker, owner = app.test_client(), app.test_client()
    at = {"environ_base": {"REMOTE_ADDR": ATTACKER}}
    for _ in range(5):
        assert _post_login(attacker, "owner@example.jp", "a wrong guess", **at).status_code == 200
    # The attacker is stopped, even if the next guess were right...
    assert _post_login(attacker, "owner@example.jp", factories.PASSWORD, **at).status_code == 429
    assert not is_signed_in(attacker)
    # ...while the owner, from their own address, signs in with the right password.
    response = _post_login(owner, "owner@example.jp", factories.PASSWORD,
                           environ_base={"REMOTE_ADDR": OWNER_PLACE})
    assert response.status_code == 302
    assert is_signed_in(owner)


def test_right_passwords_do_not_count_as_failures(app, session, people):
    session.commit()
    at = {"environ_base": {"REMOTE_ADDR": OWNER_PLACE}}
    for _ in range(7):  # more than the 5 failures allowed, fewer than the 10 posts per IP
        assert _post_login(app.test_client(), "owner@example.jp", factories.PASSWORD,
                           **at).status_code == 302


def test_a_guesser_spread_over_many_addresses_is_still_stopped(app, session, people,
                                                               monkeypatch):
    session.commit()
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", "8 per hour")
    client = app.test_client()
    statuses = []
    for n in range(10):
        statuses.append(_post_login(client, "owner@example.jp", "a wrong guess",
                                    environ_base={"REMOTE_ADDR": f"203.0.113.{n // 4}"})
                        .status_code)
    assert statuses == [200] * 8 + [429, 429]
    # A fresh address gets nowhere either; the owner still has the emailed sign-in link.
    assert _post_login(client, "owner@example.jp", "another guess",
                       environ_base={"REMOTE_ADDR": "192.0.2.99"}).status_code == 429
    assert client.post("/login/email", data={"email": "owner@example.jp"},
                       environ_base={"REMOTE_ADDR": OWNER_PLACE}).status_code == 200


# Configuration ---------------------------------------------------------------------------------

PRODUCTION = {"JOREN_ENV": "production", "SECRET_KEY": "s" * 48,
              "DATABASE_URL": "postgresql://db/joren"}


def test_production_refuses_to_start_without_a_way_to_send_mail(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(str(tmp_path), PRODUCTION)
    assert "SMTP_URL" in str(error.value) and "MAIL_CAPTURE=1" in str(error.value)


def test_production_captures_mail_only_when_asked_and_says_so(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="joren.config"):
        config = load_config(str(tmp_path), {**PRODUCTION, "MAIL_CAPTURE": "1"})
    assert config["MAIL_CAPTURE"] is True
    assert any("sends NO email" in r.getMessage() for r in caplog.records)
    with pytest.raises(ConfigError, match="MAIL_CAPTURE"):
        load_config(str(tmp_path), {**PRODUCTION, "MAIL_CAPTURE": "perhaps"})
    sending = load_config(str(tmp_path), {**PRODUCTION, "SMTP_URL": "smtp://mail:25"})
    assert sending["MAIL_CAPTURE"] is False


def test_the_trusted_proxy_count_is_read_and_checked(tmp_path):
    assert load_config(str(tmp_path), {})["TRUSTED_PROXY_COUNT"] == 0
    assert load_config(str(tmp_path), {"TRUSTED_PROXY_COUNT": "2"})["TRUSTED_PROXY_COUNT"] == 2
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_COUNT"):
        load_config(str(tmp_path), {"TRUSTED_PROXY_COUNT": "yes"})
