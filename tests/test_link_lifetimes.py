"""Links sent by email or kept in a calendar can be revoked and end when they should.

A personal calendar feed is reset by its member; a "can't make it" link ends when the meetup
starts and belongs to one registration; resending an invitation replaces its link.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from joren.models import Invitation
from joren.platform.communities.invitations import invitation_token
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.calendar import links as calendar_links
from joren.tenants.meetups.models import Registration, RegistrationStatus
from tests.tenants.helpers import in_english, reload
from tests.tenants.meetups.helpers_feeds import in_, meetup_at, registration

pytestmark = pytest.mark.usefixtures("clock")

FEED = re.compile(r'id="mine-url"[^>]*value="http://localhost(/c/[^"]+\.ics)"')


def _feed_path(member_client, tenant) -> str:  # type: ignore[no-untyped-def]
    page = member_client.get(f"/c/{tenant.slug}/calendar/subscribe").get_data(as_text=True)
    match = FEED.search(page)
    assert match, "the subscribe page shows the personal feed address"
    return match.group(1)


def test_resetting_the_calendar_link_kills_the_old_address(session, tenant, people,
                                                           member_client):
    meetup = meetup_at(session, tenant, in_(days=7), is_public=False)
    registration(session, meetup, people.member_member)
    session.commit()
    old = _feed_path(member_client, tenant)
    assert member_client.get(old).status_code == 200

    reset = in_english(member_client).post(f"/c/{tenant.slug}/calendar/reset",
                                           follow_redirects=True)
    assert reset.status_code == 200
    assert "Your calendar link was reset" in reset.get_data(as_text=True)
    assert member_client.get(old).status_code == 404
    new = _feed_path(member_client, tenant)
    assert new != old
    fresh = member_client.get(new)
    assert fresh.status_code == 200 and b"BEGIN:VEVENT" in fresh.data


def test_resetting_needs_a_signed_in_member_and_a_post(session, app, client, tenant, people,
                                                       member_client):
    with app.app_context():
        token = calendar_links.member_feed_token(people.member_member)
    path = f"/c/{tenant.slug}/calendar/reset"
    assert client.post(path).status_code == 302  # to sign in
    assert member_client.get(path).status_code == 405
    assert client.get(f"/c/{tenant.slug}/calendar/{token}.ics").status_code == 200


def test_one_members_reset_leaves_the_others_and_other_communities_alone(
        session, app, client, tenant, other_tenant, people, login):
    with app.app_context():
        mine = calendar_links.member_feed_token(people.member_member)
        staff = calendar_links.member_feed_token(people.staff_member)
        theirs = calendar_links.member_feed_token(people.other_owner_member)
    login(people.member).post(f"/c/{tenant.slug}/calendar/reset")
    assert client.get(f"/c/{tenant.slug}/calendar/{mine}.ics").status_code == 404
    assert client.get(f"/c/{tenant.slug}/calendar/{staff}.ics").status_code == 200
    assert client.get(f"/c/{other_tenant.slug}/calendar/{theirs}.ics").status_code == 200
    # Another community's valid feed token is not found here, before or after a reset.
    assert client.get(f"/c/{tenant.slug}/calendar/{theirs}.ics").status_code == 404
    login(people.other_owner).post(f"/c/{other_tenant.slug}/calendar/reset")
    assert client.get(f"/c/{other_tenant.slug}/calendar/{theirs}.ics").status_code == 404


def test_a_cant_make_it_link_after_the_start_is_refused_with_a_clear_page(
        session, app, client, tenant, people):
    started = meetup_at(session, tenant, in_(minutes=-1))
    reg = registration(session, started, people.member_member)
    session.commit()
    with app.app_context():
        token = calendar_links.cant_make_it_token(reg)
    path = f"/c/{tenant.slug}/meetups/cant-make-it/{token}"
    in_english(client)
    for method in (client.get, client.post):
        response = method(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "This link has expired." in body and "until the meetup starts" in body
        assert 'id="cant-make-it-form"' not in body
    assert reload(session, Registration, reg.id).status == RegistrationStatus.GOING


def test_a_cant_make_it_link_dies_with_its_registration(session, app, client, tenant, people,
                                                        member_client):
    meetup = meetup_at(session, tenant, in_(days=7), is_public=False)
    session.commit()
    base = f"/c/{tenant.slug}/meetups/{meetup.id}"
    assert member_client.post(f"{base}/register").status_code in (302, 303)
    with unscoped(session):
        reg = session.scalar(select(Registration).where(Registration.meetup_id == meetup.id))
    with app.app_context():
        old_link = calendar_links.cant_make_it_token(reg)
    old_ticket = reg.checkin_token
    assert member_client.post(f"{base}/cancel").status_code in (302, 303)
    assert member_client.post(f"{base}/register").status_code in (302, 303)
    reg = reload(session, Registration, reg.id)
    assert reg.status == RegistrationStatus.GOING

    assert client.post(f"/c/{tenant.slug}/meetups/cant-make-it/{old_link}").status_code == 404
    assert client.get(f"/c/{tenant.slug}/tickets/{old_ticket}").status_code == 404
    assert reload(session, Registration, reg.id).status == RegistrationStatus.GOING
    with app.app_context():
        new_link = calendar_links.cant_make_it_token(reg)
    assert client.get(f"/c/{tenant.slug}/meetups/cant-make-it/{new_link}").status_code == 200


def test_resending_an_invitation_replaces_its_link(session, app, client, owner_client, tenant):
    owner_client.post(f"/c/{tenant.slug}/admin/invitations/new",
                      data={"emails": "newcomer@example.jp", "role": "member"})
    with unscoped(session):
        row = session.scalar(select(Invitation).where(Invitation.email == "newcomer@example.jp"))
    with app.test_request_context():
        old = invitation_token(row)
    assert client.get(f"/invite/{old}").status_code == 200

    assert owner_client.post(f"/c/{tenant.slug}/admin/invitations/{row.id}/resend"
                             ).status_code == 302
    row = reload(session, Invitation, row.id)
    with app.test_request_context():
        new = invitation_token(row)
    refused = in_english(client).get(f"/invite/{old}")
    assert refused.status_code == 404
    assert client.post(f"/invite/{old}").status_code == 404
    assert reload(session, Invitation, row.id).accepted_at is None
    assert client.get(f"/invite/{new}").status_code == 200
