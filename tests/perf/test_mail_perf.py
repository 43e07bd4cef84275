"""Mail worker throughput and sign-in latency, before (the base commit) and after.

Real processes: ``joren worker --burst`` as a subprocess, an aiosmtpd sink, Redis and the
database of DATABASE_URL/REDIS_URL when set (otherwise an SQLite file and a redis-server
started for the run). The "before" worker is the same command run on a copy of the base
commit (``MAIL_BENCH_BASE``, default the commit this work started from), extracted with
``git archive``. Prints figures and ratios; asserts only that everything arrived once.

    PYTHONPATH=. python -m pytest -m perf -s -p no:cacheprovider tests/perf/test_mail_perf.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import threading
import time
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.orm import Session

import joren.models  # noqa: F401 - maps every table for create_all
from joren.platform.db import Base, utcnow
from joren.platform.mail.mime import build_message
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from tests.workers.conftest import _free_port, shared_redis_url  # noqa: F401 - fixture

pytestmark = pytest.mark.perf  # a benchmark: run on demand (-m perf)

ROOT = Path(__file__).resolve().parents[2]
BASE_COMMIT = os.environ.get("MAIL_BENCH_BASE", "6e68e9e")
SEND_BATCH_JOB = "joren.workers.jobs.send_outbox_batch"
MESSAGES = int(os.environ.get("MAIL_BENCH_MESSAGES", "1000"))
BULK_FOR_LATENCY = 500
MAIL_FROM = "Joren <no-reply@joren.example>"


class _Sink:
    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.lock:
            self.arrivals.append((time.monotonic(), envelope.rcpt_tos[0]))
        return "250 OK"


@pytest.fixture()
def sink():  # type: ignore[no-untyped-def]
    handler = _Sink()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}", port
    finally:
        controller.stop()


def _base_tree(tmp_path: Path) -> Path:
    archive = subprocess.run(["git", "archive", BASE_COMMIT], cwd=ROOT, check=True,
                             capture_output=True).stdout
    target = tmp_path / "base"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _rows(engine, prefix: str, count: int, template: str = "mail/notice") -> list[int]:  # type: ignore[no-untyped-def]
    body = "次回の交流会は3月です。ご参加をお待ちしています。\n" * 20
    now = utcnow()
    with Session(engine) as s:
        s.execute(insert(OutboxMessage), [{
            "idempotency_key": f"{prefix}-{n}", "category": "reminders", "template": template,
            "to_email": f"{prefix}{n}@example.jp", "language": "ja", "subject": "お知らせ",
            "text_body": body, "html_body": f"<p>{body}</p>", "headers": {}, "attachments": [],
            "status": OutboxStatus.PENDING, "attempts": 0, "last_error": "", "message_id": "",
            "created_at": now, "updated_at": now} for n in range(count)])
        s.commit()
        return list(s.scalars(select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key.like(f"{prefix}-%")).order_by(OutboxMessage.id)))


def _enqueue(redis: Redis, queue: str, ids: list[int], size: int = 50) -> None:
    q = Queue(queue, connection=redis)
    for i in range(0, len(ids), size):
        q.enqueue(SEND_BATCH_JOB, ids[i:i + size], job_timeout=300)


def _worker(tree: Path, env: dict[str, str], *queues: str) -> subprocess.Popen[bytes]:
    joren = str(Path(sys.executable).with_name("joren"))  # honours PYTHONPATH
    return subprocess.Popen(
        [joren, "worker", "--burst", "--no-scheduler", *queues],
        env={**env, "PYTHONPATH": str(tree)}, cwd=tree,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(process: subprocess.Popen[bytes], timeout: float = 900) -> None:
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err.decode(errors="replace")[-3000:]


def _raw_smtplib(engine, ids: list[int], port: int) -> float:  # type: ignore[no-untyped-def]
    """Raw smtplib on the same messages, built the same way: one connection, no database."""
    import smtplib

    with Session(engine) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
        emails: list[EmailMessage] = [build_message(r, MAIL_FROM, utcnow()) for r in rows]
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for email, row in zip(emails, rows, strict=True):
            conn.send_message(email, from_addr="no-reply@joren.example", to_addrs=[row.to_email])
    return len(emails) / (time.perf_counter() - began)


def test_mail_worker_benchmark(tmp_path, shared_redis_url, sink) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    handler, smtp_url, port = sink
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'mail.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    redis = Redis.from_url(shared_redis_url)
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": shared_redis_url,
           "SMTP_URL": smtp_url, "MAIL_FROM": MAIL_FROM, "SECRET_KEY": "mail-bench",
           "JOREN_ENV": "development"}
    env.pop("FLASK_APP", None)
    trees = {"before": _base_tree(tmp_path), "after": ROOT}
    figures: dict[str, dict[str, float]] = {}

    def clean() -> None:
        redis.flushdb()
        handler.arrivals.clear()
        with Session(engine) as s:
            s.execute(delete(OutboxMessage).where(OutboxMessage.idempotency_key.like("bench%")))
            s.commit()

    try:
        for label, tree in trees.items():
            # Throughput: MESSAGES bulk messages in jobs of 50, one worker.
            clean()
            ids = _rows(engine, "bench", MESSAGES)
            _enqueue(redis, "mail", ids)
            began = time.monotonic()
            _wait(_worker(tree, env, "mail"))
            total = time.monotonic() - began
            times = sorted(t for t, _ in handler.arrivals)
            assert len(handler.arrivals) == MESSAGES
            assert len({to for _, to in handler.arrivals}) == MESSAGES  # each once
            steady = (MESSAGES - 1) / (times[-1] - times[0])
            figures[label] = {"msg_s": steady, "msg_s_with_start": MESSAGES / total}

            # Sign-in latency: the worker is busy with 500 queued bulk messages when a
            # magic-link message is queued (where each version queues it).
            clean()
            bulk = _rows(engine, "benchbulk", BULK_FOR_LATENCY)
            sign_in = _rows(engine, "benchsignin", 1, template="accounts/magic")
            _enqueue(redis, "mail", bulk)
            process = _worker(tree, env)
            while not handler.arrivals:
                time.sleep(0.005)
            queued_at = time.monotonic()
            _enqueue(redis, "transactional" if label == "after" else "mail", sign_in)
            _wait(process)
            [arrived] = [t for t, to in handler.arrivals if to.startswith("benchsignin")]
            figures[label]["sign_in_s"] = arrived - queued_at
            figures[label]["bulk_left"] = sum(
                1 for t, to in handler.arrivals if t > arrived and to.startswith("benchbulk"))
        clean()
        raw_ids = _rows(engine, "bench", MESSAGES)
        raw = _raw_smtplib(engine, raw_ids, port)
    finally:
        clean()
        engine.dispose()

    before, after = figures["before"], figures["after"]
    print(f"\nmail worker, {MESSAGES} messages in jobs of 50, one `joren worker --burst` "
          f"({engine.dialect.name}, {'real' if os.environ.get('REDIS_URL') else 'local'} Redis):")
    print(f"  raw smtplib, same messages, one connection: {raw:8.1f} msg/s")
    for label, f in figures.items():
        print(f"  {label:6}: {f['msg_s']:8.1f} msg/s (with start-up {f['msg_s_with_start']:7.1f}), "
              f"{f['msg_s'] / raw:.2f} of raw smtplib; sign-in sent {f['sign_in_s']:6.2f} s "
              f"after queueing behind {BULK_FOR_LATENCY} bulk ({int(f['bulk_left'])} bulk "
              f"still unsent then)")
    print(f"  after/before throughput: x{after['msg_s'] / before['msg_s']:.1f}; "
          f"sign-in latency before/after: x{before['sign_in_s'] / after['sign_in_s']:.1f}")
