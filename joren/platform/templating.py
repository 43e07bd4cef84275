"""Jinja filters shared by every surface: money, dates in the community's timezone, names;
``external_url`` for absolute links on BASE_URL; and where templates are found.

The rule for templates: a template belongs to the package that renders it and lives in that
package's ``templates/`` folder; its name starts with the package's name. So
``meetups/checkin/door.html`` is ``joren/tenants/meetups/templates/checkin/door.html``, and the
email key ``meetups/registrations/offer`` is ``joren/tenants/meetups/templates/emails/
registrations/offer.*``. Only the layouts, macros, error page and email frame every package
shares stay in ``joren/templates``.
"""

from __future__ import annotations

import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from babel.support import NullTranslations
from flask import Flask, current_app, g, request, session, url_for
from flask.globals import _cv_app, _cv_request
from flask_babel import format_date, format_datetime, get_translations
from flask_wtf.csrf import _FlaskFormCSRF, csrf_meta_tag, generate_csrf
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from joren.platform import widgets
from joren.platform.i18n import locale_code, timezone_code
from joren.platform.urls import external_url

JOREN = Path(__file__).resolve().parent.parent
# The packages that have templates: the first part of a template's name is the key.
TEMPLATE_PACKAGES = {
    "accounts": "platform/accounts", "admin": "platform/admin", "billing": "platform/billing",
    "communities": "platform/communities", "mail": "platform/mail",
    "membership": "platform/membership", "console": "tenants/console",
    "engagement": "tenants/engagement", "imports": "tenants/imports",
    "introductions": "tenants/introductions", "meetups": "tenants/meetups",
    "announcements": "tenants/announcements",
    "members": "tenants/members", "payments": "tenants/payments", "portal": "tenants/portal",
    "privacy": "tenants/privacy",
    "relationships": "tenants/relationships",
}


def loader(shared: BaseLoader | None) -> BaseLoader:
    """The shared templates first, then each package's own, found by the name's first part."""
    own = PrefixLoader({name: FileSystemLoader(JOREN / path / "templates")
                        for name, path in TEMPLATE_PACKAGES.items()})
    return ChoiceLoader([shared, own] if shared is not None else [own])


def yen(amount: int | None, currency: str = "JPY") -> str:
    """Integer minor units to a display amount: JPY has none, so 3000 is ¥3,000."""
    if amount is None:
        return ""
    return _money(amount, currency, locale_code() or "ja")


@lru_cache(maxsize=4096)
def _money(amount: int, currency: str, locale: str) -> str:
    # Babel takes about half a millisecond per amount, and a list repeats the same few fees.
    if currency == "JPY":
        return format_currency(amount, "JPY", locale=locale)
    return format_currency(amount / 100, currency, locale=locale)


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return _formatted(format_datetime, value, type(value), fmt, str(locale_code()),
                      timezone_code())


def local_date(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return _formatted(format_date, value, type(value), fmt, str(locale_code()),
                      timezone_code())


@lru_cache(maxsize=8192)
def _formatted(formatter: Any, value: Any, kind: type, fmt: str, locale: str,
               zone: str) -> str:
    # Babel takes a few hundred microseconds per date, and the pages of a community show
    # the same meetups' dates on every request. The text depends on the moment, the pattern
    # and the request's locale and time zone (the key; ``kind`` keeps a date apart from a
    # datetime that compares equal), which are the ones in force when it is first written.
    return formatter(value, fmt)  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["yen"] = yen
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["date"] = local_date
    # Addresses people copy or subscribe to are on BASE_URL, never on the request's host.
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    install_fast_paths(app)


# A page's layout asks for about thirty translations and thirty addresses. Flask-Babel finds
# the request's catalog anew for every message (six context lookups) and Flask builds every
# address from the URL map; both answers stay the same for the whole request, and the
# addresses for every request of the same community, so the layout looks them up once.
_URL_CACHE_LIMIT = 8192
_url_cache: dict[tuple[object, ...], str] = {}


def _translations(lookup: Any = get_translations) -> NullTranslations:
    """The catalog of the locale in force (``force_locale`` included), without the lookups
    (``lookup`` finds it the first time in a request for each locale)."""
    ctx = _cv_app.get(None)
    if ctx is None:  # no application context: Flask-Babel answers with no catalog
        return lookup()  # type: ignore[no-any-return]
    state = ctx.g.__dict__.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return lookup()  # type: ignore[no-any-return]
    cache = state.__dict__.setdefault("joren_catalogs", {})
    found = cache.get(locale)
    if found is None:
        found = cache[locale] = lookup()
    return found  # type: ignore[no-any-return]


def _install_domain_fast_path(app: Flask) -> None:
    """Python's ``gettext`` and the lazy strings of forms (a settings page's labels and
    choices: a few dozen a request) go through Flask-Babel's domain, which finds the catalog
    anew each time (the locale, the context, its cache): its ``get_translations`` answers
    from the request's catalog once found, as the templates' gettext does. Flask-Babel keeps
    one domain for every app of the process, so it is wrapped once."""
    with app.app_context():  # Flask-Babel makes its domain on first use, from current_app
        domain = app.extensions["babel"].instance.domain_instance
    if getattr(domain, "joren_fast_path", False):
        return
    original = domain.get_translations
    domain.get_translations = lambda: _translations(original)
    domain.joren_fast_path = True


def cached_url_for(endpoint: str, **values: object) -> str:
    """``url_for`` for templates: a relative address is the same for every request of the
    same community and mount point, so it is built once. Anything unusual (``_external``,
    an anchor, a value that cannot be a key) takes Flask's own path."""
    ctx = _cv_request.get(None)
    if ctx is None or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    current = ctx.request
    community = _cv_app.get().g.__dict__.get("community")
    key = (current.script_root, current.blueprint if endpoint.startswith(".") else None,
           getattr(community, "slug", None), endpoint, *sorted(values.items()))
    try:
        return _url_cache[key]
    except KeyError:
        pass
    except TypeError:  # a list or dict among the values
        return url_for(endpoint, **values)
    address = url_for(endpoint, **values)
    if len(_url_cache) >= _URL_CACHE_LIMIT:
        _url_cache.clear()
    _url_cache[key] = address
    return address


class KeptHTML(Markup):
    """A kept page's body (issue 14): HTML whose text, but for the reader's form token, is
    named for good by ``kept_id`` (pagecache hands out a new id whenever the text may have
    changed). The layout frame (layoutframe.py) keeps a whole page built around such a body
    under that id, so a page viewed again is not rendered by Jinja again. Anything made from
    it (``+``, ``%``, ``join``...) is a ``KeptHTML`` with no id: an ordinary piece of HTML."""

    kept_id: str | None

    def __new__(cls, base: Any = "", encoding: str | None = None, errors: str = "strict",
                kept_id: str | None = None) -> KeptHTML:
        made = super().__new__(cls, base, encoding, errors)
        made.kept_id = kept_id
        return made


# The layout's menus (the console's and the portal's) are the same markup for every request
# with the same inputs: about twenty links and their labels. ``layout_fragment`` renders one
# once per key and hands the text back afterwards. The key holds every input the fragment
# reads: the mount point and community (its addresses, its name, whether it is public), the
# language, the endpoint (which link is active), and the membership's role and whether it
# is inactive (what ``can()`` answers). A fragment that reads none of the page's, community's
# or membership's inputs (the base layout's navbar, its language buttons) says
# ``per="language"`` and is keyed by the mount point and the language alone, so one copy
# serves every community and page. Nothing account-specific goes into a cached fragment:
# the switcher, the CSRF tokens, the return address and the banners stay outside.
_FRAGMENT_CACHE_LIMIT = 4096
_fragment_cache: dict[tuple[object, ...], Markup] = {}


def _fragment_key(name: str, per: str = "page") -> tuple[object, ...]:
    if per == "language":
        return (name, request.script_root, str(locale_code()))
    if per != "page":
        raise ValueError(f"layout_fragment: per={per!r} is neither 'page' nor 'language'")
    community = g.get("community")
    membership = g.get("membership")
    return (name, request.script_root, request.endpoint,
            None if community is None else (community.id, community.slug, community.name,
                                            community.is_public),
            None if membership is None else (membership.role, membership.status),
            str(locale_code()))


def layout_fragment(name: str, caller: Any, per: str = "page") -> Markup:
    """``{% call layout_fragment("console-nav") %}…{% endcall %}``: the body, rendered once
    per key (``_fragment_key``; ``per="language"`` for a body that reads nothing but the
    language and the mount point). Outside a request the body is rendered every time."""
    if not request:
        return Markup(caller())  # noqa: S704 - the body is the template's own output
    key = _fragment_key(name, per)
    found = _fragment_cache.get(key)
    if found is None:
        found = Markup(caller())  # noqa: S704 - the body is the template's own output
        if len(_fragment_cache) >= _FRAGMENT_CACHE_LIMIT:
            _fragment_cache.clear()
        _fragment_cache[key] = found
    return found


# Jinja's "new style" gettext, in one call instead of three: Jinja wraps each callable in a
# function that asks the template's context to call it, and ``_`` in one more that looks up
# ``gettext`` and asks the context again. These do what those wrappers do (the message marked
# safe where the template autoescapes, then always formatted with its variables, so that a
# literal ``%`` is written ``%%`` whether or not there are variables), with the catalog found
# by ``_translations``.

@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    rv = _translations().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - Jinja's own gettext does the same
    if not variables and "%" not in rv:
        return rv  # formatting it with no variables would give it back unchanged
    return rv % variables  # type: ignore[no-any-return]


@pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /,
              **variables: Any) -> str:
    variables.setdefault("num", num)
    rv = _translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - Jinja's own ngettext does the same
    return rv % variables  # type: ignore[no-any-return]


@pass_eval_context
def _pgettext(eval_ctx: EvalContext, context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", context)
    rv = _translations().upgettext(context, string)
    if eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - Jinja's own pgettext does the same
    return rv % variables  # type: ignore[no-any-return]


@pass_eval_context
def _npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /,
               **variables: Any) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    rv = _translations().unpgettext(context, singular, plural, num)
    if eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - Jinja's own npgettext does the same
    return rv % variables  # type: ignore[no-any-return]


def install_fast_paths(app: Flask) -> None:
    """Templates translate through ``_translations`` and build addresses through
    ``cached_url_for`` (after Flask-Babel has installed its own callables)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext,
                                 pgettext=_pgettext, npgettext=_npgettext)
    app.jinja_env.globals["url_for"] = cached_url_for
    app.jinja_env.globals["layout_fragment"] = layout_fragment
    _install_domain_fast_path(app)
    widgets.install()  # WTForms' attributes, faster and byte for byte the same
    _install_csrf_token(app)


# Flask-WTF signs the session's CSRF secret anew for every request that shows a form (the
# layout's sign-out and language forms: every signed-in page), with a timestamp in the
# signature. A signed token is valid exactly as long as the session keeps the secret it
# signs (Joren sets no WTF_CSRF_TIME_LIMIT), so the token signed for a secret is handed out
# again for a minute: the timestamp it carries is never older than that, and a time limit,
# were one set, would end no more than a minute early. Validation is Flask-WTF's own and
# unchanged. Only tokens are kept, under the secret key and the session's secret, which
# every request of that session reads from its cookie anyway.
CSRF_TOKEN_REUSE_SECONDS = 60.0
_CSRF_TOKEN_LIMIT = 4096
_signed_csrf_tokens: dict[tuple[object, str, str], tuple[float, str]] = {}


def csrf_token() -> str:
    """Flask-WTF's ``csrf_token()`` for templates (``signed_csrf_token``)."""
    return signed_csrf_token()


def signed_csrf_token(secret_key: Any = None, token_key: str | None = None) -> str:
    """Flask-WTF's ``generate_csrf``, for templates and forms alike: its answer for this
    request (kept in ``g`` by ``generate_csrf``, which makes it on the first call) read
    straight back, as a layout with a few forms asks for it on every one of them; and on the
    first call in a request, the token signed for the same session's secret within the last
    minute (see above)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    field = token_key or config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    kept_now = _cv_app.get().g.__dict__.get(field)
    if kept_now is not None:
        return kept_now  # type: ignore[no-any-return]
    secret = secret_key or config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    raw = session.get(field)
    now = time.monotonic()
    if secret and isinstance(raw, str):
        kept = _signed_csrf_tokens.get((secret, field, raw))
        if kept is not None and now - kept[0] < CSRF_TOKEN_REUSE_SECONDS:
            setattr(g, field, kept[1])
            return kept[1]
    # Makes the session's secret when it has none, or refuses without a secret key.
    token: str = generate_csrf(secret_key=secret_key, token_key=token_key)
    raw = session.get(field)
    if secret and isinstance(raw, str):
        if len(_signed_csrf_tokens) >= _CSRF_TOKEN_LIMIT:
            _signed_csrf_tokens.clear()
        _signed_csrf_tokens[(secret, field, raw)] = (now, token)
    return token


def _form_csrf_token(csrf: Any, _field: Any) -> str:
    """Flask-WTF's forms' token (``_FlaskFormCSRF.generate_csrf_token``), through
    ``signed_csrf_token``: a page's form is made before its layout asks."""
    return signed_csrf_token(secret_key=csrf.meta.csrf_secret,
                             token_key=csrf.meta.csrf_field_name)


def _install_csrf_token(app: Flask) -> None:
    """``csrf_token`` in place of Flask-WTF's, as a global and in its context processor, and
    for its forms (which validate as before: only the signing is shared)."""
    _FlaskFormCSRF.generate_csrf_token = _form_csrf_token  # type: ignore[method-assign]
    app.jinja_env.globals["csrf_token"] = csrf_token
    processors = app.template_context_processors[None]
    for i, processor in enumerate(processors):
        if processor.__module__ == "flask_wtf.csrf":
            processors[i] = lambda: {"csrf_token": csrf_token, "csrf_meta_tag": csrf_meta_tag}
