"""Page-throughput benchmark (issue 14): every console and portal page of a big community
against bare Flask + Jinja, both under gunicorn with deploy/gunicorn.conf.py.

    PYTHONPATH=. .venv/bin/python -m tools.page_bench                       # SQLite, temp file
    PYTHONPATH=. .venv/bin/python -m tools.page_bench \\
        --database-url postgresql://postgres@127.0.0.1:5432/joren_bench --check
    PYTHONPATH=. .venv/bin/python -m tools.page_bench --pages checkin --json out.json

What it does, in order:

1. The database: ``--database-url`` (default: a new SQLite file in a temporary folder). It is
   WIPED (SQLite: the file; PostgreSQL: the ``public`` schema) and migrated with
   ``joren db upgrade``; with ``--reuse`` a community an earlier run built there is kept (the
   database is only migrated), which saves the seeding while you iterate on a page. On
   PostgreSQL, as in production (SECURITY.md, "Database roles"), the
   URL is the owner's (``MIGRATION_DATABASE_URL``) and every process of Joren connects as
   ``--app-role`` (default ``<database>_app``; created or reset: LOGIN, no SUPERUSER, no
   BYPASSRLS, owns nothing), so row-level security applies; ``joren db check`` must pass.
2. The community: tests/perf/bigcommunity.py (``--members``, ``--attendance``, ``--meetups``),
   seeded as the owner, then ANALYZE.
3. Two gunicorns with deploy/gunicorn.conf.py and the same settings (``--workers`` 2 ×
   ``--threads`` 4; workers not recycled, see ``Gunicorn``): Joren
   (``joren.app:create_app()``, JOREN_ENV=production, MAIL_CAPTURE=1,
   TRUSTED_PROXY_COUNT=1, ``--redis-url`` when given) and the baseline (tools/bare_app.py: a
   50-row table rendered by Flask + Jinja). Requests carry X-Forwarded-Proto/-Host/-For as a
   proxy sends them. Both are stopped when the script ends, whatever happens.
4. Sign-in through the real form (GET /login for the CSRF token, POST with the password) as the
   organizer (console pages) and as a member (portal pages); the session cookies are reused.
5. For each page (tools/page_bench_pages.py: every console and portal GET route of the
   url_map, ``--pages`` keeps those whose name or path contains one of the substrings):
   - statements, status and HTML size from one request through Flask's test client in this
     process, against the same database as the same role (SQL statements counted with an
     SQLAlchemy ``before_cursor_execute`` listener; transaction control and the tenant scope's
     ``set_config`` are not counted, as in tests/tenants/helpers.count_statements);
   - p50/p95 latency of ``--sequential`` requests one at a time (at most ``--sequential-seconds``);
   - throughput: ``--concurrency`` clients (threads, keep-alive connections) for ``--seconds``,
     interleaved with the baseline measured the same way just before it; the ratio is the
     page's requests/s over the median of all the baseline's runs.
6. A table (page, statements, p50, p95, req/s, ratio, CPU ms, KB, verdict) against the targets
   (``--min-ratio`` 0.3, ``--max-p95`` 150 ms, ``--max-statements`` 10); ``--json`` writes the
   figures; with ``--check`` the exit status is 1 when a page misses a target.

The machine's other load moves absolute figures; the ratio to the baseline measured in the
same run is what to compare between runs.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PUBLIC_HOST = "bench.joren.example"
BASE_URL = f"https://{PUBLIC_HOST}"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
SKIPPED_SQL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SELECT SET_CONFIG(")


@dataclass
class Result:
    """One page's figures."""

    name: str
    path: str
    role: str
    status: int = 0
    statements: int = 0
    html_bytes: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    rps: float = 0.0
    baseline_rps: float = 0.0
    ratio: float = 0.0
    cpu_ms: float = 0.0  # CPU time of gunicorn's master and workers per request, under load
    baseline_cpu_ms: float = 0.0
    errors: int = 0
    failures: list[str] = field(default_factory=list)


# -- the database ------------------------------------------------------------------------------

def _pg(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql"))


def _psycopg(url: str) -> str:
    from joren.platform.config import normalise_database_url

    return normalise_database_url(url)


def app_role_url(owner_url: str, role: str) -> str:
    """Create (or reset) the app's login role as production has it; its address."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(_psycopg(owner_url))
    with engine.begin() as conn:
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                      (role,)).first()
        conn.exec_driver_sql(f"{'ALTER' if exists else 'CREATE'} ROLE {role} LOGIN PASSWORD "
                             f"'{role}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
    engine.dispose()
    return make_url(owner_url).set(username=role, password=role).render_as_string(
        hide_password=False)


def prepare_database(owner_url: str, env: dict[str, str], wipe: bool = True) -> None:
    """Wipe, migrate with ``joren db upgrade`` (as the owner), check row-level security."""
    from sqlalchemy import create_engine

    if not wipe:
        pass
    elif _pg(owner_url):
        engine = create_engine(_psycopg(owner_url))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    else:
        path = Path(owner_url.removeprefix("sqlite:///"))
        path.unlink(missing_ok=True)
    subprocess.run([str(BIN / "joren"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    if _pg(owner_url):
        check = subprocess.run([str(BIN / "joren"), "db", "check"], cwd=ROOT, env=env,
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"joren db check failed for the app role: {check.stderr}")


def seed(owner_url: str, members: int, attendance: int, meetups: int,
         env: dict[str, str], reuse: bool = False) -> Any:
    """The big community, built as the owner (no row-level security), then ANALYZE; with
    ``reuse``, the one an earlier run left (None when there is none)."""
    from joren.app import create_app
    from joren.platform.db import db
    from tests.perf import bigcommunity

    with environment({**env, "DATABASE_URL": owner_url, "LOG_LEVEL": "warning"}):
        app = create_app({"DATABASE_URL": _psycopg(owner_url)})
    with app.app_context():
        if reuse:
            found = bigcommunity.locate(db.sessionmaker)
            db.engine.dispose()
            return found
        big = bigcommunity.build(db.sessionmaker, members=members, attendance=attendance,
                                 meetups=meetups)
        with db.sessionmaker() as session:
            bigcommunity.analyze(session)
        db.engine.dispose()
    return big


def _has_schema(url: str) -> bool:
    from sqlalchemy import create_engine, inspect

    if not _pg(url) and not Path(url.removeprefix("sqlite:///")).exists():
        return False
    engine = create_engine(_psycopg(url))
    try:
        return inspect(engine).has_table("communities")
    finally:
        engine.dispose()


@contextlib.contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """``os.environ`` as ``env`` inside the block (the in-process app reads it)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# -- servers -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: the gunicorn master gets SIGTERM when this script dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Gunicorn:
    """A gunicorn with deploy/gunicorn.conf.py in its own process group (killed at the end).

    Workers are not recycled (``--max-requests 0``): deploy's ``max_requests`` would restart
    both workers every 2,000-odd requests, in the middle of whichever page is measured then,
    and that page would pay for two workers booting (seconds of CPU, and its clients
    waiting): a page served from the page cache at 3 ms of CPU measured 38 ms and a ratio of
    0.01 that way (registrations.mine, issue 14)."""

    def __init__(self, target: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--max-requests", "0",
             target], cwd=ROOT,
            env={**env, "PORT": str(self.port)}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent)

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer; see {self.log.name}")

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far, those that exited too (Linux
        /proc; 0 elsewhere): a worker recycled after ``max_requests`` leaves its time in
        the master's count of its children's once reaped."""
        ticks, pids = 0, [self.process.pid]
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                pids += [int(p) for p in (task / "children").read_text().split()]
        for pid in pids:
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
                if pid == self.process.pid:
                    ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: reaped
        return ticks / os.sysconf("SC_CLK_TCK")

    def settle(self, window: float = 2.0, idle: float = 0.05, limit: float = 300) -> float:
        """Wait until the server uses less than ``idle`` of a CPU over ``window`` seconds (in
        embedded mode a worker's scheduler first catches up on its schedule, which would
        otherwise run during the measurements); the seconds waited."""
        began = time.monotonic()
        before = self.cpu_seconds()
        while time.monotonic() - began < limit:
            time.sleep(window)
            after = self.cpu_seconds()
            if after - before < idle * window:
                break
            before = after
        return time.monotonic() - began

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


# -- HTTP --------------------------------------------------------------------------------------

# Each run is a client address of its own (TEST-NET-2), so that runs repeated within an hour
# do not meet the sign-in form's limit per address, which the shared Redis keeps.
CLIENT_ADDRESS = f"198.51.100.{random.SystemRandom().randrange(1, 255)}"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC_HOST,
                 "X-Forwarded-For": CLIENT_ADDRESS, "Accept-Language": "ja"}


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects once when the server closed it."""

    def __init__(self, port: int, cookie: str = "") -> None:
        self.port = port
        self.headers = {**PROXY_HEADERS, **({"Cookie": cookie} if cookie else {})}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body,
                                  headers={**self.headers, **(headers or {})})
                response = self.conn.getresponse()
                response.body = response.read()  # type: ignore[attr-defined]
                return response
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> tuple[int, int]:
        response = self.request("GET", path)
        return response.status, len(response.body)  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def sign_in(port: int, email: str, password: str, attempts: int = 20) -> str:
    """The real sign-in form; the session cookie(s) as a Cookie header. A 500 is retried:
    on SQLite, embedded mode's scheduler catches up on its schedule when a worker starts and
    may hold the write lock longer than the busy timeout."""
    for attempt in range(attempts):
        try:
            return _sign_in_once(port, email, password)
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            time.sleep(3)
    raise AssertionError("unreachable")


def _sign_in_once(port: int, email: str, password: str) -> str:
    conn = Connection(port)
    page = conn.request("GET", "/login")
    cookies = _cookies(page, {})
    token = CSRF.search(page.body.decode())  # type: ignore[attr-defined]
    if token is None:
        raise RuntimeError(f"no sign-in form: {page.status}")
    response = conn.request(
        "POST", "/login", body=urlencode({"csrf_token": token.group(1), "email": email,
                                          "password": password}),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"{BASE_URL}/login", "Cookie": _header(cookies)})
    conn.close()
    cookies = _cookies(response, cookies)
    if response.status != 302:
        raise RuntimeError(f"sign-in as {email} answered {response.status}")
    return _header(cookies)


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    jar = dict(jar)
    for value in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def _header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def sequential(port: int, path: str, cookie: str, count: int, cap: float) -> list[float]:
    """Latencies (s) of ``count`` requests one at a time (fewer when ``cap`` s run out)."""
    conn = Connection(port, cookie)
    times: list[float] = []
    deadline = time.perf_counter() + cap
    try:
        while len(times) < count and (len(times) < 3 or time.perf_counter() < deadline):
            began = time.perf_counter()
            conn.get(path)
            times.append(time.perf_counter() - began)
    finally:
        conn.close()
    return times


def throughput(port: int, path: str, cookie: str, clients: int, seconds: float,
               counted: list[int] | None = None) -> tuple[float, int]:
    """Requests/s of ``clients`` concurrent keep-alive clients for ``seconds``; non-200s.
    ``counted`` (when given) gets the number of requests timed appended."""
    done = [0] * clients
    errors = [0] * clients
    ends = [0.0] * clients
    warm = threading.Barrier(clients + 1)
    go = threading.Event()
    state: dict[str, float] = {}

    def client(k: int) -> None:
        conn = Connection(port, cookie)
        try:
            conn.get(path)  # connected and warm before the clock starts
        finally:
            warm.wait()
        go.wait()
        try:
            while time.perf_counter() < state["deadline"]:
                status, _ = conn.get(path)
                done[k] += 1
                errors[k] += status != 200
                ends[k] = time.perf_counter()
        except (OSError, http.client.HTTPException):
            errors[k] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    warm.wait()
    began = time.perf_counter()
    state["deadline"] = began + seconds
    go.set()
    for t in threads:
        t.join()
    elapsed = max(max(ends) - began, 1e-9)
    if counted is not None:
        counted.append(sum(done))
    return sum(done) / elapsed, sum(errors)


# -- statements, in process ------------------------------------------------------------------

class InProcess:
    """Joren in this process (same environment, database and role as the gunicorn): one
    request per page through the test client, its SQL statements counted."""

    def __init__(self, env: dict[str, str]) -> None:
        from sqlalchemy import event

        from joren.app import create_app
        from joren.platform.db import db

        with environment({**env, "LOG_LEVEL": "warning"}):  # no log line per request
            self.app = create_app()
        # In embedded mode the served Joren runs the schedule; a second scheduler here would
        # run its jobs in this process, beside the clients, while they measure.
        scheduler = self.app.extensions.get("joren.embedded_scheduler")
        if scheduler is not None:
            scheduler.start = lambda: None
        with self.app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []
        self.cookies: dict[str, str] = {}

        def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if not statement.lstrip().upper().startswith(SKIPPED_SQL):
                self.statements.append(statement)

        event.listen(self.engine, "before_cursor_execute", before)

    def _client(self):  # type: ignore[no-untyped-def]
        return self.app.test_client(use_cookies=False)

    def sign_in(self, role: str, email: str, password: str, attempts: int = 20) -> None:
        """As ``sign_in`` above (retried the same way), through the test client."""
        for attempt in range(attempts):
            try:
                return self._sign_in_once(role, email, password)
            except RuntimeError:
                if attempt == attempts - 1:
                    raise
                time.sleep(3)

    def _sign_in_once(self, role: str, email: str, password: str) -> None:
        client = self._client()
        page = client.get("/login", headers=PROXY_HEADERS)
        jar = _jar(page.headers.getlist("Set-Cookie"), {})
        token = CSRF.search(page.get_data(as_text=True))
        assert token is not None, "no sign-in form"
        response = client.post("/login", data={"csrf_token": token.group(1), "email": email,
                                               "password": password},
                               headers={**PROXY_HEADERS, "Referer": f"{BASE_URL}/login",
                                        "Cookie": _header(jar)})
        if response.status_code != 302:
            raise RuntimeError(f"in-process sign-in as {email}: {response.status_code}")
        self.cookies[role] = _header(_jar(response.headers.getlist("Set-Cookie"), jar))

    def measure(self, path: str, role: str) -> tuple[int, int, int]:
        """(status, statements, bytes) of one request, after one to warm caches."""
        client = self._client()
        headers = {**PROXY_HEADERS, "Cookie": self.cookies[role]}
        try:
            client.get(path, headers=headers)
            self.statements.clear()
            response = client.get(path, headers=headers)
        except Exception as exc:  # noqa: BLE001 - an error page that failed too: a 500
            print(f"  {path}: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
            return 500, len(self.statements), 0
        return response.status_code, len(self.statements), len(response.get_data())

    def close(self) -> None:
        self.engine.dispose()


def _jar(set_cookies: list[str], jar: dict[str, str]) -> dict[str, str]:
    jar = dict(jar)
    for value in set_cookies:
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


# -- the run -----------------------------------------------------------------------------------

@dataclass
class Settings:
    """What to measure and how hard (the command line's options)."""

    database_url: str
    members: int = 5000
    attendance: int = 60000
    meetups: int = 60
    pages: list[str] = field(default_factory=list)
    concurrency: int = 8
    seconds: float = 5.0
    sequential: int = 20
    sequential_seconds: float = 15.0
    workers: int = 2
    threads: int = 4
    redis_url: str | None = None
    app_role: str | None = None
    min_ratio: float = 0.3
    max_p95_ms: float = 150.0
    max_statements: int = 10
    reuse: bool = False
    logs: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "page-bench")


@dataclass
class Report:
    settings: dict[str, Any]
    baseline_rps: list[float]
    baseline_p50_ms: float
    results: list[Result]
    seed_seconds: float
    attendance_rows: int
    members: int

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.failures]


def run(settings: Settings, out: Any = sys.stdout) -> Report:
    """Prepare, seed, serve, sign in, measure; stop every server whatever happens."""
    settings.logs.mkdir(parents=True, exist_ok=True)
    owner_url = settings.database_url
    app_url = owner_url
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL",
                                                             "PROMETHEUS_MULTIPROC_DIR")}
    env.update(PYTHONPATH=str(ROOT), JOREN_ENV="production", SECRET_KEY="bench-" + "s" * 48,
               BASE_URL=BASE_URL, MAIL_CAPTURE="1", TRUSTED_PROXY_COUNT="1",
               WEB_CONCURRENCY=str(settings.workers), WEB_THREADS=str(settings.threads))
    env.pop("SMTP_URL", None)
    if _pg(owner_url):
        from sqlalchemy.engine import make_url

        role = settings.app_role or f"{make_url(owner_url).database}_app"
        app_url = app_role_url(owner_url, role)
        env["MIGRATION_DATABASE_URL"] = owner_url
    env["DATABASE_URL"] = app_url
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    big = None
    if settings.reuse and _has_schema(owner_url):
        prepare_database(owner_url, env, wipe=False)
        big = seed(owner_url, 0, 0, 0, env, reuse=True)
    seed_seconds = 0.0
    if big is None:
        print(f"database: {_redact(app_url)}; migrating and seeding {settings.members:,} "
              f"members, {settings.attendance:,} attendance rows ...", file=out, flush=True)
        prepare_database(owner_url, env)
        began = time.monotonic()
        big = seed(owner_url, settings.members, settings.attendance, settings.meetups, env)
        seed_seconds = time.monotonic() - began
    done = f"seeded in {seed_seconds:.1f} s" if seed_seconds else "reused"
    print(f"{done}: "
          f"{big.members:,} members, {big.attendance:,} attendance rows "
          f"({_redact(app_url)})", file=out, flush=True)

    from tools.page_bench_pages import pages as page_list

    servers: list[Gunicorn] = []
    inproc: InProcess | None = None
    try:
        joren = Gunicorn("joren.app:create_app()", env, settings.logs / "joren.log")
        servers.append(joren)
        bare = Gunicorn("tools.bare_app:create_app()", env, settings.logs / "bare.log")
        servers.append(bare)
        inproc = InProcess(env)
        chosen = [p for p in page_list(inproc.app, big.slug, big.ids)
                  if not settings.pages or any(s in p.name or s in p.path
                                               for s in settings.pages)]
        joren.wait_ready()
        bare.wait_ready()
        emails = {"organizer": big.organizer_email, "member": big.member_email}
        cookies = {role: sign_in(joren.port, email, big.password)
                   for role, email in emails.items()}
        for role, email in emails.items():
            inproc.sign_in(role, email, big.password)
        # Every worker's first request starts its scheduler in embedded mode, and the one that
        # takes the lock catches up on the schedule: both happen now, before the figures.
        throughput(joren.port, "/healthz", "", settings.concurrency, 1.0)
        settled = joren.settle()
        print(f"Joren's workers idle after {settled:.0f} s", file=sys.stderr, flush=True)
        return _measure(settings, chosen, joren, bare, inproc, cookies, big, seed_seconds, out)
    finally:
        for server in servers:
            server.stop()
        if inproc is not None:
            inproc.close()


def _measure(settings: Settings, chosen: list[Any], joren: Gunicorn, bare: Gunicorn,
             inproc: InProcess, cookies: dict[str, str], big: Any, seed_seconds: float,
             out: Any) -> Report:
    baseline: list[float] = []
    bare_latency = sequential(bare.port, "/", "", settings.sequential,
                              settings.sequential_seconds)
    results = []
    for page in chosen:
        result = Result(name=page.name, path=page.path, role=page.role)
        result.status, result.statements, result.html_bytes = inproc.measure(page.path,
                                                                             page.role)
        # Every worker process compiles the page's templates once: not part of the figures.
        throughput(joren.port, page.path, cookies[page.role], settings.concurrency, 0)
        times = sorted(sequential(joren.port, page.path, cookies[page.role],
                                  settings.sequential, settings.sequential_seconds))
        result.p50_ms = statistics.median(times) * 1000
        result.p95_ms = _percentile(times, 0.95) * 1000
        rps, _, result.baseline_cpu_ms = _throughput_and_cpu(bare, "/", "", settings)
        baseline.append(rps)
        result.baseline_rps = rps
        result.rps, result.errors, result.cpu_ms = _throughput_and_cpu(
            joren, page.path, cookies[page.role], settings)
        results.append(result)
        print(f"  {page.name[:38]:<40}{result.statements:>4} SQL {result.p50_ms:>8.1f} ms "
              f"{result.rps:>7.1f} req/s (bare {rps:.1f}) {result.cpu_ms:.2f} ms CPU/req "
              f"(bare {result.baseline_cpu_ms:.2f})", file=sys.stderr, flush=True)
    median_bare = statistics.median(baseline) if baseline else 0.0
    print(_header_line(), file=out, flush=True)
    for result in results:
        result.ratio = result.rps / median_bare if median_bare else 0.0
        result.failures = _verdict(result, settings)
        print(_line(result), file=out, flush=True)
    return Report(settings=_settings_dict(settings), baseline_rps=baseline,
                  baseline_p50_ms=statistics.median(bare_latency) * 1000, results=results,
                  seed_seconds=seed_seconds, attendance_rows=big.attendance,
                  members=big.members)


def _throughput_and_cpu(server: Gunicorn, path: str, cookie: str, settings: Settings,
                        ) -> tuple[float, int, float]:
    """``throughput`` of ``path``, and the server's CPU milliseconds per request it timed
    (master and workers, from /proc; 0 where there is none). Other processes on the machine
    move it too: compare it with the baseline's, measured the same way just before."""
    counted: list[int] = []
    before = server.cpu_seconds()
    rps, errors = throughput(server.port, path, cookie, settings.concurrency,
                             settings.seconds, counted)
    spent = server.cpu_seconds() - before
    return rps, errors, (spent * 1000 / counted[0] if counted and counted[0] else 0.0)


def _percentile(sorted_times: list[float], q: float) -> float:
    """Nearest rank: the 19th of 20 for p95."""
    return sorted_times[max(0, math.ceil(q * len(sorted_times)) - 1)]


def _verdict(result: Result, settings: Settings) -> list[str]:
    failures = []
    if result.status != 200:
        failures.append(f"status {result.status}")
    if result.errors:
        failures.append(f"{result.errors} errors under load")
    if result.ratio < settings.min_ratio:
        failures.append(f"ratio {result.ratio:.2f} < {settings.min_ratio}")
    if result.p95_ms > settings.max_p95_ms:
        failures.append(f"p95 {result.p95_ms:.0f} ms > {settings.max_p95_ms:.0f}")
    if result.statements > settings.max_statements:
        failures.append(f"{result.statements} statements > {settings.max_statements}")
    return failures


def _header_line() -> str:
    return (f"{'page':<40}{'SQL':>5}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}{'bare':>8}"
            f"{'ratio':>7}{'CPU ms':>8}{'KB':>7}  verdict")


def _line(r: Result) -> str:
    verdict = "ok" if not r.failures else "FAIL: " + "; ".join(r.failures)
    return (f"{r.name[:39]:<40}{r.statements:>5}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}{r.rps:>8.1f}"
            f"{r.baseline_rps:>8.1f}{r.ratio:>7.2f}{r.cpu_ms:>8.2f}{r.html_bytes / 1024:>7.1f}"
            f"  {verdict}")


def summary(report: Report) -> str:
    """The closing lines: the baseline, the targets, how many pages missed them."""
    s = report.settings
    bare = report.baseline_rps
    lines = [
        "",
        f"baseline (bare Flask + Jinja, 50 rows): median {statistics.median(bare):.1f} req/s "
        f"over {len(bare)} runs (min {min(bare):.1f}, max {max(bare):.1f}); "
        f"p50 {report.baseline_p50_ms:.1f} ms one at a time" if bare else "no baseline runs",
        f"ratio = page req/s / median baseline req/s; {s['concurrency']} clients × "
        f"{s['seconds']} s each, gunicorn {s['workers']} workers × {s['threads']} threads",
        f"targets: ratio ≥ {s['min_ratio']}, p95 ≤ {s['max_p95_ms']:.0f} ms, "
        f"≤ {s['max_statements']} statements",
        f"{len(report.results) - len(report.failed)} of {len(report.results)} pages meet "
        f"every target; database {s['database']}, {report.members:,} members, "
        f"{report.attendance_rows:,} attendance rows ("
        + (f"seeded in {report.seed_seconds:.0f} s)" if report.seed_seconds else "reused)"),
    ]
    return "\n".join(lines)


def _settings_dict(settings: Settings) -> dict[str, Any]:
    values = asdict(settings)
    values["database"] = "postgresql" if _pg(settings.database_url) else "sqlite"
    values["database_url"] = _redact(settings.database_url)
    values["logs"] = str(settings.logs)
    return values


def _redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def parse(argv: list[str] | None = None) -> tuple[Settings, argparse.Namespace]:
    parser = argparse.ArgumentParser(
        prog="python -m tools.page_bench", description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2])
    parser.add_argument("--database-url", default=None,
                        help="a scratch database, WIPED (default: SQLite in a temporary folder);"
                             " PostgreSQL: the owner's address")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--attendance", type=int, default=60000)
    parser.add_argument("--meetups", type=int, default=60, help="past weekly meetups")
    parser.add_argument("--pages", nargs="*", default=[],
                        help="measure only pages whose name or path contains one of these")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="length of each throughput run (page and baseline)")
    parser.add_argument("--sequential", type=int, default=20,
                        help="requests one at a time for p50/p95")
    parser.add_argument("--sequential-seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--redis-url", default=None, help="REDIS_URL for Joren (optional)")
    parser.add_argument("--app-role", default=None,
                        help="PostgreSQL login role for Joren (default <database>_app)")
    parser.add_argument("--min-ratio", type=float, default=0.3)
    parser.add_argument("--max-p95", type=float, default=150.0, help="milliseconds")
    parser.add_argument("--max-statements", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a page misses a target")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the community an earlier run built in --database-url "
                             "(migrated, not wiped); build it when there is none")
    parser.add_argument("--logs", type=Path, default=None, help="gunicorn logs folder")
    args = parser.parse_args(argv)
    settings = Settings(
        database_url=args.database_url or "", members=args.members,
        attendance=args.attendance, meetups=args.meetups, pages=args.pages,
        concurrency=args.concurrency, seconds=args.seconds, sequential=args.sequential,
        sequential_seconds=args.sequential_seconds, workers=args.workers,
        threads=args.threads, redis_url=args.redis_url, app_role=args.app_role,
        min_ratio=args.min_ratio, max_p95_ms=args.max_p95, max_statements=args.max_statements,
        reuse=args.reuse)
    if args.logs:
        settings.logs = args.logs
    return settings, args


def main(argv: list[str] | None = None) -> int:
    settings, args = parse(argv)
    # A SIGTERM unwinds like Ctrl-C, so that the gunicorns are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = None
    if not settings.database_url and settings.reuse:
        parser_error = "--reuse needs --database-url (the default is a new temporary file)"
        raise SystemExit(parser_error)
    if not settings.database_url:
        scratch = Path(tempfile.mkdtemp(prefix="page-bench-"))
        settings.database_url = f"sqlite:///{scratch / 'bench.sqlite3'}"
    try:
        report = run(settings)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    print(summary(report))
    if args.json:
        args.json.write_text(json.dumps({
            "settings": report.settings, "baseline_rps": report.baseline_rps,
            "baseline_p50_ms": report.baseline_p50_ms, "seed_seconds": report.seed_seconds,
            "attendance_rows": report.attendance_rows, "members": report.members,
            "pages": [asdict(r) for r in report.results]}, ensure_ascii=False, indent=1))
    return 1 if args.check and report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
