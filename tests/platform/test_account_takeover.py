"""Account takeover by registering someone's address first (issue 11, finding 2).

The attack: an attacker signs up with the victim's address and their own password, then
waits for the victim to prove the address (verification link, magic link, invitation) and
walks into a verified account with the victim's imported memberships. Each test plays it end
to end and checks that it fails now.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.models import Account, Member
from joren.platform.communities.invitations import invitation_token, invite_member
from joren.platform.identity.account import AccountSession
from joren.platform.tenancy import set_tenant, unscoped
from tests import factories
from tests.platform.test_accounts import (
    _claimed_member_ids,
    fresh,
    is_signed_in,
    link_in,
    outbox,
    sign_in_form,
    signup,
)

VICTIM = "victim@example.jp"
ATTACKER_PASSWORD = "the attacker's own passphrase"
EN = {"Accept-Language": "en"}


@pytest.fixture()
def squatted(app, session, tenant, run_jobs):  # type: ignore[no-untyped-def]
    """The attacker's browser, after signing up with the victim's address; the victim's
    imported member row waits in ``tenant``."""
    imported = factories.member(session, tenant, email=VICTIM)
    session.commit()
    attacker = app.test_client()
    signup(attacker, email=VICTIM, name="Attacker", password=ATTACKER_PASSWORD)
    run_jobs()
    account = session.scalar(select(Account).where(Account.email == VICTIM))
    assert account is not None and account.email_verified_at is None
    return attacker, account, imported


def _attacker_password_works(app) -> bool:  # type: ignore[no-untyped-def]
    probe = app.test_client()
    sign_in_form(probe, VICTIM, password=ATTACKER_PASSWORD)
    return is_signed_in(probe)


def _live_sessions(session, account) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return len(list(session.scalars(select(AccountSession).where(
        AccountSession.account_id == account.id, AccountSession.revoked_at.is_(None)))))


def test_sign_up_does_not_sign_the_squatter_in_and_password_sign_in_is_refused(
        app, session, squatted):
    attacker, account, _imported = squatted
    assert not is_signed_in(attacker)
    response = sign_in_form(attacker, VICTIM, password=ATTACKER_PASSWORD, headers=EN)
    assert "Please confirm your email address first" in response.get_data(as_text=True)
    assert not is_signed_in(attacker)
    assert _live_sessions(session, account) == 0


def test_victim_confirming_by_the_verification_link_removes_the_squatters_password(
        app, session, squatted):
    attacker, account, imported = squatted
    # Say the squatter held a session anyway (from before this fix, or any other way).
    with attacker.session_transaction() as s:
        s["_user_id"] = factories.login_id(session, account, remember=True)
    session.commit()
    assert is_signed_in(attacker)

    [message] = outbox(session, VICTIM, "accounts/verify")
    victim = app.test_client()
    link = link_in(message, "/verify/")
    assert victim.get(link).status_code == 200  # a button, not an instant confirmation
    response = victim.post(link, headers=EN)
    assert response.headers["Location"].endswith("/account#password")
    assert is_signed_in(victim)

    account = fresh(session, account)
    assert account.email_verified_at is not None
    assert account.password_hash is None
    assert not is_signed_in(attacker)
    assert not _attacker_password_works(app)
    assert _live_sessions(session, account) == 1  # the victim's own
    assert _claimed_member_ids(session, account) == set()  # offered to the victim, not joined
    assert imported.account_id is None


def test_the_verification_link_opened_in_the_squatters_browser_needs_the_mail(
        app, session, squatted):
    """The squatter has no link; a link from their own sign-up only ever reaches the victim.
    And the victim's browser never carries the squatter's sign-up key."""
    attacker, account, _imported = squatted
    [message] = outbox(session, VICTIM, "accounts/verify")
    with attacker.session_transaction() as s:
        attacker_key = s["signup_key"]
    victim = app.test_client()
    victim.get("/signup")
    with victim.session_transaction() as s:
        assert s.get("signup_key") != attacker_key
    victim.get(link_in(message, "/verify/"))
    assert fresh(session, account).email_verified_at is None  # still needs the click


def test_victim_confirming_by_a_magic_link_removes_the_squatters_password(
        app, session, squatted, run_jobs):
    attacker, account, _imported = squatted
    with attacker.session_transaction() as s:
        s["_user_id"] = factories.login_id(session, account)
    session.commit()

    victim = app.test_client()
    victim.post("/login/email", data={"email": VICTIM})
    run_jobs()
    [message] = outbox(session, VICTIM, "accounts/magic")
    response = victim.post(link_in(message, "/login/email/"), headers=EN)
    assert response.headers["Location"].endswith("/account#password")
    assert is_signed_in(victim)
    account = fresh(session, account)
    assert account.email_verified_at is not None and account.password_hash is None
    assert not is_signed_in(attacker)
    assert not _attacker_password_works(app)


def test_victim_accepting_an_invitation_removes_the_squatters_password(
        app, maker, session, tenant, people, squatted):
    attacker, account, _imported = squatted
    with attacker.session_transaction() as s:
        s["_user_id"] = factories.login_id(session, account)
    session.commit()

    s = maker(expire_on_commit=False)
    set_tenant(s, tenant.id)
    with app.test_request_context("/"):
        owner = s.get(Member, people.owner_member.id)
        invitation = invite_member(s, tenant, owner, VICTIM)
        token = invitation_token(invitation)
        s.commit()

    victim = app.test_client()
    assert victim.post(f"/invite/{token}").status_code == 302
    assert is_signed_in(victim)
    account = fresh(session, account)
    assert account.email_verified_at is not None and account.password_hash is None
    assert not is_signed_in(attacker)
    assert not _attacker_password_works(app)
    with unscoped(session):
        row = session.get(Member, invitation.member_id)
        assert row.account_id == account.id  # the victim accepted this one themself


def test_victim_resetting_the_password_ends_the_squatters_sessions(
        app, session, squatted, run_jobs):
    attacker, account, _imported = squatted
    with attacker.session_transaction() as s:
        s["_user_id"] = factories.login_id(session, account)
    session.commit()
    victim = app.test_client()
    victim.post("/password/forgot", data={"email": VICTIM})
    run_jobs()
    [message] = outbox(session, VICTIM, "accounts/reset")
    new = "the victim's real passphrase"
    victim.post(link_in(message, "/password/reset/"), data={"password": new, "confirm": new})
    assert is_signed_in(victim)
    assert not is_signed_in(attacker)
    assert not _attacker_password_works(app)


def test_the_registrant_confirming_in_their_own_browser_keeps_their_password(
        app, client, session, run_jobs):
    signup(client, email="honest@example.jp", password="an honest passphrase")
    run_jobs()
    [message] = outbox(session, "honest@example.jp", "accounts/verify")
    assert client.get(link_in(message, "/verify/")).status_code == 302
    assert is_signed_in(client)
    account = session.scalar(select(Account).where(Account.email == "honest@example.jp"))
    assert fresh(session, account).password_hash is not None
    probe = app.test_client()
    sign_in_form(probe, "honest@example.jp", password="an honest passphrase")
    assert is_signed_in(probe)
