"""Embedded mode's background runner (``joren.platform.inprocess``): jobs given to it run in
order, in one thread of the process, each in its own application context; ``drain`` waits
for them, a held runner runs nothing until drained, and a failure is logged, not raised."""

from __future__ import annotations

import logging
import threading

from flask import current_app, has_app_context
from structlog.contextvars import bind_contextvars, get_contextvars

from joren.platform.inprocess import Runner

RAN: list[tuple[str, str, bool, str]] = []


def record(label: str) -> str:
    """A job: where and how it ran."""
    RAN.append((label, threading.current_thread().name, has_app_context(),
                current_app.name if has_app_context() else ""))
    return label


def fail(label: str) -> None:
    raise RuntimeError(f"job {label} broke")


def test_jobs_run_in_order_in_one_thread_with_an_app_context(app):
    RAN.clear()
    runner = Runner()
    for label in ("a", "b", "c"):
        runner.submit(app, f"{__name__}.record", (label,), {})
    assert runner.drain(timeout=60)
    assert [label for label, *_ in RAN] == ["a", "b", "c"]
    assert {thread for _l, thread, _c, _n in RAN} == {"joren-inprocess-jobs"}
    assert all(context and name == app.name for _l, _t, context, name in RAN)
    assert runner.pending == 0


def test_a_held_runner_runs_nothing_until_drained(app):
    RAN.clear()
    runner = Runner()
    runner.hold = True
    runner.submit(app, f"{__name__}.record", ("held",), {})
    runner.submit(app, f"{__name__}.record", ("held too",), {})
    assert runner.pending == 2 and RAN == []    # no thread was even started
    assert runner.drain(timeout=60)
    assert [label for label, *_ in RAN] == ["held", "held too"]


def test_a_failing_job_is_logged_and_the_next_one_runs(app, caplog):
    RAN.clear()
    runner = Runner()
    with caplog.at_level(logging.ERROR, logger="joren.jobs.inprocess"):
        runner.submit(app, f"{__name__}.fail", ("x",), {})
        runner.submit(app, f"{__name__}.record", ("after",), {})
        assert runner.drain(timeout=60)
    assert runner.failures == 1
    assert "job x broke" in caplog.text and f"{__name__}.fail" in caplog.text
    assert [label for label, *_ in RAN] == ["after"]


SEEN: list[tuple[str, dict]] = []


def bound(label: str) -> None:
    """A job: the log context it runs in; then it binds a community, as a job of one does."""
    SEEN.append((label, dict(get_contextvars())))
    bind_contextvars(community_id=7)


def test_each_job_is_logged_as_a_workers_job_is_in_a_context_of_its_own(app, caplog):
    SEEN.clear()
    runner = Runner()
    with caplog.at_level(logging.INFO, logger="joren.jobs"):
        runner.submit(app, f"{__name__}.bound", ("one",), {})
        runner.submit(app, f"{__name__}.bound", ("two",), {})
        runner.submit(app, f"{__name__}.fail", ("y",), {})
        assert runner.drain(timeout=60)
    lines = [(r.getMessage(), r.duration_ms) for r in caplog.records if r.name == "joren.jobs"]
    assert [message for message, _ms in lines] == ["job done", "job done", "job failed"]
    assert all(isinstance(ms, float) and ms >= 0 for _m, ms in lines)
    (_one, first), (_two, second) = SEEN
    assert first["job"] == f"{__name__}.bound" and first["queue"] == "inprocess"
    assert first["job_id"] != second["job_id"]
    assert "community_id" not in second     # what the first job bound ended with it
