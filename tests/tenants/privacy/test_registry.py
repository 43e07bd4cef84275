"""The registry of personal data cannot drift from the models (issue 17): every table is
declared, every column that names a member, an account or an address is declared as such, and
what the registry names exists."""

from __future__ import annotations

from joren.models import *  # noqa: F403 - every model registered
from joren.platform.db import Base
from joren.tenants.privacy.registry import TABLES

PERSON_TABLES = {"members", "accounts"}


def _person_columns(table) -> set[str]:  # type: ignore[no-untyped-def]
    named = {fk.parent.name for fk in table.foreign_keys
             if fk.column.table.name in PERSON_TABLES and fk.parent.name != "tenant_id"}
    addresses = {c.name for c in table.columns
                 if "email" in c.name and not c.name.endswith(("_at", "_version"))}
    return named | addresses


def test_every_table_is_declared_and_nothing_else():
    mapped = {mapper.local_table.name for mapper in Base.registry.mappers}
    assert mapped - set(TABLES) == set(), "declare these tables in privacy/registry.py"
    assert set(TABLES) - mapped == set(), "the registry names tables that do not exist"


def test_every_column_naming_a_person_is_declared():
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        holds = TABLES[table.name]
        declared = {*holds.subject, *holds.actor, *holds.account, *holds.email,
                    *(holds.via[:1] if holds.via else ())}
        assert declared <= set(table.columns.keys()), table.name
        undeclared = _person_columns(table) - declared
        assert not undeclared, f"{table.name}: declare {sorted(undeclared)} in the registry"


def test_a_row_reached_through_its_parent_names_a_declared_parent():
    for name, holds in TABLES.items():
        if holds.via is not None:
            column, parent = holds.via
            assert TABLES[parent].subject, f"{name}: {parent} must name its person"
            table = Base.metadata.tables[name]
            assert any(fk.column.table.name == parent for fk in table.c[column].foreign_keys)


def test_a_table_naming_nobody_says_why():
    for name, holds in TABLES.items():
        if not holds.is_personal:
            assert holds.reason, f"{name}: say why it holds no personal data"
