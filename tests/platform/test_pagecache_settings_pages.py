"""The page cache on the console's settings pages (issue 14): the community's settings, ...
Each is the same kept or computed, is computed once, shows a save at once (a refused save
shows what was typed), reads at most ten statements computing, and never serves another
community's page, nor one made for a reader of another role where the page differs by role."""

from __future__ import annotations

import pytest

from joren.models import Role
from joren.tenants.console import views as console_views
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    in_other_community,
    same_cached_and_not,
    signed_in_intruder,
)

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"


def own_only(login, session, other_tenant, url: str, ours: tuple[str, ...],  # type: ignore[no-untyped-def]
             theirs: tuple[str, ...], role=Role.ORGANIZER):
    """``url`` (kept for this community) to an organizer of the other community only: refused
    here; at their own community's address, their community's page, none of ``ours``."""
    intruder = signed_in_intruder(login, session, other_tenant, role=role)
    assert intruder.get(url).status_code in (302, 403, 404)
    own = intruder.get(in_other_community(url, other_tenant))
    assert own.status_code == 200
    text = own.get_data(as_text=True)
    assert all(word in text for word in theirs)
    assert not any(word in text for word in ours)
    return text


def _body(page: str) -> str:
    """The page's own part (the layout names the reader's role)."""
    return page.split('<h1 class="h4', 1)[1].split("</main>", 1)[0]


# -- the community's settings -----------------------------------------------------------------

SETTINGS = f"{ADMIN}/settings"


def _settings_post(**fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": "", "name": "大阪ミキサー", "description": "", "kind": "cross_industry",
            "city": "大阪市", "timezone": "Asia/Tokyo", "default_language": "ja"}
    data.update(fields)
    return data


def test_the_settings_page_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                              owner_client, tenant):
    page = same_cached_and_not(app, organizer_client, SETTINGS)
    assert f'value="{tenant.name}"' in page and "Asia/Tokyo" in page
    assert _body(same_cached_and_not(app, owner_client, SETTINGS)) == _body(page)
    computed = counting(monkeypatch, console_views, "_settings_body")
    organizer_client.get(SETTINGS)
    owner_client.get(SETTINGS)
    assert computed == []


def test_the_settings_page_shows_a_save_at_once(app, session, organizer_client, tenant):
    organizer_client.get(SETTINGS)
    saved = organizer_client.post(SETTINGS, data=_settings_post(name="梅田ミキサー",
                                                                 timezone="Asia/Seoul"))
    assert saved.status_code == 302
    organizer_client.get(saved.headers["Location"])  # with the "saved" message
    page = same_cached_and_not(app, organizer_client, SETTINGS)
    assert 'value="梅田ミキサー"' in page and '<option selected value="Asia/Seoul">' in page
    # a refused save shows what was typed, never the kept page
    refused = organizer_client.post(SETTINGS, data=_settings_post(name="", city="堺市"))
    assert refused.status_code == 200 and 'value="堺市"' in refused.get_data(as_text=True)
    assert 'value="堺市"' not in same_cached_and_not(app, organizer_client, SETTINGS)
    # a change made elsewhere (the community's row) shows at once too
    tenant.city = "京都市"
    session.commit()
    assert 'value="京都市"' in same_cached_and_not(app, organizer_client, SETTINGS)


def test_the_settings_page_computes_in_few_statements(app, organizer_client):
    assert len(computing(app, organizer_client, SETTINGS)) <= 10


def test_the_settings_page_is_never_another_communitys(app, login, session, organizer_client,
                                                       staff_client, other_tenant, tenant):
    organizer_client.get(SETTINGS)  # kept in this community
    own_only(login, session, other_tenant, SETTINGS, (tenant.name,), (other_tenant.name,))
    assert staff_client.get(SETTINGS).status_code == 403
