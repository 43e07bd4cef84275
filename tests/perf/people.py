"""Member rows for the door and check-in benchmarks: Japanese names with their readings and
romaji, written in bulk through Core (as the import writes members)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from joren.models import MemberStatus, Role
from joren.platform.db import utcnow
from joren.platform.names import romaji_search_key

FAMILIES = [("田中", "タナカ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"),
            ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
            ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
            ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
            ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ")]
GIVEN = [("太郎", "タロウ"), ("花子", "ハナコ"), ("健", "ケン"), ("由美", "ユミ"),
         ("誠", "マコト"), ("大輔", "ダイスケ"), ("美咲", "ミサキ"), ("翔", "ショウ"),
         ("優", "ユウ"), ("明", "アキラ")]


def member_rows(community: Any, members: int, *,
                given: Callable[[str, int], str] = lambda g, n: f"{g}{n}",
                company: Callable[[int], str] = lambda n: f"会社{n}") -> list[dict[str, Any]]:
    """``members`` rows cycling through every family × given name; ``given`` and ``company``
    make the n-th member's given name and company."""
    romaji = {(f, g): romaji_search_key(f, g) for (_a, f), (_b, g) in
              itertools.product(FAMILIES, GIVEN)}
    names = itertools.cycle(itertools.product(FAMILIES, GIVEN))
    rows = []
    for n in range(members):
        (family, fkana), (name, gkana) = next(names)
        rows.append({"tenant_id": community.id, "role": Role.MEMBER.value,
                     "status": MemberStatus.MEMBER.value, "email": f"p{n}@{community.slug}.jp",
                     "family_name": family, "given_name": given(name, n),
                     "family_name_kana": fkana, "given_name_kana": gkana,
                     "name_romaji": romaji[(fkana, gkana)], "company": company(n),
                     "title": "代表", "joined_at": utcnow()})
    return rows
