"""How the import job writes its rows (joren/tenants/imports/bulk.py): on PostgreSQL by COPY
into a temporary table and one INSERT … SELECT from it, or by arrays through ``unnest``; on
SQLite by multi-row VALUES. Whatever the path, an imported member is exactly the member the
ORM would have made, row-level security checks every row, and a job stopped in the middle
of a chunk writes each row once when it runs again.

Every test runs on SQLite and, with DATABASE_URL set, on PostgreSQL with both paths."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from joren.models import Member
from joren.platform.names import romaji_search_key
from joren.platform.tenancy import TenantScopeError, unscoped
from joren.tenants.imports import bulk, write
from joren.tenants.imports import chunks as chunking
from joren.tenants.imports import services as imports
from joren.tenants.imports.chunks import Progress
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus
from joren.tenants.imports.rows import Person
from joren.tenants.imports.write import run_import

pytestmark = pytest.mark.usefixtures("clock")

MAPPING = ["full_name", "full_name_kana", "email", "company", "title", "industry"]
# what a CSV may hold that COPY's text format must carry unchanged: a backslash, a tab, its
# NULL marker spelled out, quotes, a half-width kana reading and full-width letters
AWKWARD = ('"佐藤 太郎","ｻﾄｳ たろう",Taro.Sato@Example.JP,"株式会社 A\\B\tＣ","\\N 部長",'
           '"IT ""SaaS"""\n'
           '"鈴木 花子",すずき はなこ,,合同会社すずき,,\n')


# The paths this run's database has: PostgreSQL's two (tests/conftest.py picks PostgreSQL from
# DATABASE_URL the same way), SQLite's multi-row VALUES.
PATHS = (["copy", "unnest"]
         if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))
         else ["values"])


@pytest.fixture(params=PATHS)
def write_path(request, session, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """The write path under test."""
    assert (session.get_bind().dialect.name == "postgresql") == (request.param != "values")
    if request.param != "values":
        monkeypatch.setattr(bulk, "POSTGRES_PATH", request.param)
    return request.param


def _prepared(s, text: str) -> ImportBatch:  # type: ignore[no-untyped-def]
    """Upload, map, preview and confirm as the pages do (committed)."""
    batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                 data=text.encode(), actor=None)
    assert imports.save_mapping(s, batch, MAPPING[:len(text.split("\n")[0].split(","))]) == []
    imports.preview(s, batch)
    imports.confirm(s, batch, valid_only=False)
    s.commit()
    return batch


def _import(scoped, community, text: str) -> ImportBatch:  # type: ignore[no-untyped-def]
    """The pages' steps, then the job's work, committing after every chunk."""
    s = scoped(community)
    batch = _prepared(s, text)
    run_import(s, batch.id, progress=s.commit)
    s.commit()
    return batch


def _columns(member: Member) -> dict[str, Any]:
    return {c.key: getattr(member, c.key) for c in Member.__table__.columns
            if c.key not in ("id", "tenant_id")}


def _members(session, community) -> list[Member]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(Member).where(Member.tenant_id == community.id)
                                    .order_by(Member.id)))


def test_an_imported_member_is_the_member_the_orm_makes(  # type: ignore[no-untyped-def]
        session, scoped, tenant, other_tenant, write_path, app_ctx) -> None:
    """Every column of an imported member — derived search keys (name, reading, romaji,
    company, the door's prefix keys), defaults, NULL email, the clock — equals that of the
    same person made through the ORM (column defaults and the model's hooks) from the
    values the import stored."""
    _import(scoped, tenant, "氏名,フリガナ,メール,会社,役職,業種\n" + AWKWARD)
    imported = _members(session, tenant)
    assert [(m.family_name, m.family_name_kana, m.email, m.company, m.title, m.industry)
            for m in imported] == [
        ("佐藤", "サトウ", "taro.sato@example.jp", "株式会社 A\\B\tＣ", "\\N 部長", 'IT "SaaS"'),
        ("鈴木", "スズキ", None, "合同会社すずき", "", "")]
    s = scoped(other_tenant)
    for m in imported:
        given = {k: getattr(m, k) for k in ("family_name", "given_name", "family_name_kana",
                                             "given_name_kana", "email", "company", "title",
                                             "industry")}
        s.add(Member(**given, name_romaji=romaji_search_key(m.family_name_kana,
                                                            m.given_name_kana)))
    s.commit()
    made = _members(session, other_tenant)
    assert [_columns(m) for m in imported] == [_columns(m) for m in made]
    assert (imported[0].search_romaji, imported[0].search_company) == ("satotaro", "a\\bc")


def test_row_level_security_checks_every_row_whatever_the_path(  # type: ignore[no-untyped-def]
        session, scoped, tenant, other_tenant, write_path, monkeypatch, app_ctx) -> None:
    """Rows for another community are refused by the statement's own check and, on
    PostgreSQL, by row-level security alone when that check is fooled (COPY goes to a
    temporary table, which has no policy; the INSERT from it has)."""
    s = scoped(tenant)
    write._insert_members(s, tenant.id, ImportKind.MEMBERS, [Person(family_name="正規")],
                          datetime.now(UTC), Progress(s, ImportBatch(id=0, total=1,
                                                                     processed=0), None))
    s.commit()
    with pytest.raises(TenantScopeError):
        write._insert_members(s, other_tenant.id, ImportKind.MEMBERS, [Person(family_name="越境")],
                              datetime.now(UTC), Progress(s, ImportBatch(id=0, total=1,
                                                                         processed=0), None))
    s.rollback()
    if write_path in ("copy", "unnest"):
        s = scoped(tenant)
        monkeypatch.setattr(bulk, "current_tenant_id", lambda _session: other_tenant.id)
        with pytest.raises(DBAPIError, match="row-level security"):
            write._insert_members(s, other_tenant.id, ImportKind.MEMBERS,
                                  [Person(family_name="越境")], datetime.now(UTC),
                                  Progress(s, ImportBatch(id=0, total=1, processed=0), None))
        s.rollback()
    assert [m.family_name for m in _members(session, tenant)] == ["正規"]
    assert _members(session, other_tenant) == []


@pytest.mark.postgres
def test_copy_straight_into_a_tenant_table_is_refused(session, scoped, tenant) -> None:  # type: ignore[no-untyped-def]
    """Why the COPY path stages its rows: PostgreSQL refuses COPY FROM into a table whose
    row-level security applies to the role (the app's role, as in production)."""
    s = scoped(tenant)
    s.execute(select(Member.id).limit(1))  # begin, with the community's database scope
    cursor = s.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with pytest.raises(Exception, match="row-level security"), \
            cursor.copy("COPY members (tenant_id, family_name) FROM STDIN") as pipe:
        pipe.write_row((tenant.id, "直接"))
    s.rollback()


def test_a_job_stopped_in_the_middle_of_a_chunk_writes_each_row_once(  # type: ignore[no-untyped-def]
        session, scoped, tenant, write_path, monkeypatch, app_ctx) -> None:
    """A worker killed while the second chunk is on its way (in the middle of its COPY on
    PostgreSQL) loses that chunk's transaction only; the job run again writes the rest,
    each member once, and the batch ends as if it had run once."""
    monkeypatch.setattr(chunking, "CHUNK", 2)
    text = "氏名,フリガナ,メール\n" + "".join(
        f"会員 {i},かいいん,m{i}@example.jp\n" for i in range(5))
    chunks_seen: list[int] = []
    real = write._member_rows

    def rows(people):  # type: ignore[no-untyped-def]
        """The second chunk's second row holds a value no driver can send: the write fails
        after the first row went (in the middle of the COPY on PostgreSQL)."""
        chunks_seen.append(len(people))
        made = real(people)
        if len(chunks_seen) == 2:
            made[1] = (object(), *made[1][1:])
        return made

    monkeypatch.setattr(write, "_member_rows", rows)
    s = scoped(tenant)
    batch = _prepared(s, text)
    with pytest.raises(Exception, match="object"):
        run_import(s, batch.id, progress=s.commit)
    s.rollback()  # what the server does with a killed worker's open transaction
    assert len(_members(session, tenant)) == 2  # the first chunk was committed
    monkeypatch.setattr(write, "_member_rows", real)
    s = scoped(tenant)
    batch = s.get(ImportBatch, batch.id)
    assert (batch.status, batch.processed) == (ImportStatus.RUNNING, 2)
    run_import(s, batch.id, progress=s.commit)
    s.commit()
    assert sorted(m.email for m in _members(session, tenant)) == [
        f"m{i}@example.jp" for i in range(5)]
    assert (batch.status, batch.processed, batch.created, batch.merged) == (
        ImportStatus.DONE, 5, 3, 2)
    # a duplicate delivery of the job writes nothing
    assert run_import(s, batch.id, progress=s.commit) is None
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(Member)
                              .where(Member.tenant_id == tenant.id)) == 5
