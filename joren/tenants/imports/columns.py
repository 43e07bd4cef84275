"""The columns of an import file: the fields a column can be, guessing them from the header,
and what makes a chosen mapping unusable.

Kept apart from the plan so the mapping page and the preview share one list of fields and one
normalisation of headers and cell text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from joren.tenants.imports.models import ImportKind, ImportPreset

FIELDS: dict[str, Any] = {
    "": _l("(ignore)"),
    "full_name": _l("Full name"),
    "family_name": _l("Family name"),
    "given_name": _l("Given name"),
    "full_name_kana": _l("Full name reading"),
    "family_name_kana": _l("Family name reading"),
    "given_name_kana": _l("Given name reading"),
    "email": _l("Email"),
    "company": _l("Company"),
    "title": _l("Job title"),
    "industry": _l("Industry"),
    "meetup_date": _l("Meetup date"),
    "meetup_title": _l("Meetup title"),
    "attendance_status": _l("Attendance status"),
}
MEMBER_FIELDS = ("full_name", "family_name", "given_name", "full_name_kana", "family_name_kana",
                 "given_name_kana", "email", "company", "title", "industry")
ATTENDANCE_FIELDS = ("meetup_date", "meetup_title", "attendance_status")
MAX_LENGTH = {"family_name": 60, "given_name": 60, "family_name_kana": 60,
              "given_name_kana": 60, "email": 320, "company": 120, "title": 80,
              "industry": 80, "meetup_title": 200}

_GUESSES = {
    "full_name": ("氏名", "名前", "お名前", "参加者名", "表示名", "ユーザー名", "name",
                  "full name", "fullname", "your name", "ニックネーム"),
    "family_name": ("姓", "苗字", "名字", "last name", "lastname", "family name", "surname"),
    "given_name": ("名", "first name", "firstname", "given name"),
    "full_name_kana": ("フリガナ", "ふりがな", "よみがな", "ヨミガナ", "氏名(フリガナ)",
                       "氏名フリガナ", "カナ", "reading", "kana"),
    "family_name_kana": ("セイ", "せい", "姓(フリガナ)", "姓フリガナ", "姓(カナ)",
                         "last name kana"),
    "given_name_kana": ("メイ", "めい", "名(フリガナ)", "名フリガナ", "名(カナ)",
                        "first name kana"),
    "email": ("メールアドレス", "メール", "eメール", "e-mail", "email", "mail",
              "email address", "e-mailアドレス", "メールアドレス(半角)"),
    "company": ("会社名", "会社", "所属", "企業名", "勤務先", "社名", "company",
                "organization", "organisation", "所属先"),
    "title": ("役職", "肩書", "肩書き", "職位", "title", "job title", "position"),
    "industry": ("業種", "業界", "industry"),
    "meetup_date": ("参加日", "開催日", "日付", "例会日", "イベント開催日", "イベント日",
                    "開催日時", "date", "event date"),
    "meetup_title": ("イベント名", "例会名", "会名", "イベントタイトル", "event",
                     "event name", "event title"),
    "attendance_status": ("出欠", "出席", "参加状況", "出欠状況", "ステータス",
                          "出席状況", "status", "attendance", "attended"),
}
_GUESS_INDEX = {unicodedata.normalize("NFKC", h).lower(): key
                for key, headers in _GUESSES.items() for h in headers}


def norm(text: str) -> str:
    """Text as compared: NFKC (full-width letters, half-width kana), trimmed, lower case."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def guess_field(header: str) -> str:
    key = norm(header)
    if key in _GUESS_INDEX:
        return _GUESS_INDEX[key]
    key = re.sub(r"[\s*＊※]|\(必須\)|（必須）", "", key)
    return _GUESS_INDEX.get(key, "")


def guess_mapping(header: list[str], preset: ImportPreset | None = None) -> list[str]:
    """One field key per column: the preset's choice for that header, else a guess."""
    mapping, used = [], set()
    for col in header:
        key = preset.mapping.get(col, "") if preset else guess_field(col)
        if key and key in used:
            key = ""
        used.add(key)
        mapping.append(key if key in FIELDS else "")
    return mapping


def mapping_problems(kind: ImportKind, mapping: list[str]) -> list[str]:
    """Why a mapping cannot be used (empty when it can)."""
    keys = [k for k in mapping if k]
    problems = []
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    for key in dupes:
        problems.append(_("“%(field)s” is chosen for more than one column.",
                          field=FIELDS[key]))
    if "full_name" not in keys and "family_name" not in keys:
        problems.append(_("Choose a column for the name (full name or family name)."))
    if kind == ImportKind.ATTENDANCE and "meetup_date" not in keys:
        problems.append(_("Choose a column for the meetup date."))
    return problems
