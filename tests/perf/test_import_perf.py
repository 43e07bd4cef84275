"""CSV attendance import: the reads do not grow with the file (no query per row).

The guard (default suite) compares the reads of a 30-row file (10 people x 3 meetups) and a
480-row one (60 x 8). The benchmark (on demand: ``pytest -m perf -s
tests/perf/test_import_perf.py``) measures the throughput for a 100,000-row file (5,000 people
x 20 meetups) against a 1,000-row baseline (100 x 10) in the same run, prints rows per second
for the dry run and the import, the ratio to the baseline and the number of SQL reads, and
asserts the same.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from joren.models import Attendance
from joren.platform.tenancy import unscoped
from joren.tenants.imports import services as imports
from joren.tenants.imports.columns import guess_mapping
from joren.tenants.imports.models import ImportKind, ImportStatus
from joren.tenants.imports.rows import batch_rows
from joren.tenants.imports.write import run_import
from tests import factories
from tests.tenants.helpers import count_statements

FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
FAMILY_KANA = ["さとう", "すずき", "たかはし", "たなか", "いとう", "わたなべ", "やまもと",
               "なかむら", "こばやし", "かとう"]


def _csv(people: int, meetups: int) -> bytes:
    lines = ["参加日,イベント名,氏名,フリガナ,メールアドレス,会社名,出欠"]
    first = date(2019, 1, 10)
    for m in range(meetups):
        day = (first + timedelta(days=28 * m)).isoformat()
        for p in range(people):
            f = p % len(FAMILY)
            lines.append(f"{day},第{m + 1}回例会,{FAMILY[f]} 太郎{p},{FAMILY_KANA[f]} たろう,"
                         f"p{p}@example.jp,株式会社{p % 300},{'出席' if (p + m) % 5 else '欠席'}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _run(app, scoped, community, data: bytes) -> dict[str, float]:  # type: ignore[no-untyped-def]
    s = scoped(community)
    began = time.perf_counter()
    batch = imports.create_batch(s, kind=ImportKind.ATTENDANCE, filename="perf.csv",
                                 data=data, actor=None)
    header, _rows = batch_rows(batch)
    assert imports.save_mapping(s, batch, guess_mapping(header)) == []
    parsed = time.perf_counter()
    with count_statements(app) as preview_sql:
        imports.preview(s, batch)
    previewed = time.perf_counter()
    imports.confirm(s, batch, valid_only=False)
    with count_statements(app) as import_sql:
        run_import(s, batch.id)
    s.flush()
    done = time.perf_counter()
    assert batch.status == ImportStatus.DONE
    with unscoped(s):
        written = s.scalar(select(func.count()).select_from(Attendance)
                           .where(Attendance.tenant_id == community.id))
    assert written == batch.total
    s.rollback()
    return {"rows": batch.total, "parse": parsed - began, "preview": previewed - parsed,
            "import": done - previewed, "total": done - began,
            "preview_reads": _reads(preview_sql.statements),
            "import_reads": _reads(import_sql.statements),
            "import_sql": len(import_sql.statements)}


def _reads(statements: list[str]) -> int:
    return sum(1 for st in statements if st.lstrip().upper().startswith("SELECT"))


def test_import_reads_do_not_grow_with_the_file(app, session, scoped):  # type: ignore[no-untyped-def]
    small = factories.community(session, slug="perf-import-small")
    large = factories.community(session, slug="perf-import-large")
    session.commit()
    base = _run(app, scoped, small, _csv(10, 3))
    big = _run(app, scoped, large, _csv(60, 8))
    assert (base["rows"], big["rows"]) == (30, 480)
    assert big["preview_reads"] == base["preview_reads"]
    assert big["import_reads"] == base["import_reads"]


@pytest.mark.perf
def test_import_throughput_benchmark(app, session, scoped):  # type: ignore[no-untyped-def]
    small = factories.community(session, slug="perf-import-small")
    large = factories.community(session, slug="perf-import-large")
    session.commit()
    base = _run(app, scoped, small, _csv(100, 10))
    big = _run(app, scoped, large, _csv(5_000, 20))
    print()
    print("CSV attendance import")
    for label, r in (("baseline 1,000 rows", base), ("100,000 rows", big)):
        print(f"  {label:20s} parse {r['parse']:6.2f} s, dry run {r['preview']:6.2f} s "
              f"({r['rows'] / r['preview']:9.0f} rows/s), import {r['import']:6.2f} s "
              f"({r['rows'] / r['import']:9.0f} rows/s), total {r['total']:6.2f} s "
              f"({r['rows'] / r['total']:9.0f} rows/s); SQL: {r['preview_reads']} reads in "
              f"the dry run, {r['import_sql']} statements in the import")
    ratio = (big["total"] / big["rows"]) / (base["total"] / base["rows"])
    print(f"  time per row, 100,000 vs 1,000 rows: x{ratio:.2f}")
    # matching reads are one query per table, whatever the size of the file
    assert big["preview_reads"] == base["preview_reads"]
    assert big["import_reads"] == base["import_reads"]
