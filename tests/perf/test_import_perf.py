"""CSV import through the real job path: reads and statements do not grow with the file, and
the throughput the organizer waits for.

The guards (default suite) run the job (joren/workers/import_jobs.py, committing after every
chunk as in production) with small chunks, and check that each chunk costs the same statements
— one multi-row INSERT and one progress UPDATE, no read (the batch's stored file is never
reloaded) — and that the reads do not grow with the file.

The benchmark (on demand: ``pytest -m perf -s tests/perf/test_import_perf.py``) times, on the
current database, the job for three files: 20,000 new members, the same file imported again
(nothing changes), and a 100,000-row attendance file (5,000 people x 20 meetups, all new). It
prints rows per second for the dry run and the job beside baselines measured in the same run
on the same rows — the least the database must do: the file parsed with ``csv`` and its rows
written through the driver 1,000 a statement, with the planner's statistics refreshed before
the attendance as the job does, no check, no matching, no progress — and the ratio. The
baselines: plain INSERTs (``unnest`` of arrays on PostgreSQL, ``VALUES`` on SQLite) and, on
PostgreSQL, COPY into a temporary table then INSERT … SELECT. On PostgreSQL the job runs
with each of its write paths (joren/tenants/imports/bulk.py, ``POSTGRES_PATH``).

Beside the wall time it prints the CPU time of this process (all threads) and, for a server
on this machine, of the PostgreSQL server process, and rows per CPU second of the chain the
wall waits for on an idle machine (the job's main thread, then the server): on a machine
shared with other work the wall is mostly waiting for a core, the CPU figures much less so.
The engagement refresh the attendance import triggers (once, in its own job) is timed apart.
"""

from __future__ import annotations

import csv
import io
import os
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.models import Attendance, Meetup, Member
from joren.platform.rls import refresh_key_statistics
from joren.platform.tenancy import unscoped
from joren.tenants.imports import bulk
from joren.tenants.imports import chunks as chunking
from joren.tenants.imports import services as imports
from joren.tenants.imports.columns import guess_mapping
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus
from joren.tenants.imports.rows import batch_rows
from joren.workers import engagement_jobs, import_jobs
from tests import factories
from tests.tenants.helpers import count_statements

FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
FAMILY_KANA = ["さとう", "すずき", "たかはし", "たなか", "いとう", "わたなべ", "やまもと",
               "なかむら", "こばやし", "かとう"]


def _person(p: int) -> str:
    f = p % len(FAMILY)
    return (f"{FAMILY[f]} 太郎{p},{FAMILY_KANA[f]} たろう,p{p}@example.jp,"
            f"株式会社{p % 300}")


def _members_csv(people: int) -> bytes:
    lines = ["氏名,フリガナ,メールアドレス,会社名,役職"]
    lines += [f"{_person(p)},部長" for p in range(people)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _attendance_csv(people: int, meetups: int) -> bytes:
    lines = ["参加日,イベント名,氏名,フリガナ,メールアドレス,会社名,出欠"]
    first = date(2019, 1, 10)
    for m in range(meetups):
        day = (first + timedelta(days=28 * m)).isoformat()
        lines += [f"{day},第{m + 1}回例会,{_person(p)},{'出席' if (p + m) % 5 else '欠席'}"
                  for p in range(people)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


@contextmanager
def _timer(into: dict[str, float], key: str, server: int | None = None):  # type: ignore[no-untyped-def]
    """Wall time, this process's CPU time (all its threads), this thread's and, for
    ``server`` (the process id of a PostgreSQL server process on this machine), that
    process's CPU time (else ``None``)."""
    began, cpu, server_began = time.perf_counter(), time.process_time(), _server_cpu(server)
    thread = time.thread_time()
    yield
    into[key] = time.perf_counter() - began
    into[f"{key}_cpu"] = time.process_time() - cpu
    into[f"{key}_thread_cpu"] = time.thread_time() - thread
    server_ended = _server_cpu(server)
    into[f"{key}_server_cpu"] = (None if server_began is None or server_ended is None  # type: ignore[assignment]
                                 else server_ended - server_began)


def _server_process(session: Session) -> int | None:
    """The process id of the PostgreSQL server process serving ``session`` (the tests' one
    connection), or None on SQLite. Ask before the timed work: the question begins a
    transaction (a savepoint in the tests) that must not enclose it."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.connection().connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]


def _server_cpu(pid: int | None) -> float | None:
    """CPU seconds used so far by the server process ``pid`` (read from /proc: only for a
    server on this machine), or None."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _import(app, scoped, community, kind: ImportKind, data: bytes) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Upload, map, dry run and confirm as the pages do, then run the job as the worker does
    (its own session, a commit after every chunk); the timings and SQL of each step."""
    s = scoped(community)
    out: dict[str, Any] = {}
    with app.test_request_context("/"), _timer(out, "upload"):
        batch = imports.create_batch(s, kind=kind, filename="perf.csv", data=data, actor=None)
        header, _rows = batch_rows(batch)
        assert imports.save_mapping(s, batch, guess_mapping(header)) == []
        s.commit()
    with app.test_request_context("/"), count_statements(app) as preview_sql, \
            _timer(out, "preview"):
        imports.preview(s, batch)
        s.commit()
    with app.test_request_context("/"), _timer(out, "confirm"):
        imports.confirm(s, batch, valid_only=False)
        s.commit()
    batch_id, total = batch.id, batch.total
    server = _server_process(s)
    s.close()
    with app.app_context(), count_statements(app) as job_sql, _timer(out, "job", server):
        assert import_jobs.run_import(community.id, batch_id) == ImportStatus.DONE.value
    out.update(rows=total, preview_reads=_reads(preview_sql.statements),
               job_reads=_reads(job_sql.statements), job_sql=job_sql.statements)
    return out


def _reads(statements: list[str]) -> int:
    return sum(1 for st in statements if st.lstrip().upper().startswith("SELECT"))


def _count(session: Session, model: type, community) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(func.count()).select_from(model)
                              .where(model.tenant_id == community.id)) or 0


def _summary(session: Session, community) -> ImportBatch:  # type: ignore[no-untyped-def]
    with unscoped(session):
        batch = session.scalars(select(ImportBatch).where(ImportBatch.tenant_id == community.id)
                                .order_by(ImportBatch.id.desc())).first()
        assert batch is not None
        session.refresh(batch)
        return batch


# --- guards (default suite) ----------------------------------------------------------------

def _writes(statements: list[str]) -> list[str]:
    # The page cache's mark (one INSERT per writing transaction, now and then folding older
    # marks: joren/platform/pagecache.py, tested in tests/platform/test_pagecache.py) is not
    # the import's own work.
    return [st.lstrip().split(None, 1)[0].upper() for st in statements
            if not st.lstrip().upper().startswith("SELECT") and "data_changes" not in st]


def _bulk_insert(session: Session) -> list[str]:
    """The statements (first words) of one chunk of joren/tenants/imports/bulk.py: one
    multi-row INSERT on SQLite; on PostgreSQL the temporary table's CREATE (IF NOT EXISTS)
    and the ``WITH … INSERT`` that moves the rows (the COPY between them goes past
    SQLAlchemy, uncounted)."""
    if session.get_bind().dialect.name == "postgresql" and bulk.POSTGRES_PATH == "copy":
        return ["CREATE", "WITH"]
    return ["INSERT"]


def test_attendance_job_costs_the_same_statements_per_chunk(  # type: ignore[no-untyped-def]
        app, session, scoped, monkeypatch) -> None:
    """With 3-row chunks the job's reads stay constant and each further chunk adds exactly
    one INSERT and one progress UPDATE (no reload of the batch, no statement per row)."""
    monkeypatch.setattr(chunking, "CHUNK", 3)
    small = factories.community(session, slug="perf-import-small")
    large = factories.community(session, slug="perf-import-large")
    session.commit()
    base = _import(app, scoped, small, ImportKind.ATTENDANCE, _attendance_csv(3, 2))
    big = _import(app, scoped, large, ImportKind.ATTENDANCE, _attendance_csv(9, 4))
    assert (base["rows"], big["rows"]) == (6, 36)
    assert big["preview_reads"] == base["preview_reads"]
    assert big["job_reads"] == base["job_reads"]
    # 2 more chunks of people (3 against 1), 1 of meetups (2 against 1), 10 of attendance
    # (12 against 2), each one INSERT (people and attendance: _bulk_insert); progress (one
    # UPDATE) follows each attendance chunk
    extra = sorted(_writes(big["job_sql"]))
    for statement in _writes(base["job_sql"]):
        extra.remove(statement)
    assert extra == sorted(_bulk_insert(session) * (2 + 10) + ["INSERT"] + ["UPDATE"] * 10)
    assert _count(session, Attendance, large) == 36
    assert _count(session, Member, large) == 9
    assert _count(session, Meetup, large) == 4
    done = _summary(session, large)
    assert (done.processed, done.created, done.merged, done.attendance_created) == (36, 9, 27, 36)


def test_members_job_and_its_reimport_cost_the_same_statements_per_chunk(  # type: ignore[no-untyped-def]
        app, session, scoped, monkeypatch) -> None:
    monkeypatch.setattr(chunking, "CHUNK", 4)
    small = factories.community(session, slug="perf-import-small")
    large = factories.community(session, slug="perf-import-large")
    session.commit()
    base = _import(app, scoped, small, ImportKind.MEMBERS, _members_csv(4))
    big = _import(app, scoped, large, ImportKind.MEMBERS, _members_csv(20))
    assert big["job_reads"] == base["job_reads"]
    extra = sorted(_writes(big["job_sql"]))
    for statement in _writes(base["job_sql"]):
        extra.remove(statement)
    assert extra == sorted(_bulk_insert(session) * 4 + ["UPDATE"] * 4)
    assert _count(session, Member, large) == 20
    # the same file again: nothing to write, reads still constant, no change at all
    before = _members_snapshot(session, large)
    again_small = _import(app, scoped, small, ImportKind.MEMBERS, _members_csv(4))
    again = _import(app, scoped, large, ImportKind.MEMBERS, _members_csv(20))
    assert again["job_reads"] == again_small["job_reads"]
    assert not {"INSERT", "CREATE", "WITH"} & set(_writes(again["job_sql"]))
    assert _members_snapshot(session, large) == before
    done = _summary(session, large)
    assert (done.status, done.processed, done.created, done.merged) == (
        ImportStatus.DONE, 20, 0, 20)


def _members_snapshot(session: Session, community) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return [tuple(r) for r in session.execute(
            select(Member.id, Member.email, Member.family_name, Member.given_name,
                   Member.family_name_kana, Member.given_name_kana, Member.company,
                   Member.title, Member.industry, Member.name_romaji)
            .where(Member.tenant_id == community.id).order_by(Member.id))]


# --- benchmark (on demand) -----------------------------------------------------------------

def _raw_baseline(app, scoped, community, kind: ImportKind, data: bytes,  # type: ignore[no-untyped-def]
                  method: str = "insert") -> dict[str, float]:
    """Time to parse the file with ``csv`` and write its rows through the driver, 1,000 rows
    a statement (members, and for an attendance file meetups and attendance): no check, no
    matching, no progress. ``method``: ``insert`` (plain INSERTs) or, on PostgreSQL,
    ``copy`` (COPY into a temporary table, then INSERT … SELECT from it)."""
    s = scoped(community)
    s.execute(select(Member.id).limit(1))  # begin, with the community's database scope
    conn = s.connection()
    now: Any = datetime.now(UTC)
    if conn.dialect.name == "sqlite":
        now = now.isoformat(sep=" ")  # what the driver's default adapter would store
    out: dict[str, float] = {}
    with _timer(out, "base", _server_process(s)):
        _write_raw(conn, community, kind, data, now, method)
    s.rollback()
    s.close()
    return out


def _write_raw(conn, community, kind: ImportKind, data: bytes, now: Any, method: str) -> None:  # type: ignore[no-untyped-def]
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    name = 0 if kind == ImportKind.MEMBERS else 2  # then reading, email, company
    people: dict[str, dict[str, Any]] = {}
    for r in records:
        family, given = r[name].split(" ", 1)
        kana = r[name + 1].split(" ", 1)
        people.setdefault(r[name + 2], {
            "tenant_id": community.id, "email": r[name + 2], "family_name": family,
            "given_name": given, "family_name_kana": kana[0], "given_name_kana": kana[1],
            "company": r[name + 3], "joined_at": now, "created_at": now})
    ids = dict(_insert(conn, Member, list(people.values()), now, method, "email, id"))
    if kind == ImportKind.ATTENDANCE:
        days = sorted({r[0] for r in records})
        meetups = []
        for day in days:
            start = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
            meetups.append({"tenant_id": community.id, "title": day, "starts_at": start,
                            "ends_at": start + timedelta(hours=2), "created_at": now})
            if conn.dialect.name == "sqlite":
                meetups[-1].update(starts_at=start.isoformat(sep=" "),
                                   ends_at=(start + timedelta(hours=2)).isoformat(sep=" "))
        meetup_ids = {day: mid for day, (mid,) in zip(
            days, _insert(conn, Meetup, meetups, now, "insert", "id"), strict=True)}
        # as the job does: the foreign-key checks need statistics that count these rows
        refresh_key_statistics(conn, members=len(ids), meetups=len(meetup_ids))
        _insert(conn, Attendance, [
            {"tenant_id": community.id, "meetup_id": meetup_ids[r[0]],
             "member_id": ids[r[name + 2]], "status": "present", "created_at": now}
            for r in records], now, method)


def _insert(conn, model: type, rows: list[dict[str, Any]], now: Any, method: str,  # type: ignore[no-untyped-def]
            returning: str = "") -> list[tuple[Any, ...]]:
    """Plain INSERTs through the driver, 1,000 rows each, in the fastest plain form for the
    database: on PostgreSQL one array per column through ``unnest`` (thousands of bound
    parameters cost it more than the rows), on SQLite ``VALUES (?, …), …``; or (``copy``,
    PostgreSQL) each 1,000 rows by COPY into a temporary table, then one INSERT … SELECT.
    Columns the rows leave out get the model's default (computed once)."""
    table = model.__table__  # type: ignore[attr-defined]
    defaults: dict[str, Any] = {}
    for c in table.columns:
        if c.default is not None and c.name != "id":
            arg = c.default.arg
            value = now if callable(arg) else arg
            defaults[c.name] = getattr(value, "value", value)  # enums by their value
    columns = [c.name for c in table.columns if c.name in defaults or c.name in rows[0]]
    postgres = conn.dialect.name == "postgresql"
    types = [str(table.c[c].type.compile(dialect=conn.dialect)).split(" COLLATE")[0]
             for c in columns] if postgres else []
    out: list[tuple[Any, ...]] = []
    for i in range(0, len(rows), 1000):
        chunk = rows[i:i + 1000]
        values = [[row[c] if c in row else defaults[c] for row in chunk] for c in columns]
        if postgres and method == "copy":
            stage = f"bench_{table.name}"
            conn.exec_driver_sql(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ("
                + ", ".join(f"{c} {t}" for c, t in zip(columns, types, strict=True)) + ")")
            with conn.connection.dbapi_connection.cursor() as cursor, \
                    cursor.copy(f"COPY {stage} FROM STDIN") as pipe:
                for row in zip(*values, strict=True):
                    pipe.write_row(row)
            sql = (f"WITH rows AS (DELETE FROM {stage} RETURNING *) "  # noqa: S608
                   f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM rows")
            params: tuple[Any, ...] = ()
        elif postgres:
            sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest("
                   + ", ".join(f"%s::{t}[]" for t in types) + ")")
            params = tuple(values)
        else:
            one = "(" + ", ".join(["?"] * len(columns)) + ")"
            sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
                   + ", ".join([one] * len(chunk)))
            params = tuple(v for row in zip(*values, strict=True) for v in row)
        if returning:
            sql += f" RETURNING {returning}"
        result = conn.exec_driver_sql(sql, params or None)
        if returning:
            out += [tuple(r) for r in result]
    return out


def _line(label: str, rows: int, result: dict[str, Any], key: str,
          baseline: dict[str, float] | None = None) -> str:
    """Wall time and rows/s; CPU time of this process and of the database server process
    (PostgreSQL on this machine), and rows per CPU second of both, which a loaded machine
    disturbs less than the wall; rows per CPU second of the chain the wall waits for on an
    idle machine (this thread, then the server); the ratio to the baseline, by wall and by
    CPU."""
    wall, cpu, server = result[key], result[f"{key}_cpu"], result.get(f"{key}_server_cpu")
    both = cpu + (server or 0.0)
    # what a machine with a core to spare waits for: this thread and the server, one after
    # the other (the job's second thread computes ahead beside them)
    chain = result[f"{key}_thread_cpu"] + (server or 0.0)
    text = (f"  {label:32s} {wall:6.2f} s {rows / wall:6.0f} rows/s | CPU {cpu:5.2f} s"
            + (f" + server {server:5.2f} s" if server is not None else "")
            + f" = {rows / both:6.0f} rows/CPU-s | main thread"
            + (" + server" if server is not None else "") + f" {rows / chain:6.0f} rows/CPU-s")
    if baseline is not None:
        base_both = baseline["base_cpu"] + (baseline.get("base_server_cpu") or 0.0)
        text += (f" | ratio to baseline: wall {baseline['base'] / wall:4.2f}, "
                 f"CPU {base_both / both:4.2f}")
    return text


MEMBERS = 20_000
PEOPLE, MEETUPS = 5_000, 20


@pytest.mark.perf
def test_import_throughput_benchmark(app, session, scoped, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    members = _members_csv(MEMBERS)
    attendance = _attendance_csv(PEOPLE, MEETUPS)
    # PostgreSQL: the job's own write path (bulk.POSTGRES_PATH) is timed both ways
    paths = ["copy", "unnest"] if dialect == "postgresql" else [""]
    methods = ["insert", "copy"] if dialect == "postgresql" else ["insert"]
    warm, spare, *fresh = (factories.community(session, slug=f"perf-import-{i}")
                           for i in range(2 + 2 * len(paths)))
    session.commit()
    # warm up both paths (imports, compiled statements, caches) before timing anything
    for method in methods:
        _raw_baseline(app, scoped, spare, ImportKind.ATTENDANCE, _attendance_csv(50, 2), method)
    for path in paths:
        if path:
            monkeypatch.setattr(bulk, "POSTGRES_PATH", path)
        _import(app, scoped, warm, ImportKind.MEMBERS, _members_csv(50))
        _import(app, scoped, warm, ImportKind.ATTENDANCE, _attendance_csv(50, 2))
    print()
    print(f"CSV import through the job path on {dialect} (commit after every 1,000 rows); "
          "baselines: csv + plain writes of the same rows, 1,000 a statement, same run")
    files = [(f"{MEMBERS:,} new members", ImportKind.MEMBERS, members, True),
             (f"{MEMBERS:,} members again (no change)", ImportKind.MEMBERS, members, False),
             (f"{PEOPLE * MEETUPS:,} attendance rows", ImportKind.ATTENDANCE, attendance, True)]
    communities = iter(fresh)
    targets = {}
    for label, kind, data, new in files:
        print(f" {label}")
        bases = {m: _raw_baseline(app, scoped, spare, kind, data, m) for m in methods}
        for m, base in bases.items():
            print(_line(f"baseline: plain {m.upper()}", len(data.splitlines()) - 1, base, "base"))
        for path in paths:
            if path:
                monkeypatch.setattr(bulk, "POSTGRES_PATH", path)
            if new:
                targets[kind, path] = next(communities)
            result = _import(app, scoped, targets[kind, path], kind, data)
            rows = result["rows"]
            print(_line(f"job{f' ({path})' if path else ''}", rows, result, "job",
                        bases["copy" if path == "copy" else "insert"]))
            print(f"  {'':40s} dry run {rows / result['preview']:7.0f} rows/s, confirm "
                  f"{result['confirm']:5.2f} s, upload {result['upload']:5.2f} s; "
                  f"job SQL {len(result['job_sql'])} statements, {result['job_reads']} reads")
    for path in paths:
        assert _count(session, Member, targets[ImportKind.MEMBERS, path]) == MEMBERS
        assert _count(session, Attendance, targets[ImportKind.ATTENDANCE, path]) == (
            PEOPLE * MEETUPS)
    second = targets[ImportKind.ATTENDANCE, paths[0]]
    began = time.perf_counter()
    with app.app_context(), count_statements(app) as recompute_sql:
        engagement_jobs.recompute_community(second.id)
    print(f"  engagement refresh after the attendance import ({PEOPLE:,} members): "
          f"{time.perf_counter() - began:.2f} s, {len(recompute_sql.statements)} statements "
          "(once per import, in its own job)")
