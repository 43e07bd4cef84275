"""Languages and timezones: Japanese first, English too; times shown in the community's zone."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGES = {"ja": "日本語", "en": "English"}
DEFAULT_LANGUAGE = "ja"
DEFAULT_TIMEZONE = "Asia/Tokyo"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

log = logging.getLogger("joren.i18n")


def select_locale() -> str:
    """Account language, then (signed out) the visitor's choice, then community, then browser."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    community = g.get("community")
    if community is not None and community.default_language in LANGUAGES:
        return community.default_language
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def select_timezone() -> str:
    community = g.get("community") if has_request_context() else None
    if community is not None:
        return community.timezone
    return DEFAULT_TIMEZONE


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def compile_catalogs(source: Path = TRANSLATIONS, fallback: Path | None = None) -> Path:
    """Compile each .po into its .mo when missing or older; return the directory to read from.

    Runs at start-up so neither README command needs a manual step. When the package
    directory is read-only (an installed image), the catalogs are compiled into ``fallback``.
    """
    destination = source
    if fallback is not None and not os.access(source, os.W_OK):
        destination = fallback
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = destination / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        _write_catalog(po_path, mo_path)
    return destination


def _write_catalog(po_path: Path, mo_path: Path) -> None:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    tmp = mo_path.with_suffix(".mo.tmp")
    with tmp.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    tmp.replace(mo_path)
    log.info("compiled %s", mo_path)


def init_app(app: Flask) -> None:
    directory = compile_catalogs(TRANSLATIONS, Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
