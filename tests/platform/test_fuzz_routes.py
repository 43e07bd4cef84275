"""Fuzz every route with malformed input: nothing answers 5xx, on SQLite and on PostgreSQL.

Every rule in the URL map is tried with GET and POST (whichever it allows) as an anonymous
visitor, a member, staff and an organizer. URL arguments are the test community's real ids and
slug or malformed values (huge, negative, non-numeric, NUL, invalid UTF-8); forms carry the
fields each page really has (read from the pages themselves) filled with huge and invalid
strings, NUL, bad dates, wrong types, repeated or missing fields and big uploads.

Hypothesis drives the values with a fixed seed per route and a bounded number of examples, so
a run is reproducible. Failures are collected over the whole run and reported together: a
response of 500 or more, an exception out of the app (``PROPAGATE_EXCEPTIONS`` is on in tests),
or a string longer than its column (SQLite does not enforce lengths, PostgreSQL does).
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import String, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter, PathConverter, Rule

from joren.platform.inputs import MAX_INT
from tests.test_route_matrix import ID_FACTORIES

ROLES = ("anonymous", "member", "staff", "organizer")
METHODS = ("GET", "POST")
# Per role, route and method. Hypothesis tries the simplest request first (real ids, every
# field plausible), then malformed ones.
EXAMPLES_PER_ROUTE = 3

BAD_IDS = ["0", "-1", "2147483648", str(MAX_INT), "99999999999999999999", "1" * 5000, "abc",
           "1.5", "1e3", "０", "１２", "\x00", "1\x00", " 1", "%", "%ff"]
BAD_TEXT = [
    "", " ", "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "99999999999999999999",
    "1" * 5000, "1e309", "NaN", "Infinity", "null", "true", "[]", "{}", "１２３",
    "2024-02-30", "2024-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "99999-01-01",
    "-2024-01-01", "2024-01-01T25:61", "25:00", "24:00", "19:60", "T", "FREQ=SECONDLY",
    "\x00", "a\x00b", "%00", "\ufeff", "\u202e", "\r\n", "<script>alert(1)</script>",
    "' OR 1=1 --", "../../etc/passwd", "javascript:alert(1)", "//evil.example", "😀" * 40,
    "a" * 257, "あ" * 1001, "x" * 20_001, "y" * 600_000,
]
COMMON_QUERY = ["page", "q", "n", "next", "meetup_id", "member_id", "status", "sort", "month",
                "year", "from", "to", "kind", "level", "industry", "session_id", "lang"]
BIG_UPLOAD = b"a" * (26 * 1024 * 1024)
CSV_SAMPLES = [b"", "\ufeff氏名,メール\n山田 太郎,taro@example.jp\n".encode(),
               "氏名,会社名\n山田 太郎,山田商事\n".encode("cp932"), b"\xff\xfe\x00\x00garbage",
               b"a,b\n" * 50_000, b"\x00" * 1000]


@dataclass
class FieldSpec:
    kind: str = "text"
    options: set[str] = field(default_factory=set)


class FormPages(HTMLParser):
    """The forms of one page: (action, method) → {field name: spec}."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: dict[tuple[str, str], dict[str, FieldSpec]] = {}
        self._current: dict[str, FieldSpec] | None = None
        self._select: FieldSpec | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            key = (a.get("action") or self.page_url, (a.get("method") or "GET").upper())
            self._current = self.forms.setdefault(key, {})
        elif self._current is not None and tag in ("input", "textarea", "select", "button"):
            name = a.get("name")
            if not name:
                return
            spec = self._current.setdefault(name, FieldSpec(a.get("type", tag)))
            if tag == "select":
                self._select = spec
            elif a.get("value"):
                spec.options.add(a["value"])
        elif tag == "option" and self._select is not None and a.get("value") is not None:
            self._select.options.add(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@dataclass
class World:
    app: Flask
    slug: str
    other_slug: str
    ids: dict[str, list[int]]
    forms: dict[tuple[str, str], dict[str, FieldSpec]]
    field_pool: list[str]
    failures: list[str] = field(default_factory=list)
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    client_for: Any = None


def _routes(app: Flask) -> list[tuple[Rule, str]]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    return [(rule, method) for rule in rules for method in METHODS if method in rule.methods]


def _url(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with each argument replaced by a raw (percent-encoded) segment."""
    converters = rule._converters  # noqa: SLF001 - werkzeug keeps them only here

    def segment(match: re.Match[str]) -> str:
        name = match.group(1)
        safe = "/" if isinstance(converters[name], PathConverter) else ""
        return quote(values[name], safe=safe)

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", segment, rule.rule)


def _real_values(rule: Rule, world: World, pick: int = 0) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, conv in rule._converters.items():  # noqa: SLF001
        if name == "slug":
            values[name] = world.slug
        elif isinstance(conv, IntegerConverter):
            choices = world.ids.get(name, [1])
            values[name] = str(choices[pick % len(choices)])
        elif isinstance(conv, PathConverter):
            values[name] = "css/app.css"
        else:
            values[name] = "fuzz-not-a-token"
    return values


def _harvest(world: World, clients: dict[str, Any]) -> None:
    """Read every form of every page the roles can open, keyed by the endpoint it posts to."""
    adapter = world.app.url_map.bind("localhost")
    for rule, method in _routes(world.app):
        if method != "GET" or rule.endpoint == "static":
            continue
        url = _url(rule, _real_values(rule, world))
        for who in ("organizer", "member", "anonymous"):
            response = clients[who].get(url)
            if response.status_code != 200 or "html" not in (response.mimetype or ""):
                continue
            parser = FormPages(page_url=url)
            parser.feed(response.get_data(as_text=True))
            for (action, form_method), fields in parser.forms.items():
                try:
                    endpoint, _args = adapter.match(urlsplit(action).path, method=form_method)
                except (NotFound, MethodNotAllowed):
                    continue
                known = world.forms.setdefault((endpoint, form_method), {})
                for name, spec in fields.items():
                    known.setdefault(name, FieldSpec(spec.kind)).options |= spec.options
    pool = {name for fields in world.forms.values() for name in fields}
    world.field_pool = sorted(pool | set(COMMON_QUERY))


def bad_text() -> st.SearchStrategy[str]:
    """Malformed text without NUL characters (those are injected separately, see ``nul``)."""
    return st.one_of(
        st.sampled_from([t for t in BAD_TEXT if "\x00" not in t]),
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
        st.text(alphabet="アイウ漢字abcXYZ019 @.-", min_size=200, max_size=3000),
    )


def nul_text() -> st.SearchStrategy[str]:
    return st.sampled_from([t for t in BAD_TEXT if "\x00" in t]) | st.text(
        max_size=10).map(lambda t: t + "\x00")


def plausible(spec: FieldSpec) -> st.SearchStrategy[str]:
    """A value the field could really hold, so the request gets past the first check."""
    if spec.options:
        return st.sampled_from(sorted(spec.options))
    return {
        "date": st.dates().map(lambda d: d.isoformat()),
        "time": st.sampled_from(["19:00", "07:30", "23:59"]),
        "number": st.integers(0, 200).map(str),
        "email": st.sampled_from(["fuzz@example.jp", "山田@example.jp"]),
        "url": st.sampled_from(["https://example.jp/", "http://maps.example/?q=1"]),
        "checkbox": st.just("y"),
    }.get(spec.kind, st.sampled_from(["山田 太郎", "fuzz", "テスト", "株式会社ファズ", "1"]))


def field_value(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind == "file":
        uploads = st.sampled_from([*CSV_SAMPLES, BIG_UPLOAD]) | st.binary(max_size=2000)
        return st.tuples(uploads, st.sampled_from(["members.csv", "x" * 300, ""]))
    single = st.one_of(plausible(spec), plausible(spec), bad_text())
    return st.one_of(single, single, st.lists(single, min_size=2, max_size=3))


@st.composite
def form_data(draw: Any, fields: dict[str, FieldSpec], pool: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, spec in sorted(fields.items()):
        if draw(st.integers(0, 6)) == 6:  # a missing field
            continue
        value = draw(field_value(spec))
        if name.endswith("_id") and draw(st.integers(0, 2)) == 2:
            value = draw(st.sampled_from(BAD_IDS) | st.lists(st.sampled_from(BAD_IDS),
                                                            min_size=2, max_size=3))
        if spec.kind == "file":
            data[name] = (io.BytesIO(value[0]), value[1])
        else:
            data[name] = value
    for name in draw(st.lists(st.sampled_from(pool), max_size=2)):
        data.setdefault(name, draw(st.sampled_from(BAD_IDS) if name.endswith(("_id", "page"))
                                   else bad_text()))
    if data and draw(st.integers(0, 7)) == 7:  # one NUL character somewhere
        name = draw(st.sampled_from(sorted(k for k, v in data.items()
                                           if not isinstance(v, tuple)) or [pool[0]]))
        data[name] = draw(nul_text())
    return data


@st.composite
def request_for(draw: Any, rule: Rule, method: str, world: World) -> tuple[str, dict[str, Any]]:
    values = _real_values(rule, world, pick=draw(st.integers(0, 3)))
    for name, conv in rule._converters.items():  # noqa: SLF001
        if draw(st.integers(0, 2)) == 0:
            continue  # keep the real value
        if name == "slug":
            values[name] = draw(st.sampled_from([world.other_slug, "no-such", "a" * 300,
                                                 "\x00", "osaka\x00mixer"]) | bad_text()
                                | nul_text())
        elif isinstance(conv, IntegerConverter):
            values[name] = draw(st.sampled_from(BAD_IDS) | st.integers(
                min_value=MAX_INT - 2, max_value=2**80).map(str))
        else:
            values[name] = draw((bad_text() | nul_text()).filter(bool))
    url = _url(rule, values)
    query = draw(form_data(world.forms.get((rule.endpoint, "GET"), {}), COMMON_QUERY))
    query = {k: v for k, v in query.items() if not isinstance(v, tuple)}
    qs = urlencode(query, doseq=True)
    if draw(st.integers(0, 9)) == 9:
        qs += draw(st.sampled_from(["&q=%ff%fe", "&q=%ED%A0%80", "&%00=1", "&page=%C0%AF"]))
    if qs:
        url += "?" + qs.lstrip("&")
    kwargs: dict[str, Any] = {}
    if method == "POST":
        kwargs["data"] = draw(form_data(world.forms.get((rule.endpoint, "POST"), {}),
                                        world.field_pool))
        if any(isinstance(v, tuple) for v in kwargs["data"].values()):
            kwargs["content_type"] = "multipart/form-data"
    return url, kwargs


def _column_limits() -> dict[type, dict[str, int]]:
    from joren.platform.db import Base

    limits: dict[type, dict[str, int]] = {}
    for mapper in Base.registry.mappers:
        for attr in mapper.column_attrs:
            column = attr.columns[0]
            if isinstance(column.type, String) and column.type.length:
                limits.setdefault(mapper.class_, {})[attr.key] = column.type.length
    return limits


@pytest.fixture()
def column_lengths_enforced(world_failures: list[str]) -> Any:
    """Strings longer than their column fail here on SQLite as they would on PostgreSQL."""
    limits = _column_limits()

    def check(session: Session, _context: Any, _instances: Any) -> None:
        for obj in list(session.new) + list(session.dirty):
            for key, length in limits.get(type(obj), {}).items():
                value = sa_inspect(obj).attrs[key].loaded_value
                if isinstance(value, str) and len(value) > length:
                    message = f"{type(obj).__name__}.{key}: {len(value)} > varchar({length})"
                    world_failures.append(message)
                    raise AssertionError(message)

    event.listen(Session, "before_flush", check)
    yield
    event.remove(Session, "before_flush", check)


@pytest.fixture()
def world_failures() -> list[str]:
    return []


class LastError(logging.Handler):
    """Keeps the exception the app logged with its 500 page, to name it in the report."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            first_line = (str(exc).splitlines() or [""])[0]
            self.last = f"{type(exc).__name__}: {first_line[:160]}"


def _describe(role: str, method: str, url: str, kwargs: dict[str, Any], what: str) -> str:
    data = {k: (v if len(repr(v)) < 80 else repr(v)[:80] + "…")
            for k, v in kwargs.get("data", {}).items()}
    return f"{what} · {role} {method} {url[:160]} {data}"


@pytest.fixture()
def world(app, session, tenant, other_tenant, people, login, world_failures,  # type: ignore[no-untyped-def]
          column_lengths_enforced) -> World:
    """The test community with one real object per id argument, and the forms of its pages."""
    rows = {name: make(session, tenant) for name, make in ID_FACTORIES.items()}
    session.commit()
    ids = {name: [row.id] for name, row in rows.items()}
    ids["member_id"] += [people.member_member.id, people.organizer_member.id]
    ids["message_id"] = [1]
    accounts = {"member": people.member, "staff": people.staff, "organizer": people.organizer}

    def client_for(role: str) -> Any:
        if role == "anonymous":
            return app.test_client()
        account = accounts[role]
        session.refresh(account)  # a fuzzed "sign out everywhere" rotates the token
        return login(account)

    world = World(app=app, slug=tenant.slug, other_slug=other_tenant.slug, ids=ids, forms={},
                  field_pool=[], failures=world_failures, client_for=client_for)
    _harvest(world, {role: client_for(role) for role in ROLES})
    assert len(world.forms) >= 40, "the harvest found too few forms to fuzz"
    return world


def _usual_value(spec: FieldSpec) -> str:
    """The value a person would most likely send: the page's own, a positive number."""
    if spec.kind == "number":
        return str(max([int(v) for v in spec.options if v.isdigit()] + [1]))
    return sorted(spec.options)[0] if spec.options else "1"


TEXT_KINDS = {"text", "textarea", "email", "url", "search", "tel", "hidden", "password"}


def test_overlong_text_in_any_form_field_is_refused_not_a_5xx(app, world):
    """Each text field of each form, alone too long, the others plausible: a clear refusal."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    errors = LastError()
    app.logger.addHandler(errors)
    try:
        for (endpoint, method), fields in sorted(world.forms.items()):
            if method != "POST":
                continue
            rule = rules[endpoint]
            url = _url(rule, _real_values(rule, world))
            base = {name: _usual_value(spec) for name, spec in fields.items()
                    if spec.kind != "file"}
            for name in sorted(n for n, spec in fields.items() if spec.kind in TEXT_KINDS):
                for role in ("organizer", "member"):
                    data = {**base, name: "長" * 5000}
                    _try(world, role, "POST", url, {"data": data}, errors)
    finally:
        app.logger.removeHandler(errors)
    print(f"\ntried {sum(world.cases.values())} overlong fields")
    _assert_no_failures(world)


def test_no_route_answers_5xx_to_malformed_input(app, world):
    routes = _routes(app)
    errors = LastError()
    app.logger.addHandler(errors)
    try:
        for role in ROLES:
            for rule, method in routes:
                _fuzz_route(world, role, rule, method, errors)
    finally:
        app.logger.removeHandler(errors)

    total = sum(world.cases.values())
    print(f"\nfuzzed {total} requests over {len(routes)} routes: {dict(world.cases)}; "
          f"statuses {dict(sorted(world.statuses.items()))}")
    assert total >= 1000
    _assert_no_failures(world)


def _assert_no_failures(world: World) -> None:
    unique = list(dict.fromkeys(world.failures))
    classes = Counter(failure.split(" · ")[0] for failure in unique)
    assert not unique, (f"{len(unique)} 5xx-class failures, by class: {dict(classes)}\n"
                        + "\n".join(unique[:40]))


def _try(world: World, role: str, method: str, url: str, kwargs: dict[str, Any],
         errors: LastError) -> None:
    """One request; a 5xx or an exception out of the app is recorded as a failure."""
    world.cases[role] += 1
    client = world.client_for(role)
    errors.last = ""
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every exception out of the app is a failure
        world.failures.append(_describe(role, method, url, kwargs,
                                        f"{type(exc).__name__}: {str(exc)[:200]}"))
        return
    world.statuses[response.status_code] += 1
    if response.status_code >= 500:
        world.failures.append(_describe(role, method, url, kwargs,
                                        f"HTTP {response.status_code} {errors.last}"))


def _fuzz_route(world: World, role: str, rule: Rule, method: str, errors: LastError) -> None:
    key = zlib.crc32(f"{role} {method} {rule.rule}".encode())

    @seed(key)
    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        url, kwargs = data.draw(request_for(rule, method, world))
        _try(world, role, method, url, kwargs, errors)

    fuzz()
