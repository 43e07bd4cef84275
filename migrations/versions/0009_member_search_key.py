"""members.search_key: every way of finding a person in one indexed column (door search)

Door search matched a typed name against eight columns with ILIKE, scanning every member.
The key holds the folded name and reading without spaces, the romaji forms with and without
spaces and the company (joren.platform.names.member_search_key), so one LIKE on one indexed
column finds a person. Existing members get their key here.

The index is a plain one on (tenant_id, search_key), on both databases: the LIKE scans it
instead of the wide rows. Not a trigram index: under row-level security PostgreSQL never
evaluates LIKE or pg_trgm's operators (not LEAKPROOF) before the tenant policy, so the app's
role could never use one (joren/platform/names.py says more).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06 10:30:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
# The lead re-points this to "0008" at merge (0008 was written at the same time).
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_members_tenant_search"
PARTS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "name_romaji",
         "company")
members = sa.table("members", sa.column("id", sa.Integer), sa.column("search_key", sa.Text),
                   *(sa.column(part, sa.String) for part in PARTS))


# The key as names.member_search_key wrote it when this revision shipped (frozen here).
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").strip().lower())
    text = "".join(chr(ord(ch) + 0x60) if 0x3041 <= ord(ch) <= 0x3096 else ch for ch in text)
    return " ".join(text.split())


def _key(family: str, given: str, family_kana: str, given_kana: str, romaji: str,
         company: str) -> str:
    folded_romaji = _fold(romaji)
    segments = ("".join(_fold(f"{family or ''}{given or ''}").split()),
                "".join(_fold(f"{family_kana or ''}{given_kana or ''}").split()),
                folded_romaji, "".join(folded_romaji.split()), _fold(company))
    key = "\n".join(s for s in dict.fromkeys(segments) if s)[:1200]
    return key.encode()[:2400].decode(errors="ignore")


def _fill_keys() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # every community's rows (FORCE ROW LEVEL SECURITY)
        bind.execute(sa.text("SELECT set_config('joren.bypass', 'on', true)"))
    rows = bind.execute(sa.select(members.c.id, *(members.c[p] for p in PARTS))).all()
    updates = [{"b_id": row[0], "key": _key(*row[1:])} for row in rows]
    stmt = (members.update().where(members.c.id == sa.bindparam("b_id"))
            .values(search_key=sa.bindparam("key")))
    for start in range(0, len(updates), 1000):
        bind.execute(stmt, updates[start:start + 1000])


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("search_key", sa.Text(), nullable=False, server_default=""))
    _fill_keys()
    op.create_index(INDEX, "members", ["tenant_id", "search_key"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="members")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("search_key")
