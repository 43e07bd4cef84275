"""``joren worker`` and ``joren cron``: refusal in embedded mode, the schedule, queue names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from joren.workers import jobs
from joren.workers.cli import worker_command
from joren.workers.cron import SCHEDULE

ROOT = Path(__file__).resolve().parents[2]


def test_worker_without_redis_explains_embedded_mode(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    for command in ("worker", "cron"):
        result = app.test_cli_runner().invoke(args=[command])
        assert result.exit_code == 1
        assert "REDIS_URL is not set" in result.output
        assert "embedded mode" in result.output and "one machine only" in result.output
        assert "export REDIS_URL=redis://" in result.output


def test_the_joren_script_refuses_with_the_same_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "FLASK_APP"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    joren = str(Path(sys.executable).with_name("joren"))
    result = subprocess.run([joren, "worker"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert "embedded mode" in result.stderr


def test_unknown_queue_names_are_refused(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    result = app.test_cli_runner().invoke(worker_command, ["mail", "emails"])
    assert result.exit_code == 2
    assert "unknown queue(s) emails" in result.output
    assert "transactional, cron, default, mail" in result.output


def test_cron_schedule_sweeps_the_outbox_every_minute(app) -> None:  # type: ignore[no-untyped-def]
    assert SCHEDULE[0].func is jobs.sweep_outbox
    with app.app_context():
        scheduler = app.extensions["rq"].make_cron_scheduler()
    registered = [(c.func, c.interval, c.queue_name) for c in scheduler.get_jobs()]
    assert registered.count((jobs.sweep_outbox, 60, "cron")) == 1  # once, however many apps
