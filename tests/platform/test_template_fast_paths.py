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


GETTEXT_SNIPPETS = [
    "{{ _('Sign in') }}|{{ gettext('Account') }}",
    "{{ _('%(name)s is closing', name='<b>A & B</b>') }}",
    "{{ _('100%% sure') }}",
    "{{ ngettext('%(num)d member', '%(num)d members', 1) }}/"
    "{{ ngettext('%(num)d member', '%(num)d members', 3) }}",
    "{{ pgettext('menu', 'Open') }}|{{ npgettext('menu', 'item', 'items', 2) }}",
    "{% trans %}Account{% endtrans %}|{% trans n=2 %}{{ n }} one{% pluralize %}{{ n }} "
    "many <i>{% endtrans %}",
    "{% trans who='<script>' %}Hello {{ who }}{% endtrans %}",
]


@pytest.mark.parametrize("snippet", GETTEXT_SNIPPETS)
@pytest.mark.parametrize("autoescape", [True, False])
def test_template_gettext_writes_what_jinjas_own_writes(app, snippet, autoescape):
    """The one-call gettext (templating._gettext and siblings) against Jinja's own new-style
    wrappers around the same catalog, with and without autoescaping, in both languages."""
    fast_env = app.jinja_env.overlay(autoescape=autoescape)
    jinja_env = app.jinja_env.overlay(autoescape=autoescape)
    jinja_env.globals = dict(app.jinja_env.globals)
    jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: templating._translations().ugettext(s),
        ngettext=lambda s, p, n: templating._translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: templating._translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: templating._translations().unpgettext(c, s, p, n),
    )
    from jinja2.ext import _gettext_alias

    jinja_env.globals["_"] = _gettext_alias
    assert fast_env.globals["_"] is templating._gettext
    for language in ("en", "ja"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert (fast_env.from_string(snippet).render()
                    == jinja_env.from_string(snippet).render())


def test_dates_follow_each_requests_language_and_time_zone(app, app_ctx):
    """The ``datetime`` and ``date`` filters remember what they wrote, keyed on the moment,
    the pattern, the language and the time zone: a cached text never crosses into a request
    with another language or zone."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from flask_babel import refresh

    moment = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)  # 1 April 00:30 in Tokyo
    page = "{{ when | datetime('yyyy-MM-dd HH:mm') }}|{{ when | date('long') }}"
    seen = {}
    for language in ("ja", "en", "ja"):
        for zone in ("Asia/Tokyo", "UTC", "Asia/Tokyo"):
            with app.test_request_context("/"), force_locale(language):
                g.community = SimpleNamespace(timezone=zone, default_language=language,
                                              deletion_requested_at=None, deleted_at=None)
                refresh()  # the app context (and Flask-Babel's answers in it) outlives requests
                seen[(language, zone)] = render_template_string(page, when=moment)
    assert seen[("ja", "Asia/Tokyo")] == "2026-04-01 00:30|2026年4月1日"
    assert seen[("ja", "UTC")] == "2026-03-31 15:30|2026年3月31日"
    assert seen[("en", "Asia/Tokyo")] == "2026-04-01 00:30|April 1, 2026"
    assert seen[("en", "UTC")] == "2026-03-31 15:30|March 31, 2026"


def test_templates_csrf_token_is_flask_wtfs_token_for_the_request(app, app_ctx):
    """``csrf_token()`` in a template reads back the request's token that Flask-WTF made (or
    makes it): the same on every form of the page, and one that Flask-WTF accepts."""
    from flask_wtf.csrf import generate_csrf, validate_csrf

    with app.test_request_context("/"):
        first, second = render_template_string("{{ csrf_token() }}|{{ csrf_token() }}").split("|")
        assert first == second == generate_csrf()
        validate_csrf(first)  # raises when Flask-WTF would refuse it
    with app.test_request_context("/"):
        assert render_template_string("{{ csrf_token() }}") == generate_csrf()


# -- the layout's menus, rendered once per key (templating.layout_fragment) ----------------------

def _console_nav(body: str) -> str:
    return body[body.index('class="nav nav-pills'):body.index("</nav>", body.index("console-nav"))]


def _portal_nav(body: str) -> str:
    return body[body.index('<ul class="navbar-nav me-auto">'):body.index("</ul>\n      <ul")]


def test_cached_menus_follow_role_language_and_community(app, session, login, people, tenant,
                                                         other_tenant):
    from tests.tenants.helpers import in_english

    templating._fragment_cache.clear()
    settings = f"/c/{tenant.slug}/admin/settings"
    dashboard = f"/c/{tenant.slug}/admin/"
    owner, organizer, staff = login(people.owner), login(people.organizer), login(people.staff)
    owner_nav = _console_nav(owner.get(settings).get_data(as_text=True))
    organizer_nav = _console_nav(organizer.get(settings).get_data(as_text=True))
    # The owner's menu has the owner's links; the organizer's, rendered after it with the
    # same page, community and language, does not.
    assert "/billing" in owner_nav and "/billing" not in organizer_nav
    assert "/admin/settings" in organizer_nav
    staff_nav = _console_nav(staff.get(dashboard).get_data(as_text=True))
    assert "/admin/settings" not in staff_nav
    # The active link follows the page.
    assert 'active" href="/c/osaka-mixer/admin/settings"' in organizer_nav.replace(
        "text-nowrap active", "active")
    assert 'active" href="/c/osaka-mixer/admin/settings"' not in _console_nav(
        organizer.get(dashboard).get_data(as_text=True)).replace("text-nowrap active", "active")
    # Same role and page in the other language.
    english = _console_nav(in_english(organizer).get(settings).get_data(as_text=True))
    assert "Settings" in english and "Settings" not in organizer_nav
    assert english.replace("Settings", "") != organizer_nav
    # Another community: its own addresses, never this one's.
    other = login(people.other_owner)
    other_nav = _console_nav(other.get(f"/c/{other_tenant.slug}/admin/settings")
                             .get_data(as_text=True))
    assert f"/c/{other_tenant.slug}/admin" in other_nav and tenant.slug not in other_nav


def test_cached_portal_menu_follows_membership_and_community(app, session, login, people,
                                                             tenant, other_tenant):
    templating._fragment_cache.clear()
    home = f"/c/{tenant.slug}/"
    staff_nav = _portal_nav(login(people.staff).get(home).get_data(as_text=True))
    member_nav = _portal_nav(login(people.member).get(home).get_data(as_text=True))
    outsider_nav = _portal_nav(login(people.outsider).get(home).get_data(as_text=True))
    assert "/admin/" in staff_nav and "/admin/" not in member_nav
    assert "dropdown-item" in member_nav and "dropdown-item" not in outsider_nav
    assert tenant.name in member_nav
    other_nav = _portal_nav(login(people.other_owner).get(f"/c/{other_tenant.slug}/")
                            .get_data(as_text=True))
    assert other_tenant.name in other_nav and tenant.name not in other_nav
    assert tenant.slug not in other_nav
    # A renamed community shows its new name at once.
    tenant.name = "大阪交流会（新）"
    session.commit()
    assert "大阪交流会（新）" in _portal_nav(login(people.member).get(home)
                                            .get_data(as_text=True))


def test_python_and_lazy_messages_follow_the_locale_in_force(app, app_ctx):
    from flask_babel import gettext, lazy_gettext

    lazy = lazy_gettext("Account")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert (gettext("Account"), str(lazy)) == ("Account", "Account")
        with force_locale("ja"):
            assert (gettext("Account"), str(lazy)) == ("アカウント", "アカウント")
        assert (gettext("Account"), str(lazy)) == ("Account", "Account")
