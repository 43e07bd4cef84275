"""Member.search_key, the one indexed column door search and the introductions picker read:
written on every path that writes a member (the ORM, bulk Core inserts, the CSV import's
inserts and its filled blanks, profile edits), the same as migration 0009 wrote it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from joren.models import Member
from joren.platform.names import member_search_key, romaji_search_key, search_key_patterns
from joren.platform.tenancy import unscoped
from joren.tenants.imports import services as imports
from joren.tenants.imports.models import ImportKind
from joren.tenants.imports.write import run_import
from joren.tenants.members import services as members
from tests import factories

pytestmark = pytest.mark.usefixtures("clock")

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).parent / "data"
MEMBER_FORM = ["full_name", "full_name_kana", "email", "company", "title"]


def _stored_key(session, member_id: int) -> str:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(Member.search_key).where(Member.id == member_id))


def test_the_key_folds_names_readings_romaji_and_company():
    key = member_search_key("佐藤", "太郎", "さとう", "タロウ",
                            romaji_search_key("サトウ", "タロウ"), "ＡＢＣ 商事")
    segments = key.split("\n")
    assert segments[:2] == ["佐藤太郎", "サトウタロウ"]  # hiragana reading as katakana
    # Hepburn, passport style and long vowels written short ("taro"), in both orders.
    assert ("satou tarou / tarou satou / satou taro / taro satou / sato tarou / tarou sato / "
            "sato taro / taro sato") in segments
    assert ("satoutarou/tarousatou/satoutaro/tarosatou/satotarou/tarousato/satotaro/tarosato"
            in segments)
    assert segments[-1] == "abc 商事"  # full-width letters, lowercased
    assert member_search_key() == ""


def test_query_patterns_fold_the_same_way_and_escape_wildcards():
    assert search_key_patterns("さとう　たろう") == ["%サトウ タロウ%", "%サトウタロウ%"]
    assert search_key_patterns("ＳＡＴＯ") == ["%sato%"]
    assert search_key_patterns("50%_off") == ["%50\\%\\_off%"]
    assert search_key_patterns("  ") == []


def test_migration_0009_writes_the_key_the_code_writes():
    spec = importlib.util.spec_from_file_location(
        "migration_0009", ROOT / "migrations" / "versions" / "0009_member_search_key.py")
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for parts in (("佐藤", "太郎", "さとう", "タロウ", romaji_search_key("サトウ", "タロウ"),
                   "ＡＢＣ 商事"),
                  ("", "", "", "", "", ""),
                  ("van Gogh", "Vincent", "ﾊﾞﾝ", "ゴッホ", "", "x" * 2000),
                  ("𠮷" * 60, "野" * 60, "ア" * 60, "イ" * 60, "a" * 300, "社" * 120)):
        assert migration._key(*parts) == member_search_key(*parts)


def test_orm_insert_and_profile_edit_keep_the_key(session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    member = factories.member(session, tenant, family_name="佐藤", given_name="健",
                              family_name_kana="サトウ", given_name_kana="ケン",
                              name_romaji=romaji_search_key("サトウ", "ケン"), company="佐藤商事")
    session.commit()
    assert _stored_key(session, member.id).startswith("佐藤健\nサトウケン\nsatou ken")
    s = scoped(tenant)
    actor = s.get(Member, people.organizer_member.id)
    row = s.get(Member, member.id)
    members.update_profile(s, actor, row, family_name="斎藤", family_name_kana="さいとう",
                           company="斎藤物産")
    s.commit()
    key = _stored_key(session, member.id)
    assert key.startswith("斎藤健\nサイトウケン\nsaitou ken") and key.endswith("斎藤物産")
    assert "佐藤" not in key


def test_bulk_core_inserts_write_the_key(session, tenant, people):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.execute(insert(Member), [{
            "tenant_id": tenant.id, "email": "bulk@example.jp", "family_name": "高橋",
            "given_name": "誠", "family_name_kana": "タカハシ", "given_name_kana": "マコト",
            "name_romaji": romaji_search_key("タカハシ", "マコト"), "company": "高橋電機"}])
        found = session.scalar(select(Member).where(Member.email == "bulk@example.jp"))
    assert _stored_key(session, found.id) == member_search_key(
        "高橋", "誠", "タカハシ", "マコト", romaji_search_key("タカハシ", "マコト"), "高橋電機")


def test_the_csv_import_writes_keys_for_new_and_merged_members(session, scoped, tenant, people,  # type: ignore[no-untyped-def]
                                                              app_ctx):
    kept = factories.member(session, tenant, email=None, family_name="中村", given_name="美咲",
                            family_name_kana="ナカムラ", given_name_kana="ミサキ",
                            company="中村デザイン")
    assert "nakamura" not in _stored_key(session, kept.id)  # made without its romaji
    session.commit()
    s = scoped(tenant)
    batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                 data=(DATA / "members_utf8.csv").read_bytes(), actor=None)
    imports.save_mapping(s, batch, MEMBER_FORM)
    plan = imports.preview(s, batch)
    assert [r.action for r in plan.rows] == ["create", "merge", "create"]
    imports.confirm(s, batch, valid_only=False)
    run_import(s, batch.id)
    s.commit()
    merged = _stored_key(session, kept.id)  # blanks filled by a Core UPDATE
    assert merged.startswith("中村美咲\nナカムラミサキ\nnakamura misaki")
    assert merged.endswith("中村デザイン")
    with unscoped(session):
        created = session.scalar(select(Member).where(Member.email == "kenichi@example.jp"))
    key = _stored_key(session, created.id)
    assert key.startswith("山本健一\nヤマモトケンイチ\nyamamoto kenichi")


def test_the_key_fits_a_btree_entry_whatever_the_names():
    key = member_search_key("𠮷" * 60, "野" * 60, "ア" * 60, "イ" * 60, "a" * 300, "社" * 120)
    assert len(key.encode()) <= 2400 and key.startswith("𠮷" * 60)


@pytest.mark.postgres
def test_postgresql_indexes_the_key_after_the_community(session):  # type: ignore[no-untyped-def]
    definition = session.execute(text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_members_tenant_search'")).scalar()
    assert "btree (tenant_id, search_key)" in definition


def test_migration_0028_writes_the_door_keys_the_code_writes():
    from joren.platform.membership.models import door_keys

    spec = importlib.util.spec_from_file_location(
        "migration_0028", ROOT / "migrations" / "versions" / "0028_door_prefix_keys.py")
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for romaji, company in ((romaji_search_key("オオノ", "ユウコ"), "株式会社 大野製作所"),
                            ("", ""), (romaji_search_key("サトウ", ""), "ＡＢＣ Trading"),
                            ("Ｏｏｎｏ  yuuko / x", "㈱" + "社" * 200),
                            (romaji_search_key("コウノ", "ヨウコ"), "(有)河野")):
        assert migration._keys(romaji, company) == door_keys(romaji, company)
