"""The layout's translations and addresses are looked up once (issue 14), and stay right: a
message rendered under ``force_locale`` speaks the forced language, a community's address
never carries another community's slug, and anything unusual takes Flask's own path."""

from __future__ import annotations

import pytest
from flask import g, render_template_string, url_for
from flask_babel import force_locale

from joren.models import Role
from joren.platform import templating
from tests import factories

pytestmark = pytest.mark.usefixtures("clock")


def test_template_messages_follow_the_locale_in_force(app, app_ctx):
    page = "{{ _('Sign in') }}|{{ _('Account') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Sign in|Account"
        with force_locale("ja"):
            # An email rendered during a request, in its recipient's language.
            assert render_template_string(page) == "サインイン|アカウント"
        assert render_template_string(page) == "Sign in|Account"


def test_template_messages_outside_any_request(app, app_ctx):
    with force_locale("ja"):
        assert render_template_string("{{ _('Account') }}") == "アカウント"


def test_community_addresses_carry_their_own_communitys_slug(app, app_ctx, tenant,
                                                             other_tenant):
    for community in (tenant, other_tenant, tenant):
        with app.test_request_context(f"/c/{community.slug}/admin/settings"):
            g.community = community
            built = templating.cached_url_for("community.console.dashboard")
            assert built == url_for("community.console.dashboard")
            assert built.startswith(f"/c/{community.slug}/")


def test_unusual_addresses_take_flasks_own_path(app, app_ctx, tenant):
    with app.test_request_context(f"/c/{tenant.slug}/admin/settings",
                                  base_url="https://joren.example"):
        g.community = tenant
        external = templating.cached_url_for("community.console.dashboard", _external=True)
        assert external.startswith("https://joren.example/c/")
        # Arguments that cannot be a dictionary key are built each time, not cached.
        listed = templating.cached_url_for("static", filename="css/joren.css", v=[1, 2])
        assert listed.startswith("/static/css/joren.css?")
    with app.test_request_context("/", base_url="https://joren.example/mounted"):
        # The mount point is part of the key: the same endpoint under another root.
        assert templating.cached_url_for("static", filename="css/joren.css") == (
            "/mounted/static/css/joren.css")


def test_a_signed_in_page_links_within_its_community(app, login, session, people, tenant,
                                                     other_tenant):
    factories.member(session, other_tenant, people.organizer, Role.OWNER)
    session.commit()
    client = login(people.organizer)
    for community, other in ((tenant, other_tenant), (other_tenant, tenant)):
        html = client.get(f"/c/{community.slug}/admin/settings").get_data(as_text=True)
        assert f'href="/c/{community.slug}/admin/settings"' in html
        assert f'href="/c/{other.slug}/admin' not in html
