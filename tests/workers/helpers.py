"""Helpers shared by the job and mail tests (plain functions; fixtures live in conftest)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from rq.job import Job
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.outbox import queue_email


def queues(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return dict(app.extensions["rq"].queues)


def queued_jobs(app: Flask) -> list[Job]:
    """Every job waiting in any queue, in queue order."""
    return [job for q in queues(app).values() for job in q.get_jobs()]


def scheduled(app: Flask) -> list[tuple[Job, float]]:
    """Jobs waiting for their time (retries with back-off), with the seconds left until then."""
    found = []
    for q in queues(app).values():
        registry = q.scheduled_job_registry
        for job_id in registry.get_job_ids():
            job = q.fetch_job(job_id)
            when = registry.get_expiration_time(job)
            found.append((job, (when - utcnow()).total_seconds()))
    return found


def release_scheduled(app: Flask) -> int:
    """Let time pass: move every scheduled job back to its queue, as RQ's scheduler would."""
    count = 0
    for q in queues(app).values():
        registry = q.scheduled_job_registry
        for job_id in registry.get_job_ids():
            registry.requeue(job_id)
            count += 1
    return count


def notice(session: Session, to: str = "hanako@example.jp", key: str = "notice-1",
           category: str = "transactional", community_id: int | None = None,
           language: str = "ja", **context: Any) -> OutboxMessage:
    """Queue the generic notice email (needs an app or request context)."""
    context = {"heading": "お知らせ", "body_text": "次回の交流会は3月です。", **context}
    return queue_email(session, to=to, template="mail/notice", context=context,
                       language=language, idempotency_key=key, community_id=community_id,
                       category=category)


def age(session: Session, message: OutboxMessage, *, created: float = 0,
        claimed: float | None = None, status: OutboxStatus | None = None) -> None:
    """Move a message's timestamps into the past (seconds ago) and commit."""
    now = utcnow()
    message.created_at = now - timedelta(seconds=created)
    if claimed is not None:
        message.claimed_at = now - timedelta(seconds=claimed)
    if status is not None:
        message.status = status
    session.commit()
