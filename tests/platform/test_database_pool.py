"""A pooled connection that the server dropped (a restart, a failover, an idle timeout in
PgBouncer or a firewall) is replaced before use: the next request still answers 200."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from joren.app import create_app

pytestmark = pytest.mark.postgres

APPLICATION_NAME = "joren-pool-test"


@pytest.fixture
def pooled_app(app_config):
    # The app's own engine and pool, as in production (the suite's fixtures share one
    # connection); its connections are named so that only they are terminated below.
    tagged = make_url(str(app_config["DATABASE_URL"])).update_query_dict(
        {"application_name": APPLICATION_NAME})
    app = create_app({**app_config, "DATABASE_URL": tagged.render_as_string(False)})
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def _terminate_pooled_connections(url: str) -> int:
    """What a restart does to each connection: the backend ends (this waits until it has),
    having told the client so."""
    admin = create_engine(url)
    with admin.begin() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE application_name = :name AND pid <> pg_backend_pid()"),
            {"name": APPLICATION_NAME}).scalar()
    admin.dispose()
    return int(killed or 0)


def test_requests_after_the_server_dropped_pooled_connections_answer_200(pooled_app,
                                                                           app_config):
    client = pooled_app.test_client()
    assert client.get("/readyz").status_code == 200
    assert _terminate_pooled_connections(str(app_config["DATABASE_URL"])) >= 1

    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()

    assert _terminate_pooled_connections(str(app_config["DATABASE_URL"])) >= 1
    # A page whose query is not guarded: without the pre-ping this is a 500.
    response = client.post("/login", data={"email": "nobody@example.jp", "password": "x" * 12})
    assert response.status_code == 200


def test_a_busy_connection_is_not_pinged_an_idle_one_is(pooled_app, monkeypatch):
    # A drop nobody announced (a firewall's) leaves the socket silent: the idle time decides.
    from joren.platform import db as database

    pings = []
    real_ping = database._ping  # noqa: SLF001
    monkeypatch.setattr(database, "_ping", lambda c: (pings.append(c), real_ping(c)))
    client = pooled_app.test_client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert pings == []
    monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)
    assert client.get("/readyz").status_code == 200
    assert len(pings) == 1
