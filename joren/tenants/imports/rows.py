"""Reading one row of an import file: the cells by field, the person they describe, and
the attendance cells (date, title, status) of an attendance file.

Every check that can reject a row lives here, so the plan only decides what a valid row does.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from joren.platform.names import to_katakana
from joren.tenants.imports.columns import FIELDS, MAX_LENGTH, norm
from joren.tenants.imports.csv_decode import read_rows
from joren.tenants.imports.models import ImportBatch
from joren.tenants.meetups.models import AttendanceStatus

NameKey = tuple[str, str, str, str]

_STATUS_WORDS = {
    AttendanceStatus.PRESENT: ("出席", "参加", "参加済", "参加済み", "来場", "来場済み",
                               "チェックイン済", "チェックイン済み", "〇", "○", "◯", "yes",
                               "present", "attended", "checked in", "1"),
    AttendanceStatus.LATE: ("遅刻", "late"),
    AttendanceStatus.ABSENT: ("欠席", "不参加", "no show", "no-show", "absent", "×", "0"),
    AttendanceStatus.EXCUSED: ("キャンセル", "欠席連絡", "cancelled", "canceled", "excused"),
    AttendanceStatus.SUBSTITUTE: ("代理", "代理出席", "substitute"),
}
_STATUS_INDEX = {w: s for s, words in _STATUS_WORDS.items() for w in words}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPACE = re.compile(r"[ \u3000]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T\u3000(（].*)?$")


def batch_rows(batch: ImportBatch) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The stored file's header and its data rows, each with its line number."""
    return read_rows(batch.text, batch.delimiter)


def row_values(record: list[str], mapping: list[str]) -> dict[str, str]:
    """The row's cells by field key (trimmed; a short row's missing cells are empty)."""
    if len(record) < len(mapping):
        record = record + [""] * (len(mapping) - len(record))
    # cells beyond the header belong to no column
    return {key: cell.strip() for key, cell in zip(mapping, record, strict=False) if key}


def name_key(family_name: str, given_name: str, family_name_kana: str,
             given_name_kana: str, company: str) -> NameKey:
    """What identifies a person without an email: name, reading and company, normalised."""
    return (norm(family_name), norm(given_name), norm(family_name_kana + given_name_kana),
            norm(company))


@functools.lru_cache(maxsize=4096)  # a file names few dates, on every row
def parse_date(value: str) -> date | None:
    m = _DATE.match(unicodedata.normalize("NFKC", value or "").strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@functools.lru_cache(maxsize=1024)
def parse_status(value: str) -> AttendanceStatus | None:
    """The status a cell names; an empty cell means present, an unknown word None."""
    word = norm(value)
    return _STATUS_INDEX.get(word) if word else AttendanceStatus.PRESENT


@dataclass(slots=True)
class Person:
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    email: str = ""
    company: str = ""
    title: str = ""
    industry: str = ""
    _key: NameKey | None = field(default=None, init=False, repr=False, compare=False)

    def name_key(self) -> NameKey:
        """Computed once: matching asks for it several times per row, and a person read
        from a row is complete before anyone asks."""
        if self._key is None:
            self._key = name_key(self.family_name, self.given_name, self.family_name_kana,
                                 self.given_name_kana, self.company)
        return self._key


def _split(text: str) -> tuple[str, str]:
    parts = _SPACE.split(text.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


def _names(values: dict[str, str]) -> tuple[str, str, str, str]:
    """The person's names and readings: separate columns win over a full-name column."""
    get = values.get
    family = given = family_kana = given_kana = ""
    if full := get("full_name"):
        family, given = _split(full)
    if full_kana := get("full_name_kana"):
        family_kana, given_kana = _split(full_kana)
    return (get("family_name") or family, get("given_name") or given,
            to_katakana(get("family_name_kana") or family_kana).strip(),
            to_katakana(get("given_name_kana") or given_kana).strip())


# the limits of the person's own fields, in MAX_LENGTH's order (the first too long is named)
_PERSON_LIMITS = tuple((key, limit) for key, limit in MAX_LENGTH.items()
                       if key in Person.__dataclass_fields__)


def _problem(p: Person) -> str:
    """Why the person cannot be imported (empty when they can)."""
    if not p.family_name:
        return _("The name is empty.")
    if p.email and not _EMAIL.match(p.email):
        return _("“%(value)s” is not a valid email address.", value=p.email[:80])
    for key, limit in _PERSON_LIMITS:
        if len(getattr(p, key)) > limit:
            return _("“%(field)s” is longer than %(max)d characters.",
                     field=FIELDS.get(key, key), max=limit)
    return ""


def read_person(values: dict[str, str]) -> tuple[Person | None, str]:
    """The person a row describes, or None and the reason the row is rejected."""
    get = values.get
    p = Person(*_names(values), email=get("email", "").strip().lower(),
               company=get("company", "").strip(), title=get("title", "").strip(),
               industry=get("industry", "").strip())
    problem = _problem(p)
    return (None, problem) if problem else (p, "")
