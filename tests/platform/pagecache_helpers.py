"""What the page-cache page tests share: masking form tokens, the same page with the cache off,
computed and served, and counting how often a view's computation runs."""

from __future__ import annotations

import re

from joren.models import Role
from tests import factories

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
