"""Guests who register online with hiragana readings are found at the door by katakana,
hiragana or romaji (issue 16, item 9): readings are stored in katakana, romaji is stored, and
the door's search key follows — for new guests, returning guests, and rows migration 0013 fixes."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import pykakasi
import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, insert, select

from joren.models import Member
from joren.platform.config import normalise_database_url
from joren.platform.names import member_search_key, romaji_search_key, to_katakana
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.checkin import lists
from tests.platform.test_migrations import (  # noqa: F401 - fixtures
    _alembic_config,
    postgres_url,
    sqlite_url,
)
from tests.tenants.helpers import in_english
from tests.tenants.meetups.helpers_registrations import registrations_of, seated_meetup
from tests.tenants.meetups.test_registration_views import _confirm_link

pytestmark = pytest.mark.usefixtures("clock")

ROOT = Path(__file__).resolve().parents[3]
QUERIES = ("shota", "yamamoto shota", "shota yamamoto", "shouta", "ヤマモト", "やまもと しょうた",
           "ヤマモト ショウタ", "山本")


def _register_online(client, tenant, meetup, **fields):  # type: ignore[no-untyped-def]
    data = {"family_name": "山本", "given_name": "翔太", "family_name_kana": "やまもと",
            "given_name_kana": "しょうた", "email": "shota@example.jp", "notice_read": "y",
            **fields}
    response = client.post(f"/c/{tenant.slug}/meetups/{meetup.id}/guest", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)


def _guest(session, email="shota@example.jp"):  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return session.scalar(select(Member).where(Member.email == email))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_guest_with_hiragana_readings_is_found_at_the_door_by_kana_or_romaji(
        session, tenant, other_tenant, client, scoped, language):
    m = seated_meetup(session, tenant, capacity=5)
    theirs = seated_meetup(session, other_tenant, capacity=5)
    session.commit()
    if language == "en":
        in_english(client)
    _register_online(client, tenant, m)
    client.post(_confirm_link(session, "shota@example.jp"))
    guest = _guest(session)
    assert (guest.family_name_kana, guest.given_name_kana) == ("ヤマモト", "ショウタ")
    assert "yamamoto shota" in guest.name_romaji and "shouta yamamoto" in guest.name_romaji
    assert guest.search_key == member_search_key(
        guest.family_name, guest.given_name, guest.family_name_kana, guest.given_name_kana,
        guest.name_romaji, guest.company)
    ours = scoped(tenant)
    for query in QUERIES:
        found = lists.door_list(ours, ours.get(type(m), m.id), query)
        assert [row.member.id for row in found] == [guest.id], query
        assert found[0].is_going
    # Another community's door never finds this guest.
    elsewhere = scoped(other_tenant)
    assert lists.door_list(elsewhere, elsewhere.get(type(theirs), theirs.id), "shota") == []


def test_a_returning_guest_who_changes_readings_is_found_by_the_new_ones(
        session, tenant, client, scoped):
    first = seated_meetup(session, tenant, capacity=5, title="一月定例会")
    second = seated_meetup(session, tenant, capacity=5, title="二月定例会")
    session.commit()
    _register_online(client, tenant, first, given_name="翔太", given_name_kana="")
    guest = _guest(session)
    assert guest.given_name_kana == "" and "yamamoto" in guest.name_romaji
    _register_online(client, tenant, second, given_name_kana="しょうた")
    guest = _guest(session)
    assert guest.given_name_kana == "ショウタ" and "yamamoto shota" in guest.name_romaji
    assert "yamamotoshota" in guest.search_key.split("\n")[3]
    client.post(_confirm_link(session, "shota@example.jp"))
    ours = scoped(tenant)
    assert [r.member.id for r in lists.door_list(ours, ours.get(type(second), second.id),
                                                 "yamamoto shota")] == [guest.id]
    assert len(registrations_of(session, second.id)) == 1


def _fill(table, **given):  # type: ignore[no-untyped-def]
    """A row with every required column of ``table`` (as migrated) filled, then ``given``."""
    values: dict[str, object] = {}
    for column in table.columns:
        if column.nullable or column.server_default is not None or column.primary_key:
            continue
        python = column.type.python_type
        values[column.name] = (datetime(2026, 1, 1) if python is datetime
                               else False if python is bool else 0 if python is int else "")
    return {**values, **given}


def _migration_0013():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "migration_0013", ROOT / "migrations" / "versions" / "0013_guest_readings.py")
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


@pytest.mark.parametrize("database", ["sqlite_url", pytest.param("postgres_url",
                                                                 marks=pytest.mark.postgres)])
def test_migration_0013_fixes_guests_registered_before_it(request, database):
    url = request.getfixturevalue(database)
    command.upgrade(_alembic_config(url), "0010")
    engine = create_engine(normalise_database_url(url))
    metadata = MetaData()
    metadata.reflect(engine)
    communities, members = metadata.tables["communities"], metadata.tables["members"]
    with engine.begin() as conn:
        conn.execute(insert(communities), [_fill(communities, id=1, slug="c", name="c",
                                                 timezone="Asia/Tokyo")])
        conn.execute(insert(members), [
            _fill(members, id=1, tenant_id=1, family_name="山本", given_name="翔太",
                  family_name_kana="やまもと", given_name_kana="しょうた", name_romaji="",
                  role="member", status="guest",
                  search_key=member_search_key("山本", "翔太", "やまもと", "しょうた")),
            _fill(members, id=2, tenant_id=1, family_name="佐藤", given_name="一",
                  family_name_kana="サトウ", given_name_kana="ハジメ",
                  name_romaji=romaji_search_key("サトウ", "ハジメ"),
                  role="member", status="member", search_key="untouched"),
            _fill(members, id=3, tenant_id=1, family_name="大野", given_name="裕子",
                  family_name_kana="オオノ", given_name_kana="ユウコ",
                  name_romaji="oono yuuko / yuuko oono / ono yuuko / yuuko ono",
                  role="member", status="member", search_key="old"),
        ])
    command.upgrade(_alembic_config(url), "0013")
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(members))}
    engine.dispose()
    fixed = rows[1]
    assert (fixed.family_name_kana, fixed.given_name_kana) == ("ヤマモト", "ショウタ")
    assert fixed.name_romaji == romaji_search_key("ヤマモト", "ショウタ")
    assert fixed.search_key == member_search_key("山本", "翔太", "ヤマモト", "ショウタ",
                                                 fixed.name_romaji, "")
    assert "yamamotoshota" in fixed.search_key
    assert rows[2].search_key == "untouched"  # nothing of it changed
    assert "ono yuko" in rows[3].name_romaji and "onoyuko" in rows[3].search_key
    command.downgrade(_alembic_config(url), "0010")  # nothing to undo, and it runs


def test_migration_0013_converts_as_the_code_does():
    migration = _migration_0013()
    converter = pykakasi.kakasi()
    for family, given in (("やまもと", "しょうた"), ("サトウ", "タロウ"), ("", "ﾊﾅｺ"), ("", "")):
        assert migration._romaji(converter, family, given) == romaji_search_key(family, given)
        assert migration._katakana(family) == to_katakana(family)
