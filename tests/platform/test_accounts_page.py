"""The account page and the community switcher: one person's communities, and nobody else's."""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask import g
from flask_login import login_user
from sqlalchemy import event

from joren.models import Member
from joren.platform.accounts.memberships import Membership, list_memberships
from joren.platform.accounts.switcher import my_communities
from joren.platform.db import db
from joren.platform.membership.models import MemberStatus, Role
from joren.platform.tenancy import UNSCOPED_KEY, current_tenant_id, set_tenant
from tests import factories

EN = {"Accept-Language": "en"}


@contextmanager
def count_queries(connection):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK",
                                                       "SELECT SET_CONFIG(")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _switcher(page: str) -> str:
    match = re.search(r'<li class="nav-item dropdown">\s*<a [^>]*id="community-switcher".*?'
                      r'</li>\s*</ul>\s*</li>', page, re.S)
    assert match, "the community switcher is in the navbar"
    return match.group(0)


def test_account_page_lists_my_communities_with_roles_and_links(login, session, people,
                                                                other_tenant):
    factories.member(session, other_tenant, people.member, Role.MEMBER)
    session.commit()
    page = login(people.member).get("/account", headers=EN).get_data(as_text=True)
    assert "大阪異業種交流会" in page and "神戸経営者勉強会" in page
    assert 'href="/c/osaka-mixer/"' in page
    assert 'href="/c/kobe-study/"' in page
    assert "/c/osaka-mixer/admin/" not in page  # a plain member has no console link
    assert 'href="/communities/new"' in page


def test_account_page_offers_the_console_to_staff_and_up(login, session, people):
    session.commit()
    for account in (people.owner, people.organizer, people.staff):
        page = login(account).get("/account", headers=EN).get_data(as_text=True)
        assert 'href="/c/osaka-mixer/admin/"' in page


def test_account_page_shows_nothing_of_other_communities(login, session, people):
    session.commit()
    page = login(people.owner).get("/account", headers=EN).get_data(as_text=True)
    assert "神戸経営者勉強会" not in page
    assert "kobe-study" not in page
    page = login(people.outsider).get("/account", headers=EN).get_data(as_text=True)
    assert "大阪異業種交流会" not in page and "神戸経営者勉強会" not in page
    assert "You do not belong to any community yet." in page


def test_inactive_membership_is_listed_without_links(login, session, people, other_tenant):
    factories.member(session, other_tenant, people.member, status=MemberStatus.INACTIVE)
    session.commit()
    page = login(people.member).get("/account", headers=EN).get_data(as_text=True)
    assert "神戸経営者勉強会" in page
    assert 'href="/c/kobe-study/"' not in page
    assert "kobe-study" not in _switcher(page)


def test_account_page_uses_one_query_whatever_the_number_of_communities(
        login, session, connection, people):
    session.commit()
    client = login(people.member)
    with count_queries(connection) as one:
        assert client.get("/account").status_code == 200
    for n in range(5):
        extra = factories.community(session, slug=f"extra-{n}", name=f"追加{n}")
        factories.member(session, extra, people.member, Role.STAFF if n % 2 else Role.MEMBER)
    session.commit()
    with count_queries(connection) as six:
        page = client.get("/account").get_data(as_text=True)
    assert page.count('class="fw-semibold"') == 6
    assert len(six) == len(one)


def test_switcher_lists_my_communities_on_every_page(login, session, people, other_tenant):
    factories.member(session, other_tenant, people.member)
    session.commit()
    client = login(people.member)
    switcher = _switcher(client.get("/", headers=EN).get_data(as_text=True))
    assert 'href="/c/osaka-mixer/"' in switcher and 'href="/c/kobe-study/"' in switcher
    assert "My communities" in switcher


def test_switcher_marks_the_current_community(login, session, people, other_tenant):
    factories.member(session, other_tenant, people.member)
    session.commit()
    page = login(people.member).get("/c/kobe-study/", headers=EN).get_data(as_text=True)
    switcher = _switcher(page)
    assert re.search(r'class="dropdown-item active" href="/c/kobe-study/" aria-current="page"',
                     switcher)
    assert 'href="/c/osaka-mixer/"' in switcher


def test_switcher_is_absent_for_visitors_and_people_without_communities(client, login, session,
                                                                        people, connection):
    session.commit()
    with count_queries(connection) as statements:
        page = client.get("/").get_data(as_text=True)
    assert 'nav-item dropdown' not in page
    assert not any("members" in s for s in statements)  # nothing was looked up
    page = login(people.outsider).get("/").get_data(as_text=True)
    assert 'nav-item dropdown' not in page


def test_switcher_query_leaves_the_tenant_session_alone(app, session, people, other_tenant):
    factories.member(session, other_tenant, people.member)
    session.commit()
    tenant_id = people.member_member.tenant_id
    with app.test_request_context("/"):
        login_user(people.member)
        set_tenant(db.session, tenant_id)
        first = my_communities()
        assert {m.slug for m in first} == {"osaka-mixer", "kobe-study"}
        assert my_communities() is first  # cached on g for the request
        assert g.my_communities is first
        assert current_tenant_id(db.session) == tenant_id
        assert not db.session.info.get(UNSCOPED_KEY)
        assert not [o for o in db.session.identity_map.values() if isinstance(o, Member)]


def test_list_memberships_keeps_other_tenants_rows_out_of_the_session(scoped, people, tenant,
                                                                       other_tenant):
    factories.member(scoped(other_tenant), other_tenant, people.member)
    tenant_session = scoped(tenant)
    memberships = list_memberships(tenant_session, people.member.id)
    assert {m.slug for m in memberships} == {"osaka-mixer", "kobe-study"}
    assert all(isinstance(m, Membership) for m in memberships)
    assert not [o for o in tenant_session.identity_map.values() if isinstance(o, Member)]
    assert not tenant_session.info.get(UNSCOPED_KEY)


def test_render_field_macro_labels_describes_and_flags_errors(app_ctx):
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms import (
        BooleanField,
        RadioField,
        SelectChoice,
        SelectField,
        StringField,
        SubmitField,
    )

    class Form(FlaskForm):
        name = StringField("Name", description="Your full name")
        kind = SelectField("Kind", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])
        agree = BooleanField("Agree")
        size = RadioField("Size", choices=[SelectChoice("s", "Small"), SelectChoice("l", "Large")])
        send = SubmitField("Send")

    form = Form(meta={"csrf": False})
    form.name.errors = ["Too long"]
    html = render_template_string(
        '{% from "macros/forms.html" import render_field %}'
        '{{ render_field(form.name, class="form-control-lg", placeholder="山田") }}'
        '{{ render_field(form.kind, help="Pick one") }}{{ render_field(form.agree) }}'
        '{{ render_field(form.size) }}{{ render_field(form.send) }}', form=form)
    assert '<label class="form-label" for="name">Name</label>' in html
    assert 'class="form-control is-invalid form-control-lg"' in html
    assert 'aria-describedby="name-help name-error"' in html
    assert 'aria-invalid="true"' in html
    assert '<div class="invalid-feedback" id="name-error">Too long</div>' in html
    assert 'placeholder="山田"' in html
    assert 'class="form-select"' in html and 'id="kind-help">Pick one<' in html
    assert 'class="form-check-input"' in html and 'class="form-check-label"' in html
    assert "<legend" in html and 'id="size-0"' in html
    assert 'class="btn btn-primary"' in html and 'value="Send"' in html


def test_the_account_page_reuses_the_memberships_read_with_the_sign_in(app, login, people,
                                                                        tenant, other_tenant):
    """The communities on the account page come with the signed-in account's own statement
    (the navbar's switcher reads the same rows): three statements in all, no other person's
    communities."""
    from tests.tenants.helpers import count_statements

    owner = login(people.owner)
    owner.get("/account")
    with count_statements(app) as sql:
        body = owner.get("/account").get_data(as_text=True)
    assert len(sql) <= 3, sql
    assert tenant.name in body and other_tenant.name not in body
    other = login(people.other_owner).get("/account").get_data(as_text=True)
    assert other_tenant.name in other and tenant.name not in other
