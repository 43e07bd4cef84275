"""The worker ``joren worker`` runs: the app is built once per process, jobs run in it.

Flask-RQ's own worker starts ``python -m flask rq work-horse`` for every job, which imports
Joren and runs ``create_app`` again (seconds per job): one worker then sent ~10 emails a
minute. This worker is RQ's ``SimpleWorker``: each job runs in the worker process itself, in a
fresh app context, on the engine pool and the SMTP connection the previous job left open.

What the fork used to give, and how it is kept:

- a hard time limit per job: RQ's death penalty (SIGALRM in this process) raises
  ``JobTimeoutException`` inside the job at its ``job_timeout``; the job's session rolls back
  and an outbox batch records what it sent (see ``joren.platform.mail.sender``);
- a killed worker loses nothing and sends nothing twice: the job stays in RQ's started
  registry (retried or failed as abandoned once its heartbeat runs out), outbox rows are
  claimed before sending, and the outbox sweep re-enqueues what was left;
- isolation between jobs: every job opens and closes its own session (``workers.context``)
  and gets its own app context, so nothing of one job's state reaches the next. ``--max-jobs``
  recycles a worker after that many jobs if memory ever creeps.

Why mail goes through these jobs and not a loop of its own that polls the outbox: a send job
names its 50 messages and claims them in one statement, so RQ's per-job cost (a few Redis
round trips) is paid once per 50 messages; what a message costs is its build, its SMTP
exchange and a share of the batch's commits (joren.platform.mail.sender), which a polling loop
would pay the same. The jobs keep what a loop would have to rebuild: the transactional queue
ahead of bulk mail, one worker for every queue, RQ's retries with back-off, time limits and
warm shutdown, and an idle worker that costs nothing (a loop polls the database).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from rq import SimpleWorker
from rq.job import Job
from rq.queue import Queue


class AppWorker(SimpleWorker):
    """RQ's in-process worker, with an app context per job."""

    def __init__(self, queues: Any, *, app: Flask, **kwargs: Any) -> None:
        super().__init__(queues, **kwargs)
        self.app = app

    def execute_job(self, job: Job, queue: Queue) -> None:
        with self.app.app_context():
            super().execute_job(job, queue)


def make_worker(app: Flask, queues: list[str] | None = None, **kwargs: Any) -> AppWorker:
    """A worker on ``queues`` (default: all, in priority order; see joren.platform.jobs)."""
    known = app.extensions["rq"].queues
    chosen = [known[name] for name in queues] if queues else list(known.values())
    return AppWorker(chosen, app=app, connection=chosen[0].connection,
                     job_class=chosen[0].job_class, **kwargs)
