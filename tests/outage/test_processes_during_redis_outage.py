"""`joren worker` and `joren cron` as real processes, with their Redis stopped under them and
started again (issue 12, finding 5): they log the outage, wait with back-off and carry on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue, Worker
from rq.cron_scheduler_registry import get_keys as cron_schedulers

from tests.outage.redis_server import RedisServer

JOREN = str(Path(sys.executable).with_name("joren"))
ROOT = Path(__file__).resolve().parents[2]


def _until(condition: Callable[[], object], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


class Process:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.handle = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(args, env=env, cwd=ROOT, stdout=self.handle,
                                      stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.handle.close()


@pytest.fixture()
def start(app_config, redis_server: RedisServer,
          tmp_path: Path) -> Iterator[Callable[..., Process]]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT), JOREN_ENV="production", SECRET_KEY="outage-test-secret-key",
        DATABASE_URL=str(app_config["DATABASE_URL"]), REDIS_URL=redis_server.url,
        MAIL_CAPTURE="1", BASE_URL="https://joren.example.jp",
    )
    env.pop("SMTP_URL", None)
    started: list[Process] = []

    def run(command: str) -> Process:
        process = Process([JOREN, command], env, tmp_path / f"{command}.log")
        started.append(process)
        return process

    yield run
    for process in started:
        process.stop()


def _alive_or_fail(process: Process) -> bool:
    if not process.alive():
        raise AssertionError(f"the process exited:\n{process.output()[-3000:]}")
    return True


def test_worker_survives_redis_going_away_mid_job_and_works_when_it_is_back(
        start, redis_server: RedisServer, tmp_path: Path):
    connection = Redis.from_url(redis_server.url)
    worker = start("worker")
    _until(lambda: _alive_or_fail(worker) and Worker.all(connection=connection),
           "the worker registers")
    release = tmp_path / "release"
    busy = Queue("default", connection=connection).enqueue(
        "tests.outage.jobs.wait_for_file", str(release))
    _until(lambda: busy.get_status(refresh=True) == "started", "the job starts")

    redis_server.stop()
    release.touch()  # the job ends while Redis is away: recording its end fails
    _until(lambda: _alive_or_fail(worker) and "Redis unreachable" in worker.output(),
           "the worker reports the outage")

    redis_server.start()
    connection = Redis.from_url(redis_server.url)
    job = Queue("default", connection=connection).enqueue("tests.outage.jobs.echo", 42)
    _until(lambda: _alive_or_fail(worker) and job.get_status(refresh=True) == "finished",
           "the worker runs a job after the outage")
    assert job.return_value() == 42
    assert "Redis answers again" in worker.output()


def test_cron_started_during_an_outage_waits_for_redis_and_then_schedules(
        start, redis_server: RedisServer):
    redis_server.stop()
    cron = start("cron")
    _until(lambda: _alive_or_fail(cron) and "Redis unreachable" in cron.output(),
           "cron reports the outage")

    redis_server.start()
    connection = Redis.from_url(redis_server.url)
    _until(lambda: _alive_or_fail(cron) and cron_schedulers(connection),
           "the cron scheduler registers")
    _until(lambda: Queue("cron", connection=connection).count > 0,
           "the every-minute sweep is enqueued")


def test_worker_started_during_an_outage_waits_for_redis_and_then_works(
        start, redis_server: RedisServer):
    """As when a supervisor restarts a killed worker while Redis is away (the trial did)."""
    redis_server.stop()
    worker = start("worker")
    _until(lambda: _alive_or_fail(worker) and "Redis unreachable" in worker.output(),
           "the worker reports the outage")

    redis_server.start()
    connection = Redis.from_url(redis_server.url)
    job = Queue("default", connection=connection).enqueue("tests.outage.jobs.echo", 7)
    _until(lambda: _alive_or_fail(worker) and job.get_status(refresh=True) == "finished",
           "the worker runs a job once Redis is back")
