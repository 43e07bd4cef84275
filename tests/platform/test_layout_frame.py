"""The kept layout frame (platform/layoutframe.py; issue 14): the layout is rendered once per
key and each page's parts are put back into it. These tests hold it to the page the layout
would write without the frame, after every change that shows in the layout: a role, a
membership, the community's name and state, the language, the person, the page, the mount
point, a flash message and the form token; and another community's or person's frame is
never shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import g

from joren.platform import layoutframe
from joren.platform.membership.models import MemberStatus, Role
from tests import factories
from tests.tenants.helpers import in_english

pytestmark = pytest.mark.usefixtures("clock")

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _unframed(app, client, url: str) -> str:  # type: ignore[no-untyped-def]
    app.config["LAYOUT_FRAME"] = False
    try:
        return _text(client.get(url))
    finally:
        app.config["LAYOUT_FRAME"] = True


def assert_as_without_frame(app, client, url: str) -> str:  # type: ignore[no-untyped-def]
    """The page through the frame (its second view: from a kept frame when the key is the
    same) is the page written without it, save the form token (one per request)."""
    _text(client.get(url))
    framed = _text(client.get(url))
    plain = _unframed(app, client, url)
    assert TOKEN.sub("", framed) == TOKEN.sub("", plain)
    return framed


def _render(app, template, **variables) -> str:  # type: ignore[no-untyped-def]
    """``template`` as Flask's render_template renders one (the context processors' values)."""
    app.update_template_context(variables)
    return template.render(variables)  # type: ignore[no-any-return]


def _switcher(body: str) -> str:
    start = body.index('aria-labelledby="community-switcher"')
    return body[start:body.index("</ul>", start)]


def test_pages_through_the_frame_are_the_pages_without_it(app, session, login, people, tenant):
    organizer = login(people.organizer)
    member = in_english(login(people.member))
    pages = [(organizer, f"/c/{tenant.slug}/admin/"),
             (organizer, f"/c/{tenant.slug}/admin/settings"),
             (organizer, f"/c/{tenant.slug}/admin/members"), (member, f"/c/{tenant.slug}/"),
             (member, f"/c/{tenant.slug}/about"), (member, "/account"),
             (member, f"/c/{tenant.slug}/directory")]
    for client, url in pages:
        framed = assert_as_without_frame(app, client, url)
        assert framed.startswith("<!doctype html>") and framed.rstrip().endswith("</html>")
        assert "\x02" not in framed
    assert layoutframe._frames  # the pages were served from kept frames


def test_another_communitys_frame_is_never_shown(app, session, login, people, tenant,
                                                 other_tenant):
    organizer = login(people.organizer)
    other = login(people.other_owner)
    for _ in range(2):
        mine = _text(organizer.get(f"/c/{tenant.slug}/admin/settings"))
        theirs = _text(other.get(f"/c/{other_tenant.slug}/admin/settings"))
        assert tenant.name in _switcher(mine) and other_tenant.name not in _switcher(mine)
        assert other_tenant.name in _switcher(theirs) and tenant.name not in _switcher(theirs)
        assert f"/c/{tenant.slug}/" not in theirs and f"/c/{other_tenant.slug}/" not in mine
    # The same page of two communities that share a name: each has its own addresses.
    other_tenant.name = tenant.name
    session.commit()
    theirs = assert_as_without_frame(app, other, f"/c/{other_tenant.slug}/admin/settings")
    assert f"/c/{tenant.slug}/" not in theirs


def test_another_persons_frame_is_never_used(app, session, login, people, tenant):
    # Two members of the same communities see the same layout today; each still gets a
    # frame of their own, so nothing a layout ever shows of its person can reach another.
    twin = factories.account(session, "twin@example.jp", language="en")
    factories.member(session, tenant, twin)
    session.commit()
    url = f"/c/{tenant.slug}/about"
    member, other = login(people.member), login(twin)
    member_page = _text(member.get(url))
    kept = len(layoutframe._frames)
    other_page = _text(other.get(url))
    assert len(layoutframe._frames) == kept + 1
    assert TOKEN.findall(member_page) != TOKEN.findall(other_page)


def test_a_role_change_shows_at_once(app, session, login, people, tenant):
    member = login(people.member)
    url = f"/c/{tenant.slug}/about"
    page = assert_as_without_frame(app, member, url)
    assert f"/c/{tenant.slug}/admin" not in page
    people.member_member.role = Role.ORGANIZER
    session.commit()
    page = assert_as_without_frame(app, member, url)
    assert f'href="/c/{tenant.slug}/admin/"' in page


def test_an_organizers_menu_follows_the_role(app, session, login, people, tenant):
    organizer = login(people.organizer)
    url = f"/c/{tenant.slug}/admin/"
    page = assert_as_without_frame(app, organizer, url)
    assert f"/c/{tenant.slug}/admin/billing" not in page
    people.organizer_member.role = Role.OWNER
    session.commit()
    page = assert_as_without_frame(app, organizer, url)
    assert f"/c/{tenant.slug}/admin/billing" in page


def test_joining_and_leaving_a_community_shows_in_the_switcher_at_once(app, session, login,
                                                                       people, tenant,
                                                                       other_tenant):
    member = login(people.member)
    url = f"/c/{tenant.slug}/about"
    assert other_tenant.name not in _switcher(assert_as_without_frame(app, member, url))
    joined = factories.member(session, other_tenant, people.member)
    session.commit()
    assert other_tenant.name in _switcher(assert_as_without_frame(app, member, url))
    other_tenant.name = "改名した交流会"
    session.commit()
    assert "改名した交流会" in _switcher(assert_as_without_frame(app, member, url))
    other_tenant.slug = "moved-address"
    session.commit()
    assert 'href="/c/moved-address/"' in _switcher(assert_as_without_frame(app, member, url))
    joined.status = MemberStatus.INACTIVE
    session.commit()
    assert "改名した交流会" not in _switcher(assert_as_without_frame(app, member, url))


def test_the_communitys_name_and_state_show_at_once(app, session, login, people, tenant):
    owner = login(people.owner)
    url = f"/c/{tenant.slug}/admin/"
    assert_as_without_frame(app, owner, url)
    tenant.name = "新しい名前の会"
    session.commit()
    assert "新しい名前の会" in assert_as_without_frame(app, owner, url)
    tenant.deletion_requested_at = datetime.now(UTC)
    session.commit()
    assert "closing-banner" in assert_as_without_frame(app, owner, url)


def test_a_public_community_shows_its_meetups_to_visitors(app, session, client, tenant):
    url = f"/c/{tenant.slug}/about"
    tenant.is_public = False
    session.commit()
    _text(client.get(url))
    tenant.is_public = True
    session.commit()
    page = assert_as_without_frame(app, client, url)
    assert f'href="/c/{tenant.slug}/meetups"' in page


def test_switching_language_shows_at_once(app, session, login, people, tenant):
    organizer = login(people.organizer)
    url = f"/c/{tenant.slug}/admin/settings"
    assert '<html lang="ja">' in assert_as_without_frame(app, organizer, url)
    in_english(organizer)
    page = assert_as_without_frame(app, organizer, url)
    assert '<html lang="en">' in page and ">Account<" in page


def test_the_active_menu_link_is_the_pages(app, session, login, people, tenant):
    organizer = login(people.organizer)
    dashboard = assert_as_without_frame(app, organizer, f"/c/{tenant.slug}/admin/")
    members = assert_as_without_frame(app, organizer, f"/c/{tenant.slug}/admin/members")
    assert 'aria-current="page">' in dashboard.split("console-nav")[1].split("</nav>")[0]
    assert 'aria-current="page">' not in members.split("console-nav")[1].split("</nav>")[0]
    # One template under two endpoints: the menu follows the endpoint, not the template.
    template = app.jinja_env.from_string(
        '{% extends "layouts/console.html" %}{% block console_content %}x{% endblock %}')
    template.name = "tests/one-template.html"
    highlighted = {}
    for path in (f"/c/{tenant.slug}/admin/", f"/c/{tenant.slug}/admin/members"):
        with app.test_request_context(path):
            g.community, g.membership = tenant, people.organizer_member
            highlighted[path] = [_render(app, template).split("console-nav")[1]
                                 .split("</nav>")[0] for _ in range(2)]
    first, second = highlighted.values()
    assert first[0] == first[1] and second[0] == second[1]
    assert 'aria-current="page"' in first[0] and 'aria-current="page"' not in second[0]


def test_the_mount_point_is_the_requests(app, session, login, people, tenant):
    organizer = login(people.organizer)
    url = f"/c/{tenant.slug}/admin/settings"
    _text(organizer.get(url))
    mounted = _text(organizer.get(url, base_url="http://localhost/joren"))
    assert f'href="/joren/c/{tenant.slug}/admin/members"' in mounted
    assert f'href="/c/{tenant.slug}/admin/members"' not in mounted


def test_flash_messages_and_return_address_are_each_requests(app, session, login, people,
                                                             tenant):
    organizer = login(people.organizer)
    url = f"/c/{tenant.slug}/admin/settings"
    assert_as_without_frame(app, organizer, url)
    with organizer.session_transaction() as s:
        s["_flashes"] = [("success", "保存しました-flash")]
    assert "保存しました-flash" in _text(organizer.get(url))
    assert "保存しました-flash" not in _text(organizer.get(url))
    page = _text(organizer.get(url + "?tab=x"))
    assert f'name="next" value="{url}?tab=x"' in page


def test_each_session_gets_its_own_form_token(app, session, login, people, tenant):
    url = f"/c/{tenant.slug}/admin/settings"
    first, second = login(people.organizer), login(people.organizer)
    tokens = [set(TOKEN.findall(_text(c.get(url)))) for c in (first, second, first)]
    assert all(len(found) == 1 for found in tokens)
    assert tokens[0] != tokens[1] and tokens[0] == tokens[2]
    # The token a framed page carries is accepted: signing out with it works.
    token = tokens[1].pop()
    assert second.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_page_that_overrides_the_layouts_own_blocks_is_not_framed(app, session, login,
                                                                    people, tenant):
    template = app.jinja_env.from_string(
        '{% extends "layouts/base.html" %}{% block footer %}{{ mine }}{% endblock %}')
    template.name = "tests/own-footer.html"
    with app.test_request_context(f"/c/{tenant.slug}/about"):
        g.community = tenant
        assert "first" in _render(app, template, mine="first")
        assert "second" in _render(app, template, mine="second")
    assert "tests/own-footer.html" in layoutframe._unframed


def test_one_endpoint_rendering_two_templates_gets_each_its_layout(app, session, people,
                                                                   tenant):
    console = app.jinja_env.from_string(
        '{% extends "layouts/console.html" %}{% block console_content %}x{% endblock %}')
    console.name = "tests/console-page.html"
    portal = app.jinja_env.from_string(
        '{% extends "layouts/portal.html" %}{% block content %}x{% endblock %}')
    portal.name = "tests/portal-page.html"
    with app.test_request_context(f"/c/{tenant.slug}/about"):
        g.community, g.membership = tenant, people.organizer_member
        for _ in range(2):
            assert 'class="nav nav-pills' in _render(app, console)
            assert 'class="nav nav-pills' not in _render(app, portal)


def test_an_inactive_membership_shows_at_once(app, session, login, people, tenant):
    member = login(people.member)
    url = "/account"
    page = assert_as_without_frame(app, member, url)
    assert tenant.name in _switcher(page)
    people.member_member.status = MemberStatus.INACTIVE
    session.commit()
    page = assert_as_without_frame(app, member, url)
    assert 'id="community-switcher"' not in page


def test_captured_mail_shows_as_configured(app, session, login, people, tenant, monkeypatch):
    organizer = login(people.organizer)
    url = f"/c/{tenant.slug}/admin/settings"
    monkeypatch.setitem(app.config, "MAIL_CAPTURE", False)
    assert "/dev/mail" not in assert_as_without_frame(app, organizer, url)
    monkeypatch.setitem(app.config, "MAIL_CAPTURE", True)
    monkeypatch.setitem(app.config, "JOREN_ENV", "development")
    assert "/dev/mail" in assert_as_without_frame(app, organizer, url)


def _change_slug(tenant, member) -> None:  # type: ignore[no-untyped-def]
    tenant.slug = "renamed-address"


def _change_name(tenant, member) -> None:  # type: ignore[no-untyped-def]
    tenant.name = "別の名前の会"


def _make_private(tenant, member) -> None:  # type: ignore[no-untyped-def]
    tenant.is_public = False


def _make_inactive(tenant, member) -> None:  # type: ignore[no-untyped-def]
    member.status = MemberStatus.INACTIVE


def _make_staff(tenant, member) -> None:  # type: ignore[no-untyped-def]
    member.role = Role.STAFF


@pytest.mark.parametrize("change", [_change_slug, _change_name, _make_private, _make_inactive,
                                    _make_staff])
def test_the_layout_follows_each_input_of_its_key(app, session, people, tenant, change):
    """One input at a time, with nothing else about the request changed (no person signed
    in, the same page): the portal's menu as it is without the frame."""
    template = app.jinja_env.from_string(
        '{% extends "layouts/portal.html" %}{% block content %}x{% endblock %}')
    template.name = "tests/portal-menu.html"
    tenant.is_public = True
    member = None if change is _make_private else people.member_member  # a visitor

    def both() -> tuple[str, str]:
        with app.test_request_context(f"/c/{tenant.slug}/about"):
            g.community, g.membership = tenant, member
            framed = _render(app, template)
            app.config["LAYOUT_FRAME"] = False
            try:
                return framed, _render(app, template)
            finally:
                app.config["LAYOUT_FRAME"] = True

    before = both()
    assert before[0] == before[1]
    change(tenant, member)
    after = both()
    assert after[0] == after[1] and after[0] != before[0]
