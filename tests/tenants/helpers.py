"""Test data and tools shared by the community, member and meetup tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from joren.models import Attendance, AttendanceStatus, Community, Meetup, Member
from joren.platform.db import db
from joren.platform.tenancy import unscoped


def meetup(session: Session, community: Community, title: str = "定例会",
           starts_at: datetime | None = None, **fields) -> Meetup:  # type: ignore[no-untyped-def]
    """A meetup in ``community``; by default a week from now."""
    starts_at = starts_at or datetime.now(UTC) + timedelta(days=7)
    with unscoped(session):
        m = Meetup(tenant_id=community.id, title=title, starts_at=starts_at,
                   ends_at=starts_at + timedelta(hours=2), **fields)
        session.add(m)
        session.flush()
    return m


def attend(session: Session, meetup: Meetup, member: Member,
           status: AttendanceStatus = AttendanceStatus.PRESENT) -> Attendance:
    with unscoped(session):
        a = Attendance(tenant_id=meetup.tenant_id, meetup_id=meetup.id, member_id=member.id,
                       status=status)
        session.add(a)
        session.flush()
    return a


def days_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def reload(session: Session, model: type, object_id: int):  # type: ignore[no-untyped-def]
    """A fresh copy of a row from the database, whatever community it belongs to."""
    with unscoped(session):
        session.expire_all()
        return session.get(model, object_id)


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(app: Flask) -> Iterator[StatementCounter]:
    """Count the SQL statements the app's engine runs inside the block."""
    counter = StatementCounter()
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # Transaction control, and the tenant scope that the guard sets for row-level
        # security (once per transaction in production), are not queries of the page.
        # Nor is the page cache's compaction of a community's change marks: it runs on one
        # write in ``pagecache.COMPACT_EVERY`` (by the mark's id, so by chance in a test).
        head = statement.lstrip().upper()
        if not head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT",
                                "SELECT SET_CONFIG(", "DELETE FROM DATA_CHANGES ",
                                "UPDATE DATA_CHANGES ")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    # A page kept by the page cache (joren/platform/pagecache.py) is counted as it computes
    # (its worst case: the fingerprint and every statement of the page), never from the store.
    reads = app.config.get("PAGE_CACHE_READS", True)
    app.config["PAGE_CACHE_READS"] = False
    try:
        yield counter
    finally:
        app.config["PAGE_CACHE_READS"] = reads
        event.remove(engine, "before_cursor_execute", before)


def login_url(app: Flask, next_path: str | None = None) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for("accounts.login", next=next_path) if next_path else url_for(
            "accounts.login")


def in_english(c):  # type: ignore[no-untyped-def]
    """Switch a test client to English (community pages otherwise follow the community's
    default language, Japanese, before the browser's)."""
    c.post("/language", data={"language": "en"})
    return c
