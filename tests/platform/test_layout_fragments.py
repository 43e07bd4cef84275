"""The base layout's navbar, account link and language buttons are rendered once per language
(templating.layout_fragment, ``per="language"``; issue 14), and every request still shows its
own person: their communities in the switcher, their CSRF token, their return address, their
language; a person of another community never sees this community's pieces."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask_babel import force_locale

from joren.platform import templating
from tests.tenants.helpers import in_english

pytestmark = pytest.mark.usefixtures("clock")

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')


def _switcher(body: str) -> str:
    start = body.index('aria-labelledby="community-switcher"')
    return body[start:body.index("</ul>", start)]


def _language_form(body: str) -> str:
    start = body.index('action="/language"')
    return body[start:body.index("</form>", start)]


def test_each_person_sees_their_own_layout_around_the_shared_pieces(app, session, login,
                                                                    people, tenant,
                                                                    other_tenant):
    templating._fragment_cache.clear()
    organizer = login(people.organizer)  # an organizer of ``tenant``, in Japanese
    other = in_english(login(people.other_owner))  # the owner of ``other_tenant``, in English
    member = in_english(login(people.member))  # a member of ``tenant``, in English
    pages = {
        "organizer": (organizer, f"/c/{tenant.slug}/admin/settings"),
        "other": (other, f"/c/{other_tenant.slug}/admin/settings"),
        "member": (member, f"/c/{tenant.slug}/about"),
    }
    seen: dict[str, list[str]] = {name: [] for name in pages}
    for _ in range(2):  # the second round is served from the shared fragments
        for name, (client, url) in pages.items():
            response = client.get(url)
            assert response.status_code == 200, name
            seen[name].append(response.get_data(as_text=True))
    for name, bodies in seen.items():
        first, second = bodies
        assert TOKEN.sub("", first) == TOKEN.sub("", second), name
        assert NEXT.findall(first) == [pages[name][1]], name
    organizer_page, other_page, member_page = (seen[n][1] for n in ("organizer", "other",
                                                                    "member"))
    # The language: the page's own, its buttons offer the other one.
    assert '<html lang="ja">' in organizer_page and '<html lang="en">' in other_page
    assert 'value="en"' in _language_form(organizer_page)
    assert 'value="ja"' in _language_form(other_page)
    assert "アカウント" in organizer_page and ">Account<" in other_page
    # The switcher lists the person's own communities, never another person's.
    assert tenant.name in _switcher(organizer_page)
    assert other_tenant.name not in _switcher(organizer_page)
    assert other_tenant.name in _switcher(other_page)
    assert tenant.name not in _switcher(other_page)
    # Nothing of ``tenant`` (its name, its addresses) reaches the other community's owner.
    assert tenant.name not in other_page and f"/c/{tenant.slug}/" not in other_page
    assert other_tenant.name not in member_page
    assert f"/c/{other_tenant.slug}/" not in member_page
    # Each person's CSRF token is their own, in every form of their page.
    tokens = {name: set(TOKEN.findall(seen[name][1])) for name in pages}
    assert all(len(found) == 1 for found in tokens.values())
    assert len(set.union(*tokens.values())) == len(pages)
    # Signed out: the shared navbar without any signed-in piece.
    anonymous = app.test_client().get(f"/c/{tenant.slug}/about").get_data(as_text=True)
    assert 'id="community-switcher"' not in anonymous and 'action="/logout"' not in anonymous
    assert "アカウント" not in anonymous


def test_language_fragments_are_keyed_by_language_and_mount_point_only(app, app_ctx, tenant,
                                                                      other_tenant):
    keys = set()
    for community in (tenant, other_tenant):
        with app.test_request_context(f"/c/{community.slug}/admin/settings"):
            g.community = community
            keys.add(templating._fragment_key("navbar-top", per="language"))
            page_key = templating._fragment_key("console-nav")
            assert (community.id, community.slug, community.name,
                    community.is_public) in page_key
    assert len(keys) == 1
    with app.test_request_context("/"), force_locale("en"):
        english = templating._fragment_key("navbar-top", per="language")
    assert english not in keys
    with app.test_request_context("/"), pytest.raises(ValueError):
        templating._fragment_key("navbar-top", per="account")
