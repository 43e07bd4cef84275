"""A real server and a real browser for the browser tests (Chromium driven by Playwright).

The server is the whole app on its own SQLite file, with CSRF on, email captured and jobs run
inline, served by werkzeug in a thread. Chromium is Debian's; the browser tests never skip: a
missing Chromium fails them with the command that installs it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fakeredis
import pytest
from werkzeug.serving import make_server

from joren.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_app(database_url: str, app_config: dict[str, Any], secret: str,
             extra: dict[str, Any] | None = None) -> Iterator[str]:
    """Serve the app on a free port; yield its base URL. ``extra`` adds config (e.g. Stripe
    keys pointing at the tests' fake Stripe)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = create_app({
        "TESTING": True, "JOREN_ENV": "test", "SECRET_KEY": secret,
        "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": True, "MAIL_CAPTURE": True,
        "SMTP_URL": None, "REDIS_URL": None, "RQ_ASYNC": False,
        "RQ_CONNECTION": {"server": fakeredis.FakeServer()},
        "RQ_CONNECTION_CLASS": "fakeredis.FakeRedis",
        # Flask-Limiter keeps one storage for every app in the process: keep the suite's.
        "RATELIMIT_STORAGE_URI": app_config["RATELIMIT_STORAGE_URI"],
        "BASE_URL": base_url,
        **(extra or {}),
    })
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is not installed at /usr/bin/chromium, and the browser tests never skip. "
            "Install it with: apt-get update && apt-get install -y chromium  (.ci/run does this)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        violations = _watch_content_security_policy(browser)
        try:
            yield browser
        finally:
            browser.close()
        assert not violations, "the Content-Security-Policy blocked something:\n" + "\n".join(
            violations)


def _watch_content_security_policy(browser: Any) -> list[str]:
    """Collect what Chromium reports as blocked by the CSP, on every page of every context."""
    violations: list[str] = []
    new_context = browser.new_context

    def record(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def watched_context(*args: Any, **kwargs: Any) -> Any:
        context = new_context(*args, **kwargs)
        context.on("console", record)
        return context

    browser.new_context = watched_context
    return violations


@contextmanager
def live_app_with_stripe(database_url: str, app_config: dict[str, Any], secret: str,
                         webhook_secret: str, connect_secret: str | None = None,
                         ) -> Iterator[tuple[str, Any, str]]:
    """The app served with billing on, talking over HTTP to the tests' fake Stripe, which is
    served too and delivers its webhooks to the app, signed. Yields (Joren's base URL, the
    fake, the fake's URL)."""
    from tests.stripe_fake import FakeStripe

    fake = FakeStripe()
    extra = {"STRIPE_SECRET_KEY": "sk_test_browser", "BILLING_ENABLED": True,
             "STRIPE_WEBHOOK_SECRET": webhook_secret}
    if connect_secret:
        extra["STRIPE_CONNECT_WEBHOOK_SECRET"] = connect_secret
    with fake.serve(free_port()) as stripe_url, live_app(
            database_url, app_config, secret,
            extra={**extra, "STRIPE_API_BASE": stripe_url}) as base_url:
        fake.webhook_url, fake.webhook_secret = f"{base_url}/billing/webhook", webhook_secret
        fake.connect_webhook_secret = connect_secret
        yield base_url, fake, stripe_url
