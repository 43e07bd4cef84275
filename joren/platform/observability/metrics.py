"""Prometheus metrics, served at ``/metrics`` to a scraper that presents ``METRICS_TOKEN``.

Three sources, one page:

- **Requests** (``joren_http_request_duration_seconds`` by Flask endpoint and status class):
  recorded in each web process with prometheus-client. Under gunicorn with several worker
  processes, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``deploy/gunicorn.conf.py``) makes every
  process write its samples there, and the page sums them, whichever worker answers.
- **Jobs and email failures** (``joren_job_duration_seconds``, ``joren_job_failures_total`` by
  queue and job; ``joren_email_send_failures_total`` by outcome): counted in Redis, because a
  job runs in a short-lived work-horse process on any worker machine. The totals are the whole
  installation's, whichever web process is scraped.
- **Backlogs**, computed when scraped: jobs waiting per queue, the outbox's pending and failed
  messages and the age of the oldest pending one (one query on the status index).

Series from the last two sources are installation-wide: aggregate them across web instances
with ``max``, not ``sum``.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from sqlalchemy import func, select

from joren.platform.db import db, utcnow
from joren.platform.extensions import csrf, limiter
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.sender import send_failed
from joren.platform.tenancy import unscoped

log = logging.getLogger("joren.metrics")

bp = Blueprint("metrics", __name__)

REQUEST_DURATION = Histogram(
    "joren_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint and status class.",
    ["endpoint", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

JOB_STATS_KEY = "joren:metrics:jobs"
EMAIL_STATS_KEY = "joren:metrics:email"
JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)
_SEP = "|"


# ---- requests -------------------------------------------------------------------------------

def _observe_request(response: Any) -> Any:
    started = g.get("request_started")
    if started is not None and request.endpoint != "metrics.scrape":
        import time

        REQUEST_DURATION.labels(
            endpoint=request.endpoint or "none", status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
    return response


# ---- jobs and email, counted in Redis --------------------------------------------------------

def _bucket(seconds: float) -> str:
    return next((repr(b) for b in JOB_BUCKETS if seconds <= b), "+Inf")


def record_job(connection: Any, queue: str, job: str, seconds: float, failed: bool) -> None:
    """Count one finished job (and whether it failed) in Redis; never raises for Redis."""
    name = f"{queue}{_SEP}{job}"
    try:
        pipe = connection.pipeline(transaction=False)
        pipe.hincrby(JOB_STATS_KEY, f"{name}{_SEP}count", 1)
        pipe.hincrbyfloat(JOB_STATS_KEY, f"{name}{_SEP}sum", seconds)
        pipe.hincrby(JOB_STATS_KEY, f"{name}{_SEP}le{_SEP}{_bucket(seconds)}", 1)
        if failed:
            pipe.hincrby(JOB_STATS_KEY, f"{name}{_SEP}failed", 1)
        pipe.execute()
    except (RedisError, OSError):
        log.warning("could not record job metrics for %s", job)


def record_email_failure(outcome: str) -> None:
    """Count one failed send attempt: ``failed`` (given up) or ``retry`` (tried again later)."""
    try:
        connection = current_app.extensions["rq"].get_queue().connection
        connection.hincrby(EMAIL_STATS_KEY, outcome, 1)
    except (RedisError, OSError, RuntimeError, KeyError):
        log.warning("could not record an email failure")


def _count_send_failure(_message_id: Any, *, outcome: str) -> None:
    record_email_failure(outcome)


def _decode(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _job_families(stats: dict[Any, Any]) -> list[Metric]:
    per_job: dict[tuple[str, str], dict[str, float]] = {}
    for raw_key, raw_value in stats.items():
        parts = _decode(raw_key).split(_SEP)
        if len(parts) < 3:
            continue
        queue, job, kind = parts[0], parts[1], _SEP.join(parts[2:])
        per_job.setdefault((queue, job), {})[kind] = float(_decode(raw_value))
    duration = HistogramMetricFamily(
        "joren_job_duration_seconds", "Time a job ran, by queue and job.",
        labels=["queue", "job"])
    failures = CounterMetricFamily(
        "joren_job_failures_total", "Jobs that raised, by queue and job.",
        labels=["queue", "job"])
    for (queue, job), values in sorted(per_job.items()):
        cumulative, buckets = 0.0, []
        for bound in (*(repr(b) for b in JOB_BUCKETS), "+Inf"):
            cumulative += values.get(f"le{_SEP}{bound}", 0.0)
            buckets.append((bound, cumulative))
        duration.add_metric([queue, job], buckets, values.get("sum", 0.0))
        failures.add_metric([queue, job], values.get("failed", 0.0))
    return [duration, failures]


# ---- what is computed when scraped -----------------------------------------------------------

def outbox_backlog(session: Any, now: datetime) -> tuple[int, int, float]:
    """(pending, failed, age in seconds of the oldest pending message), in one query."""
    pending = OutboxMessage.status == OutboxStatus.PENDING
    query = select(
        func.count(OutboxMessage.id).filter(pending),
        func.count(OutboxMessage.id).filter(OutboxMessage.status == OutboxStatus.FAILED),
        func.min(OutboxMessage.created_at).filter(pending),
    ).where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]))
    # The platform's own aggregate across communities, no tenant's rows: deliberately unscoped
    # (on PostgreSQL this also sets the row-level security bypass for the transaction).
    with unscoped(session):
        pending_count, failed_count, oldest = session.execute(query).one()
    if oldest is not None and oldest.tzinfo is None:  # SQLite drops the offset
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return int(pending_count), int(failed_count), age


class PlatformCollector(Collector):
    """Installation-wide figures, read from Redis and the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        yield from self._from_redis()
        yield from self._from_database()

    def _from_redis(self) -> Iterator[Metric]:
        queues = self.app.extensions["rq"].queues
        depth = GaugeMetricFamily("joren_queue_depth", "Jobs waiting in each queue.",
                                  labels=["queue"])
        failed = GaugeMetricFamily("joren_queue_failed_jobs",
                                   "Jobs in each queue's failed-job registry.", labels=["queue"])
        email = CounterMetricFamily("joren_email_send_failures",
                                    "Email send attempts that failed, by outcome "
                                    "(retry: tried again later; failed: given up).",
                                    labels=["outcome"])
        try:
            connection = next(iter(queues.values())).connection
            pipe = connection.pipeline(transaction=False)
            for queue in queues.values():
                pipe.llen(queue.key)
                pipe.zcard(queue.failed_job_registry.key)
            pipe.hgetall(JOB_STATS_KEY)
            pipe.hgetall(EMAIL_STATS_KEY)
            results = pipe.execute()
        except (RedisError, OSError):
            log.warning("metrics: Redis did not answer; queue and job figures left out")
            return
        for position, name in enumerate(queues):
            depth.add_metric([name], results[2 * position])
            failed.add_metric([name], results[2 * position + 1])
        email_stats = {_decode(k): float(_decode(v)) for k, v in results[-1].items()}
        for outcome in ("retry", "failed"):
            email.add_metric([outcome], email_stats.get(outcome, 0.0))
        yield depth
        yield failed
        yield from _job_families(results[-2])
        yield email

    def _from_database(self) -> Iterator[Metric]:
        session = db.sessionmaker()
        try:
            pending, failed, age = outbox_backlog(session, utcnow())
        except Exception:  # noqa: BLE001 - a scrape reports what it can
            log.warning("metrics: the database did not answer; outbox figures left out")
            return
        finally:
            session.rollback()
            session.close()
        outbox = GaugeMetricFamily("joren_outbox_messages", "Outbox messages by status.",
                                   labels=["status"])
        outbox.add_metric(["pending"], pending)
        outbox.add_metric(["failed"], failed)
        yield outbox
        yield GaugeMetricFamily("joren_outbox_oldest_pending_age_seconds",
                                "How long the oldest pending outbox message has waited.",
                                value=age)


class _ProcessCollector(Collector):
    """This process's own samples (requests), or every web process's in multiprocess mode."""

    def collect(self) -> Iterator[Metric]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            yield from multiprocess.MultiProcessCollector(CollectorRegistry()).collect()
        else:
            yield from REGISTRY.collect()


# ---- the endpoint ----------------------------------------------------------------------------

def _authorized() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())


@bp.get("/metrics")
def scrape() -> Any:
    """The Prometheus text format, for a scraper that sends ``Authorization: Bearer <token>``."""
    if not current_app.config.get("METRICS_TOKEN"):
        abort(404)  # metrics are off
    if not _authorized():
        return Response("a bearer token is required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessCollector())
    registry.register(PlatformCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """Time every request and serve ``/metrics`` (exempt from CSRF and rate limits)."""
    send_failed.connect(_count_send_failure)
    app.after_request(_observe_request)
    app.register_blueprint(bp)
    csrf.exempt(bp)
    limiter.exempt(bp)
