"""Accepting an invitation at /invite/<token>: the link proves the address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import Account, Invitation, Member, MemberStatus, OutboxMessage, Role
from joren.platform.accounts.tokens import INVITE_LINK, MAGIC
from joren.platform.communities.invitations import (
    InvitationError,
    accept_invitation,
    invitation_token,
    invite_member,
)
from joren.platform.db import utcnow
from joren.platform.membership.offers import offer_memberships
from joren.platform.tenancy import set_tenant, unscoped
from tests import factories
from tests.tenants.helpers import in_english, reload

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def invite(app, maker, people, tenant):  # type: ignore[no-untyped-def]
    """``invite(email, role)`` → (invitation, token), made by the owner and committed."""

    def make(email: str = "newcomer@example.jp", role: Role = Role.MEMBER,
             message: str = "ぜひお越しください"):  # type: ignore[no-untyped-def]
        s = maker(expire_on_commit=False)
        set_tenant(s, tenant.id)
        with app.test_request_context("/"):
            owner = s.get(Member, people.owner_member.id)
            invitation = invite_member(s, tenant, owner, email, role, message)
            token = invitation_token(invitation)
            s.commit()
        return invitation, token

    return make


def _account(session, email):  # type: ignore[no-untyped-def]
    return session.scalar(select(Account).where(Account.email == email))


def test_invitation_page_shows_the_community_and_inviter(client, invite):
    _, token = invite()
    page = in_english(client).get(f"/invite/{token}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "大阪異業種交流会" in body
    assert "大家 一郎" in body
    assert "ぜひお越しください" in body
    assert "newcomer@example.jp" in body


def test_accepting_creates_a_verified_passwordless_account_and_signs_in(session, client, invite):
    invitation, token = invite()
    client.post("/language", data={"language": "en"})
    response = client.post(f"/invite/{token}")
    assert response.status_code == 302
    # First the community's privacy notice, then on to the portal.
    assert response.headers["Location"] == "/c/osaka-mixer/privacy?next=/c/osaka-mixer/"
    account = _account(session, "newcomer@example.jp")
    assert account.password_hash is None
    assert account.email_verified_at is not None
    assert account.language == "en"
    member = reload(session, Member, invitation.member_id)
    assert member.account_id == account.id
    assert member.status == MemberStatus.MEMBER and member.role == Role.MEMBER
    assert reload(session, Invitation, invitation.id).accepted_at is not None
    portal = client.get("/c/osaka-mixer/")
    assert portal.status_code == 200
    assert "data-figure=\"my-attendance\"" in portal.get_data(as_text=True)


def test_staff_invitation_lands_on_the_console(session, client, invite):
    _, token = invite("door@example.jp", Role.STAFF)
    response = client.post(f"/invite/{token}")
    assert response.headers["Location"].endswith("/privacy?next=/c/osaka-mixer/admin/")
    assert client.get("/c/osaka-mixer/admin/").status_code == 200


def test_existing_account_is_attached_and_verified(session, client, invite):
    existing = factories.account(session, "known@example.jp", verified=False, language="ja")
    session.commit()
    invitation, token = invite("known@example.jp")
    client.post(f"/invite/{token}")
    account = reload(session, Account, existing.id)
    assert account.email_verified_at is not None
    assert account.password_hash == existing.password_hash
    assert reload(session, Member, invitation.member_id).account_id == existing.id


def test_signed_in_as_the_invited_address(session, login, invite, people):
    invitation, token = invite(people.outsider.email)
    response = login(people.outsider).post(f"/invite/{token}")
    assert response.status_code == 302
    assert reload(session, Member, invitation.member_id).account_id == people.outsider.id


def test_someone_else_signed_in_is_told_and_nothing_changes(session, login, invite, people):
    invitation, token = invite()
    c = login(people.other_owner)
    page = in_english(c).get(f"/invite/{token}")
    body = page.get_data(as_text=True)
    assert "but you are signed in as other-owner@example.jp" in body
    assert 'action="/logout"' in body
    response = c.post(f"/invite/{token}")
    assert response.status_code == 409
    assert reload(session, Invitation, invitation.id).accepted_at is None
    assert reload(session, Member, invitation.member_id).account_id is None
    assert _account(session, "newcomer@example.jp") is None


def test_used_link_cannot_be_used_twice(session, app, client, invite):
    invitation, token = invite()
    client.post(f"/invite/{token}")
    again = in_english(app.test_client()).post(f"/invite/{token}")
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_revoked_link_is_refused(session, client, invite, scoped, tenant):
    invitation, token = invite()
    s = scoped(tenant)
    row = s.get(Invitation, invitation.id)
    row.revoked_at = utcnow()
    s.commit()
    response = in_english(client).post(f"/invite/{token}")
    assert response.status_code == 410
    assert "withdrawn" in response.get_data(as_text=True)
    assert _account(session, "newcomer@example.jp") is None


def test_expired_invitation_is_refused(session, client, invite, scoped, tenant):
    invitation, token = invite()
    s = scoped(tenant)
    s.get(Invitation, invitation.id).expires_at = utcnow() - timedelta(minutes=1)
    s.commit()
    response = in_english(client).post(f"/invite/{token}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert _account(session, "newcomer@example.jp") is None


def test_expired_signature_is_refused(app, client, invite):
    _, token = invite()
    app.config["TOKEN_MAX_AGE"]["invite"], previous = -1, app.config["TOKEN_MAX_AGE"]["invite"]
    try:
        response = in_english(client).get(f"/invite/{token}")
    finally:
        app.config["TOKEN_MAX_AGE"]["invite"] = previous
    assert response.status_code == 410


@pytest.mark.parametrize("forge", ["garbage", "tampered", "wrong-nonce", "wrong-purpose",
                                   "missing-row"])
def test_forged_links_are_refused(session, app, client, invite, forge):
    invitation, token = invite()
    with app.test_request_context("/"):
        forged = {
            "garbage": "not-a-token",
            "tampered": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
            "wrong-nonce": INVITE_LINK.sign({"i": invitation.id, "n": "guess"}),
            "wrong-purpose": MAGIC.sign({"i": invitation.id, "n": invitation.nonce}),
            "missing-row": INVITE_LINK.sign({"i": invitation.id + 999, "n": "x"}),
        }[forge]
    response = in_english(client).post(f"/invite/{forged}")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.get_data(as_text=True)
    assert reload(session, Invitation, invitation.id).accepted_at is None
    assert _account(session, "newcomer@example.jp") is None


def test_accept_service_refuses_a_wrong_signed_in_account(session, scoped, tenant, invite,
                                                          people):
    invitation, _ = invite()
    s = scoped(tenant)
    row = s.get(Invitation, invitation.id)
    with pytest.raises(InvitationError) as error:
        accept_invitation(s, row, "ja", signed_in=people.outsider)
    assert error.value.code == "wrong_account"


def test_reinvited_former_member_comes_back_with_the_new_role(session, scoped, tenant, invite,
                                                              people, client):
    s = scoped(tenant)
    former = s.get(Member, people.staff_member.id)
    former.status = MemberStatus.INACTIVE
    s.commit()
    invitation, token = invite(people.staff.email, Role.MEMBER)
    assert invitation.member_id == people.staff_member.id
    client.post(f"/invite/{token}")
    row = reload(session, Member, people.staff_member.id)
    assert (row.status, row.role, row.account_id) == (MemberStatus.MEMBER, Role.MEMBER,
                                                      people.staff.id)


# -- claiming ------------------------------------------------------------------------------

# Since issue 11 (finding 3) a matching verified email no longer claims a row silently: the
# row is offered to the person, who accepts or declines (tests/platform/test_membership_offers.py).

def test_invited_row_is_offered_through_its_pending_invitation(session, invite):
    invitation, _ = invite("later@example.jp")
    account = factories.account(session, "later@example.jp")
    offers = offer_memberships(session, account, now=utcnow(), lifetime=timedelta(days=7))
    assert [o.id for o in offers] == [invitation.id]
    assert reload(session, Member, invitation.member_id).account_id is None


def test_pre_imported_guest_row_is_offered_across_communities(session, tenant, other_tenant):
    here = factories.member(session, tenant, email="visitor@example.jp",
                            status=MemberStatus.GUEST)
    there = factories.member(session, other_tenant, email="visitor@example.jp",
                             status=MemberStatus.GUEST)
    unverified = factories.account(session, "visitor@example.jp", verified=False)
    week = timedelta(days=7)
    assert offer_memberships(session, unverified, now=utcnow(), lifetime=week) == []
    unverified.email_verified_at = utcnow()
    offers = offer_memberships(session, unverified, now=utcnow(), lifetime=week)
    assert {o.member_id for o in offers} == {here.id, there.id}
    with unscoped(session):
        assert reload(session, Member, here.id).account_id is None


def test_guest_row_invited_then_accepted_keeps_its_history(session, client, tenant, invite):
    guest = factories.member(session, tenant, email="guest@example.jp",
                             status=MemberStatus.GUEST, company="梅田商事")
    session.commit()
    invitation, token = invite("guest@example.jp")
    assert invitation.member_id == guest.id
    client.post(f"/invite/{token}")
    row = reload(session, Member, guest.id)
    assert row.status == MemberStatus.MEMBER
    assert row.company == "梅田商事"
    assert row.account_id is not None


# -- the email, delivered ------------------------------------------------------------------

def test_invitation_email_reaches_a_real_smtp_server(session, smtp_server, run_jobs, invite,
                                                     client):
    invitation, _ = invite("smtp-guest@example.jp")
    message = session.scalar(select(OutboxMessage).where(
        OutboxMessage.idempotency_key == f"invite:{invitation.id}:1"))
    assert message is not None
    run_jobs()
    received = smtp_server.messages
    assert [m["To"] for m in received] == ["smtp-guest@example.jp"]
    text = received[0].get_body(("plain",)).get_content()
    link = next(word for word in text.split() if "/invite/" in word)
    path = link.split("localhost", 1)[1]
    assert client.post(path).status_code == 302
    assert reload(session, Invitation, invitation.id).accepted_at is not None
