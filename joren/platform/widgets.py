"""WTForms' HTML attributes, written faster and to the same bytes (issue 14).

Every form field renders its attributes through ``wtforms.widgets.html_params``, which builds
each ``name="value"`` pair with ``Markup.format`` (Python's string formatter, escaping as it
goes) and re-escapes the names when it joins them: about a fifth of a form page's time (the
console's settings page, whose time-zone list has a few dozen options). ``html_params`` below
gives exactly the same output, names and values escaped the same way, with plain string
operations; and ``Select`` picks the way it calls ``render_option`` once per widget class
instead of reading the method's signature for every select it renders.

``install()`` puts both in place of WTForms' own (once per process, idempotent);
tests/platform/test_widgets.py compares them with WTForms' originals.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

_original_html_params = core.html_params
_original_dispatch = core.Select._dispatch_render_option.__func__  # type: ignore[attr-defined]
_names: dict[str, str] = {}
_NAMES_LIMIT = 2048


def _attribute_name(key: str) -> str:
    """``class_`` → ``class``, ``data_foo_bar`` → ``data-foo-bar`` (WTForms' ``clean_key``),
    escaped as WTForms' join escapes it; remembered, since forms use the same few names."""
    name = _names.get(key)
    if name is None:
        name = str(escape(core.clean_key(key)))
        if len(_names) < _NAMES_LIMIT:
            _names[key] = name
    return name


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``, byte for byte: attributes sorted by name, ``True`` as
    a bare name, ``False`` left out, values escaped with double quotes as ``&quot;``."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(_attribute_name(key))
        elif value is not False:
            text = str(escape(value))
            if '"' in text:  # only a Markup value keeps a bare quote through escape()
                text = text.replace('"', "&quot;")
            params.append(f'{_attribute_name(key)}="{text}"')
    return Markup(" ".join(params))  # noqa: S704 - names and values escaped above


_dispatch_by_class: dict[type, Any] = {}


def _dispatch_render_option(cls: type) -> Any:
    """``Select._dispatch_render_option``, decided once per widget class."""
    found = _dispatch_by_class.get(cls)
    if found is None:
        found = _dispatch_by_class[cls] = _original_dispatch(cls)
    return found


def install() -> None:
    """Use the functions above wherever WTForms' widgets and labels call their own."""
    core.html_params = html_params
    widgets.html_params = html_params  # labels call it through the package
    for value in list(vars(core).values()):
        if isinstance(value, type) and "html_params" in vars(value):
            value.html_params = staticmethod(html_params)  # type: ignore[attr-defined]
    core.Select._dispatch_render_option = classmethod(_dispatch_render_option)  # type: ignore[method-assign, assignment]


def original_html_params(**kwargs: Any) -> Markup:
    """WTForms' own ``html_params`` (for the tests that compare the two)."""
    return _original_html_params(**kwargs)  # type: ignore[no-any-return]
