"""With CSRF on (as in production), community forms refuse posts without the page's token."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import object_session

from joren.models import Community, Invitation, Member, Role
from joren.platform.communities.invitations import invitation_token, invite_member
from joren.platform.tenancy import set_tenant, unscoped
from tests import factories
from tests.tenants.helpers import reload


@pytest.fixture()
def csrf_app(app, connection):  # type: ignore[no-untyped-def]
    """The test app with CSRF protection switched on for this test only."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield app
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _signed_in(csrf_app, account):  # type: ignore[no-untyped-def]
    c = csrf_app.test_client()
    with c.session_transaction() as s:
        s["_user_id"] = factories.login_id(object_session(account), account)
        s["_fresh"] = True
    return c


def _token(body: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body).group(1)


def test_invite_form_needs_the_token(csrf_app, session, people):
    c = _signed_in(csrf_app, people.owner)
    data = {"emails": "csrf@example.jp", "role": "member"}
    refused = c.post("/c/osaka-mixer/admin/invitations/new", data=data)
    assert refused.status_code == 400
    with unscoped(session):
        assert session.scalar(select(Invitation).where(Invitation.email == "csrf@example.jp")) \
            is None
    page = c.get("/c/osaka-mixer/admin/invitations").get_data(as_text=True)
    accepted = c.post("/c/osaka-mixer/admin/invitations/new",
                      data={**data, "csrf_token": _token(page)})
    assert accepted.status_code == 302


def test_settings_and_onboarding_need_the_token(csrf_app, session, people, tenant):
    c = _signed_in(csrf_app, people.owner)
    settings = {"name": "乗っ取り", "kind": "study_group", "timezone": "Asia/Tokyo",
                "default_language": "ja"}
    assert c.post("/c/osaka-mixer/admin/settings", data=settings).status_code == 400
    assert reload(session, Community, tenant.id).name == "大阪異業種交流会"
    onboarding = {"name": "CSRF Club", "slug": "csrf-club", "kind": "study_group",
                  "timezone": "Asia/Tokyo", "default_language": "ja"}
    assert c.post("/communities/new", data=onboarding).status_code == 400
    assert session.scalar(select(Community).where(Community.slug == "csrf-club")) is None


def test_accepting_an_invitation_needs_the_token(csrf_app, app, maker, session, people, tenant):
    s = maker(expire_on_commit=False)
    set_tenant(s, tenant.id)
    with app.test_request_context("/"):
        invitation = invite_member(s, tenant, s.get(Member, people.owner_member.id),
                                   "csrf-guest@example.jp", Role.MEMBER, "")
        token = invitation_token(invitation)
        s.commit()
    c = csrf_app.test_client()
    assert c.post(f"/invite/{token}").status_code == 400
    assert reload(session, Invitation, invitation.id).accepted_at is None
    page = c.get(f"/invite/{token}").get_data(as_text=True)
    assert c.post(f"/invite/{token}", data={"csrf_token": _token(page)}).status_code == 302
    assert reload(session, Invitation, invitation.id).accepted_at is not None
