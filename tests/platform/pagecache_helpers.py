"""What the page-cache page tests share: masking form tokens, the same page with the cache off,
computed and served, and counting how often a view's computation runs."""

from __future__ import annotations

import re

from joren.models import Role
from tests import factories
from tests.tenants.helpers import count_statements

TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")')


def masked(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return TOKEN.sub(r"\1TOKEN\2", response.get_data(as_text=True))


def same_cached_and_not(app, client, url: str) -> str:  # type: ignore[no-untyped-def]
    """The page with the cache off, then computed and kept, then served from the store: the
    same HTML (form tokens masked) all three times, and no stand-in for a token left."""
    app.config["PAGE_CACHE"] = False
    try:
        plain = masked(client.get(url))
    finally:
        app.config["PAGE_CACHE"] = True
    kept = masked(client.get(url))
    served = masked(client.get(url))
    assert plain == kept == served
    assert "csrf-stand-in" not in served
    return served


def counting(monkeypatch, module, name):  # type: ignore[no-untyped-def]
    """Count the calls of ``module.name`` (a list that grows by one per call)."""
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def new_code(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What a deploy does to the kept pages: a test that changes a view's constant is new
    code, so its keys take a new code stamp (the shared store, Redis when the suite runs on
    it, still holds the pages of the old code under the old stamp)."""
    from joren.platform import pagecache

    monkeypatch.setattr(pagecache, "_stamp", pagecache.code_stamp() + "-changed")
    pagecache.clear_local()


def signed_in_intruder(login, session, other_tenant, role=Role.ORGANIZER):  # type: ignore[no-untyped-def]
    """A signed-in client of someone (an organizer unless ``role`` says) who belongs to the
    other community only."""
    account = factories.account(session, email=f"kobe-{role.value}@example.jp")
    factories.member(session, other_tenant, account=account, role=role,
                     family_name="神戸", given_name="侵入")
    session.commit()
    return login(account)


def in_other_community(url: str, other_tenant, slug: str = "osaka-mixer") -> str:  # type: ignore[no-untyped-def]
    """``url`` with the other community's slug in place of ``slug``: the same ids guessed."""
    return url.replace(f"/c/{slug}/", f"/c/{other_tenant.slug}/")


def reads_when_kept(app, client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements of a view served from the store (after one that computed and kept it)."""
    app.config["PAGE_CACHE_READS"] = True
    assert client.get(url).status_code == 200
    with count_statements(app) as counted:
        app.config["PAGE_CACHE_READS"] = True
        assert client.get(url).status_code == 200
    return counted.statements


def computing(app, client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements of a view that computes (the page cache read nothing)."""
    with count_statements(app) as counted:
        assert client.get(url).status_code == 200
    return counted.statements


def never_another_communitys(login, session, other_tenant, url: str,  # type: ignore[no-untyped-def]
                             secrets: tuple[str, ...], role=Role.ORGANIZER):
    """``url`` (kept for its community) to someone of the other community only: refused
    there, 404 with the other community's slug, and none of ``secrets`` shown."""
    intruder = signed_in_intruder(login, session, other_tenant, role=role)
    assert intruder.get(url).status_code in (302, 403, 404)
    guessed = intruder.get(in_other_community(url, other_tenant))
    assert guessed.status_code == 404
    assert not any(secret in guessed.get_data(as_text=True) for secret in secrets)
