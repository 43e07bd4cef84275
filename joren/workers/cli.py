"""``joren worker`` and ``joren cron``: an RQ worker that builds the app once (see
``joren.workers.worker``) and RQ's cron scheduler, through Flask-RQ. Both keep running
through a Redis outage (``joren.workers.resilience``)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from joren.workers import resilience

EMBEDDED_MODE = """\
REDIS_URL is not set, so there is no queue for a separate {what} to {verb}.

Joren is in embedded mode: background jobs (sending email and the like) run inside the web
process, right after the transaction that asked for them commits. That needs no worker and
no cron, and is meant for one machine only (a local run or a demo): there are no retries and
no job time limits, and the web process runs the cron schedule itself (one per installation).

To run workers, start Redis and point Joren at it, then start the processes:

    export REDIS_URL=redis://localhost:6379/0
    joren worker     # as many as you need, on any machine
    joren cron       # exactly one
"""


def require_redis(what: str, verb: str) -> None:
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(EMBEDDED_MODE.format(what=what, verb=verb))


def _queue_names() -> list[str]:
    return list(current_app.extensions["rq"].queues)


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
@click.option("--scheduler/--no-scheduler", default=True, show_default=True,
              help="Also move retried and scheduled jobs back to their queues when due "
                   "(RQ lets one worker at a time do it).")
@click.option("--max-jobs", type=int, default=None, help="Quit after this many jobs.")
@click.option("--name", default=None, help="Worker name (default: RQ's own).")
@with_appcontext
def worker_command(
    queues: tuple[str, ...], burst: bool, scheduler: bool, max_jobs: int | None, name: str | None
) -> None:
    """Run a worker on QUEUES (default: all, by priority: transactional, cron, default, mail).

    The worker always takes the first queue that has a job, so sign-in mail goes before
    everything else and periodic work before bulk mail. For sign-in mail that nothing can
    delay, also run a worker on the transactional queue alone: ``joren worker transactional``.
    """
    require_redis("worker", "work on")
    known = _queue_names()
    unknown = [q for q in queues if q not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown queue(s) {', '.join(unknown)}; configured: {', '.join(known)}",
            param_hint="QUEUES",
        )
    from joren.workers.worker import make_worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    resilience.run_worker(lambda: make_worker(app, list(queues) or None, name=name),
                          current_app.extensions["rq"].get_queue().connection, burst=burst,
                          max_jobs=max_jobs, with_scheduler=scheduler)


@click.command("cron")
@with_appcontext
def cron_command() -> None:
    """Run RQ's cron scheduler with Joren's schedule. Run exactly one of these."""
    require_redis("cron scheduler", "feed")
    from joren.workers.cron import SCHEDULE

    ext = current_app.extensions["rq"]
    for entry in SCHEDULE:
        click.echo(f"scheduled {entry.func.__module__}.{entry.func.__name__} "
                   f"every {entry.interval}{'s' if isinstance(entry.interval, int) else ''} "
                   f"on queue {entry.queue}")
    resilience.run_cron(ext.make_cron_scheduler, ext.get_queue().connection)


def register(app: Flask) -> None:
    """Add the worker commands to the ``joren`` group and the schedule to Flask-RQ (so that
    ``joren rq cron`` runs the same schedule as ``joren cron``)."""
    from joren.workers.cron import register_schedule

    register_schedule(app.extensions["rq"])
    app.cli.add_command(worker_command)
    app.cli.add_command(cron_command)
