"""Write ``baseline-0001.json.gz``: a database at the baseline revision (0001) with
representative data, for ``tests/platform/test_migration_upgrade.py``.

How the file was made (once; it stands for the databases deployed at 0001):

    git archive b4a5637 | tar -x -C /tmp/base            # the code that shipped 0001
    cd /tmp/base && PYTHONPATH=/tmp/base DATABASE_URL=sqlite:////tmp/base/base.sqlite3 \\
        joren db upgrade && PYTHONPATH=/tmp/base DATABASE_URL=... joren demo
    python -m tests.platform.migration_data.dump_baseline /tmp/base/base.sqlite3

The demo fills most tables; every table it leaves empty gets one row of its required columns
here, so that every baseline table carries data through the upgrade.
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, func, insert, select

import joren.models  # noqa: E402,F401 - the models say which values an enum column takes
from joren.platform.db import Base  # noqa: E402

MODELS = Base.metadata
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "baseline-0001.json.gz"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _value(conn, metadata: MetaData, table, column) -> Any:  # type: ignore[no-untyped-def]
    for fk in column.foreign_keys:
        parent = fk.column.table
        query = select(fk.column)
        if "tenant_id" in parent.c and column.name != "tenant_id" and "tenant_id" in table.c:
            query = query.where(parent.c.tenant_id == select(
                metadata.tables["communities"].c.id).scalar_subquery())
        found = conn.scalar(query.limit(1))
        if found is None:
            _fill(conn, metadata, parent)
            found = conn.scalar(query.limit(1))
        return found
    modelled = MODELS.tables.get(table.name)
    enums = getattr(modelled.c[column.name].type, "enums", None) if modelled is not None else None
    if enums:  # SQLite reflects enums as VARCHAR: take a value the models accept
        return enums[0]
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    if python_type is bool:
        return False
    if python_type is int:
        return 1
    if python_type is datetime:
        return NOW
    if python_type is date:
        return NOW.date()
    if python_type is dict:
        return {}
    return "x"


def _fill(conn, metadata: MetaData, table) -> None:  # type: ignore[no-untyped-def]
    if conn.scalar(select(func.count()).select_from(table)):
        return
    values = {c.name: _value(conn, metadata, table, c) for c in table.c
              if not c.nullable and c.server_default is None and not c.primary_key}
    conn.execute(insert(table).values(**values))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def main(path: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if table.name != "alembic_version":
                _fill(conn, metadata, table)
        dump = {table.name: [{k: _plain(v) for k, v in row._mapping.items()}
                             for row in conn.execute(select(table).order_by(*table.primary_key))]
                for table in metadata.sorted_tables if table.name != "alembic_version"}
    with gzip.open(OUTPUT, "wt", encoding="utf-8") as f:
        json.dump(dump, f, ensure_ascii=False, sort_keys=True)
    print(f"{OUTPUT}: {sum(map(len, dump.values()))} rows in {len(dump)} tables")


if __name__ == "__main__":
    main(sys.argv[1])
