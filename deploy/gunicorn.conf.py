"""Gunicorn settings for Joren's web process.

    gunicorn -c deploy/gunicorn.conf.py "joren.app:create_app()"

PORT sets the port (default 8000); WEB_CONCURRENCY the number of worker processes (default
two per CPU plus one, at most 4); WEB_THREADS the threads per process (default 4). Each process
keeps its own database pool, so a machine opens up to processes × (DATABASE_POOL_SIZE +
DATABASE_MAX_OVERFLOW) connections: 4 × 7 = 28 with the defaults, whatever its CPU count
(deploy/OPERATIONS.md, "Sizing"). Joren itself writes one structured ``request`` line per
request (LOG_FORMAT, with its request id), so gunicorn's own access log is off unless
GUNICORN_ACCESS_LOG names a file ("-" for standard output). When on, it prints the path the
app logged (its URL rule, ``<token>`` left as a placeholder), never the query string, because
sign-in, verification, invitation, ticket and unsubscribe links carry their secret in the URL.
With LOG_FORMAT=json (the production default) gunicorn's own lines are JSON like the app's.

Prometheus: every worker process records its request metrics in PROMETHEUS_MULTIPROC_DIR
(a fresh directory under the system's temporary folder unless set; it must be writable and is
emptied when gunicorn starts), so ``/metrics`` adds up all the workers whichever one answers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import shutil
import tempfile

from gunicorn.glogging import Logger
from gunicorn.http import wsgi as gunicorn_wsgi

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# ~145 MiB and up to 7 database connections per process: more processes than 4 on a large host
# would exhaust PostgreSQL's connections long before the CPUs; scale out with machines instead.
MAX_DEFAULT_WORKERS = 4
workers = int(os.environ.get("WEB_CONCURRENCY")
              or min(multiprocessing.cpu_count() * 2 + 1, MAX_DEFAULT_WORKERS))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or os.environ.get("GUNICORN_THREADS") or 4)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
# The workers' heartbeat files: in memory, so a read-only root filesystem is fine (gunicorn
# makes each with mkstemp and unlinks it at once, so a shared directory is safe).
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None
keepalive = 5
# Request limits, gunicorn's defaults written down: a request line (method, path and query) of
# at most 4094 bytes and at most 100 header fields of 8190 bytes each; beyond that gunicorn answers
# 400 before Joren sees the request. Bodies are Joren's to limit (MAX_CONTENT_LENGTH, 413 without
# reading them); gunicorn then drains at most 64 KB of the unread body and closes the connection.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Recycle workers now and then so a slow leak cannot grow without bound. A worker builds the
# app when it starts (about 1.5 s of CPU): every 2,000 requests that was 0.75 ms a request,
# a quarter of a page served from the page cache (issue 14); every 20,000 it is under 0.1 ms.
max_requests = 20000
max_requests_jitter = 2000
# Behind a load balancer or ingress that sets X-Forwarded-Proto. The client's address for rate
# limits (X-Forwarded-For), the scheme and the public host (X-Forwarded-Host) come through the
# app's TRUSTED_PROXY_COUNT (README), whatever the proxy's address; this only lets gunicorn
# itself agree on the scheme for a proxy on 127.0.0.1 (tests/platform/test_behind_proxy_gunicorn).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# %(U)s is the path without the query string; no referer (it may hold a token as well).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'

TOKEN_SEGMENT = re.compile(r"/[A-Za-z0-9_\-.=]{32,}")


def redact_path(path: str) -> str:
    """Replace path segments that look like signed tokens."""
    return TOKEN_SEGMENT.sub("/[redacted]", path)


def log_format() -> str:
    """LOG_FORMAT as the app reads it: json unless set, or unless JOREN_ENV is development."""
    chosen = (os.environ.get("LOG_FORMAT") or "").strip().lower()
    if chosen:
        return chosen
    environment = (os.environ.get("JOREN_ENV") or "development").strip()
    return "text" if environment in {"development", "test"} else "json"


class RedactingLogger(Logger):
    """Gunicorn's logger, with token-like path segments masked in the access log, and its own
    lines (start-up, worker boots and timeouts, errors) rendered like the app's: one JSON
    object a line when LOG_FORMAT=json, through the same scrubber (joren.platform.observability
    .logs), so a log pipeline parses every line of the web process."""

    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)
        if log_format() != "json" or cfg.logconfig or cfg.logconfig_dict or cfg.logconfig_json:
            return
        from joren.platform.observability.logs import make_handler

        formatter = make_handler("json").formatter
        for handler in (*self.error_log.handlers, *self.access_log.handlers):
            if isinstance(handler, logging.StreamHandler):  # stderr or a file, not syslog
                handler.setFormatter(formatter)

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = environ.get("joren.log_path") or redact_path(atoms.get("U") or "")
        atoms["r"] = f"{atoms.get('m', '')} {atoms['U']} {atoms.get('H', '')}"
        return atoms


logger_class = RedactingLogger

# Set before any worker imports prometheus_client (workers are forked after this file runs).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="joren-metrics-"))


def on_starting(server):  # type: ignore[no-untyped-def]
    """Start from an empty metrics directory: samples of a previous run's workers are stale."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _without_server_header(default_headers):  # type: ignore[no-untyped-def]
    def headers(self):  # type: ignore[no-untyped-def]
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    headers.joren_no_server = True
    return headers


# No "Server: gunicorn": gunicorn has no setting for it (benoitc/gunicorn#825), and a header the
# app sets is sent in addition, not instead. The master applies this before it forks workers.
if not getattr(gunicorn_wsgi.Response.default_headers, "joren_no_server", False):
    gunicorn_wsgi.Response.default_headers = _without_server_header(
        gunicorn_wsgi.Response.default_headers)
