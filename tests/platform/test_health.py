"""Liveness (/healthz) and readiness (/readyz: the database answers; Redis is reported)."""

from __future__ import annotations

import os

import pytest

from joren.app import create_app


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_database_and_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    expected_redis = "ok" if os.environ.get("REDIS_URL") else "embedded"
    assert body["checks"]["redis"] == expected_redis


@pytest.fixture()
def broken_app(app_config, tmp_path):
    def make(**overrides):
        config = dict(app_config)
        config.update(overrides)
        return create_app(config)

    return make


def test_readyz_is_unavailable_when_the_database_is_unreachable(broken_app, tmp_path):
    app = broken_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] != "ok"
    assert "nowhere" not in response.get_data(as_text=True)


def test_readyz_stays_ready_when_only_redis_is_unreachable(broken_app):
    """A Redis outage must not pull every web process out of the load balancer."""
    url = "redis://127.0.0.1:1/0"
    app = broken_app(REDIS_URL=url, RQ_CONNECTION=url, RQ_CONNECTION_CLASS="redis.Redis")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "ConnectionError"}
    redis_only = app.test_client().get("/readyz/redis")
    assert redis_only.status_code == 503
    assert redis_only.get_json()["checks"]["redis"] == "ConnectionError"
