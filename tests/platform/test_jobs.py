"""Enqueue-after-commit, retries with back-off and time limits on RQ 3, and fan-out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rq.job import JobStatus

from joren.platform import jobs
from tests import factories
from tests.workers.helpers import queued_jobs, queues, release_scheduled, scheduled

SAMPLE = "tests.workers.sample_jobs"


def test_nothing_is_enqueued_before_commit_and_nothing_after_rollback(
    app, app_ctx, session  # type: ignore[no-untyped-def]
) -> None:
    jobs.enqueue_after_commit(session, f"{SAMPLE}.sleep_for", 0)
    assert queued_jobs(app) == []
    session.rollback()
    assert queued_jobs(app) == []
    session.commit()
    assert queued_jobs(app) == []  # the rolled-back request is gone for good

    jobs.enqueue_after_commit(session, f"{SAMPLE}.sleep_for", 0)
    assert queued_jobs(app) == []
    session.commit()
    [job] = queued_jobs(app)
    assert job.func_name == f"{SAMPLE}.sleep_for" and job.args == (0,)


def test_a_savepoint_neither_enqueues_early_nor_drops_the_jobs(
    app, app_ctx, session  # type: ignore[no-untyped-def]
) -> None:
    jobs.enqueue_after_commit(session, f"{SAMPLE}.sleep_for", 1)
    with session.begin_nested():
        jobs.enqueue_after_commit(session, f"{SAMPLE}.sleep_for", 2)
    assert queued_jobs(app) == []  # released a SAVEPOINT, not committed
    with pytest.raises(RuntimeError), session.begin_nested():
        raise RuntimeError("one step failed and was rolled back")
    session.commit()
    assert sorted(job.args for job in queued_jobs(app)) == [(1,), (2,)]


def test_batches_are_enqueued_in_chunks_after_commit(app, app_ctx, session) -> None:  # type: ignore[no-untyped-def]
    for n in range(7):
        jobs.enqueue_batch_after_commit(session, f"{SAMPLE}.sleep_for", n, queue="mail", size=3)
    assert queued_jobs(app) == []
    session.commit()
    assert [job.args for job in queues(app)["mail"].get_jobs()] == [
        ([0, 1, 2],), ([3, 4, 5],), ([6],)]


def test_every_job_gets_the_time_limit_and_retries_with_back_off(
    app, app_ctx, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    job = jobs.enqueue_now(f"{SAMPLE}.always_fails")
    assert job.timeout == app.config["JOB_TIMEOUT"]
    assert job.retries_left == 3 and job.retry_intervals == [10, 60, 300]

    waits = []
    for _ in range(3):
        run_jobs()
        [(retried, wait)] = scheduled(app)
        assert retried.id == job.id
        waits.append(wait)
        release_scheduled(app)
    assert [round(w / 10) * 10 for w in waits] == [10, 60, 300]
    assert run_jobs(allow_failures=True) == 1
    assert job.get_status(refresh=True) == JobStatus.FAILED  # out of retries
    assert "this job always fails" in job.latest_result().exc_string


def test_a_job_over_its_time_limit_is_stopped(app, app_ctx, run_jobs) -> None:  # type: ignore[no-untyped-def]
    job = jobs.enqueue_now(f"{SAMPLE}.sleep_for", 30, job_timeout=1, retry=None)
    run_jobs(allow_failures=True)
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert "JobTimeoutException" in job.latest_result().exc_string


def test_unique_for_needs_a_job_id(app_ctx) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="job_id"):
        jobs.enqueue_now(f"{SAMPLE}.sleep_for", 0, unique_for=60)


def test_period_keys() -> None:
    moment = datetime(2025, 1, 5, 13, 30, tzinfo=UTC)
    assert jobs.period_key("hour", moment) == "2025-01-05T13"
    assert jobs.period_key("day", moment) == "2025-01-05"
    assert jobs.period_key("week", moment) == "2025-W01"
    assert jobs.period_key("month", moment) == "2025-01"
    with pytest.raises(ValueError):
        jobs.period_key("fortnight", moment)


def test_fan_out_enqueues_one_job_per_community_and_period_once(
    app, app_ctx, session, tenant, other_tenant, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    job_name = f"{SAMPLE}.member_emails"
    assert jobs.fan_out(session, job_name, "2025-01-05") == [tenant.id, other_tenant.id]
    assert queued_jobs(app) == []  # after commit only
    session.commit()
    ids = sorted(job.id for job in queued_jobs(app))
    assert ids == sorted([jobs.fan_out_job_id(job_name, tenant.id, "2025-01-05"),
                          jobs.fan_out_job_id(job_name, other_tenant.id, "2025-01-05")])
    assert ids[0] == f"tests-workers-sample_jobs-member_emails__{tenant.id}__2025-01-05"
    run_jobs()

    jobs.fan_out(session, job_name, "2025-01-05")  # cron restarted, or a manual run
    session.commit()
    assert queued_jobs(app) == []

    newcomer = factories.community(session, slug="kyoto-new")
    jobs.fan_out(session, job_name, "2025-01-06")
    session.commit()
    assert len(queued_jobs(app)) == 3
    assert jobs.fan_out_job_id(job_name, newcomer.id, "2025-01-06") in {
        job.id for job in queued_jobs(app)}


def test_fan_out_job_runs_each_community_in_its_own_scope(
    app, session, people, tenant, other_tenant, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    from joren.workers.jobs import fan_out

    with app.app_context():
        assert fan_out(f"{SAMPLE}.member_emails", "2025-W02") == 2
    default = queues(app)["cron"]
    fanned = {job.args[0]: job for job in default.get_jobs()}
    assert sorted(fanned) == [tenant.id, other_tenant.id]
    run_jobs()
    results = {tenant_id: job.return_value(refresh=True) for tenant_id, job in fanned.items()}
    assert results[tenant.id] == sorted(
        [p.email for p in (people.owner, people.organizer, people.staff, people.member)]
    ) + ["period=2025-W02"]
    assert results[other_tenant.id] == [people.other_owner.email, "period=2025-W02"]


def test_the_cron_fan_out_names_the_current_period_and_runs_once_in_it(
    app, session, tenant, other_tenant  # type: ignore[no-untyped-def]
) -> None:
    from joren.workers.jobs import fan_out_every

    session.commit()
    job_name = f"{SAMPLE}.member_emails"
    with app.app_context():
        assert fan_out_every(job_name, "day") == 2
        fan_out_every(job_name, "day")
    today = jobs.period_key("day")
    default = queues(app)["cron"]
    assert sorted(job.id for job in default.get_jobs()) == sorted(
        jobs.fan_out_job_id(job_name, t.id, today) for t in (tenant, other_tenant))
    assert {job.args for job in default.get_jobs()} == {
        (tenant.id, today), (other_tenant.id, today)}
    marker = jobs.ONCE_PREFIX + jobs.fan_out_job_id(job_name, tenant.id, today)
    assert 86400 < default.connection.ttl(marker) <= 86400 + 3600
