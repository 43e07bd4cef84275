"""Shared fixtures: one app per run, a rolled-back transaction per test, two communities,
a logged-in client per role, a real SMTP server (aiosmtpd) and an in-process RQ worker.

With no DATABASE_URL/REDIS_URL the suite runs on SQLite and fakeredis; with them set
(as .ci/run does) it runs on the real PostgreSQL and Redis.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import fakeredis
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from joren.app import create_app
from joren.platform import layoutframe, pagecache
from joren.platform.db import Base, db
from joren.platform.extensions import limiter
from joren.platform.tenancy import set_tenant
from tests import factories
from tests.clock import Clock, RunTravel, frozen_moment, requested_moment
from tests.mailserver import SMTPServer

pytest_plugins: list[str] = []

_run_travel: RunTravel | None = None


def pytest_configure(config: pytest.Config) -> None:
    """``JOREN_TEST_TODAY`` (see tests/clock.py) moves the whole run to another date, from
    before the first test module is imported."""
    global _run_travel
    destination = requested_moment()
    if destination is not None:
        _run_travel = RunTravel(destination)
        _run_travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _run_travel is not None:
        _run_travel.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    destination = requested_moment()
    return f"clock: the run travels to {destination.isoformat()}" if destination else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``clock`` fixture is set up before every other fixture of its test, so the test's
    data is made at the frozen moment. Tests marked ``postgres`` prove something only
    PostgreSQL has: on the embedded defaults they are left out of the run (CI runs the suite
    on both databases)."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names and "clock" in names:
            names.remove("clock")
            names.insert(0, "clock")
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
        return
    left_out = [item for item in items if item.get_closest_marker("postgres")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


def _test_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL")
    config: dict[str, object] = {
        "TESTING": True,
        "JOREN_ENV": "test",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RQ_ASYNC": True,
        "BASE_URL": "http://localhost",
        "MAIL_CAPTURE": True,
        "SMTP_URL": None,
        # Uploaded pictures go to a directory of this run (tests/tenants/meetups/public use S3 too).
        "STORAGE_URL": f"file://{tmp_path_factory.mktemp('uploads')}",
    }
    if redis_url:
        config.update(REDIS_URL=redis_url, RQ_CONNECTION=redis_url,
                      RQ_CONNECTION_CLASS="redis.Redis", RATELIMIT_STORAGE_URI=redis_url)
    else:
        config.update(REDIS_URL=None, RQ_CONNECTION={"server": fakeredis.FakeServer()},
                      RQ_CONNECTION_CLASS="fakeredis.FakeRedis", RATELIMIT_STORAGE_URI="memory://")
    return config


@pytest.fixture(scope="session")
def app_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from joren.platform.config import normalise_database_url

    config = _test_config(tmp_path_factory)
    config["DATABASE_URL"] = normalise_database_url(str(config["DATABASE_URL"]))
    return config


@pytest.fixture(scope="session")
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    app = create_app(dict(app_config))
    engine = create_engine(str(app_config["DATABASE_URL"]))
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            _prepare_row_level_security(conn)
    engine.dispose()
    yield app


# On PostgreSQL the tests connect as the owner (a superuser) but run every test as this role,
# which owns nothing: row-level security applies to it as it does to the app in production.
APP_ROLE = "joren_test_app"


def _prepare_row_level_security(conn) -> None:  # type: ignore[no-untyped-def]
    from joren.platform.rls import enable_row_level_security, grant_app_role

    conn.exec_driver_sql(
        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    enable_row_level_security(conn)
    grant_app_role(conn, APP_ROLE)


@pytest.fixture()
def connection(app: Flask) -> Iterator[object]:
    """One connection per test inside an outer transaction that is always rolled back;
    every session the app opens (requests and jobs) joins it through savepoints."""
    with app.app_context():
        engine = db.engine
        maker = db.sessionmaker
    conn = engine.connect()
    outer = conn.begin()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL ROLE {APP_ROLE}")
    maker.configure(bind=conn, join_transaction_mode="create_savepoint")
    conn.info["test_sessions"] = []
    try:
        yield conn
    finally:
        maker.configure(bind=engine, join_transaction_mode="conservative_savepoint")
        # Roll back first: the test's sessions may have interleaved their savepoints, and
        # closing them one by one could unwind them out of order.
        outer.rollback()
        for s in conn.info.pop("test_sessions"):
            s.close()
        conn.close()


@pytest.fixture()
def clock() -> Iterator[Clock]:
    """Freeze the clock for one test at a fixed moment (``JOREN_TEST_TODAY`` when set, else
    ``tests.clock.FROZEN_AT``): use it where the result depends on the date or on how much
    time passed; ``clock.shift(hours=25)`` moves it."""
    with time_machine.travel(frozen_moment(), tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture(autouse=True)
def _real_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked ``real_clock`` share the clock with processes outside this one (RQ
    workers, servers started as subprocesses): a travelled run gives them the real clock."""
    if _run_travel is None or request.node.get_closest_marker("real_clock") is None:
        yield
        return
    _run_travel.pause()
    try:
        yield
    finally:
        _run_travel.resume()


@pytest.fixture(autouse=True)
def _inprocess_runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own embedded-mode background runner (``joren.platform.inprocess``),
    holding its jobs until the test drains it: a job a test leaves behind never runs later,
    in another test's transaction. Tests that run jobs in the background use
    ``inprocess.runner.drain()``."""
    from joren.platform import inprocess

    held = inprocess.Runner()
    held.hold = True
    monkeypatch.setattr(inprocess, "runner", held)
    yield


@pytest.fixture(autouse=True)
def _clean_state(app: Flask) -> Iterator[None]:
    """Each test starts with empty queues and rate-limit counters."""
    with app.app_context():
        app.extensions["rq"].get_queue().connection.flushdb()
        limiter.reset()
    yield


@pytest.fixture()
def maker(app: Flask, connection) -> Callable[..., Session]:  # type: ignore[no-untyped-def]
    """Open sessions inside the test's transaction (closed when the test ends)."""
    with app.app_context():
        sessionmaker = db.sessionmaker

    def make(**options: object) -> Session:
        s = sessionmaker(**options)
        connection.info["test_sessions"].append(s)
        return s

    return make


@pytest.fixture()
def session(maker: Callable[..., Session]) -> Session:
    """The test's own session, platform level (no community in scope).

    Tests hold no app context while they make requests, so every request gets its own
    app context, session and ``g``, exactly as in production. Objects do not expire on
    commit, so reading a fixture's attributes never starts a hidden transaction.
    """
    return maker(expire_on_commit=False)


@pytest.fixture()
def app_ctx(app: Flask, connection: object) -> Iterator[Flask]:
    """A request context for calling services that render (emails, URLs) directly.
    Do not make client requests while it is pushed."""
    with app.test_request_context("/"):
        yield app


PRODUCTION_BASE_URL = "https://joren.example.jp:8443/joren"


@pytest.fixture()
def production_base_url(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    """BASE_URL with a port and a path prefix, and no SERVER_NAME, as in production: links in
    emails must come from BASE_URL alone, whether a job or a request builds them."""
    assert app.config.get("SERVER_NAME") is None
    monkeypatch.setitem(app.config, "BASE_URL", PRODUCTION_BASE_URL)
    return PRODUCTION_BASE_URL


@pytest.fixture()
def tenant(session: Session):  # type: ignore[no-untyped-def]
    return factories.community(session, slug="osaka-mixer", name="大阪異業種交流会")


@pytest.fixture()
def other_tenant(session: Session):  # type: ignore[no-untyped-def]
    return factories.community(session, slug="kobe-study", name="神戸経営者勉強会")


@pytest.fixture()
def scoped(maker: Callable[..., Session]) -> Callable[..., Session]:
    """Factory for a separate session bound to one community: ``scoped(community)``."""

    def make(community) -> Session:  # type: ignore[no-untyped-def]
        s = maker()
        set_tenant(s, community.id)
        return s

    return make


@pytest.fixture()
def client(app: Flask, connection: object) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def people(session: Session, tenant, other_tenant):  # type: ignore[no-untyped-def]
    """One account per role in ``tenant``, a member of ``other_tenant`` and an outsider."""
    return factories.people(session, tenant, other_tenant)


@pytest.fixture()
def login(app: Flask, connection: object, session: Session):  # type: ignore[no-untyped-def]
    """``login(account)`` returns a test client signed in as that account (with a session
    record, as a real sign-in makes)."""

    def make(account) -> FlaskClient:  # type: ignore[no-untyped-def]
        c = app.test_client()
        with c.session_transaction() as s:
            s["_user_id"] = factories.login_id(session, account)
            s["_fresh"] = True
        return c

    return make


@pytest.fixture()
def owner_client(login, people):  # type: ignore[no-untyped-def]
    return login(people.owner)


@pytest.fixture()
def organizer_client(login, people):  # type: ignore[no-untyped-def]
    return login(people.organizer)


@pytest.fixture()
def staff_client(login, people):  # type: ignore[no-untyped-def]
    return login(people.staff)


@pytest.fixture()
def member_client(login, people):  # type: ignore[no-untyped-def]
    return login(people.member)


@pytest.fixture()
def outsider_client(login, people):  # type: ignore[no-untyped-def]
    return login(people.outsider)


@pytest.fixture()
def smtp_server(app: Flask) -> Iterator[SMTPServer]:
    """A real SMTP server on localhost; while it runs, the app sends mail to it."""
    server = SMTPServer()
    server.start()
    previous = (app.config["SMTP_URL"], app.config["MAIL_CAPTURE"])
    app.config.update(SMTP_URL=server.url, MAIL_CAPTURE=False)
    try:
        yield server
    finally:
        app.config.update(SMTP_URL=previous[0], MAIL_CAPTURE=previous[1])
        server.stop()


@pytest.fixture()
def run_jobs(app: Flask, connection: object):  # type: ignore[no-untyped-def]
    """Run every queued job in this process (inside the test's transaction); return the count.

    Each job runs in its own app context, as under ``joren worker``.
    """
    from rq import SimpleWorker

    def run(allow_failures: bool = False) -> int:
        with app.app_context():
            queues = list(app.extensions["rq"].queues.values())
        total = 0
        while True:
            pending = sum(q.count for q in queues)
            if pending == 0:
                failed = [job_id for q in queues for job_id in q.failed_job_registry.get_job_ids()]
                if failed and not allow_failures:
                    job = queues[0].fetch_job(failed[0])
                    info = job.latest_result().exc_string if job and job.latest_result() else ""
                    raise AssertionError(f"{len(failed)} job(s) failed:\n{info}")
                return total
            worker = SimpleWorker(queues, connection=queues[0].connection,
                                  job_class=queues[0].job_class)
            with app.app_context():
                worker.work(burst=True)
            total += pending

    return run


@pytest.fixture()
def browser() -> Iterator[object]:
    """Chromium through Playwright. Function-scoped on purpose: Playwright's sync API runs an
    event loop in this thread, and Flask cannot close an app context here while it runs."""
    from tests.live import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture(autouse=True)
def _fresh_page_store() -> Iterator[None]:
    """Each test starts and ends with an empty in-process page store and no kept layout
    frame: a page another test kept under the same ids (SQLite reuses them after a
    rollback) is never served to it."""
    pagecache.clear_local()
    layoutframe.clear()
    yield
    pagecache.clear_local()
    layoutframe.clear()
