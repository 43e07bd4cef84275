"""Embedded mode's background runner (``joren.platform.inprocess``): jobs given to it run in
order, in one thread of the process, each in its own application context; ``drain`` waits
for them, a held runner runs nothing until drained, and a failure is logged, not raised."""

from __future__ import annotations

import logging
import threading

from flask import current_app, has_app_context

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
