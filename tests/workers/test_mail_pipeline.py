"""The mail pipeline under load: a worker that builds the app once, queues by priority, bulk
mail in batches that survive a crash, and a sweep that makes no needless jobs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.timeouts import JobTimeoutException, UnixSignalDeathPenalty
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

import joren.models  # noqa: F401 - maps every table for create_all
from joren.platform.accounts import services as accounts
from joren.platform.db import Base, utcnow
from joren.platform.jobs import QUEUES
from joren.platform.mail import sender
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.workers import jobs as worker_jobs
from joren.workers.cron import SCHEDULE
from tests.mailserver import SMTPServer, _Collector
from tests.workers.helpers import notice, queues

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "tests.workers.sample_jobs"


def _bulk(session, count: int, prefix: str = "bulk") -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    messages = [notice(session, to=f"{prefix}{n}@example.jp", key=f"{prefix}-{n}",
                       category="reminders") for n in range(count)]
    session.commit()
    return messages


def test_a_sign_in_link_goes_out_before_bulk_mail_queued_earlier(
    app, app_ctx, session, people, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    _bulk(session, 120)
    assert queues(app)["mail"].count == 3  # 120 messages in batches of 50

    accounts.request_email(session, "magic", people.member.email, "ja")
    session.commit()
    assert queues(app)["transactional"].count == 1

    run_jobs()
    received = [m["To"] for m in smtp_server.messages]
    assert len(received) == 121
    assert received[0] == people.member.email  # first, though asked for last
    assert sorted(received[1:]) == sorted(f"bulk{n}@example.jp" for n in range(120))


def test_periodic_work_runs_before_bulk_mail(
    app, app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    _bulk(session, 100)
    assert {entry.queue for entry in SCHEDULE} == {"cron"}
    cron_queue = queues(app)["cron"]
    periodic = [cron_queue.enqueue(entry.func, *entry.args) for entry in SCHEDULE
                if not entry.args]  # the fan-outs of named jobs run the same way
    mail_jobs = queues(app)["mail"].get_jobs()

    run_jobs()
    for job in [*periodic, *mail_jobs]:
        job.refresh()
    last_periodic = max(job.ended_at for job in periodic)
    first_mail = min(job.started_at for job in mail_jobs)
    assert last_periodic <= first_mail
    assert len(smtp_server.messages) == 100


def test_the_configured_queue_order_is_by_priority(app) -> None:  # type: ignore[no-untyped-def]
    assert tuple(queues(app)) == QUEUES == ("transactional", "cron", "default", "mail")


class _StallOnThird(_Collector):
    """Accepts two messages, then holds the third's DATA until released (answering 451)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.seen += 1
        if self.seen == 3:
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Requested action aborted: the client went away"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture()
def stall_on_third(app):  # type: ignore[no-untyped-def]
    server = SMTPServer()
    server.handler = _StallOnThird()
    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port)
    server.start()
    previous = (app.config["SMTP_URL"], app.config["MAIL_CAPTURE"])
    app.config.update(SMTP_URL=server.url, MAIL_CAPTURE=False)
    try:
        yield server
    finally:
        app.config.update(SMTP_URL=previous[0], MAIL_CAPTURE=previous[1])
        server.handler.release.set()
        server.stop()


def test_a_batch_stopped_mid_send_sends_the_rest_once_when_retried(
    app, app_ctx, session, stall_on_third  # type: ignore[no-untyped-def]
) -> None:
    messages = _bulk(session, 5)
    ids = [m.id for m in messages]
    transport = sender.transport_from_config(app.config)

    # The job's hard time limit stops it while the server holds the third message.
    with pytest.raises(JobTimeoutException), UnixSignalDeathPenalty(1, JobTimeoutException):
        sender.send_messages(session, ids, transport)
    stall_on_third.handler.release.set()

    session.expire_all()
    status = {m.id: session.get(OutboxMessage, m.id) for m in messages}
    assert [status[i].status for i in ids] == [
        OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.FAILED,  # the third may have arrived
        OutboxStatus.PENDING, OutboxStatus.PENDING]                 # never handed over
    assert "may have been delivered" in status[ids[2]].last_error
    assert status[ids[3]].attempts == status[ids[4]].attempts == 0

    retried = sender.send_messages(session, ids, transport)  # RQ's retry of the same job
    assert retried.sent == ids[3:] and retried.skipped == ids[:3]
    received = sorted(m["To"] for m in stall_on_third.messages)
    assert received == sorted(f"bulk{n}@example.jp" for n in (0, 1, 3, 4))  # each once


def test_the_sweep_leaves_messages_whose_job_is_queued_and_batches_the_lost_ones(
    clock, app, app_ctx, session  # type: ignore[no-untyped-def]
) -> None:
    waiting = _bulk(session, 60, prefix="waiting")  # two jobs, still in the queue
    lost = _bulk(session, 70, prefix="lost")
    mail = queues(app)["mail"]
    for job in mail.get_jobs()[2:]:  # the jobs of the second transaction are lost
        mail.remove(job)
        job.delete()
    session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=5)))
    session.commit()  # all of them are due for the sweep's look
    with app.app_context():
        assert worker_jobs.sweep_outbox() == 70
    jobs_now = mail.get_jobs()
    assert len(jobs_now) == 2 + 2  # the two waiting jobs and one per 50 lost messages
    swept = sorted(i for job in jobs_now[2:] for i in job.args[0])
    assert swept == sorted(m.id for m in lost)
    assert {i for job in jobs_now[:2] for i in job.args[0]} == {m.id for m in waiting}

    with app.app_context():
        assert worker_jobs.sweep_outbox() == 0  # everything is on its way: no new jobs
    assert len(mail.get_jobs()) == 4


def _joren() -> str:
    return str(Path(sys.executable).with_name("joren"))


@pytest.mark.real_clock  # the worker is another process, on the real clock
def test_joren_worker_runs_every_job_in_its_own_process_in_priority_order(
    tmp_path, shared_redis_url  # type: ignore[no-untyped-def]
) -> None:
    database_url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    redis = Redis.from_url(shared_redis_url)
    redis.flushdb()
    enqueued = []
    for name in ("mail", "mail", "default", "cron", "transactional"):
        enqueued.append(Queue(name, connection=redis).enqueue(f"{SAMPLE}.process_id", name))

    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": shared_redis_url,
           "SECRET_KEY": "pipeline-test", "JOREN_ENV": "development", "PYTHONPATH": str(ROOT)}
    env.pop("FLASK_APP", None)
    process = subprocess.Popen([_joren(), "worker", "--burst", "--no-scheduler"], env=env,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output.decode(errors="replace")

    results = [Job.fetch(job.id, connection=redis) for job in enqueued]
    pids = {job.return_value()[1] for job in results}
    assert pids == {process.pid}  # no work-horse process per job
    order = [job.return_value()[0]
             for job in sorted(results, key=lambda job: job.started_at)]
    assert order == ["transactional", "cron", "default", "mail", "mail"]
    with Session(create_engine(database_url)) as s:
        assert s.scalars(select(OutboxMessage)).all() == []
