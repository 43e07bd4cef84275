"""A running import whose job is gone (issue 14's "nothing re-enqueues a killed import"):
``joren.workers.import_jobs.sweep_imports`` resumes a batch whose job Redis lost, marks failed
one whose job died, leaves alone one whose job is still queued, and never touches another
community's batch. Through the real pages, the real queue (fakeredis or Redis) and RQ's
worker in this process."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.job import Job, JobStatus
from sqlalchemy import func, select

from joren.models import Member
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.imports.models import ImportBatch, ImportStatus
from joren.workers import import_jobs
from tests.tenants.helpers import reload
from tests.tenants.members.test_imports import BASE, DATA, MEMBER_FORM, batch_id_of, upload

pytestmark = pytest.mark.usefixtures("clock")


def _confirmed(client) -> int:  # type: ignore[no-untyped-def]
    """Upload, map, preview and confirm through the pages; the job is queued, not run."""
    bid = batch_id_of(upload(client, (DATA / "members_utf8.csv").read_bytes()))
    assert client.post(f"{BASE}{bid}/mapping", data=MEMBER_FORM).status_code == 302
    assert client.get(f"{BASE}{bid}/preview").status_code == 200
    assert client.post(f"{BASE}{bid}/preview", data={}).status_code == 302
    return bid


def _queue(app):  # type: ignore[no-untyped-def]
    return app.extensions["rq"].get_queue()


def _age(session, batch_id: int, minutes: int) -> None:  # type: ignore[no-untyped-def]
    with unscoped(session):
        batch = reload(session, ImportBatch, batch_id)
        batch.progressed_at = utcnow() - timedelta(minutes=minutes)
        session.commit()


def _members(session, tenant_id: int) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(func.count()).select_from(Member)
                              .where(Member.tenant_id == tenant_id))


def _status(client, bid: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return client.get(f"{BASE}{bid}/status?format=json").get_json()


def test_each_run_is_numbered_and_its_job_named_after_it(app, organizer_client, session,
                                                          tenant, people) -> None:
    session.commit()
    bid = _confirmed(organizer_client)
    batch = reload(session, ImportBatch, bid)
    assert batch.status == ImportStatus.RUNNING and batch.runs == 1
    assert batch.progressed_at is not None
    with app.app_context():
        [job_id] = _queue(app).get_job_ids()
        job = _queue(app).fetch_job(job_id)
    assert job_id == f"import-{tenant.id}-{bid}-1" == batch.job_id
    assert job.args == (tenant.id, bid, 1)


def test_a_lost_job_is_resumed_once_and_the_import_finishes(app, organizer_client, session,
                                                            tenant, people, run_jobs) -> None:
    session.commit()
    before = _members(session, tenant.id)
    bid = _confirmed(organizer_client)
    with app.app_context():
        _queue(app).connection.flushdb()  # Redis lost the job
        assert import_jobs.sweep_imports() == 0  # too fresh: it may be on its way
    _age(session, bid, 31)
    with app.app_context():
        assert import_jobs.sweep_imports() == 1
        assert import_jobs.sweep_imports() == 0  # the same run is handed over once
    run_jobs()  # the resume starts run 2, whose job then imports
    batch = reload(session, ImportBatch, bid)
    assert batch.runs == 2 and batch.status == ImportStatus.DONE
    status = _status(organizer_client, bid)
    assert status["status"] == "done" and status["percent"] == 100
    imported = _members(session, tenant.id) - before
    assert imported == status["created"] > 0
    with app.app_context():
        assert import_jobs.sweep_imports() == 0  # done: nothing more to look at


def test_a_job_still_queued_is_left_alone(app, organizer_client, session, tenant, people,
                                          run_jobs) -> None:
    session.commit()
    bid = _confirmed(organizer_client)
    _age(session, bid, 120)  # e.g. behind a long queue
    with app.app_context():
        assert import_jobs.sweep_imports() == 0
        assert _queue(app).count == 1
    run_jobs()
    assert reload(session, ImportBatch, bid).status == ImportStatus.DONE


def test_a_dead_job_fails_the_batch_and_it_can_be_started_again(
        app, organizer_client, session, tenant, people, run_jobs) -> None:
    session.commit()
    before = _members(session, tenant.id)
    bid = _confirmed(organizer_client)
    with app.app_context():
        queue = _queue(app)
        job = Job.fetch(f"import-{tenant.id}-{bid}-1", connection=queue.connection)
        queue.remove(job.id)  # its worker was killed and RQ's retries are spent:
        job.set_status(JobStatus.FAILED)
    _age(session, bid, 31)
    with app.app_context():
        assert import_jobs.sweep_imports() == 1
    run_jobs()
    batch = reload(session, ImportBatch, bid)
    assert batch.status == ImportStatus.FAILED and "run 1" in batch.error
    assert _status(organizer_client, bid)["failed"] is True
    page = organizer_client.get(f"{BASE}{bid}/status").get_data(as_text=True)
    assert "取り込みに失敗しました" in page
    assert f'href="{BASE}{bid}/preview" id="import-retry"' in page
    # the organizer starts it again from the preview: run 2 writes every row once
    assert organizer_client.get(f"{BASE}{bid}/preview").status_code == 200
    assert organizer_client.post(f"{BASE}{bid}/preview", data={}).status_code == 302
    run_jobs()
    batch = reload(session, ImportBatch, bid)
    assert batch.status == ImportStatus.DONE and batch.runs == 2
    assert _members(session, tenant.id) - before == batch.created > 0


def test_an_outlived_run_does_nothing(app, organizer_client, session, tenant, people,
                                      run_jobs) -> None:
    session.commit()
    before = _members(session, tenant.id)
    bid = _confirmed(organizer_client)
    with unscoped(session):
        batch = reload(session, ImportBatch, bid)
        batch.runs = 2  # a newer run was started by the sweep
        session.commit()
    run_jobs()  # the job of run 1
    batch = reload(session, ImportBatch, bid)
    assert batch.status == ImportStatus.RUNNING and batch.processed == 0
    assert _members(session, tenant.id) == before


def test_the_sweep_acts_for_each_community_and_a_resume_only_in_its_own(
        app, organizer_client, session, tenant, other_tenant, people, run_jobs) -> None:
    session.commit()
    mine = _confirmed(organizer_client)
    with unscoped(session):
        theirs = ImportBatch(tenant_id=other_tenant.id, kind=reload(session, ImportBatch,
                                                                    mine).kind,
                             filename="o.csv", text="氏名\n他所 太郎\n", total=1,
                             mapping=["full_name"], status=ImportStatus.RUNNING,
                             valid_only=True, runs=1,
                             progressed_at=utcnow() - timedelta(minutes=40))
        session.add(theirs)
        session.commit()
        theirs_id = theirs.id
    # a resume job naming the other community's batch, run as this community: nothing moves
    with app.app_context():
        assert import_jobs.resume_import(tenant.id, theirs_id, 1, True) == "moved on"
    assert reload(session, ImportBatch, theirs_id).runs == 1
    _age(session, mine, 31)
    with app.app_context():
        _queue(app).connection.flushdb()
        assert import_jobs.sweep_imports() == 2
    run_jobs()
    assert reload(session, ImportBatch, mine).status == ImportStatus.DONE
    other = reload(session, ImportBatch, theirs_id)
    assert other.runs == 2 and other.status == ImportStatus.DONE
    with unscoped(session):
        names = set(session.scalars(select(Member.family_name)
                                    .where(Member.tenant_id == other_tenant.id)))
    assert "他所" in names


def test_the_sweep_runs_every_ten_minutes() -> None:
    from joren.workers import cron

    assert [e.interval for e in cron.SCHEDULE
            if e.func is import_jobs.sweep_imports] == ["*/10 * * * *"]
