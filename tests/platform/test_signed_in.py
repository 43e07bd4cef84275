"""The fixed cost of a signed-in request (issue 14): the account, its session, the community
of the URL, the membership there and the navbar's communities come in one statement, and
that statement never hands a page another community's membership."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from flask import g, template_rendered

from joren.models import MemberStatus, Role
from joren.platform.accounts.signed_in import load_signed_in
from joren.platform.db import db, utcnow
from joren.platform.membership import edge
from joren.platform.tenancy import current_tenant_id
from tests import factories
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

LIFETIMES = {"remember_for": timedelta(days=30), "idle_for": timedelta(hours=12)}


def test_a_signed_in_page_reads_the_person_community_and_switcher_in_one_statement(
        app, login, session, people, tenant, other_tenant):
    factories.member(session, other_tenant, people.organizer, Role.MEMBER)
    session.commit()
    client = login(people.organizer)
    client.get(f"/c/{tenant.slug}/admin/settings")  # the first request writes last_seen
    with count_statements(app) as sql:
        page = client.get(f"/c/{tenant.slug}/admin/settings")
    assert page.status_code == 200
    assert len(sql) == 1, sql.statements
    html = page.get_data(as_text=True)
    # The switcher lists both communities; the console shows the organizer's role here.
    assert tenant.name in html and other_tenant.name in html
    assert f'href="/c/{other_tenant.slug}/"' in html


def test_the_membership_is_the_one_in_the_community_of_the_url(app, session, people, tenant,
                                                              other_tenant):
    theirs = factories.member(session, other_tenant, people.member, Role.ORGANIZER)
    now = utcnow()
    login_id = factories.login_id(session, people.member, now=now)
    session.commit()
    with app.test_request_context(f"/c/{tenant.slug}/"):
        found = load_signed_in(session, login_id, slug=tenant.slug, now=now, **LIFETIMES)
        assert found is not None
        assert found.community.id == tenant.id
        assert found.membership.id == people.member_member.id
        assert found.membership.tenant_id == tenant.id and found.membership.role == Role.MEMBER
        assert {m.community_id for m in found.memberships} == {tenant.id, other_tenant.id}
        assert all(m.member_id in (theirs.id, people.member_member.id) for m in found.memberships)


def test_a_community_without_the_person_gives_no_membership(login, session, people, tenant,
                                                           other_tenant):
    session.commit()
    client = login(people.member)
    assert client.get(f"/c/{other_tenant.slug}/admin/").status_code == 403
    assert client.get(f"/c/{other_tenant.slug}/profile").status_code == 403
    assert client.get(f"/c/{tenant.slug}/profile").status_code == 200
    assert client.get("/c/no-such-community/").status_code == 404


def test_an_inactive_membership_is_refused_and_left_out_of_the_switcher(login, session, people,
                                                                       tenant, other_tenant):
    factories.member(session, other_tenant, people.member, Role.MEMBER,
                     status=MemberStatus.INACTIVE)
    session.commit()
    client = login(people.member)
    assert client.get(f"/c/{other_tenant.slug}/profile").status_code == 403
    html = client.get(f"/c/{tenant.slug}/").get_data(as_text=True)
    assert f'href="/c/{other_tenant.slug}/"' not in html


def test_the_edge_binds_the_session_to_the_community_it_was_handed(app, login, session, people,
                                                                  tenant):
    session.commit()
    client = login(people.organizer)
    seen = {}

    def peek(sender, template, context, **extra):  # type: ignore[no-untyped-def]
        seen["tenant"] = current_tenant_id(db.session)
        seen["membership"] = g.membership.id

    with template_rendered.connected_to(peek, app):
        assert client.get(f"/c/{tenant.slug}/admin/settings").status_code == 200
    assert seen == {"tenant": tenant.id, "membership": people.organizer_member.id}


def test_a_membership_handed_with_another_community_is_refused(app, session, people, tenant,
                                                              other_tenant):
    session.commit()
    with app.test_request_context(f"/c/{tenant.slug}/"), pytest.raises(ValueError):
        edge.resolved_with_sign_in(other_tenant.slug, other_tenant, people.owner_member)


def test_requests_run_no_async_teardown(app):
    # Flask would run one through asgiref on every request: a thread and an event loop each.
    assert not [f for f in app.teardown_appcontext_funcs if inspect.iscoroutinefunction(f)]
