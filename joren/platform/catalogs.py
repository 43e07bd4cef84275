"""Maintain the ja and en message catalogs: extract, update, fill English, merge translations.

Run with ``python -m joren.platform.catalogs [translations.json ...]`` (``make i18n``). English
msgids are the source; the en catalog repeats them, the ja catalog carries the translations.
"""

from __future__ import annotations

import json
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "joren" / "translations"
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
    "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3), "lazy_ngettext": (1, 2),
}
# Templates live in joren/templates (shared) and in each package's own templates/ folder.
TEMPLATES_HTML = "joren/**/templates/**.html"
TEMPLATES_TEXT = "joren/**/templates/**.txt"
METHODS = [
    ("joren/**.py", "python"),
    (TEMPLATES_HTML, "jinja2"),
    (TEMPLATES_TEXT, "jinja2"),
]
LANGUAGES = ("ja", "en")


def extract() -> Catalog:
    """Every translatable message in the source tree."""
    catalog = Catalog(project="joren", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS,
        options_map={TEMPLATES_HTML: {"trimmed": "true"}, TEMPLATES_TEXT: {"trimmed": "true"}},
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _read(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="joren", charset="utf-8")
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True)
    path.write_bytes(buffer.getvalue())


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


# A translations file's key holding corrections: {"English msgid": "日本語"} entries that
# replace the ja translation even when the catalog already has one (a wording fix). Every
# other key only fills a translation that is missing.
OVERRIDE = "__override__"


def update(extra: dict[str, str] | None = None,
           override: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Bring both catalogs in line with the source; return the msgids still untranslated.
    ``extra`` fills missing ja translations; ``override`` replaces existing ones."""
    template = extract()
    missing: dict[str, list[str]] = {}
    for language in LANGUAGES:
        catalog = _read(po_path(language), language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        gaps = []
        for message in catalog:
            if not message.id:
                continue
            message.flags.discard("fuzzy")
            if language == "en":
                message.string = message.id
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if override and key in override:
                message.string = (
                    override[key] if isinstance(message.id, str) else (override[key],)
                )
            elif extra and key in extra and not _filled(message.string):
                message.string = (
                    extra[key] if isinstance(message.id, str) else (extra[key],)
                )
            if not _filled(message.string):
                gaps.append(key)
        _write(po_path(language), catalog)
        missing[language] = gaps
    return missing


def _filled(value: object) -> bool:
    if isinstance(value, tuple | list):
        return all(bool(v) for v in value)
    return bool(value)


def main(argv: list[str]) -> int:
    extra: dict[str, str] = {}
    override: dict[str, str] = {}
    for name in argv:
        found = json.loads(Path(name).read_text(encoding="utf-8"))
        override.update(found.pop(OVERRIDE, {}))
        extra.update(found)
    missing = update(extra, override)
    for language, gaps in missing.items():
        for msgid in gaps:
            print(f"{language}: untranslated: {msgid!r}")
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
