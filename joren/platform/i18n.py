"""Languages and timezones: Japanese first, English too; times shown in the community's zone."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_timezone
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
    return locale_code() or DEFAULT_LANGUAGE


# A page asks for its language a dozen times (each layout fragment's key, each date and
# amount, ``current_language``) and Flask-Babel finds it anew each time (its state through
# three context lookups, then the ``Locale`` written out as text); so does the time zone.
# Both are chosen once per request (``select_locale``, ``select_timezone``) and kept in
# Flask-Babel's state, and their text is kept beside them, tied to the very object it was
# written from (``force_locale`` and ``refresh`` change or drop that object).

def _babel_state() -> Any:
    ctx = _cv_app.get(None)
    return None if ctx is None else ctx.g.__dict__.get("_flask_babel")


def locale_code() -> str | None:
    """``str(get_locale())``: the request's language as text (None outside an app context)."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        locale = get_locale()  # chooses it (select_locale) and keeps it in the state
        if locale is None:
            return None
        state = _babel_state()
    memo = getattr(state, "joren_locale_code", None)
    if memo is not None and memo[0] is locale:
        return memo[1]  # type: ignore[no-any-return]
    code = str(locale)
    state.joren_locale_code = (locale, code)
    return code


def timezone_code() -> str:
    """``str(get_timezone())``: the request's time zone as text."""
    state = _babel_state()
    zone = getattr(state, "babel_tzinfo", None)
    if zone is None:
        zone = get_timezone()  # chooses it (select_timezone) and keeps it in the state
        state = _babel_state()
    memo = getattr(state, "joren_timezone_code", None)
    if memo is not None and memo[0] is zone:
        return memo[1]  # type: ignore[no-any-return]
    code = str(zone)
    if state is not None:
        state.joren_timezone_code = (zone, code)
    return code


def format_local(value: datetime, zone: ZoneInfo, language: str,
                 formats: dict[str, str]) -> str:
    """``value`` as a wall-clock time in ``zone``, with the pattern of ``formats`` for
    ``language`` (English when it has none): for emails and jobs, where no request picks the
    locale and time zone."""
    lang = language if language in formats else "en"
    return format_datetime(value, formats[lang], tzinfo=zone, locale=lang)


class CatalogError(RuntimeError):
    """The installed package lacks its compiled message catalogs."""


def is_source_checkout(source: Path = TRANSLATIONS) -> bool:
    """Whether Joren runs from its source tree (development) rather than an installed copy."""
    return (source.parents[1] / "pyproject.toml").is_file()


def compile_catalogs(source: Path = TRANSLATIONS) -> list[Path]:
    """Compile each .po into its .mo when missing or older (a source checkout only); return
    the catalogs written. Installed copies ship their .mo files, compiled when the wheel is
    built (setup.py), and are never written to at run time."""
    written = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        write_catalog(po_path, mo_path)
        written.append(mo_path)
    return written


def write_catalog(po_path: Path, mo_path: Path) -> None:
    """Compile one .po file into ``mo_path`` (written whole, then moved into place)."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo_path.with_suffix(".mo.tmp")
    with tmp.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    tmp.replace(mo_path)
    log.info("compiled %s", mo_path)


def check_catalogs(source: Path = TRANSLATIONS) -> None:
    """An installed copy must carry a compiled .mo beside every .po it ships."""
    missing = [po.with_suffix(".mo") for po in sorted(source.glob("*/LC_MESSAGES/*.po"))
               if not po.with_suffix(".mo").is_file()]
    if missing:
        raise CatalogError(
            f"compiled message catalogs are missing from the installed package ({missing[0]}); "
            "install Joren from a wheel built by its setup.py (pip install . or "
            "python -m build), which compiles them.")


def prepare_catalogs(source: Path = TRANSLATIONS) -> Path:
    """The directory to read catalogs from: compiled on the spot in a source checkout, as
    shipped in an installed copy (which may be read-only and owned by another user)."""
    if is_source_checkout(source):
        compile_catalogs(source)
    else:
        check_catalogs(source)
    return source


def init_app(app: Flask) -> None:
    directory = prepare_catalogs(TRANSLATIONS)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
