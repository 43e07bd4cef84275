"""A mail worker SIGKILLed in the middle of a batch sends nothing twice, and a ``--burst``
worker on empty queues exits.

Real processes: ``joren worker`` (the app built once, joren.workers.worker), Redis, the
database of DATABASE_URL (committed for real and cleaned up; an SQLite file without it), and
an aiosmtpd server that accepts the first messages and then stops answering in the middle of
one, so the worker is killed while the server holds that message's data.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.orm import Session

import joren.models  # noqa: F401 - maps every table for create_all
from joren.platform.db import Base, utcnow
from joren.platform.jobs import default_retry
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from tests.workers.conftest import StallingSMTPServer, _StallingCollector
from tests.workers.test_killed_worker import _joren, _kill_everything, _wait_until

ROOT = Path(__file__).resolve().parents[2]
BATCH_JOB = "joren.workers.jobs.send_outbox_batch"

pytestmark = pytest.mark.real_clock  # other processes, on the real clock

WINDOW = 5
BATCH = 20
STALL_AT = 8  # the server takes the 8th message's data and never answers


class _StallOnNth(_StallingCollector):
    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if len(self.messages) + 1 == STALL_AT and not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Requested action aborted: the client went away"
        return await super(_StallingCollector, self).handle_DATA(server, session, envelope)


@pytest.fixture()
def stall_on_nth():  # type: ignore[no-untyped-def]
    server = StallingSMTPServer()
    server.handler = _StallOnNth()
    server.controller.handler = server.handler
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def database(tmp_path):  # type: ignore[no-untyped-def]
    """DATABASE_URL (rows committed for real, removed afterwards), else an SQLite file."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'killed-batch.sqlite3'}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)
                           if url.startswith("postgresql://") else url)
    Base.metadata.create_all(engine)
    prefix = f"killed-batch-{uuid.uuid4().hex[:8]}"
    try:
        yield url, engine, prefix
    finally:
        with Session(engine) as s:
            s.execute(delete(OutboxMessage).where(
                OutboxMessage.idempotency_key.like(f"{prefix}-%")))
            s.commit()
        engine.dispose()


def _env(url: str, redis_url: str, smtp_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "SMTP_URL": smtp_url,
           "SECRET_KEY": "killed-batch-test", "JOREN_ENV": "development",
           "MAIL_HANDOVER_WINDOW": str(WINDOW), "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_APP", None)
    return env


def _rows(engine, prefix: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    now = utcnow()
    with Session(engine) as s:
        s.execute(insert(OutboxMessage), [{
            "idempotency_key": f"{prefix}-{n:02d}", "category": "reminders",
            "template": "mail/notice", "to_email": f"{prefix}-{n:02d}@example.jp",
            "language": "ja", "subject": "ご案内", "text_body": "本文", "html_body": "<p>本文</p>",
            "headers": {}, "attachments": [], "status": OutboxStatus.PENDING, "attempts": 0,
            "last_error": "", "message_id": "", "created_at": now} for n in range(count)])
        s.commit()
        return list(s.scalars(select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key.like(f"{prefix}-%")).order_by(OutboxMessage.id)))


def _states(engine, ids: list[int]) -> list[tuple[OutboxStatus, bool, str]]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        rows = {r.id: r for r in s.scalars(select(OutboxMessage).where(
            OutboxMessage.id.in_(ids)))}
        return [(rows[i].status, bool(rows[i].message_id), rows[i].last_error) for i in ids]


def test_a_worker_killed_mid_batch_sends_nothing_twice(
    tmp_path, shared_redis_url, stall_on_nth, database  # type: ignore[no-untyped-def]
) -> None:
    url, engine, prefix = database
    smtp = stall_on_nth
    ids = _rows(engine, prefix, BATCH)
    redis = Redis.from_url(shared_redis_url)
    redis.flushdb()
    mail = Queue("mail", connection=redis)
    mail.enqueue(BATCH_JOB, ids, job_timeout=60, retry=default_retry())
    env = _env(url, shared_redis_url, smtp.url)
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([_joren(), "worker", "mail", "--no-scheduler"], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until(smtp.handler.stalled.is_set, 60, "the worker to reach the 8th message")
    finally:
        _kill_everything(worker)
    assert len(smtp.messages) == STALL_AT - 1

    states = _states(engine, ids)
    # The first window is recorded (with the second's hand-over); the second window is handed
    # over (two delivered, one held by the server, two never tried); the rest is only claimed.
    assert [s[:2] for s in states] == (
        [(OutboxStatus.SENT, True)] * WINDOW + [(OutboxStatus.SENDING, True)] * WINDOW
        + [(OutboxStatus.SENDING, False)] * (BATCH - 2 * WINDOW))

    # Restart: the sweep settles the stale claims (at once here), a new worker sends what is due.
    sweep = ("from joren.app import create_app\n"
             "app = create_app({'MAIL_CLAIM_TIMEOUT': 0})\n"
             "with app.app_context():\n"
             "    from joren.workers.jobs import sweep_outbox\n"
             "    print(sweep_outbox())\n")
    swept = subprocess.run([sys.executable, "-c", sweep], env=env, cwd=ROOT, check=True,
                           capture_output=True, text=True, timeout=120)
    assert swept.stdout.strip().splitlines()[-1] == str(BATCH - 2 * WINDOW)
    subprocess.run([_joren(), "worker", "mail", "--burst", "--no-scheduler"], env=env,
                   cwd=ROOT, check=True, capture_output=True, timeout=120)

    received = Counter(str(m["To"]) for m in smtp.messages)
    assert set(received.values()) == {1}, received  # nothing twice
    expected = [f"{prefix}-{n:02d}@example.jp" for n in range(BATCH)
                if n < STALL_AT - 1 or n >= 2 * WINDOW]
    assert sorted(received) == expected
    states = _states(engine, ids)
    assert [s[0] for s in states] == (
        [OutboxStatus.SENT] * WINDOW + [OutboxStatus.FAILED] * WINDOW
        + [OutboxStatus.SENT] * (BATCH - 2 * WINDOW))
    assert all("may have been delivered" in s[2] for s in states[WINDOW:2 * WINDOW])


@pytest.mark.parametrize("args", [["mail", "--no-scheduler"], []])
def test_a_burst_worker_on_empty_queues_exits(tmp_path, shared_redis_url, args) -> None:  # type: ignore[no-untyped-def]
    """`joren worker --burst` with nothing queued exits by itself (with RQ's scheduler too)."""
    Redis.from_url(shared_redis_url).flushdb()
    env = _env(f"sqlite:///{tmp_path / 'burst.sqlite3'}", shared_redis_url, "smtp://127.0.0.1:1")
    done = subprocess.run([_joren(), "worker", *args, "--burst"], env=env, cwd=ROOT,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
