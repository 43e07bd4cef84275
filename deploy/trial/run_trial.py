"""Deployment trial: the production stack on one machine, pushed, broken and checked.

    PYTHONPATH=. python -m deploy.trial.run_trial \
        --database-url postgresql://postgres@127.0.0.1:5432/joren_trial --redis-port 6390

It wipes the given PostgreSQL database (a scratch one on a running server), migrates it with
``joren db upgrade`` as the given (owner) role, and checks with ``joren db check`` that
row-level security applies to the app's login role (APP_ROLE, created if missing: LOGIN,
NOSUPERUSER, NOBYPASSRLS, owns nothing), as which every process below connects, as in
production (SECURITY.md, "Database roles"). Then it starts what deploy/Procfile starts, in
JOREN_ENV=production:
its own ``redis-server``, gunicorn with deploy/gunicorn.conf.py (2 processes), two
``joren worker`` and one ``joren cron``, and an SMTP sink (aiosmtpd) that records every message.
Requests go through "a proxy": Host is gunicorn's own address, the public host and scheme are
in X-Forwarded-Host/-Proto, each member has an X-Forwarded-For (TRUSTED_PROXY_COUNT=1).

The run: MEMBERS members sign in with their password (real session cookies) and register at
once for a meetup with SEATS seats; the worker processes (and their work-horses) are killed
with SIGKILL while the confirmation emails go out and started again; Redis is stopped for
OUTAGE seconds, during which members sign in and ask for sign-in links; Redis starts again.
Then it waits for the outbox, the deferred jobs and the queues to drain and checks:

- exactly SEATS going and MEMBERS - SEATS waitlisted;
- every expected email arrived exactly once (registration email per member, sign-in link
  per member who asked during the outage): none lost, none duplicated;
- every link in every email starts with BASE_URL;
- every sign-in during the outage worked.

It prints a summary and exits 1 on any violation. Not part of CI (it takes a few minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import email
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import psutil
import requests
from aiosmtpd.controller import Controller
from redis import Redis

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PUBLIC_HOST = "joren.trial.example"
BASE_URL = f"https://{PUBLIC_HOST}"
PASSWORD = "trial passphrase 2026 long enough"
METRICS_TOKEN = "trial-metrics-" + "m" * 32
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
LINK = re.compile(r"""https?://[^\s"'<>)]+""")


# The SMTP sink -------------------------------------------------------------------------------

class Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


# Processes ----------------------------------------------------------------------------------

@dataclass
class Stack:
    env: dict[str, str]
    logs: Path
    redis_port: int
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, args: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - lives with the process
        self.procs[name] = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def start_redis(self) -> None:
        self.start("redis", ["redis-server", "--bind", "127.0.0.1", "--port",
                             str(self.redis_port), "--save", "", "--appendonly", "no"])
        until(lambda: _ping(self.redis_port), "Redis starts", 20)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def kill_tree(self, name: str) -> int:
        """SIGKILL a process and every child (RQ's work-horses); return how many died."""
        proc = self.procs.pop(name)
        victims = [proc.pid]
        with contextlib.suppress(psutil.Error):
            victims += [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait()
        return len(victims)

    def stop_all(self) -> None:
        for name in [n for n in self.procs if n != "redis"] + ["redis"]:  # Redis last
            self.stop(name)


def _ping(port: int) -> bool:
    with contextlib.suppress(Exception):
        return bool(Redis(port=port, socket_connect_timeout=1).ping())
    return False


def until(condition, what: str, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting: {what}")
        time.sleep(0.2)


# HTTP through "the proxy" ------------------------------------------------------------------

class Browser:
    """One member's browser behind the proxy: its own cookies and X-Forwarded-For."""

    def __init__(self, web: str, client_ip: str) -> None:
        self.web = web
        self.http = requests.Session()
        # A fresh connection per request: a kept-alive one that gunicorn closes after its
        # keepalive (5 s) would be reset under the next request, a client-side artefact.
        self.http.headers["Connection"] = "close"
        self.headers = {"Host": web.removeprefix("http://"), "X-Forwarded-Host": PUBLIC_HOST,
                        "X-Forwarded-Proto": "https", "X-Forwarded-For": client_ip}

    def _keep_cookies(self) -> None:
        for cookie in self.http.cookies:  # Secure cookies: the proxy speaks https to the user
            cookie.secure = False

    def get(self, path: str) -> requests.Response:
        r = self.http.get(self.web + path, headers=self.headers, timeout=120)
        self._keep_cookies()
        return r

    def post_form(self, path: str, data: dict[str, str], form_path: str | None = None
                  ) -> requests.Response:
        page = self.get(form_path or path)
        token = CSRF.search(page.text)
        if token is None:
            raise RuntimeError(f"no form at {form_path or path}: {page.status_code}")
        r = self.http.post(self.web + path, data={"csrf_token": token.group(1), **data},
                           headers={**self.headers, "Referer": BASE_URL + (form_path or path)},
                           allow_redirects=False, timeout=120)
        self._keep_cookies()
        return r

    def sign_in(self, address: str) -> int | str:
        return self.status("/login", {"email": address, "password": PASSWORD})

    def status(self, path: str, data: dict[str, str], form_path: str | None = None) -> int | str:
        """The answer's status code, or the name of the error that stood in for one."""
        try:
            return self.post_form(path, data, form_path).status_code
        except (requests.RequestException, RuntimeError) as exc:
            return type(exc).__name__


# The trial ----------------------------------------------------------------------------------

def app_role_url(owner_url: str, role: str) -> str:
    """Create (or reset) the app's login role, as production has it: it owns nothing and has
    neither SUPERUSER nor BYPASSRLS, so row-level security applies to it. Its address."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(owner_url.replace("postgresql://", "postgresql+psycopg://", 1))
    password = role  # a scratch role on a scratch database
    with engine.begin() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).first()
        verb = "ALTER" if exists else "CREATE"
        conn.exec_driver_sql(f"{verb} ROLE {role} LOGIN PASSWORD '{password}' "
                             "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
    engine.dispose()
    url = make_url(owner_url).set(username=role, password=password)
    return url.render_as_string(hide_password=False)


def prepare_database(url: str, members: int, seats: int, env: dict[str, str]) -> tuple[str, int]:
    """Wipe and migrate (as the owner, env's MIGRATION_DATABASE_URL), check that row-level
    security applies to the app's role (env's DATABASE_URL), then seed (as the owner)."""
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    subprocess.run([str(BIN / "joren"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    check = subprocess.run([str(BIN / "joren"), "db", "check"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"joren db check failed for the app role: {check.stderr.strip()}")

    from datetime import UTC, datetime, timedelta

    from joren.app import create_app
    from joren.platform.db import db
    from joren.platform.security import hash_password
    from joren.platform.tenancy import unscoped
    from joren.tenants.meetups.models import Meetup
    from tests import factories

    app = create_app({"DATABASE_URL": url})
    password_hash = hash_password(PASSWORD)
    with app.app_context(), db.sessionmaker() as session:
        community = factories.community(session, slug="trial", name="トライアル交流会")
        for n in range(members):
            account = factories.account(session, f"member{n:03d}@trial.example.jp",
                                        password_hash=password_hash)
            factories.member(session, community, account)
        starts = datetime.now(UTC) + timedelta(days=7)
        with unscoped(session):
            meetup = Meetup(tenant_id=community.id, title="定例会 (trial)", starts_at=starts,
                            ends_at=starts + timedelta(hours=2), capacity=seats)
            session.add(meetup)
            session.flush()
        session.commit()
        return community.slug, meetup.id


def count_states(url: str, meetup_id: int) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT status, count(*) FROM registrations WHERE meetup_id = :m GROUP BY status"),
            {"m": meetup_id}).all()
        backlog = conn.execute(text(
            "SELECT (SELECT count(*) FROM outbox_messages WHERE status IN ('pending','sending')),"
            " (SELECT count(*) FROM deferred_jobs),"
            " (SELECT count(*) FROM outbox_messages WHERE status = 'failed')")).one()
    engine.dispose()
    counts = {str(status).lower(): n for status, n in rows}
    counts.update(outbox_backlog=backlog[0], deferred_jobs=backlog[1], outbox_failed=backlog[2])
    return counts


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - one story, told in order
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="a scratch PostgreSQL database (it is wiped), as its owner")
    parser.add_argument("--app-role", default="joren_trial_app",
                        help="login role for web, worker and cron (created if missing)")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--web-port", type=int, default=8790)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--outage", type=float, default=30.0, help="seconds Redis is down")
    parser.add_argument("--kills", type=int, default=4, help="SIGKILLs of worker processes")
    parser.add_argument("--drain-timeout", type=float, default=900.0)
    parser.add_argument("--logs", type=Path, default=Path("/tmp/joren-trial"))  # noqa: S108
    args = parser.parse_args(argv)
    args.logs.mkdir(parents=True, exist_ok=True)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per SMTP verb
    app_url = app_role_url(args.database_url, args.app_role)

    sink = Sink()
    smtp_port = _free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT), JOREN_ENV="production", SECRET_KEY="trial-" + "x" * 40,
        # As in production (SECURITY.md, "Database roles"): migrations as the owner, every
        # process as a role that owns nothing, so row-level security applies to it.
        DATABASE_URL=app_url,
        MIGRATION_DATABASE_URL=args.database_url,
        REDIS_URL=f"redis://127.0.0.1:{args.redis_port}/0",
        SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", BASE_URL=BASE_URL,
        TRUSTED_PROXY_COUNT="1", PORT=str(args.web_port), WEB_CONCURRENCY="2",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes a fresh one
    os.environ.update({k: env[k] for k in ("JOREN_ENV", "SECRET_KEY", "SMTP_URL", "BASE_URL")})
    stack = Stack(env=env, logs=args.logs, redis_port=args.redis_port)
    web = f"http://127.0.0.1:{args.web_port}"
    violations: list[str] = []
    figures: dict[str, object] = {}
    try:
        slug, meetup_id = prepare_database(args.database_url, args.members, args.seats, env)
        stack.start_redis()
        stack.start("web", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                            "joren.app:create_app()"])
        for name in ("worker1", "worker2"):
            stack.start(name, [str(BIN / "joren"), "worker"])
        stack.start("cron", [str(BIN / "joren"), "cron"])
        until(lambda: _answers(web), "gunicorn answers", 120)

        addresses = [f"member{n:03d}@trial.example.jp" for n in range(args.members)]
        browsers = [Browser(web, f"198.51.{n // 250}.{n % 250 + 1}") for n in range(args.members)]

        # 1. Everyone signs in, then everyone registers at once.
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=50) as pool:
            signed = list(pool.map(lambda pair: pair[0].sign_in(pair[1]),
                                   zip(browsers, addresses, strict=True)))
        figures["sign-ins (s)"] = round(time.monotonic() - started, 1)
        if Counter(signed) != Counter({302: args.members}):
            violations.append(f"sign-ins answered {dict(Counter(signed))}")
        meetup_path = f"/c/{slug}/meetups/{meetup_id}"
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.members) as pool:
            registered = list(pool.map(
                lambda b: b.status(meetup_path + "/register", {}, form_path=meetup_path),
                browsers))
        figures["registrations (s)"] = round(time.monotonic() - started, 1)
        if Counter(registered) != Counter({302: args.members}):
            violations.append(f"registrations answered {dict(Counter(registered))}")

        # 2. Kill worker processes (and their work-horses) while the emails go out.
        killed = 0
        for k in range(args.kills):
            time.sleep(3)
            name = f"worker{k % 2 + 1}"
            killed += stack.kill_tree(name)
            stack.start(name, [str(BIN / "joren"), "worker"])
        figures["processes SIGKILLed"] = killed
        figures["emails before the outage"] = len(sink.messages)

        # 3. Redis down: sign-in and sign-in links must keep working.
        stack.stop("redis", signal.SIGKILL)
        outage_started = time.monotonic()
        during = [Browser(web, f"203.0.113.{n + 1}") for n in range(20)]
        outage_signins = [b.sign_in(a) for b, a in zip(during, addresses, strict=False)]
        link_askers = addresses[20:30]
        outage_links = [Browser(web, f"203.0.114.{n + 1}").status("/login/email", {"email": a})
                        for n, a in enumerate(link_askers)]
        readyz = requests.get(web + "/readyz", timeout=30)
        figures["during the outage: sign-ins"] = dict(Counter(outage_signins))
        figures["during the outage: sign-in link requests"] = dict(Counter(outage_links))
        figures["during the outage: /readyz"] = f"{readyz.status_code} {readyz.json()}"
        if Counter(outage_signins) != Counter({302: len(during)}):
            violations.append(f"sign-in during the Redis outage answered {outage_signins}")
        if Counter(outage_links) != Counter({200: len(link_askers)}):
            violations.append(f"sign-in links during the Redis outage answered {outage_links}")
        if readyz.status_code != 200:
            violations.append(f"/readyz answered {readyz.status_code} during the Redis outage")
        time.sleep(max(0.0, args.outage - (time.monotonic() - outage_started)))
        stack.start_redis()
        for name in ("worker1", "worker2", "cron"):
            if stack.procs[name].poll() is not None:
                violations.append(f"{name} exited during the Redis outage")
                stack.start(name, [str(BIN / "joren"), name.rstrip("12")])

        # 4. Drain, then check.
        started = time.monotonic()
        expected = {a: 1 for a in addresses}  # one registration email each
        for a in link_askers:
            expected[a] += 1  # and the sign-in link

        def drained() -> bool:
            state = count_states(args.database_url, meetup_id)
            return (state["outbox_backlog"] == 0 and state["deferred_jobs"] == 0
                    and len(sink.messages) >= sum(expected.values()))

        with contextlib.suppress(RuntimeError):
            until(drained, "the queues drain", args.drain_timeout)
        time.sleep(5)  # late duplicates, if any, would arrive now
        figures["drain after the outage (s)"] = round(time.monotonic() - started, 1)
        state = count_states(args.database_url, meetup_id)
        figures["registrations"] = {k: v for k, v in state.items() if not k.startswith(
            ("outbox", "deferred"))}
        figures["outbox left / failed, deferred jobs left"] = (
            state["outbox_backlog"], state["outbox_failed"], state["deferred_jobs"])
        if state.get("going") != args.seats:
            violations.append(f"going: {state.get('going')} (expected {args.seats})")
        if state.get("waitlisted") != args.members - args.seats:
            violations.append(f"waitlisted: {state.get('waitlisted')} "
                              f"(expected {args.members - args.seats})")

        received = Counter(str(m["To"]).strip().lower() for m in sink.messages)
        figures["emails received"] = len(sink.messages)
        lost = {a: n - received.get(a, 0) for a, n in expected.items() if received.get(a, 0) < n}
        extra = {a: received[a] - expected.get(a, 0) for a in received
                 if received[a] > expected.get(a, 0)}
        by_subject = Counter((str(m["To"]).lower(), str(m["Subject"])) for m in sink.messages)
        figures["emails lost"] = sum(lost.values())
        figures["emails duplicated"] = sum(extra.values())
        if lost:
            violations.append(f"{sum(lost.values())} email(s) lost, e.g. {list(lost)[:3]}")
        if extra:
            dup = [k for k, n in by_subject.items() if n > 1][:3]
            violations.append(f"{sum(extra.values())} email(s) too many, e.g. {dup}")
        bad_links = []
        for message in sink.messages:
            for part in message.walk():
                if part.get_content_maintype() == "text":
                    bad_links += [u for u in LINK.findall(part.get_content())
                                  if not u.startswith(BASE_URL) and "w3.org" not in u]
        figures["links not on BASE_URL"] = len(bad_links)

        # 5. What an operator's Prometheus sees (as the app role: the outbox under RLS).
        metrics = scrape_metrics(web)
        figures["/metrics"] = metrics
        if metrics.get("status") != 200:
            violations.append(f"/metrics answered {metrics.get('status')}")
        elif metrics.get("requests counted", 0) < args.members * 2:
            violations.append(f"/metrics counted only {metrics.get('requests counted')} requests")
        if bad_links:
            violations.append(f"{len(bad_links)} link(s) not on {BASE_URL}, e.g. "
                              f"{sorted(set(bad_links))[:3]}")
    except Exception as exc:  # noqa: BLE001 - the summary says what broke
        violations.append(f"the trial itself failed: {type(exc).__name__}: {exc}")
    finally:
        stack.stop_all()
        smtp.stop()

    print("\nJoren deployment trial")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    print(f"  logs: {args.logs}")
    if violations:
        print("VIOLATIONS:")
        for line in violations:
            print(f"  - {line}")
        return 1
    print("OK: nothing lost, nothing duplicated, sign-in worked while Redis was down, "
          "every link on BASE_URL")
    return 0


def scrape_metrics(web: str) -> dict[str, object]:
    """GET /metrics as Prometheus would; a few sums from it."""
    from prometheus_client.parser import text_string_to_metric_families

    r = requests.get(web + "/metrics", timeout=30,
                     headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    if r.status_code != 200:
        return {"status": r.status_code}
    found: Counter[str] = Counter()
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            if sample.name in ("joren_http_request_duration_seconds_count",
                               "joren_job_duration_seconds_count", "joren_job_failures_total",
                               "joren_queue_depth", "joren_outbox_messages"):
                found[sample.name] += sample.value
    return {"status": 200,
            "requests counted": int(found["joren_http_request_duration_seconds_count"]),
            "jobs counted": int(found["joren_job_duration_seconds_count"]),
            "job failures": int(found["joren_job_failures_total"]),
            "queue depth": int(found["joren_queue_depth"]),
            "outbox pending+failed": int(found["joren_outbox_messages"])}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(web: str) -> bool:
    with contextlib.suppress(requests.RequestException):
        return requests.get(web + "/healthz", timeout=5).status_code == 200
    return False


if __name__ == "__main__":
    sys.exit(main())
