"""Download my data: everything Joren holds about one person, in every community they belong
to, as one ZIP archive: ``data.json`` (all of it) and a CSV per table and community that
opens in Excel, with a note that says what is inside.

The tables come from the registry (registry.py), so a new table that names a person is
exported as soon as it is declared there (a test makes sure it is). The read crosses
communities (a person's communities), so it runs ``unscoped``: it names rows only through the
person's own account, memberships and addresses.
"""

from __future__ import annotations

import enum
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session

from joren.platform.csv_export import csv_text
from joren.platform.db import Base
from joren.platform.identity.account import Account
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.platform.tenancy import unscoped
from joren.tenants.privacy.registry import TABLES, Holds, exported_columns

ACCOUNT_PART = "account"  # rows that belong to no community: the account, its sessions, mail


@dataclass
class PersonalData:
    """What one account holds: rows per part (a community's slug, or ``account``) and table."""

    account_id: int
    generated_at: datetime
    communities: dict[str, str] = field(default_factory=dict)  # slug → name
    parts: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def rows(self, part: str, table: str) -> list[dict[str, Any]]:
        return self.parts.get(part, {}).get(table, [])

    def add(self, part: str, table: str, row: dict[str, Any]) -> None:
        self.parts.setdefault(part, {}).setdefault(table, []).append(row)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return None  # binary attachments are not data a person typed or was told
    return value


def _conditions(table: Table, holds: Holds, account: Account, member_ids: list[int],
                emails: list[str]) -> list[Any]:
    conditions: list[Any] = []
    if member_ids:
        conditions += [table.c[name].in_(member_ids) for name in holds.subject]
    conditions += [table.c[name] == account.id for name in holds.account]
    if emails:
        conditions += [func.lower(table.c[name]).in_(emails) for name in holds.email]
    if holds.via is not None and member_ids:
        column, parent_name = holds.via
        parent = Base.metadata.tables[parent_name]
        parent_holds = TABLES[parent_name]
        parents = select(parent.c.id).where(or_(
            *(parent.c[name].in_(member_ids) for name in parent_holds.subject)))
        conditions.append(table.c[column].in_(parents))
    return conditions


def collect(session: Session, account: Account, now: datetime) -> PersonalData:
    """Every row about ``account``'s person, grouped by community."""
    data = PersonalData(account_id=account.id, generated_at=now)
    with unscoped(session):
        members = list(session.scalars(select(Member).where(Member.account_id == account.id)))
        member_ids = [m.id for m in members]
        tenant_ids = sorted({m.tenant_id for m in members})
        communities = {c.id: c for c in session.scalars(
            select(Community).where(Community.id.in_(tenant_ids)))} if tenant_ids else {}
        data.communities = {c.slug: c.name for c in communities.values()}
        emails = sorted({e.lower() for e in [account.email, *(m.email for m in members)] if e})
        for name, holds in TABLES.items():
            if not holds.is_personal:
                continue
            table = Base.metadata.tables[name]
            conditions = _conditions(table, holds, account, member_ids, emails)
            if not conditions:
                continue
            columns = exported_columns(table)
            statement = select(*(table.c[c] for c in columns)).where(or_(*conditions))
            if "tenant_id" in table.c and not (holds.account or holds.email):
                statement = statement.where(table.c.tenant_id.in_(tenant_ids))
            statement = statement.order_by(*table.primary_key.columns)
            for row in session.execute(statement).mappings():
                owner = row.get("tenant_id", row.get("community_id"))
                community = communities.get(owner) if owner is not None else None
                part = community.slug if community is not None else ACCOUNT_PART
                data.add(part, name, {key: _plain(value) for key, value in row.items()})
    return data


def archive(data: PersonalData, readme: str) -> bytes:
    """The ZIP: a note, ``data.json`` and one CSV per part and table."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("joren-data/README.txt", readme)
        document = {
            "generated_at": data.generated_at.isoformat(),
            "account_id": data.account_id,
            "communities": data.communities,
            "data": data.parts,
        }
        zipped.writestr("joren-data/data.json",
                        json.dumps(document, ensure_ascii=False, indent=2, default=str))
        for part, tables in sorted(data.parts.items()):
            for table, rows in sorted(tables.items()):
                header = list(rows[0])
                body = [[row.get(key) for key in header] for row in rows]
                zipped.writestr(f"joren-data/{part}/{table}.csv", csv_text(header, [
                    [json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                     for v in line] for line in body]))
    return buffer.getvalue()


# An operator's entry in a community's export: who and from where are Joren's, not the
# community's (its audit page says "Joren operator" the same way).
OPERATOR_SHOWN_AS = {"actor_name": "Joren", "actor_account_id": None, "ip": ""}


def collect_community(session: Session, tenant_id: int, now: datetime) -> PersonalData:
    """Everything the session's community holds (every table with its ``tenant_id``, secrets
    left out), for the owner's export of the whole community; the guard and row-level
    security keep it to that community."""
    data = PersonalData(account_id=0, generated_at=now)
    community = session.get(Community, tenant_id)
    if community is not None:
        data.communities = {community.slug: community.name}
    part = community.slug if community is not None else str(tenant_id)
    for name in sorted(TABLES):
        table = Base.metadata.tables[name]
        if "tenant_id" not in table.c:
            continue
        columns = exported_columns(table)
        statement = (select(*(table.c[c] for c in columns))
                     .where(table.c.tenant_id == tenant_id)
                     .order_by(*table.primary_key.columns))
        for row in session.execute(statement).mappings():
            values = {key: _plain(value) for key, value in row.items()}
            if name == "audit_entries" and values.get("actor_kind") != "member":
                values.update(OPERATOR_SHOWN_AS)  # never which operator, nor from where
            data.add(part, name, values)
    return data
