"""A database deployed at the baseline revision (0001), full of representative data, upgrades
to head with every row and value kept, ends with exactly the models' schema, is readable by
the models, and downgrades back to the baseline with its data intact.

The data is the demo community as the code that shipped 0001 made it, plus one row in every
table the demo left empty (``migration_data/dump_baseline.py`` says how it was made). It runs
on SQLite always, and on PostgreSQL when DATABASE_URL points there (a scratch database).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, func, insert, select, text
from sqlalchemy.orm import Session

import joren.models  # noqa: F401 - every model is mapped
from joren.platform.db import Base
from joren.platform.names import romaji_search_key, to_katakana
from joren.platform.tenancy import unscoped
from tests.platform.test_migrations import (  # noqa: F401 - fixtures
    _alembic_config,
    _databases,
    _schema_differences,
    postgres_url,
    sqlite_url,
)

BASELINE = Path(__file__).resolve().parent / "migration_data" / "baseline-0001.json.gz"


def _baseline() -> dict[str, list[dict[str, Any]]]:
    with gzip.open(BASELINE, "rt", encoding="utf-8") as f:
        return json.load(f)


def _python(value: Any) -> Any:
    if isinstance(value, dict) and "datetime" in value:
        moment = datetime.fromisoformat(value["datetime"])
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(value, dict) and "date" in value:
        return date.fromisoformat(value["date"])
    return value


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def _load(url: str, data: dict[str, list[dict[str, Any]]]) -> None:
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            rows = [{k: _python(v) for k, v in row.items()} for row in data.get(table.name, [])]
            if rows:
                conn.execute(insert(table), rows)
            if conn.dialect.name == "postgresql" and "id" in table.c and rows:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT max(id) FROM {table.name}))"))
    engine.dispose()


def _snapshot(url: str, data: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple]]:
    """Every baseline row, by primary key, with only the baseline's columns."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    found = {}
    with engine.connect() as conn:
        for name, rows in data.items():
            if not rows:
                continue
            table = metadata.tables[name]
            columns = [table.c[key] for key in sorted(rows[0])]
            found[name] = [tuple(_comparable(v) for v in row) for row in conn.execute(
                select(*columns).order_by(*table.primary_key))]
    engine.dispose()
    return found


def _rewritten(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """A baseline row as data migrations leave it: 0013 writes readings in katakana and the
    romaji again from them (with long vowels also written short)."""
    if name != "members":
        return row
    row = {**row, "family_name_kana": to_katakana(row["family_name_kana"] or ""),
           "given_name_kana": to_katakana(row["given_name_kana"] or "")}
    row["name_romaji"] = romaji_search_key(row["family_name_kana"], row["given_name_kana"])
    return row


def _expected(data: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple]]:
    return {name: [tuple(_comparable(_python(changed[key])) for key in sorted(changed))
                   for changed in (_rewritten(name, row) for row in rows)]
            for name, rows in data.items() if rows}


@pytest.mark.parametrize("database", _databases())
def test_the_baseline_upgrades_to_head_with_its_data_and_back(request, database):
    url = request.getfixturevalue(database)
    cfg = _alembic_config(url)
    data = _baseline()
    assert sum(map(len, data.values())) > 1000
    assert all(data.values()), "every baseline table carries data"

    command.upgrade(cfg, "0001")
    _load(url, data)
    command.upgrade(cfg, "head")

    assert _snapshot(url, data) == _expected(data)
    assert _schema_differences(url) == []
    engine = create_engine(url)
    try:
        with Session(engine) as session, unscoped(session):
            for mapper in Base.registry.mappers:  # the models read every upgraded row
                model = mapper.class_
                count = session.scalar(select(func.count()).select_from(model))
                assert len(session.scalars(select(model)).all()) == count
                if model.__tablename__ in data:
                    assert count == len(data[model.__tablename__])
    finally:
        engine.dispose()

    command.downgrade(cfg, "0001")
    assert _snapshot(url, data) == _expected(data)


# Released migrations are never rewritten (a database that ran one would never see the new
# text): a schema change is always a new revision. Add each new revision here once it ships.
RELEASED = {
    "0001_initial.py": "b49736350b13dbc56f4cf83d17f4ad0c96b3daf45f916eae5bdd02077500aff7",
    "0002_account_sessions.py": "aaf39b5996bd2e871bd67e1ce2627bc59ba3dde7dbc376060348a914f9fb9711",
    "0003_link_rotation.py": "7002aea9971e2e55dd25898c7eecfb0d2a729aada14338d1b7dbf22322b35389",
    "0004_row_level_security.py":
        "17cc5804c92bb046f8684cf4a82d4a43e7be2b051feb8a4eba18d944dc0af96e",
    "0005_deferred_jobs.py": "3a7afd1d567b54781d9915a7deb64e37c69b320b56fe828630313e83b46c72e2",
    "0006_outbox_render_context.py":
        "55a81fee19cd909ca3bde5e12819a49f07719d90ee33a1ccb8f67b40af61196c",
    "0007_email_keys_by_package.py":
        "afe48fbe7d2eaf01c10b726b4064c0c6a484a3b4bb6b6c71b332d111471c696f",
    "0008_analytics_rollups.py":
        "21e077a1aeeb92ccfc9419e5b3ac3214b5e8926226b6edf02229156245cd1c4a",
    "0009_member_search_key.py":
        "cd2007d7ce83fa3c95b03a660b9ea0c4565971ca5a32e6ad06851acf70704f8c",
    "0010_page_indexes.py":
        "7389aafda8d92d8b58df216e327151088a012b23af854bc94f9317d072e2e2cb",
    "0011_key_statistics.py":
        "adda71a6dd25c5b204edc58e1a975e16d4b372fc7c8f8b2bca8ed04bdcb6c0ec",
    "0012_meaning.py":
        "6cd346bf6916920304d2cc15d1c15ed0e7105ac6f643a5d72976348de2f04c36",
    "0013_guest_readings.py":
        "9b49f587d4f25c12bf450037b55cfddf402f30cd0486fae2fa8d085762d8c312",
    "0014_member_notes_receipt_addressee.py":
        "ce8b3333b4232a203418009c311309cfb1980d71e420c1e475a961cc631b843c",
    "0015_questions_survey_and_announcements.py":
        "4df8820543ea197eb8d31f80ccfb23201cfe8a9820c90ee3a9dca12921ac65cf",
    "0016_public_sharing.py":
        "1901d7fedb66fcccc65174ee894c534d2519dc9e969770366875e884a089b206",
    "0019_account_deletion.py":
        "eaf4c7e2fcbd8f23487e0b40ad52498766076927d588e7ac4672f54fbbc6d4bf",
    "0020_retention_settings.py":
        "f51ca0ad19c05170e6aa81659bca34939fbba4bd23254495770b394e441f1645",
    "0021_audit_log.py":
        "983dc52f26126fcb8215f5d0d285c328606774e309d3fcd700cfc5332fe656e8",
    "0022_community_deletion.py":
        "854be61862c609909026a13b805ce528c817189b9c9e32c71a6eddb6a146a28a",
    "0023_privacy_notice_consent.py":
        "8ef1004dcf8aa92aa2ffcd47a5ee92d56e4af32673bdce47d8f50178858d2385",
    "0024_audit_operators.py":
        "3c74f278ac7a5b31fbe7ed4b3a84baec9f343f81ca49f6db183c23b784cb083b",
    "0026_covering_meetup_indexes.py":
        "f47e95f01d00ca711d0435620375b67fae60657ea50dd2deb3627bd7010978d2",
    "0027_retention_audit_days.py":
        "669a59ff4829d07091a37e1f60f9ee40aa3aaa3919f71845f803ecd1508289f9",
    "0028_door_prefix_keys.py":
        "68f7e65f6ade874c4ca856b6f07b318efbbf363b069ef1e9e05588fecf5b9ba2",
    "0029_members_reading_index.py":
        "1f7a8cdf0c35f908d5ca0af2e852aa053ba94c53b2dd58808b2b0b11244b3aa0",
    "0030_meetup_fee_tallies.py":
        "8c81b039ad660938b1ae8b76c3bb50e9cc618502870b47eca08e53b7a209679d",
    "0031_policies_read_settings_once.py":
        "b243af45e7139e550aa9f80c34a6e042b455e228ed792c66c7c7b8b06c8796b9",
    "0032_session_members_function.py":
        "6cf037be7fdde33274f3e83c6818d1282c7cb42e334cff6cb20090c0176254bf",
    "0033_data_changes.py":
        "70267fcd9e7b337a50a445f854d67ae2b3b7e39a129a94296a20c3a315878ddd",
    "0034_import_runs.py":
        "6806496c8c256a215c7709018db3493230175af7658317915cc04024b577ac15",
    "0035_session_members_plpgsql.py":
        "f7437fe0086cd69918b4048b40b5fd82801eecbf01067875747570134db49950",
    "0036_tag_verdicts.py":
        "59dd887876916e9176cc822ef9daf97279e40f34292e4d988b5e7925388080e1",
}


def test_released_migrations_are_never_rewritten():
    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    for name, digest in RELEASED.items():
        assert hashlib.sha256((versions / name).read_bytes()).hexdigest() == digest, (
            f"{name} was released and must not change: write a new revision instead")
