"""WTForms' attributes through joren/platform/widgets.py (issue 14): the same bytes as
WTForms' own ``html_params``, for odd values as for every field of every form Joren has."""

from __future__ import annotations

import inspect

import pytest
from markupsafe import Markup
from wtforms.widgets import core

from joren.platform import widgets

ODD_VALUES = [
    {"name": "n", "id": "f", "class_": "text"},
    {"checked": True, "readonly": False, "name": "text1", "abc": "hello"},
    {"data_attr": "user.name", "aria_labeledby": "name", "data_x_y": 1},
    {"value": '"quoted" <b>&amp;</b>', "title": Markup('a "b" <i>c</i>')},
    {"value": None, "size": 0, "max": 3.5, "for_": "x"},
    {"value": "山田 太郎", "placeholder": "例：株式会社なにわ商事"},
    {"weird<key": "v", "on\"x": True},
    {},
]


@pytest.mark.parametrize("attrs", ODD_VALUES)
def test_html_params_writes_what_wtforms_writes(attrs):
    fast = widgets.html_params(**attrs)
    assert isinstance(fast, Markup)
    assert fast == widgets.original_html_params(**attrs)


def _form_classes():  # type: ignore[no-untyped-def]
    from flask_wtf import FlaskForm

    found, pending = [], [FlaskForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("joren."):
            found.append(cls)
    return found


def _render_all(form) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for field in form:
        if field.widget is None:
            continue
        out.append(str(field()))
        out.append(str(field.label()))
        out.append(str(field(class_="form-control is-invalid", data_help="x",
                             aria_describedby="a b", required=True, disabled=False)))
    return out


def test_every_form_renders_the_same_bytes_as_with_wtforms_own(app, monkeypatch):
    widgets.install()
    rendered = 0
    with app.test_request_context("/"):
        app.preprocess_request()
        for cls in _form_classes():
            if any(p.default is p.empty and p.kind is p.KEYWORD_ONLY
                   for p in inspect.signature(cls.__init__).parameters.values()):
                continue  # needs arguments of its own
            try:
                form = cls(meta={"csrf": False})
            except TypeError:
                continue
            fast = _render_all(form)
            with monkeypatch.context() as m:
                m.setattr(core, "html_params", widgets.original_html_params)
                m.setattr(widgets.widgets, "html_params", widgets.original_html_params)
                for value in vars(core).values():
                    if isinstance(value, type) and "html_params" in vars(value):
                        m.setattr(value, "html_params",
                                  staticmethod(widgets.original_html_params))
                slow = _render_all(form)
            assert fast == slow, cls.__qualname__
            rendered += 1
    assert rendered > 20


def test_select_reads_render_options_signature_once_per_class(app):
    widgets.install()
    assert core.Select._dispatch_render_option() is core.Select._dispatch_render_option()
