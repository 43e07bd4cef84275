"""Mail worker throughput beside raw smtplib sending the same messages, in the same run.

Real processes: ``joren worker --burst`` as a subprocess, an aiosmtpd sink in a process of its
own (tests/perf/mail_sink.py), Redis and the database of DATABASE_URL/REDIS_URL when set
(otherwise an SQLite file and a redis-server started for the run). Rates are counted where the
messages arrive, from the first arrival to the last, the same way for every contender:

- raw smtplib ``send_message`` of the same messages prebuilt as ``EmailMessage`` objects
  (``mime.build_message``), over one connection, no database: the issue's baseline;
- raw smtplib ``sendmail`` of the same messages prebuilt as the bytes the worker sends
  (``mime.wire_message``), over one connection: nothing but the SMTP exchange;
- one worker on MESSAGES outbox rows in jobs of 50 (claim, render, hand over, send, record),
  with the default hand-over window and (first round) with ``MAIL_HANDOVER_WINDOW=1``;
- (first round) the worker of the commit this work started from (``MAIL_BENCH_BASE``; empty
  to skip), extracted with ``git archive``.

Prints figures and ratios; asserts only that every message arrived exactly once.

    PYTHONPATH=. python -m pytest -m perf -s -p no:cacheprovider tests/perf/test_mail_perf.py
"""

from __future__ import annotations

import os
import smtplib
import statistics
import subprocess
import sys
import tarfile
import time
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.orm import Session

import joren.models  # noqa: F401 - maps every table for create_all
from joren.platform.db import Base, utcnow
from joren.platform.mail.mime import build_message, wire_message
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from tests.workers.conftest import _free_port, shared_redis_url  # noqa: F401 - fixture

pytestmark = pytest.mark.perf  # a benchmark: run on demand (-m perf)

ROOT = Path(__file__).resolve().parents[2]
BASE_COMMIT = os.environ.get("MAIL_BENCH_BASE", "30924d2")
SEND_BATCH_JOB = "joren.workers.jobs.send_outbox_batch"
MESSAGES = int(os.environ.get("MAIL_BENCH_MESSAGES", "1000"))
ROUNDS = int(os.environ.get("MAIL_BENCH_ROUNDS", "2"))
MAIL_FROM = "Joren <no-reply@joren.example>"
ENVELOPE_FROM = "no-reply@joren.example"


class _SinkProcess:
    def __init__(self, path: Path) -> None:
        self.port = _free_port()
        self.path = path
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.perf.mail_sink", str(self.port), str(path)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == b"ready"

    def arrivals(self, prefix: str) -> list[tuple[float, str]]:
        found = []
        for line in self.path.read_text().splitlines():
            at, to = line.split(" ", 1)
            if to.startswith(prefix + "-"):
                found.append((float(at), to))
        return found

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _base_tree(tmp_path: Path) -> Path:
    archive = subprocess.run(["git", "archive", BASE_COMMIT], cwd=ROOT, check=True,
                             capture_output=True).stdout
    target = tmp_path / "base"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _rows(engine, prefix: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    body = "次回の交流会は3月です。ご参加をお待ちしています。\n" * 20
    now = utcnow()
    unsubscribe = "<http://127.0.0.1:5000/u/" + "x" * 80 + ">"
    with Session(engine) as s:
        s.execute(insert(OutboxMessage), [{
            "idempotency_key": f"{prefix}-{n}", "category": "reminders",
            "template": "mail/notice", "to_email": f"{prefix}-{n}@example.jp", "language": "ja",
            "subject": "3月の交流会のお知らせ", "text_body": body, "html_body": f"<p>{body}</p>",
            "headers": {"List-Unsubscribe": unsubscribe,
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            "attachments": [], "status": OutboxStatus.PENDING, "attempts": 0, "last_error": "",
            "message_id": "", "created_at": now} for n in range(count)])
        s.commit()
        return list(s.scalars(select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key.like(f"{prefix}-%")).order_by(OutboxMessage.id)))


def _raw(engine, ids: list[int], port: int, as_bytes: bool) -> None:  # type: ignore[no-untyped-def]
    """Raw smtplib on the same messages, built beforehand: one connection, no database."""
    with Session(engine) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
        now = utcnow()
        prebuilt = [(r.to_email, wire_message(r, MAIL_FROM, now) if as_bytes
                     else build_message(r, MAIL_FROM, now)) for r in rows]
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for to, message in prebuilt:
            if isinstance(message, bytes):
                conn.sendmail(ENVELOPE_FROM, [to], message)
            else:
                conn.send_message(message, from_addr=ENVELOPE_FROM, to_addrs=[to])


def _worker(tree: Path, env: dict[str, str], ids: list[int], redis: Redis) -> float:
    """Run one burst worker on ``ids`` in jobs of 50; return its wall time with start-up."""
    queue = Queue("mail", connection=redis)
    for i in range(0, len(ids), 50):
        queue.enqueue(SEND_BATCH_JOB, ids[i:i + 50], job_timeout=300)
    joren = str(Path(sys.executable).with_name("joren"))  # honours PYTHONPATH
    began = time.monotonic()
    done = subprocess.run([joren, "worker", "--burst", "--no-scheduler", "mail"],
                          env={**env, "PYTHONPATH": str(tree)}, cwd=tree,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=1800)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return time.monotonic() - began


def test_mail_worker_benchmark(tmp_path, shared_redis_url) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'mail.sqlite3'}"
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1)
                           if database_url.startswith("postgresql://") else database_url)
    Base.metadata.create_all(engine)
    redis = Redis.from_url(shared_redis_url)
    redis.flushdb()
    sink = _SinkProcess(tmp_path / "arrivals.txt")
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": shared_redis_url,
           "SMTP_URL": f"smtp://127.0.0.1:{sink.port}", "MAIL_FROM": MAIL_FROM,
           "SECRET_KEY": "mail-bench", "JOREN_ENV": "development"}
    env.pop("FLASK_APP", None)
    env.pop("MAIL_HANDOVER_WINDOW", None)
    before = _base_tree(tmp_path) if BASE_COMMIT else None
    rates: dict[str, list[float]] = {}
    started: dict[str, float] = {}

    def run(label: str, prefix: str, send) -> None:  # type: ignore[no-untyped-def]
        ids = _rows(engine, prefix, MESSAGES)
        wall = send(ids)
        arrivals = sink.arrivals(prefix)
        counts = Counter(to for _, to in arrivals)
        assert len(counts) == MESSAGES and set(counts.values()) == {1}  # each exactly once
        times = sorted(t for t, _ in arrivals)
        rates.setdefault(label, []).append((MESSAGES - 1) / (times[-1] - times[0]))
        if wall is not None:
            started[label] = MESSAGES / wall

    raw_objects = "raw smtplib send_message, prebuilt EmailMessage"
    raw_bytes = "raw smtplib sendmail, prebuilt bytes"
    worker = "joren worker (MAIL_HANDOVER_WINDOW default)"
    exact = "joren worker, MAIL_HANDOVER_WINDOW=1"
    base = f"joren worker at {BASE_COMMIT} (before)"
    try:
        for r in range(ROUNDS):
            run(raw_objects, f"b{r}o", lambda ids: _raw(engine, ids, sink.port, False))
            run(worker, f"b{r}w", lambda ids: _worker(ROOT, env, ids, redis))
            run(raw_bytes, f"b{r}b", lambda ids: _raw(engine, ids, sink.port, True))
            if r == 0:
                run(exact, f"b{r}e", lambda ids: _worker(
                    ROOT, {**env, "MAIL_HANDOVER_WINDOW": "1"}, ids, redis))
                if before is not None:
                    run(base, f"b{r}p", lambda ids: _worker(before, env, ids, redis))
    finally:
        sink.stop()
        with Session(engine) as s:
            s.execute(delete(OutboxMessage).where(OutboxMessage.idempotency_key.like("b%-%")))
            s.commit()
        engine.dispose()

    def median(label: str) -> float:
        return statistics.median(rates[label])

    print(f"\nmail, {MESSAGES} messages ({engine.dialect.name}, "
          f"{'real' if os.environ.get('REDIS_URL') else 'local'} Redis), {ROUNDS} rounds, "
          "msg/s from first to last arrival at a separate aiosmtpd sink (median; each round):")
    for label in rates:
        each = ", ".join(f"{x:.1f}" for x in rates[label])
        ratios = (f"  {median(label) / median(raw_objects):.2f} of send_message, "
                  f"{median(label) / median(raw_bytes):.2f} of sendmail"
                  if label not in (raw_objects, raw_bytes) else "")
        start = f" (with start-up {started[label]:.1f})" if label in started else ""
        print(f"  {label:48} {median(label):7.1f} [{each}]{start}{ratios}")
    if base in rates:
        print(f"  worker after/before: x{median(worker) / median(base):.1f}")
