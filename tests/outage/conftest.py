"""An app on its own Redis, which the test stops and starts (issue 12, finding 5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from joren.app import create_app
from joren.platform.db import db
from joren.platform.extensions import limiter
from tests.conftest import APP_ROLE
from tests.outage.redis_server import RedisServer


@pytest.fixture()
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    try:
        server = RedisServer(tmp_path)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def outage_app(app: Flask, app_config: dict[str, object],
               redis_server: RedisServer) -> Iterator[Flask]:
    """The production wiring on the private Redis: queues, rate limits (config from
    load_config, as in production), jobs enqueued for real. Its sessions join one rolled-back
    transaction, as the suite's own app does."""
    url = redis_server.url
    saved_limiter = dict(limiter.__dict__)  # the limiter is one object for every app
    config = dict(app_config)
    for key in ("RATELIMIT_STORAGE_URI", "RQ_CONNECTION", "RQ_CONNECTION_CLASS", "REDIS_URL"):
        config.pop(key, None)
    config.update(REDIS_URL=url, RQ_CONNECTION=url, RQ_CONNECTION_CLASS="redis.Redis",
                  RATELIMIT_STORAGE_URI=url, RQ_ASYNC=True)
    built = create_app(config)
    with built.app_context():
        engine, maker = db.engine, db.sessionmaker
    conn = engine.connect()
    outer = conn.begin()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL ROLE {APP_ROLE}")
    maker.configure(bind=conn, join_transaction_mode="create_savepoint")
    built.config["test_connection"] = conn
    try:
        yield built
    finally:
        outer.rollback()
        conn.close()
        engine.dispose()
        limiter.__dict__.clear()
        limiter.__dict__.update(saved_limiter)


@pytest.fixture()
def outage_session(outage_app: Flask) -> Iterator[Session]:
    with outage_app.app_context():
        s = db.sessionmaker(expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
