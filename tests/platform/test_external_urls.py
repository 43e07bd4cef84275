"""Absolute links come from BASE_URL (scheme, host, port, path prefix) and nothing else: not
from SERVER_NAME, which production does not set, and not from a request's Host or
X-Forwarded-Host header (issue 12, finding 2)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import has_request_context, url_for

from joren.demo import sign_in_details
from joren.platform.urls import external_url, site_host
from joren.workers.embedded import LOCK_NAME
from tests.links import assert_in_language, assert_links_on, stored, watch_rendering
from tests.tenants.helpers import meetup

ROOT = Path(__file__).resolve().parents[2]
EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "http"}
EVIL_ENVIRON = {"HTTP_HOST": "evil.example", "HTTP_X_FORWARDED_HOST": "evil.example"}


def _on_evil_host(client):  # type: ignore[no-untyped-def]
    """The client's cookies (its signed-in session) also sent to evil.example."""
    for cookie in list(client._cookies.values()):
        client.set_cookie(cookie.key, cookie.value, domain="evil.example", path=cookie.path)
    return client


def test_without_server_name_flasks_own_external_url_fails_outside_a_request(app):
    # The production condition the jobs run in: this is what crashed them.
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_for("accounts.login", _external=True)


def test_a_link_outside_a_request_is_on_base_url_with_its_port_and_prefix(
        app, production_base_url):
    with app.app_context():
        assert not has_request_context()
        assert external_url("community.meetups.portal_detail", slug="osaka-mixer",
                            meetup_id=7) == f"{production_base_url}/c/osaka-mixer/meetups/7"
        assert external_url("accounts.login", email="a+b@example.jp", _anchor="top") == \
            f"{production_base_url}/login?email=a%2Bb@example.jp#top"
        assert site_host() == "joren.example.jp:8443"


def test_inside_a_request_the_hosts_headers_change_nothing(app, production_base_url):
    with app.app_context():
        outside = external_url("community.registrations.mine", slug="osaka-mixer")
    with app.test_request_context("/c/osaka-mixer/admin/billing", headers=EVIL,
                                  base_url="http://evil.example:81/elsewhere"):
        assert external_url("community.registrations.mine", slug="osaka-mixer") == outside
        # Blueprint-relative endpoints resolve against the request's blueprint, as url_for.
        assert external_url(".page", slug="osaka-mixer") == \
            f"{production_base_url}/c/osaka-mixer/admin/billing"
    assert outside == f"{production_base_url}/c/osaka-mixer/meetups/mine"


def test_base_url_without_a_prefix(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5000")
    with app.app_context():
        assert external_url("accounts.login") == "http://127.0.0.1:5000/login"
        assert site_host() == "127.0.0.1:5000"


def test_a_relative_endpoint_outside_a_request_is_refused(app):
    with app.app_context(), pytest.raises(ValueError, match="relative endpoint"):
        external_url(".page")


def test_an_email_made_during_a_request_for_another_host_links_to_base_url(
        app, session, tenant, people, member_client, production_base_url, monkeypatch, run_jobs):
    rendered = watch_rendering(monkeypatch)
    evening = meetup(session, tenant, "十二月定例会", capacity=10, is_public=True)
    session.commit()
    response = _on_evil_host(member_client).post(
        f"/c/{tenant.slug}/meetups/{evening.id}/register",
                                  headers=EVIL, environ_overrides=EVIL_ENVIRON)
    assert response.status_code in (302, 303)
    # The links are built during the request (stored with the message); the text is rendered
    # by the send job, outside the meetup's lock and any request.
    assert rendered == []
    run_jobs()
    assert [(r.template, r.in_request, r.request_host) for r in rendered] == [
        ("meetups/registrations/confirmed", False, None)]
    [mail] = stored(session, "meetups/registrations/confirmed")
    links = assert_links_on(production_base_url, [mail])
    assert f"{production_base_url}/c/{tenant.slug}/meetups/{evening.id}" in links
    assert not any("evil.example" in link or "localhost" in link for link in links)
    assert_in_language(mail, "en")  # the member reads English (their account's language)


@pytest.mark.parametrize("kind", ["reset", "magic", "signup_exists"])
def test_account_emails_asked_for_from_another_host_link_to_base_url(
        app, session, people, run_jobs, production_base_url, monkeypatch, kind):
    session.commit()
    rendered = watch_rendering(monkeypatch)
    path, data = {
        "reset": ("/password/forgot", {"email": "member@example.jp"}),
        "magic": ("/login/email", {"email": "member@example.jp"}),
        "signup_exists": ("/signup", {"email": "member@example.jp", "password": "x" * 16,
                                      "display_name": "Someone"}),
    }[kind]
    response = app.test_client().post(path, data=data, headers=EVIL,
                                      environ_overrides=EVIL_ENVIRON)
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)
    assert rendered == []  # the request only enqueues: the job renders
    run_jobs()
    assert [(r.in_request, r.language) for r in rendered] == [(False, "en")]
    [mail] = stored(session, f"accounts/{kind}")
    assert_links_on(production_base_url, [mail])
    assert_in_language(mail, "en")


def test_joren_demo_prints_links_on_base_url(app, production_base_url):
    with app.app_context():
        lines = sign_in_details("osaka-demo")
    assert f"Sign in at {production_base_url}/login" in lines
    assert f"Organizer console:   {production_base_url}/c/osaka-demo/admin/" in lines
    assert f"Member portal:       {production_base_url}/c/osaka-demo/" in lines


EMBEDDED = """
import json, re
from joren.app import create_app
from joren.platform.db import Base, db
from joren.platform.identity.account import Account
from joren.platform.mail.models import OutboxMessage

app = create_app({"WTF_CSRF_ENABLED": False})
assert app.config.get("SERVER_NAME") is None and not app.config["RQ_ASYNC"]
with app.app_context():
    Base.metadata.create_all(db.engine)
    db.session.add(Account(email="reader@example.jp", display_name="Reader", language="ja"))
    db.session.commit()
response = app.test_client().post(
    "/password/forgot", data={"email": "reader@example.jp"},
    headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    environ_overrides={"HTTP_HOST": "evil.example"})
with app.app_context():
    [row] = db.session.query(OutboxMessage).all()
    print(json.dumps({"status": response.status_code, "template": row.template,
                      "language": row.language, "sent": row.status.value,
                      "links": re.findall(r"https?://[^\\s\\"'<>]+", row.text_body)}))
"""


def test_embedded_mode_runs_the_job_in_the_request_and_still_links_to_base_url(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"REDIS_URL", "SMTP_URL", "FLASK_APP", "JOREN_ENV", "SERVER_NAME"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
               BASE_URL="https://joren.example.jp:8443/joren/")
    # This process holds the installation's scheduler lock, as a second ``joren run`` would:
    # the child's embedded schedule stands by, so what sends the email is the request's own
    # job (otherwise the schedule's first catch-up tick, which runs every entry once, can hold
    # SQLite's write lock while the request sends, and the email waits for the next sweep).
    with (tmp_path / LOCK_NAME).open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = subprocess.run([sys.executable, "-c", EMBEDDED], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] in (200, 302)
    assert (outcome["template"], outcome["language"], outcome["sent"]) == (
        "accounts/reset", "ja", "sent")
    assert outcome["links"]
    assert all(link.startswith("https://joren.example.jp:8443/joren/password/reset/")
               for link in outcome["links"]), outcome["links"]
