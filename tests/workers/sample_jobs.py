"""Jobs that exist only for the tests (enqueued by name, like the real ones)."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.models import Member
from joren.workers.context import platform_job, tenant_job


@tenant_job
def member_emails(session: Session, period: str | None = None) -> list[str]:
    """What a job scoped to one community can see: its members' emails (and the period)."""
    emails = sorted(session.scalars(select(Member.email)))
    return [*emails, f"period={period}"] if period else emails


@tenant_job
def rename_first_member(session: Session, family_name: str) -> None:
    member = session.scalars(select(Member).order_by(Member.id)).first()
    if member is not None:
        member.family_name = family_name


@platform_job
def always_fails(session: Session) -> None:
    raise RuntimeError("this job always fails")


def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "woke up"


def process_id(label: str) -> tuple[str, int]:
    """Which process ran this job (to tell a forking worker from one that is not)."""
    import os

    return label, os.getpid()
