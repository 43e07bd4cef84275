"""Organizers invite people by email; resend and revoke; another community cannot touch them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from joren.models import Invitation, Member, MemberStatus, OutboxMessage, Role
from joren.platform.communities.invitations import (
    InvitationError,
    invitation_state,
    invite_member,
    resend_invitation,
    revoke_invitation,
)
from joren.platform.tenancy import unscoped
from joren.tenants.members.forms import split_addresses
from tests.tenants.helpers import in_english, login_url, reload

pytestmark = pytest.mark.usefixtures("clock")

PAGE = "/c/osaka-mixer/admin/invitations"
NEW = "/c/osaka-mixer/admin/invitations/new"


def resend(invitation_id: int) -> str:
    return f"/c/osaka-mixer/admin/invitations/{invitation_id}/resend"


def revoke(invitation_id: int) -> str:
    return f"/c/osaka-mixer/admin/invitations/{invitation_id}/revoke"


def _invitations(session, email: str | None = None) -> list[Invitation]:  # type: ignore[no-untyped-def]
    stmt = select(Invitation).order_by(Invitation.id)
    if email:
        stmt = stmt.where(Invitation.email == email)
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(stmt).unique())


def _outbox(session, prefix: str = "invite:") -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith(prefix))
        .order_by(OutboxMessage.id)))


def test_split_addresses_keeps_good_ones_and_reports_bad_ones():
    good, bad = split_addresses(
        "Yamada@Example.jp, sato@example.jp\n\nnot-an-address；\nsato@example.jp、"
        "＜kato@example.jp＞ foo@bar")
    assert good == ["yamada@example.jp", "sato@example.jp", "kato@example.jp"]
    assert bad == ["not-an-address", "foo@bar"]


def test_owner_invites_several_people_at_once(session, owner_client):
    response = owner_client.post(NEW, data={
        "emails": "a@example.jp\nb@example.jp, c@example.jp", "role": "member",
        "message": "来月の定例会でお会いしましょう"})
    assert response.status_code == 302
    rows = _invitations(session)
    assert [r.email for r in rows] == ["a@example.jp", "b@example.jp", "c@example.jp"]
    assert all(r.sent_count == 1 and r.role == Role.MEMBER for r in rows)
    with unscoped(session):
        members = [session.get(Member, r.member_id) for r in rows]
    assert all(m.account_id is None and m.status == MemberStatus.MEMBER and m.family_name == ""
               for m in members)
    mails = _outbox(session)
    assert [m.to_email for m in mails] == ["a@example.jp", "b@example.jp", "c@example.jp"]
    assert mails[0].idempotency_key == f"invite:{rows[0].id}:1"
    assert mails[0].community_id == rows[0].tenant_id


def test_invitation_email_content_in_the_community_language(session, owner_client):
    owner_client.post(NEW, data={"emails": "a@example.jp", "role": "member",
                                 "message": "来月の定例会でお会いしましょう"})
    mail = _outbox(session)[0]
    assert mail.language == "ja"
    assert "大阪異業種交流会" in mail.subject
    for body in (mail.text_body, mail.html_body):
        assert "大家 一郎" in body
        assert "来月の定例会でお会いしましょう" in body
        assert "http://localhost/invite/" in body


def test_invitation_email_in_the_invitees_own_language(session, owner_client, people):
    with unscoped(session):
        row = session.get(Member, people.member_member.id)
        row.status = MemberStatus.INACTIVE
    session.commit()
    owner_client.post(NEW, data={"emails": people.member.email, "role": "member"})
    mail = _outbox(session)[0]
    assert mail.language == "en"
    assert "invites you to join 大阪異業種交流会 on Joren" in mail.text_body


def test_bad_addresses_are_reported_and_good_ones_still_invited(session, owner_client):
    response = in_english(owner_client).post(NEW, data={
        "emails": "good@example.jp\nnope\nalso-good@example.jp, bad@@example.jp",
        "role": "member"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "These are not valid email addresses" in body
    assert "nope" in body and "bad@@example.jp" in body
    assert [r.email for r in _invitations(session)] == ["good@example.jp",
                                                         "also-good@example.jp"]


def test_active_members_are_reported_not_invited(session, owner_client, people):
    response = in_english(owner_client).post(NEW, data={
        "emails": f"{people.member.email}\nnew@example.jp", "role": "member"})
    assert response.status_code == 302
    assert [r.email for r in _invitations(session)] == ["new@example.jp"]
    page = owner_client.get(PAGE)
    assert "Already members" in page.get_data(as_text=True)


def test_invite_service_refuses_an_active_member(scoped, tenant, people, app_ctx):
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    with pytest.raises(InvitationError) as error:
        invite_member(s, tenant, owner, "MEMBER@example.jp", Role.MEMBER, "")
    assert error.value.code == "already_member"
    with pytest.raises(InvitationError) as error:
        invite_member(s, tenant, owner, "not an email", Role.MEMBER, "")
    assert error.value.code == "invalid_email"


def test_inviting_again_revokes_the_older_link(scoped, tenant, people, app_ctx):
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    first = invite_member(s, tenant, owner, "twice@example.jp", Role.MEMBER, "")
    second = invite_member(s, tenant, owner, "twice@example.jp", Role.STAFF, "")
    assert first.member_id == second.member_id
    assert invitation_state(first) == "revoked"
    assert invitation_state(second) == "pending"


def test_only_owners_invite_organizers(session, organizer_client, owner_client):
    response = organizer_client.post(NEW, data={"emails": "co@example.jp", "role": "organizer"})
    assert response.status_code == 403
    assert _invitations(session) == []
    assert organizer_client.post(NEW, data={"emails": "co@example.jp",
                                            "role": "staff"}).status_code == 302
    assert owner_client.post(NEW, data={"emails": "co2@example.jp",
                                        "role": "organizer"}).status_code == 302
    assert {(r.email, r.role) for r in _invitations(session)} == {
        ("co@example.jp", Role.STAFF), ("co2@example.jp", Role.ORGANIZER)}


def test_nobody_is_invited_as_owner(session, owner_client):
    response = owner_client.post(NEW, data={"emails": "boss@example.jp", "role": "owner"})
    assert response.status_code == 422
    assert _invitations(session) == []


def test_empty_form_and_too_many_addresses(session, owner_client):
    assert owner_client.post(NEW, data={"emails": "", "role": "member"}).status_code == 422
    many = "\n".join(f"p{n}@example.jp" for n in range(51))
    assert owner_client.post(NEW, data={"emails": many, "role": "member"}).status_code == 422
    assert _invitations(session) == []


def test_staff_see_the_list_but_cannot_invite(session, staff_client, member_client):
    page = staff_client.get(PAGE)
    assert page.status_code == 200
    assert 'action="/c/osaka-mixer/admin/invitations/new"' not in page.get_data(as_text=True)
    assert staff_client.post(NEW, data={"emails": "x@example.jp",
                                        "role": "member"}).status_code == 403
    assert member_client.get(PAGE).status_code == 403
    assert _invitations(session) == []


def test_anonymous_is_sent_to_sign_in(client, app, people):
    for response in (client.get(PAGE), client.post(NEW, data={"emails": "x@example.jp"})):
        assert response.status_code == 302
        assert response.headers["Location"].startswith(login_url(app).split("?")[0])


def test_list_shows_states(session, owner_client):
    owner_client.post(NEW, data={"emails": "a@example.jp\nb@example.jp", "role": "member"})
    a, b = _invitations(session)
    owner_client.post(revoke(b.id))
    body = in_english(owner_client).get(PAGE).get_data(as_text=True)
    assert "a@example.jp" in body and "Pending" in body and "Revoked" in body


def test_resend_sends_a_new_email(session, owner_client):
    owner_client.post(NEW, data={"emails": "a@example.jp", "role": "member"})
    (row,) = _invitations(session)
    assert owner_client.post(resend(row.id)).status_code == 302
    row = reload(session, Invitation, row.id)
    assert row.sent_count == 2
    assert [m.idempotency_key for m in _outbox(session)] == [f"invite:{row.id}:1",
                                                             f"invite:{row.id}:2"]


def test_revoke_stops_the_link(session, owner_client):
    owner_client.post(NEW, data={"emails": "a@example.jp", "role": "member"})
    (row,) = _invitations(session)
    assert owner_client.post(revoke(row.id)).status_code == 302
    row = reload(session, Invitation, row.id)
    assert invitation_state(row) == "revoked"
    owner_client.post(resend(row.id))
    assert reload(session, Invitation, row.id).sent_count == 1


def test_revoke_and_resend_need_an_organizer(session, owner_client, staff_client):
    owner_client.post(NEW, data={"emails": "a@example.jp", "role": "member"})
    (row,) = _invitations(session)
    assert staff_client.post(revoke(row.id)).status_code == 403
    assert staff_client.post(resend(row.id)).status_code == 403
    row = reload(session, Invitation, row.id)
    assert (row.revoked_at, row.sent_count) == (None, 1)


def test_revoke_and_resend_are_post_only(owner_client):
    assert owner_client.get(revoke(1)).status_code == 405
    assert owner_client.get(resend(1)).status_code == 405


def test_accepted_invitation_cannot_be_revoked(scoped, tenant, people, app_ctx):
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    row = invite_member(s, tenant, owner, "a@example.jp", Role.MEMBER, "")
    from joren.platform.db import utcnow

    row.accepted_at = utcnow()
    with pytest.raises(InvitationError):
        revoke_invitation(s, row, owner)
    with pytest.raises(InvitationError):
        resend_invitation(s, tenant, row, owner)


# -- isolation --------------------------------------------------------------------------------

@pytest.fixture()
def theirs(app, scoped, other_tenant, people):  # type: ignore[no-untyped-def]
    """An invitation of the other community."""
    s = scoped(other_tenant)
    with app.test_request_context("/"):
        row = invite_member(s, other_tenant, s.get(Member, people.other_owner_member.id),
                            "their-guest@example.jp", Role.MEMBER, "秘密のメッセージ")
        s.commit()
    return row


def test_another_communitys_invitation_is_404(session, owner_client, theirs):
    assert owner_client.post(resend(theirs.id)).status_code == 404
    assert owner_client.post(revoke(theirs.id)).status_code == 404
    row = reload(session, Invitation, theirs.id)
    assert (row.revoked_at, row.sent_count) == (None, 1)


def test_list_never_shows_another_communitys_invitations(owner_client, theirs):
    body = owner_client.get(PAGE).get_data(as_text=True)
    assert "their-guest@example.jp" not in body


def test_another_communitys_owner_cannot_invite_here(session, login, people, theirs):
    c = login(people.other_owner)
    assert c.get(PAGE).status_code == 403
    assert c.post(NEW, data={"emails": "spy@example.jp", "role": "member"}).status_code == 403
    with unscoped(session):
        assert session.scalar(select(func.count(Member.id)).where(
            Member.email == "spy@example.jp")) == 0


def test_invited_email_already_in_other_community_is_a_separate_row(session, scoped, tenant,
                                                                    people, app_ctx):
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    row = invite_member(s, tenant, owner, people.other_owner.email, Role.MEMBER, "")
    assert row.member_id != people.other_owner_member.id
    assert row.tenant_id == tenant.id
