"""Door search for walk-ins (issue 14): every member of the community is found by the start of
a name, reading (hiragana, katakana, half-width), romaji (either order, long vowels written or
not), company (with or without its legal form) or email, through btree indexes; the keys follow
profile edits and imports and go with an erasure; another community's members are never
found; and on PostgreSQL the app's role (under row-level security) reads the indexes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select

from joren.models import Member, MemberStatus, Role
from joren.platform.db import utcnow
from joren.platform.names import (
    company_key,
    door_romaji_keys,
    prefix_key,
    prefix_upper,
    romaji_key,
    romaji_search_key,
)
from joren.platform.rls import refresh_key_statistics
from joren.platform.tenancy import unscoped
from joren.tenants.imports import services as imports
from joren.tenants.imports.models import ImportKind
from joren.tenants.imports.write import run_import
from joren.tenants.meetups.checkin import lists
from joren.tenants.members import services as members
from joren.tenants.privacy.erasure import erase_member
from tests import factories
from tests.tenants.helpers import meetup
from tests.tenants.meetups.helpers_checkin import person

pytestmark = pytest.mark.usefixtures("clock")

DATA = Path(__file__).resolve().parents[1] / "members" / "data"


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=10))


@pytest.fixture()
def walk_ins(session, tenant, other_tenant, evening):  # type: ignore[no-untyped-def]
    """Nobody here registered for ``evening``: only the indexes can find them."""
    rows = {
        "ono": person(session, tenant, "大野", "裕子", "オオノ", "ユウコ",
                      company="株式会社大野製作所", email="yuko.ono@example.jp"),
        "smith": person(session, tenant, "Smith", "Anna", "スミス", "アンナ",
                        company="Smith & Sons", email="anna@smith.example"),
        "kobe_ono": person(session, other_tenant, "大野", "裕子", "オオノ", "ユウコ",
                           company="株式会社大野製作所", email="yuko.ono@kobe.example"),
    }
    session.commit()
    return rows


def _found(session, community, evening, query: str) -> set[int]:  # type: ignore[no-untyped-def]
    s = session
    return {row.member.id for row in lists.door_list(s, s.merge(evening), query)}


def test_keys_fold_width_kana_and_long_vowels():
    assert prefix_key("ｵｵﾉ ﾕｳｺ") == prefix_key("おおの　ゆうこ") == "オオノユウコ"
    assert romaji_key("Ｏｈｎｏ") == "ohno" and romaji_key("oono yuuko") == "onoyuko"
    assert romaji_key("yuko ono") == "yukoono"  # word by word: "oo" across words stays
    assert door_romaji_keys(romaji_search_key("オオノ", "ユウコ")) == ("onoyuko", "yukoono")
    assert company_key("株式会社 大野製作所") == "大野製作所"
    assert company_key("㈱大野") == "大野" and company_key("株式会社") == "株式会社"
    assert prefix_upper("abc") == "abd" and prefix_upper("a\U0010ffff") == "b"
    assert prefix_upper("\ud7ff") == "\ue000"


@pytest.mark.parametrize("query", [
    "大野", "大野裕", "大野 裕子",          # the name, with or without the space
    "おおの", "オオノ", "ｵｵﾉ", "おおのゆう",  # the reading in any kana and width, whole too
    "ono", "oono", "ono yuko", "yuko ono", "yuuko", "ＯＮＯ",  # romaji
    "大野製作", "株式会社大野",             # the company, with or without its legal form
    "yuko.o", "YUKO.ONO@EX",              # the email
])
def test_a_walk_in_is_found_by_the_start_of_any_key(scoped, tenant, evening, walk_ins, query):
    assert walk_ins["ono"].id in _found(scoped(tenant), tenant, evening, query)


@pytest.mark.parametrize("query", ["smi", "Smith An", "sumisu", "anna s", "anna@", "smith & s"])
def test_latin_names_companies_and_given_readings(scoped, tenant, evening, walk_ins, query):
    assert walk_ins["smith"].id in _found(scoped(tenant), tenant, evening, query)


@pytest.mark.parametrize("query", ["製作所", "野裕", "example.jp"])
def test_mid_word_finds_only_the_people_going(scoped, session, tenant, evening, walk_ins,
                                              query):
    assert walk_ins["ono"].id not in _found(scoped(tenant), tenant, evening, query)
    from tests.tenants.meetups.helpers_checkin import register
    register(session, evening, walk_ins["ono"])
    session.commit()
    assert walk_ins["ono"].id in _found(scoped(tenant), tenant, evening, query)


def test_another_community_is_never_found(scoped, session, tenant, other_tenant, evening,
                                          walk_ins):
    for query in ("大野", "おおの", "ono", "yuko ono", "大野製作所", "yuko.ono@"):
        found = _found(scoped(tenant), tenant, evening, query)
        assert walk_ins["kobe_ono"].id not in found and walk_ins["ono"].id in found
    theirs = meetup(session, other_tenant, "神戸の会")
    session.commit()
    assert _found(scoped(other_tenant), other_tenant, theirs, "yuko.ono@") == {
        walk_ins["kobe_ono"].id}


def test_the_keys_follow_a_profile_edit(scoped, tenant, evening, walk_ins, people):
    s = scoped(tenant)
    actor = s.get(Member, people.organizer_member.id)
    row = s.get(Member, walk_ins["ono"].id)
    members.update_profile(s, actor, row, family_name="斎藤", family_name_kana="さいとう",
                           company="斎藤商店")
    s.commit()
    s = scoped(tenant)
    for query in ("斎藤", "さいとう", "saito", "yuko saito", "斎藤商"):
        assert walk_ins["ono"].id in _found(s, tenant, evening, query), query
    for query in ("大野", "おおの", "ono yuko", "大野製作所"):
        assert walk_ins["ono"].id not in _found(s, tenant, evening, query), query


def test_the_keys_of_imported_and_merged_members(scoped, session, tenant, evening, people,
                                                 app_ctx):
    kept = factories.member(session, tenant, email=None, family_name="中村", given_name="美咲",
                            family_name_kana="ナカムラ", given_name_kana="ミサキ",
                            company="中村デザイン")  # made without its romaji
    session.commit()
    s = scoped(tenant)
    batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                 data=(DATA / "members_utf8.csv").read_bytes(), actor=None)
    imports.save_mapping(s, batch, ["full_name", "full_name_kana", "email", "company", "title"])
    imports.preview(s, batch)
    imports.confirm(s, batch, valid_only=False)
    run_import(s, batch.id)
    s.commit()
    s = scoped(tenant)
    with unscoped(session):
        created = session.scalar(select(Member).where(Member.email == "kenichi@example.jp"))
    assert created.id in _found(s, tenant, evening, "yamamoto ken")
    assert created.id in _found(s, tenant, evening, "やまもとけん")
    assert created.id in _found(s, tenant, evening, "kenichi@")
    # a member who was there, merged: the romaji is recomputed with the blanks filled
    assert kept.id in _found(s, tenant, evening, "nakamura mi")
    assert kept.id in _found(s, tenant, evening, "misaki nakamura")
    assert kept.id in _found(s, tenant, evening, "misaki@")  # the email filled in


def test_an_erased_member_is_not_found(scoped, tenant, evening, walk_ins, people):
    s = scoped(tenant)
    row = s.get(Member, walk_ins["ono"].id)
    erase_member(s, row, actor=s.get(Member, people.organizer_member.id), now=utcnow())
    s.commit()
    with unscoped(s):
        keys = s.execute(select(Member.search_key, Member.search_romaji,
                                Member.search_romaji_given, Member.search_company)
                         .where(Member.id == row.id)).one()
    assert tuple(keys) == ("", "", "", "")
    s = scoped(tenant)
    for query in ("大野", "おおの", "ono", "yuko", "大野製作所", "yuko.ono@", "#"):
        assert walk_ins["ono"].id not in _found(s, tenant, evening, query), query


# -- PostgreSQL: the app's role reads the indexes under row-level security -----------------

def _crowd(session, community, size: int) -> None:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.execute(insert(Member), [{
            "tenant_id": community.id, "role": Role.MEMBER.value,
            "status": MemberStatus.MEMBER.value, "email": f"p{n}@{community.slug}.example",
            "family_name": f"姓{n}", "given_name": "名", "family_name_kana": f"セイ{n}",
            "given_name_kana": "メイ", "name_romaji": romaji_search_key("セイ", f"メイ{n}"),
            "company": f"会社{n}", "joined_at": utcnow()} for n in range(size)])


@pytest.mark.postgres
def test_postgresql_plans_the_search_on_the_indexes_as_the_app_role(  # type: ignore[no-untyped-def]
        scoped, session, connection, tenant, other_tenant, evening, walk_ins):
    assert connection.exec_driver_sql("SELECT current_user").scalar() == "joren_test_app"
    assert not connection.exec_driver_sql(
        "SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
    assert all(connection.exec_driver_sql(
        "SELECT bool_and(proleakproof) FROM pg_proc WHERE proname IN "
        "('texteq', 'text_lt', 'text_ge', 'int4eq')"))
    _crowd(session, tenant, 3000)
    _crowd(session, other_tenant, 3000)
    session.commit()
    refresh_key_statistics(connection, members=6000, meetups=0)
    s = scoped(tenant)
    evening_here = s.merge(evening)
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "search_company" in statement:
            seen.append((statement, parameters))

    event.listen(connection.engine, "before_cursor_execute", capture)
    try:
        for query in ("おおの", "ono"):  # a reading; romaji or an address
            found = {r.member.id for r in lists.door_list(s, evening_here, query)}
            assert walk_ins["ono"].id in found
    finally:
        event.remove(connection.engine, "before_cursor_execute", capture)
    plans = ["\n".join(row[0] for row in s.connection().exec_driver_sql(
        "EXPLAIN " + statement, parameters)) for statement, parameters in seen]
    assert len(plans) == 2
    for plan in plans:
        assert "Seq Scan on members" not in plan, plan
    for index in ("ix_members_tenant_search", "ix_members_tenant_reading",
                  "ix_members_tenant_search_romaji", "ix_members_tenant_search_romaji_given",
                  "ix_members_tenant_search_company", "uq_members_tenant_id_email"):
        assert any(index in plan for plan in plans), plans
