"""SQLite (the embedded default) under concurrent requests: a request that changes something
takes the write lock when its transaction begins, so a write committed by someone else
meanwhile makes it wait its turn instead of failing with "database is locked"; reading
requests neither wait nor hold a writer back.

These run against a database file of their own (WAL mode, real commits from two
connections), whatever database the rest of the suite uses.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select

from joren.app import create_app
from joren.platform.db import Base, db
from joren.platform.tenancy import unscoped
from joren.tenants.privacy.models import AuditEntry
from tests import factories

NOTES = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"


def _write_elsewhere(path: Path, text: str, done: list[str]) -> None:
    """Another process's connection: commit one row (waiting up to 10 s for the lock)."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        with conn:
            conn.execute("INSERT INTO notes (text) VALUES (?)", (text,))
        done.append(text)
    finally:
        conn.close()


class Race:
    """A writer on another connection started from inside a request, and what it saw."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: list[str] = []
        self.thread: threading.Thread | None = None
        self.waited_for_request = False

    def start(self, text: str = "elsewhere") -> None:
        self.thread = threading.Thread(target=_write_elsewhere,
                                       args=(self.path, text, self.done))
        self.thread.start()
        # A writer that is not held back commits within milliseconds; one that waits for
        # the request's lock is still waiting when this gives up.
        self.thread.join(timeout=1.0)
        self.waited_for_request = self.thread.is_alive()

    def finish(self) -> None:
        assert self.thread is not None
        self.thread.join(timeout=30)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "writers.sqlite3"


@pytest.fixture
def sqlite_app(app_config: dict[str, object], sqlite_file: Path) -> Iterator[Flask]:
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{sqlite_file}"})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(NOTES)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def begins(sqlite_app: Flask) -> list[str]:
    """The BEGIN statements the app's engine sends, in order."""
    seen: list[str] = []
    with sqlite_app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


def _count(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT text FROM notes"))
    finally:
        conn.close()


def _read_then_write_route(app: Flask, race: Race) -> None:
    def view() -> str:
        conn = db.session.connection()
        conn.exec_driver_sql("SELECT count(*) FROM notes").scalar()
        race.start()
        conn.exec_driver_sql("INSERT INTO notes (text) VALUES ('request')")
        db.session.commit()
        return "saved"

    app.add_url_rule("/_test/notes", "test_notes", view, methods=["POST"])


def test_a_writing_request_that_read_first_waits_for_a_concurrent_writer_not_fails(
        sqlite_app: Flask, sqlite_file: Path, begins: list[str]) -> None:
    race = Race(sqlite_file)
    _read_then_write_route(sqlite_app, race)

    response = sqlite_app.test_client().post("/_test/notes")
    race.finish()

    assert response.status_code == 200
    assert race.waited_for_request  # the other writer waited for the request's commit
    assert _count(sqlite_file) == ["elsewhere", "request"]
    assert begins[0] == "BEGIN IMMEDIATE"


def test_a_reading_request_holds_no_writer_back(
        sqlite_app: Flask, sqlite_file: Path, begins: list[str]) -> None:
    seen: list[int] = []
    race = Race(sqlite_file)

    def view() -> str:
        conn = db.session.connection()
        seen.append(conn.exec_driver_sql("SELECT count(*) FROM notes").scalar())
        race.start()
        # Its snapshot stays as it began: the row committed meanwhile is not in it.
        seen.append(conn.exec_driver_sql("SELECT count(*) FROM notes").scalar())
        return "read"

    sqlite_app.add_url_rule("/_test/read", "test_read", view)
    response = sqlite_app.test_client().get("/_test/read")
    race.finish()

    assert response.status_code == 200
    assert not race.waited_for_request
    assert seen == [0, 0]
    assert _count(sqlite_file) == ["elsewhere"]
    assert begins == ["BEGIN"]


def test_another_session_of_a_writing_request_still_reads_at_once(
        sqlite_app: Flask, sqlite_file: Path, begins: list[str]) -> None:
    def view() -> str:
        db.session.connection().exec_driver_sql("INSERT INTO notes (text) VALUES ('mine')")
        # As the navbar's own session does while the request's transaction is open: it
        # would wait out the busy timeout, then fail, if it asked for the lock too.
        with db.sessionmaker() as own:
            others = own.connection().exec_driver_sql("SELECT count(*) FROM notes").scalar()
        db.session.commit()
        return str(others)

    sqlite_app.add_url_rule("/_test/two-sessions", "test_two_sessions", view,
                            methods=["POST"])
    response = sqlite_app.test_client().post("/_test/two-sessions")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "0"  # the uncommitted row is not shown to it
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_a_download_is_recorded_though_someone_wrote_while_it_was_built(
        sqlite_app: Flask, sqlite_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from joren.tenants.privacy import views

    with sqlite_app.app_context():
        session = db.sessionmaker(expire_on_commit=False)
        tenant = factories.community(session, slug="osaka-mixer", name="大阪異業種交流会")
        other = factories.community(session, slug="kobe-study", name="神戸経営者勉強会")
        people = factories.people(session, tenant, other)
        cookie = factories.login_id(session, people.owner)
        session.commit()
        session.close()

    race = Race(sqlite_file)
    real_rows = views.audit_log.rows_for_csv

    def rows_then_a_write_elsewhere(*args, **kwargs):  # type: ignore[no-untyped-def]
        rows = real_rows(*args, **kwargs)
        race.start()
        return rows

    monkeypatch.setattr(views.audit_log, "rows_for_csv", rows_then_a_write_elsewhere)
    client = sqlite_app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = cookie
        s["_fresh"] = True

    response = client.get(f"/c/{tenant.slug}/admin/audit.csv")
    race.finish()

    assert response.status_code == 200
    assert not race.waited_for_request  # building the file held nobody back
    assert _count(sqlite_file) == ["elsewhere"]
    with sqlite_app.app_context(), db.sessionmaker() as reader, unscoped(reader):
        entries = reader.execute(
            select(AuditEntry.tenant_id, AuditEntry.action, AuditEntry.changes)).all()
    assert [(t, a) for t, a, _ in entries] == [(tenant.id, "export")]
    assert "audit-osaka-mixer" in entries[0][2]["file"]
