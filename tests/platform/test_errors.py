"""Error pages: in the visitor's language, never a stack trace, never a leaked secret."""

from __future__ import annotations

import pytest
from flask import abort

from joren.app import create_app


@pytest.fixture()
def boom_app(app_config, connection):
    """An app of its own (same database) with routes that fail on purpose."""
    app = create_app(dict(app_config))

    @app.get("/boom")
    def boom():
        raise RuntimeError("database password is hunter2")

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    return app


def test_404_in_japanese(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "ja"})
    assert response.status_code == 404
    assert "ページが見つかりません" in response.get_data(as_text=True)


def test_404_in_english(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_community_is_404(client):
    assert client.get("/c/no-such-community/").status_code == 404


def test_500_is_friendly_and_hides_the_error(boom_app):
    client = boom_app.test_client()
    response = client.get("/boom", headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "hunter2" not in body and "Traceback" not in body


def test_500_in_japanese(boom_app):
    response = boom_app.test_client().get("/boom", headers={"Accept-Language": "ja"})
    assert "システム側で問題が発生しました" in response.get_data(as_text=True)


def test_403_page(boom_app):
    response = boom_app.test_client().get("/forbidden", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_health_endpoints_answer_json(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["database"] == "ok"
