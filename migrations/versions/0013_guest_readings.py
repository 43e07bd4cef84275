"""readings in katakana with romaji for everyone: the door finds online guests, and "shota"

Guests who registered from the public page kept their readings as typed (often hiragana) and
had no romaji, so the door's search (members.search_key) missed "ヤマモト" typed for やまもと.
And romaji had no form with long vowels written short, so "shota" missed ショウタ (pykakasi's
passport style shortens サトウ to "sato" but not ショウタ). Readings with hiragana become
katakana, the romaji is written again from the readings (it always came from them), and the
search key of every changed row follows. Downgrade leaves the rows as they are: the old forms
are all still in the romaji, and katakana readings are what the code always wrote.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 13:00:00
"""

import itertools
import re
import unicodedata
from collections.abc import Sequence

import pykakasi
import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "name_romaji",
         "company")
members = sa.table("members", sa.column("id", sa.Integer), sa.column("search_key", sa.Text),
                   *(sa.column(part, sa.String) for part in PARTS))


# The conversions as joren.platform.names wrote them when this revision shipped (frozen here).
def _katakana(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(chr(ord(ch) + 0x60) if 0x3041 <= ord(ch) <= 0x3096 else ch for ch in text)


def _romaji_forms(converter: pykakasi.kakasi, reading: str) -> list[str]:
    reading = _katakana(reading).strip()
    if not reading:
        return []
    parts = converter.convert(reading)
    forms: list[str] = []
    for style in ("hepburn", "passport"):
        value = " ".join("".join(p[style] for p in parts).replace("'", "").split()).lower()
        if value and value not in forms:
            forms.append(value)
    if forms:
        short = re.sub("ou|oo|uu", lambda m: m.group(0)[0], forms[0])
        if short not in forms:
            forms.append(short)
    return forms


def _romaji(converter: pykakasi.kakasi, family_kana: str, given_kana: str) -> str:
    keys: list[str] = []
    for f, g in itertools.product(_romaji_forms(converter, family_kana) or [""],
                                  _romaji_forms(converter, given_kana) or [""]):
        for key in (f"{f} {g}".strip(), f"{g} {f}".strip()):
            if key and key not in keys:
                keys.append(key)
    return " / ".join(keys)[:300]


def _fold(text: str) -> str:
    return " ".join(_katakana(unicodedata.normalize("NFKC", text or "").strip().lower()).split())


def _key(family: str, given: str, family_kana: str, given_kana: str, romaji: str,
         company: str) -> str:
    folded_romaji = _fold(romaji)
    segments = ("".join(_fold(f"{family or ''}{given or ''}").split()),
                "".join(_fold(f"{family_kana or ''}{given_kana or ''}").split()),
                folded_romaji, "".join(folded_romaji.split()), _fold(company))
    key = "\n".join(s for s in dict.fromkeys(segments) if s)[:1200]
    return key.encode()[:2400].decode(errors="ignore")


def _normalised(converter: pykakasi.kakasi, row: sa.Row) -> dict[str, object] | None:
    """The row's new readings, romaji and key, or None when none of them changes."""
    before = dict(zip(PARTS, row[1:], strict=True))
    values = dict(before)
    for k in ("family_name_kana", "given_name_kana"):
        values[k] = _katakana(values[k] or "")
    values["name_romaji"] = _romaji(converter, values["family_name_kana"],
                                    values["given_name_kana"])
    if all((values[k] or "") == (before[k] or "")
           for k in ("family_name_kana", "given_name_kana", "name_romaji")):
        return None
    return {"b_id": row[0], "b_family_name_kana": values["family_name_kana"],
            "b_given_name_kana": values["given_name_kana"],
            "b_name_romaji": values["name_romaji"],
            "b_search_key": _key(*(values[p] or "" for p in PARTS))}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # every community's rows (FORCE ROW LEVEL SECURITY)
        bind.execute(sa.text("SELECT set_config('joren.bypass', 'on', true)"))
    rows = bind.execute(sa.select(members.c.id, *(members.c[p] for p in PARTS))).all()
    converter = pykakasi.kakasi()
    updates = [u for u in (_normalised(converter, row) for row in rows) if u is not None]
    stmt = (members.update().where(members.c.id == sa.bindparam("b_id"))
            .values(family_name_kana=sa.bindparam("b_family_name_kana"),
                    given_name_kana=sa.bindparam("b_given_name_kana"),
                    name_romaji=sa.bindparam("b_name_romaji"),
                    search_key=sa.bindparam("b_search_key")))
    for start in range(0, len(updates), 1000):
        bind.execute(stmt, updates[start:start + 1000])


def downgrade() -> None:
    """Nothing to undo: katakana readings with romaji are the form every member has."""
