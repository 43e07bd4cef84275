"""tenant_job and platform_job: a fresh session per job, one community in scope, commit or
roll back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.models import Member
from joren.platform import jobs
from joren.platform.tenancy import TenantScopeError, unscoped
from joren.workers.context import job_session
from tests.workers import sample_jobs


def test_a_tenant_job_sees_only_its_community(
    app, session, people, tenant, other_tenant, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    with app.app_context():
        mine = jobs.enqueue_now("tests.workers.sample_jobs.member_emails", tenant.id)
        theirs = jobs.enqueue_now("tests.workers.sample_jobs.member_emails", other_tenant.id)
    run_jobs()
    assert mine.return_value(refresh=True) == sorted(
        [people.owner.email, people.organizer.email, people.staff.email, people.member.email])
    assert theirs.return_value(refresh=True) == [people.other_owner.email]


def test_a_tenant_job_cannot_change_another_community(
    app, session, people, tenant, other_tenant  # type: ignore[no-untyped-def]
) -> None:
    session.commit()
    with app.app_context():
        sample_jobs.rename_first_member(other_tenant.id, "変更")
    with unscoped(session):
        names = dict(session.execute(select(Member.tenant_id, Member.family_name).where(
            Member.id.in_([people.owner_member.id, people.other_owner_member.id]))).all())
    assert names == {tenant.id: "大家", other_tenant.id: "変更"}


def test_a_tenant_job_for_a_deleted_community_does_nothing(app, session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        job = jobs.enqueue_now("tests.workers.sample_jobs.member_emails", 999_999)
    assert run_jobs() == 1  # finished, not failed
    assert job.return_value(refresh=True) is None


def test_a_platform_job_has_no_community_in_scope(app, session, tenant) -> None:  # type: ignore[no-untyped-def]
    session.commit()
    with app.app_context(), pytest.raises(TenantScopeError), job_session() as s:
        s.scalars(select(Member)).all()


def test_a_failing_job_rolls_back_its_work(app, session, people, tenant) -> None:  # type: ignore[no-untyped-def]
    session.commit()
    with app.app_context(), pytest.raises(RuntimeError), job_session(tenant.id) as s:
        s.scalars(select(Member).order_by(Member.id)).first().family_name = "途中"
        s.flush()
        raise RuntimeError("the job failed halfway")
    with unscoped(session):
        name = session.scalar(select(Member.family_name).where(
            Member.id == people.owner_member.id))
    assert name == "大家"
