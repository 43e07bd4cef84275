"""What happens when a worker is SIGKILLed mid-send, with the RQ version Joren pins.

Real processes throughout: ``joren worker`` (which runs each job in its own process, the app
built once; see joren.workers.worker), a Redis server they share, an SQLite file committed for
real (the rolled-back test transaction cannot be seen by other processes) and an SMTP server
that receives the message data and then never answers, so the worker dies mid-send.

Finding, RQ 3.0: the issue expected that "RQ moves the job of a SIGKILLed worker to the failed
registry as abandoned and does not retry it". That holds only for a job without retries left.
``StartedJobRegistry.cleanup()`` retries an abandoned job that still has retries (every job
Joren enqueues has ``Retry(max=3)``), and fails only the others, as AbandonedJobError. Either
way the outbox claim keeps the retried job from sending. The server had the message data when
the worker died, so it may have delivered it: the sweep marks it FAILED and never sends it
again (at most once; see joren.platform.mail.sender).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import joren.models  # noqa: F401 - maps every table for create_all
from joren.platform.db import Base
from joren.platform.jobs import default_retry
from joren.platform.mail.models import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parents[2]
SEND_JOB = "joren.workers.jobs.send_outbox_message"

# The workers are other processes, on the real clock, and RQ's registries compare their
# heartbeats with this process's clock: a JOREN_TEST_TODAY run leaves this module on it.
pytestmark = pytest.mark.real_clock

SLEEP_JOB = "tests.workers.sample_jobs.sleep_for"


def _joren() -> str:
    script = Path(sys.executable).with_name("joren")
    assert script.exists(), f"the joren console script is not installed next to {sys.executable}"
    return str(script)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.extend(children)
        todo.extend(children)
    return found


def _kill_everything(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and every process it started, as a lost machine or OOM would."""
    for pid in [process.pid, *_descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


def _wait_until(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _outbox_row(engine, message_id: int) -> OutboxMessage:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s:
        return s.scalars(select(OutboxMessage).where(OutboxMessage.id == message_id)).one()


def test_sigkilled_worker_rq_abandons_or_retries_and_the_sweep_never_sends_twice(
    tmp_path, shared_redis_url, stalling_smtp_server  # type: ignore[no-untyped-def]
) -> None:
    smtp = stalling_smtp_server
    database_url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        message = OutboxMessage(
            idempotency_key="killed-worker", category="transactional", template="mail/notice",
            to_email="regular@example.jp", language="ja", subject="ご案内",
            text_body="本文", html_body="<p>本文</p>", headers={},
        )
        s.add(message)
        s.commit()
        message_id = message.id

    redis = Redis.from_url(shared_redis_url)
    redis.flushdb()
    mail, default = Queue("mail", connection=redis), Queue("default", connection=redis)
    send = mail.enqueue(SEND_JOB, message_id, job_timeout=60, retry=default_retry())
    sleeper = default.enqueue(SLEEP_JOB, 60, job_timeout=120)  # no retries

    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": shared_redis_url,
           "SMTP_URL": smtp.url, "SECRET_KEY": "killed-worker-test", "JOREN_ENV": "development",
           "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_APP", None)  # `joren worker` must find the app by itself
    logs = tmp_path / "logs"
    logs.mkdir()

    def start_worker(*args: str) -> subprocess.Popen[bytes]:
        log = (logs / f"worker-{'-'.join(args)}.log").open("wb")
        return subprocess.Popen([_joren(), "worker", *args], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    workers = [start_worker("mail", "--no-scheduler"), start_worker("default", "--no-scheduler")]
    try:
        _wait_until(smtp.handler.stalled.is_set, 15, "the worker to reach the SMTP DATA phase")
        _wait_until(lambda: sleeper.get_status(refresh=True) == JobStatus.STARTED, 15,
                    "the sleeping job to start")
        row = _outbox_row(engine, message_id)
        assert row.status == OutboxStatus.SENDING and row.claimed_at is not None
    finally:
        for worker in workers:
            _kill_everything(worker)

    # RQ notices abandoned jobs only once their execution's heartbeat TTL has run out; ask
    # the registries as RQ's maintenance would, as of that moment.
    after_ttl = time.time() + 300
    assert send.id in StartedJobRegistry(queue=mail).get_job_ids(cleanup=False)
    StartedJobRegistry(queue=mail).cleanup(timestamp=after_ttl)
    StartedJobRegistry(queue=default).cleanup(timestamp=after_ttl)

    # Without retries: failed as abandoned, and not run again.
    assert sleeper.id in FailedJobRegistry(queue=default).get_job_ids()
    assert sleeper.get_status(refresh=True) == JobStatus.FAILED
    assert "AbandonedJobError" in sleeper.latest_result().exc_string
    assert default.count == 0 and sleeper.id not in ScheduledJobRegistry(queue=default)

    # With retries left (every job Joren enqueues): RQ 3.0 schedules a retry.
    assert send.id not in FailedJobRegistry(queue=mail).get_job_ids()
    assert send.id in ScheduledJobRegistry(queue=mail).get_job_ids()
    send.refresh()
    assert send.get_status() == JobStatus.SCHEDULED and send.retries_left == 2

    # The retried job runs and finds the message claimed by the dead worker: it sends nothing.
    ScheduledJobRegistry(queue=mail).requeue(send.id)
    subprocess.run([_joren(), "worker", "mail", "--burst", "--no-scheduler"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=30)
    assert send.get_status(refresh=True) == JobStatus.FINISHED
    assert _outbox_row(engine, message_id).status == OutboxStatus.SENDING
    assert smtp.messages == []

    # The sweep takes the stale claim for abandoned (here at once). The message had been handed
    # to the SMTP server, which may have delivered it: it is not sent again.
    sweep = ("from joren.app import create_app\n"
             "app = create_app({'MAIL_CLAIM_TIMEOUT': 0})\n"
             "with app.app_context():\n"
             "    from joren.workers.jobs import sweep_outbox\n"
             "    print(sweep_outbox())\n")
    swept = subprocess.run([sys.executable, "-c", sweep], env=env, cwd=ROOT, check=True,
                           capture_output=True, text=True, timeout=30)
    assert swept.stdout.strip().splitlines()[-1] == "0"
    subprocess.run([_joren(), "worker", "mail", "--burst", "--no-scheduler"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=30)

    assert smtp.messages == []
    row = _outbox_row(engine, message_id)
    assert row.status == OutboxStatus.FAILED and row.attempts == 1 and row.sent_at is None
    assert "may have been delivered" in row.last_error
    assert mail.count == 0 and FailedJobRegistry(queue=mail).get_job_ids() == []
    engine.dispose()
