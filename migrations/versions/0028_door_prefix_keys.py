"""members: door search by prefix on btree indexes (issue 14)

Door search read every member of the community with LIKE (no index can serve LIKE under
row-level security: the operator is not LEAKPROOF). It now asks btree indexes for ranges
(``key >= q AND key < q'``: text comparisons are leakproof), see
joren/tenants/meetups/checkin/lists.py. This revision:

- adds three derived keys to ``members`` (romaji family name first, given name first, both
  with long vowels folded; the company without its legal form) with one index each, on
  (tenant_id, key), and fills them for existing members from ``name_romaji`` and ``company``
  (only members with either; the keys are computed in Python by the frozen functions below,
  as 0009 did, because the folding is NFKC and SQLite has no ``normalize()``; written 1,000
  rows a statement, by primary key, before the indexes exist so none is maintained row by
  row);
- on PostgreSQL collates "C" the columns the door reads by range (those three, ``search_key``,
  the readings and the email), so that a range is exactly "starts with" whatever the
  database's collation; PostgreSQL rebuilds their indexes (``ix_members_tenant_search``,
  ``ix_members_tenant_reading``, ``uq_members_tenant_id_email``). Equality is unchanged (the
  collations are deterministic); sorting by reading becomes code-point order, which is
  gojūon order for katakana.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 19:30:00
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ("search_romaji", "search_romaji_given", "search_company")
# (column, type without collation) collated "C" on PostgreSQL
COLLATED = (("email", "varchar(320)"), ("family_name_kana", "varchar(60)"),
            ("given_name_kana", "varchar(60)"), ("search_key", "text"))

members = sa.table("members", sa.column("id", sa.Integer), sa.column("name_romaji", sa.String),
                   sa.column("company", sa.String), *(sa.column(k, sa.String) for k in KEYS))

# The keys as joren.platform.names wrote them when this revision shipped (frozen here).
_LONG_VOWEL = re.compile("ou|oo|uu")
_LEGAL_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人",
                "一般財団法人", "公益社団法人", "公益財団法人", "特定非営利活動法人", "npo法人",
                "医療法人社団", "医療法人", "社会福祉法人", "学校法人", "税理士法人",
                "弁護士法人", "(株)", "(有)", "(同)")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").strip().lower())
    return "".join(chr(ord(ch) + 0x60) if 0x3041 <= ord(ch) <= 0x3096 else ch for ch in text)


def _prefix_key(text: str) -> str:
    return "".join(_fold(text).split())[:120]


def _romaji_key(text: str) -> str:
    return "".join(_LONG_VOWEL.sub(lambda m: m.group(0)[0], _fold(text)).split())[:120]


def _keys(name_romaji: str, company: str) -> dict[str, str]:
    forms = [f for f in (name_romaji or "").split(" / ") if f.strip()]
    first = _romaji_key(forms[0]) if forms else ""
    second = _romaji_key(forms[1]) if len(forms) > 1 else ""
    key = _prefix_key(company)
    for form in _LEGAL_FORMS:
        if key.startswith(form) and len(key) > len(form):
            key = key[len(form):]
            break
    return {"search_romaji": first, "search_romaji_given": "" if second == first else second,
            "search_company": key}


def _fill_keys() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # every community's rows (FORCE ROW LEVEL SECURITY)
        bind.execute(sa.text("SELECT set_config('joren.bypass', 'on', true)"))
    rows = bind.execute(sa.select(members.c.id, members.c.name_romaji, members.c.company)
                        .where(sa.or_(members.c.name_romaji != "", members.c.company != ""))
                        ).all()
    updates = [{"b_id": mid, **_keys(romaji, company)} for mid, romaji, company in rows]
    stmt = (members.update().where(members.c.id == sa.bindparam("b_id"))
            .values({k: sa.bindparam(k) for k in KEYS}))
    for start in range(0, len(updates), 1000):
        bind.execute(stmt, updates[start:start + 1000])


def _collate(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, sql_type in COLLATED:
        clause = f' COLLATE "{collation}"' if collation else ""
        op.execute(f"ALTER TABLE members ALTER COLUMN {column} TYPE {sql_type}{clause}")


def upgrade() -> None:
    c_string = sa.String(120).with_variant(sa.String(120, collation="C"), "postgresql")
    with op.batch_alter_table("members") as batch:
        for key in KEYS:
            batch.add_column(sa.Column(key, c_string, nullable=False, server_default=""))
    _collate("C")
    _fill_keys()
    for key in KEYS:
        op.create_index(f"ix_members_tenant_{key}", "members", ["tenant_id", key])


def downgrade() -> None:
    for key in KEYS:
        op.drop_index(f"ix_members_tenant_{key}", table_name="members")
    _collate(None)  # back to the database's collation
    with op.batch_alter_table("members") as batch:
        for key in KEYS:
            batch.drop_column(key)
