"""Behind a proxy, through a real gunicorn with deploy/gunicorn.conf.py (issue 12, finding 6):
gunicorn's forwarded_allow_ips and the app's ProxyFix (TRUSTED_PROXY_COUNT) together give the
client's scheme, host and address.

The proxy here is this test on 127.0.0.1 (gunicorn's default forwarded_allow_ips); it sends
what nginx does by default: ``Host`` is the upstream's own address, the public host is in
``X-Forwarded-Host``, the scheme in ``X-Forwarded-Proto``, the client in ``X-Forwarded-For``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.outage.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PUBLIC = "joren.example.jp"


@pytest.fixture()
def gunicorn(app_config, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ)
    for name in ("REDIS_URL", "SMTP_URL"):
        env.pop(name, None)
    env.update(PYTHONPATH=str(ROOT), JOREN_ENV="production", SECRET_KEY="proxy-test-secret",
               DATABASE_URL=str(app_config["DATABASE_URL"]), MAIL_CAPTURE="1",
               BASE_URL=f"https://{PUBLIC}", TRUSTED_PROXY_COUNT="1", PORT=str(port),
               WEB_CONCURRENCY="1", LOGIN_RATE_LIMIT="3 per minute")
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "joren.app:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/healthz", timeout=30)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _proxied(url: str, client: str) -> dict[str, str]:
    return {"Host": url.removeprefix("http://"), "X-Forwarded-Host": PUBLIC,
            "X-Forwarded-Proto": "https", "X-Forwarded-For": client}


def _ask_for_link(url: str, client: str, email: str) -> requests.Response:
    """A browser at ``client`` opens https://joren.example.jp/login/email and submits it."""
    headers = _proxied(url, client)
    form = requests.get(url + "/login/email", headers=headers, timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text)
    assert token, form.text[:500]
    cookie = form.headers["Set-Cookie"].split(";")[0]
    return requests.post(
        url + "/login/email", data={"csrf_token": token.group(1), "email": email},
        headers={**headers, "Cookie": cookie, "Referer": f"https://{PUBLIC}/login/email"},
        allow_redirects=False, timeout=10)


def test_scheme_host_and_client_address_come_from_the_proxy(gunicorn: str):
    # Scheme and host: the session cookie is Secure and a secure request's CSRF check accepts
    # a Referer on the public https origin, which only holds if both came through.
    first = _ask_for_link(gunicorn, "203.0.113.1", "a1@example.jp")
    assert first.status_code == 200, first.text[:800]
    assert "Strict-Transport-Security" in first.headers

    # Client address: each client has its own bucket (3 a minute here), not one for all.
    answers = [_ask_for_link(gunicorn, "203.0.113.1", f"a{n}@example.jp").status_code
               for n in range(2, 5)]
    assert answers == [200, 200, 429]
    other = _ask_for_link(gunicorn, "198.51.100.7", "b1@example.jp")
    assert other.status_code == 200


def test_a_forged_forwarded_for_behind_the_proxy_is_not_the_client(gunicorn: str):
    """The proxy appends the real client to what the client sent: only the last hop counts."""
    statuses = [_ask_for_link(gunicorn, f"10.9.9.{n}, 203.0.113.5", f"c{n}@example.jp")
                .status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
