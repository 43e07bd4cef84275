"""The kept layout frame (issue 14): a page's layout (the navbar, the community switcher, the
console's header and menu, the footer) rendered once per key and the page's own parts
spliced into it on later requests.

Every page of the console and the portal extends ``layouts/base.html``; rendering the layout
was about a sixth of a kept page's CPU. The layout marks its page-specific parts (the title,
the ``head``, ``body_class``, ``content`` and ``scripts`` blocks, the flash messages, the
language form's return address) with ``frame_mark``. The first render for a key is a full one
with the marks in: its output is cut at the marks into the frame (the text between the
parts) and the parts; the frame is kept. A later render for the same key runs the layout's
short branch (``frame_mode == "hit"``), which hands the same parts to ``frame_parts`` (no text
written, nothing to cut), and they are put back into the kept frame.

The key holds every input of the layout's text outside the marked parts, read from the
template's context: the template (its chain of layouts), the mount point, the endpoint (the
active menu link), the language, the community (address, name, whether public, when it
closes and in which time zone that is written), the membership (role and status: what
``can()`` answers), the account, its communities as the switcher lists them (address,
name), whether emails are captured. Per-request values inside the frame are not kept: the form
token (the frame holds a stand-in; each request writes its own) and the return address
and flash messages (marked parts).

A template's chain may override a layout block outside the marked parts only in
``layouts/``: a page that overrides one (``nav_items``, ``footer``, ``banner``...) is never
framed (checked on its first render). Frames are kept in this process (a bounded dict);
templates that reload (debug) are never framed.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask.globals import _cv_request
from jinja2 import Template, meta, nodes, pass_context
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS
from jinja2.runtime import Context
from markupsafe import Markup, escape

from joren.platform.i18n import locale_code, timezone_code
from joren.platform.templating import KeptHTML, signed_csrf_token

LAYOUTS = Path(__file__).resolve().parent.parent / "templates" / "layouts"
FRAME_LIMIT = 1024
_NONCE = secrets.token_hex(8)
_MARK = re.compile("\x02" + _NONCE + r":(/?)([a-z_]+)\x03")
_CSRF = f"\x02{_NONCE}:csrf\x03"
# Blocks the layouts write outside the marked parts: a page may not override them.
_CHROME_BLOCKS = frozenset({"nav_items", "banner", "container_class", "footer",
                            "content_before", "content_after"})

_frames: dict[tuple[Any, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
_unframed: set[str] = set()  # templates whose chain is not framed (no layout, or overrides)


@pass_context
def frame_mark(context: Context, name: str) -> Markup:
    """``{{ frame_mark("title") }}…{{ frame_mark("/title") }}`` around a page's own part of
    the layout: nothing unless the page is being framed."""
    if context.get("frame_mode") is None:
        return Markup("")
    closing = name.startswith("/")
    return Markup(f"\x02{_NONCE}:{'/' if closing else ''}{name.lstrip('/')}\x03")  # noqa: S704


@pass_context
def frame_parts(context: Context, **parts: Any) -> str:
    """The layout's short branch: its page's parts (as the marks would enclose them)."""
    found = context.get("frame_found")
    if found is not None:
        for name, value in parts.items():  # blocks and macros give Markup; the address, text
            found[name] = value if isinstance(value, Markup) else escape(value)
    return ""


def _split(text: str) -> tuple[tuple[str, ...], dict[str, str]] | None:
    """The frame's pieces and the parts between them, or None when the marks do not pair."""
    pieces: list[str] = []
    parts: dict[str, str] = {}
    position, open_name, open_at = 0, None, 0
    for found in _MARK.finditer(text):
        closing, name = found.group(1) == "/", found.group(2)
        if not closing and open_name is None:
            pieces.append(text[position:found.start()])
            open_name, open_at = name, found.end()
        elif closing and name == open_name and name not in parts:
            parts[name] = text[open_at:found.start()]
            open_name, position = None, found.end()
        else:
            return None
    if open_name is not None:
        return None
    pieces.append(text[position:])
    return tuple(pieces), parts


def _key(template: Template, context: dict[str, Any]) -> tuple[Any, ...]:
    community = context.get("community")
    membership = context.get("membership")
    user = context.get("current_user")
    signed_in = bool(user is not None and user.is_authenticated)
    closing = context.get("closing_due")
    return (
        template.name, request.script_root, request.endpoint, locale_code(),
        None if community is None else (community.slug, community.name, community.is_public),
        None if not closing else (str(closing), timezone_code()),
        None if membership is None else (membership.role, membership.status),
        user.id if signed_in else None,
        tuple((m.slug, m.name) for m in context.get("my_communities") or ())
        if signed_in else None,
        bool(context.get("config_mail_capture")),
    )


def _chrome_from_layouts(context: Context) -> bool:
    """Whether every layout block outside the marked parts is a layout's own."""
    for name in _CHROME_BLOCKS:
        found = context.blocks.get(name)
        if found and not Path(found[0].__code__.co_filename).resolve().is_relative_to(LAYOUTS):
            return False
    return True


def _render(template: Template, variables: dict[str, Any], mode: str,
            found: dict[str, Markup] | None = None) -> tuple[str, Context]:
    context = template.new_context({**variables, "frame_mode": mode, "frame_found": found})
    return template.environment.concat(template.root_render_func(context)), context  # type: ignore[attr-defined]


def _plain(text: str) -> str:
    return _MARK.sub("", text)


def _csrf_token() -> str | None:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    token = g.get(field)
    return None if token is None else str(escape(token))


class FramedTemplate(Template):
    """Jinja's template, rendered through the kept frame when its chain has one."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if (self.name is None or self.name in _unframed or _cv_request.get(None) is None
                or not current_app.config.get("LAYOUT_FRAME", True)
                or self.environment.auto_reload):
            return super().render(*args, **kwargs)
        variables = dict(*args, **kwargs)
        key = _key(self, variables)
        frame = _frames.get(key)
        if frame is not None:
            page_key = _page_key(self, key, variables)
            if page_key is not None:
                page = _pages.get(page_key)
                if page is not None:
                    return _with_token(page)
            parts: dict[str, Markup] = {}
            text, _ = _render(self, variables, "hit", parts)
            pieces, names = frame
            if not text.strip() and set(parts) == set(names):
                joined = _join(pieces, [parts[n] for n in names])
                if page_key is not None and not parts["flashes"].strip():
                    _keep_page(page_key, joined)
                return _with_token(joined)
            _frames.pop(key, None)
        return self._record(key, variables)

    def _assemble(self, pieces: tuple[str, ...], parts: list[str]) -> str:
        return _with_token(_join(pieces, parts))

    def _record(self, key: tuple[Any, ...], variables: dict[str, Any]) -> str:
        text, context = _render(self, variables, "record")
        split = _split(text)
        if split is None or not split[1] or not _chrome_from_layouts(context):
            _unframed.add(self.name)  # type: ignore[arg-type]
            return _plain(text)
        pieces, parts = split
        token = _csrf_token()
        kept = tuple(piece.replace(token, _CSRF) for piece in pieces) if token else pieces
        if len(_frames) >= FRAME_LIMIT:
            _frames.clear()
        _frames[key] = (kept, tuple(parts))
        return self._assemble(pieces, list(parts.values()))


def _join(pieces: tuple[str, ...], parts: list[str]) -> str:
    out = [pieces[0]]
    for part, piece in zip(parts, pieces[1:], strict=True):
        out.append(part)
        out.append(piece)
    return "".join(out)


def _with_token(text: str) -> str:
    if _CSRF in text:
        text = text.replace(_CSRF, str(escape(signed_csrf_token())))
    return text


# -- kept pages -------------------------------------------------------------------------------
#
# A page whose body the page cache keeps (pagecache.cached_html: a ``KeptHTML`` whose id names
# its text for good) is the same page every time its frame's key, its address and its few
# other variables are: such a page is kept whole (with the form token's stand-in) and handed
# out again without running Jinja. Only pages whose own template (the one that extends a
# layout) provably reads nothing else are kept: it is parsed once and must extend a layout,
# include and import nothing, use only Jinja's own filters and tests, and read no name but
# its variables (each a ``KeptHTML`` with an id, text or a number; one ``KeptHTML`` at least)
# and ``_PAGE_NAMES`` (whose inputs the frame's key, the time zone or the kept body's id
# hold: any write in the community gives the body a new id). Flash messages are the
# request's own: a request with messages to show is rendered, and its page never kept.

PAGE_LIMIT_BYTES = 16 * 1024 * 1024
_PAGE_NAMES = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext", "url_for",
                         "csrf_token", "community", "membership"})
_pages: dict[tuple[Any, ...], str] = {}
_page_bytes = [0]
_leaf_names: dict[str, frozenset[str] | None] = {}
_MISSING = object()


def _reads_of(template: Template) -> frozenset[str] | None:
    """The names the page's own template reads beside ``_PAGE_NAMES``, or None when its
    page is never kept (see above)."""
    name = template.name
    if name in _leaf_names:
        return _leaf_names[name]
    found: frozenset[str] | None = None
    env = template.environment
    try:
        tree = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - a template that cannot be read again is not kept
        tree = None
    if tree is not None:
        extends = list(tree.find_all(nodes.Extends))
        if (len(extends) == 1 and isinstance(extends[0].template, nodes.Const)
                and str(extends[0].template.value).startswith("layouts/")
                and not any(tree.find_all((nodes.Include, nodes.Import, nodes.FromImport)))
                and all(f.name in DEFAULT_FILTERS for f in tree.find_all(nodes.Filter))
                and all(t.name in DEFAULT_TESTS for t in tree.find_all(nodes.Test))):
            found = frozenset(meta.find_undeclared_variables(tree) - _PAGE_NAMES)
    _leaf_names[name] = found
    return found


def _page_key(template: Template, frame_key: tuple[Any, ...],
              variables: dict[str, Any]) -> tuple[Any, ...] | None:
    """The key of the whole page, or None when it is not kept."""
    if not current_app.config.get("PAGE_CACHE", True) or _flashes_waiting():
        return None
    names = _reads_of(template)
    if names is None:
        return None
    values: list[Any] = []
    kept = False
    for name in sorted(names):
        value = variables.get(name, _MISSING)
        if value is _MISSING:
            if name in template.globals:
                return None
            values.append((name, None, None))
        elif isinstance(value, KeptHTML):
            if value.kept_id is None:
                return None
            kept = True
            values.append((name, KeptHTML, value.kept_id))
        elif value is None or type(value) in (str, Markup, int, float, bool):
            values.append((name, type(value), value))
        else:
            return None
    if not kept:
        return None
    return (frame_key, timezone_code(), request.full_path, tuple(values))


def _flashes_waiting() -> bool:
    ctx = _cv_request.get(None)
    return ctx is None or bool(ctx.flashes) or "_flashes" in ctx.session


def _keep_page(page_key: tuple[Any, ...], joined: str) -> None:
    """Keep the page with the stand-in for the reader's token (the frame's own already are)."""
    token = _csrf_token()
    text = joined.replace(token, _CSRF) if token else joined
    if len(text) > PAGE_LIMIT_BYTES // 8:
        return
    if _page_bytes[0] + len(text) > PAGE_LIMIT_BYTES:
        _pages.clear()
        _page_bytes[0] = 0
    _pages[page_key] = text
    _page_bytes[0] += len(text)


def init_app(app: Flask) -> None:
    """Templates render through the frame; the layout marks its page's parts."""
    app.jinja_env.template_class = FramedTemplate
    app.jinja_env.globals["frame_mark"] = frame_mark
    app.jinja_env.globals["frame_parts"] = frame_parts


def clear() -> None:
    """Forget every kept frame and page (tests)."""
    _frames.clear()
    _unframed.clear()
    _pages.clear()
    _page_bytes[0] = 0
    _leaf_names.clear()
