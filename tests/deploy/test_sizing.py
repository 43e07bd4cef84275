"""The web tier's default size is bounded by database connections, not by the CPU count."""

from __future__ import annotations

import multiprocessing
import runpy
from pathlib import Path

import pytest

from joren.platform.config import load_config

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def _settings(monkeypatch, cpus: int, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "WEB_THREADS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: cpus)
    # The config sets PROMETHEUS_MULTIPROC_DIR for gunicorn's workers; here it must not leak
    # into this test process (prometheus_client would switch to multiprocess mode).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/nonexistent/joren-metrics")
    return runpy.run_path(str(GUNICORN_CONF))


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 4), (16, 4), (64, 4)])
def test_default_workers_are_capped(monkeypatch, cpus, workers):
    assert _settings(monkeypatch, cpus)["workers"] == workers


def test_workers_and_threads_come_from_the_environment(monkeypatch):
    settings = _settings(monkeypatch, 16, WEB_CONCURRENCY="6", WEB_THREADS="8")
    assert (settings["workers"], settings["threads"]) == (6, 8)


def test_a_sixteen_core_host_opens_a_bounded_number_of_connections(monkeypatch, tmp_path):
    settings = _settings(monkeypatch, 16)
    engine = load_config(str(tmp_path), {"DATABASE_URL": "postgresql://u@h/db"})[
        "SQLALCHEMY_ENGINES"]["default"]
    per_process = engine["pool_size"] + engine["max_overflow"]
    # Every thread of a process can hold a connection at once, and a few more for the
    # after-response work (the session's last-seen stamp).
    assert per_process >= settings["threads"]
    assert settings["workers"] * per_process == 28  # was 33 processes × 15 = 495
