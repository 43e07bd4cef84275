"""Emailed links: password reset and magic sign-in (single use, expiring, no enumeration)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from joren.models import Account, OutboxMessage
from joren.platform.accounts import tokens
from joren.platform.security import verify_password
from tests import factories
from tests.platform.test_accounts import (
    NEW_PASSWORD,
    PASSWORD,
    _claimed_member_ids,
    fresh,
    is_signed_in,
    link_in,
    outbox,
    sign_in_form,
)

pytestmark = pytest.mark.usefixtures("clock")

EN = {"Accept-Language": "en"}
_JOBS: list = []


@pytest.fixture(autouse=True)
def _jobs_after_requests(run_jobs):  # type: ignore[no-untyped-def]
    """Reset and magic-link emails are made by a job (issue 11, finding 8): the helpers
    below run it right after the request, as a worker would."""
    _JOBS[:] = [run_jobs]
    yield
    _JOBS.clear()


def _outbox_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(OutboxMessage))


# Password reset --------------------------------------------------------------------------------

def _request_reset(client, email: str):
    response = client.post("/password/forgot", data={"email": email}, headers=EN)
    _JOBS[0]()
    return response


def _reset_link(session, email: str) -> str:
    return link_in(outbox(session, email, "accounts/reset")[-1], "/password/reset/")


def neutral(response, email):
    """The page with the address and the (time-stamped) CSRF tokens blanked out."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(
        client, session, people):
    session.commit()
    known = _request_reset(client, "owner@example.jp")
    unknown = _request_reset(client, "nobody@example.jp")
    assert known.status_code == unknown.status_code == 200

    assert neutral(known, "owner@example.jp") == neutral(unknown, "nobody@example.jp")
    assert "If an account exists for owner@example.jp" in known.get_data(as_text=True)
    assert len(outbox(session, "owner@example.jp", "accounts/reset")) == 1
    assert outbox(session, "nobody@example.jp") == []
    assert session.scalar(select(func.count()).select_from(Account)
                          .where(Account.email == "nobody@example.jp")) == 0


def test_forgot_password_rejects_a_malformed_address(client, session):
    response = _request_reset(client, "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.get_data(as_text=True)
    assert _outbox_count(session) == 0


def test_reset_link_sets_the_password_verifies_signs_in_and_signs_out_others(
        app, client, session, tenant):
    account = factories.account(session, "forgetful@example.jp", verified=False)
    imported = factories.member(session, tenant, email="forgetful@example.jp")
    session.commit()
    elsewhere = app.test_client()  # password sign-in is refused while unverified (#2)
    with elsewhere.session_transaction() as s:
        s["_user_id"] = factories.login_id(session, account, remember=True)
    session.commit()
    assert is_signed_in(elsewhere)

    _request_reset(client, "forgetful@example.jp")
    link = _reset_link(session, "forgetful@example.jp")
    page = client.get(link, headers=EN)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert 'autocomplete="new-password"' in page.get_data(as_text=True)

    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                           headers=EN)
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(elsewhere)

    account = fresh(session, account)
    assert verify_password(account.password_hash, NEW_PASSWORD)
    assert account.email_verified_at is not None
    # Offered on the account page, not joined silently (issue 11, finding 3).
    assert _claimed_member_ids(session, account) == set()
    assert "大阪異業種交流会" in client.get("/account", headers=EN).get_data(as_text=True)
    assert imported.account_id is None


def test_a_used_reset_link_is_refused_with_a_clear_message(client, session, people):
    session.commit()
    _request_reset(client, "owner@example.jp")
    link = _reset_link(session, "owner@example.jp")
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    hash_after_first_use = fresh(session, people.owner).password_hash

    again = client.get(link, headers=EN)
    assert again.status_code == 400
    assert "This link has already been used" in again.get_data(as_text=True)
    post_again = client.post(link, data={"password": "a third password!",
                                         "confirm": "a third password!"}, headers=EN)
    assert post_again.status_code == 400
    assert fresh(session, people.owner).password_hash == hash_after_first_use


def test_an_expired_reset_link_is_refused_and_changes_nothing(app, client, session, people,
                                                              clock):
    session.commit()
    _request_reset(client, "owner@example.jp")
    link = _reset_link(session, "owner@example.jp")
    clock.shift(seconds=app.config["TOKEN_MAX_AGE"]["reset"] + 1)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                           headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This link has expired" in page
    assert "/password/forgot" in page
    assert fresh(session, people.owner).password_hash == people.owner.password_hash
    assert not is_signed_in(client)


def test_a_forged_or_foreign_token_is_not_a_reset_link(app, client, session, people):
    session.commit()
    assert client.get("/password/reset/not-a-token", headers=EN).status_code == 400
    with app.test_request_context():
        verify_token = tokens.verify_token(people.owner)  # signed, but for another purpose
    response = client.get(f"/password/reset/{verify_token}", headers=EN)
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)


def test_reset_form_errors_keep_the_link_usable(client, session, people):
    session.commit()
    _request_reset(client, "owner@example.jp")
    link = _reset_link(session, "owner@example.jp")
    response = client.post(link, data={"password": "short", "confirm": "different"},
                           headers=EN)
    assert response.status_code == 200
    assert "Use between 10 and 200 characters" in response.get_data(as_text=True)
    assert client.get(link).status_code == 200
    assert fresh(session, people.owner).password_hash == people.owner.password_hash


def test_reset_email_is_in_the_account_language(client, session):
    factories.account(session, "english@example.jp", language="en")
    factories.account(session, "japanese@example.jp", language="ja")
    session.commit()
    _request_reset(client, "english@example.jp")
    _request_reset(client, "japanese@example.jp")
    [english] = outbox(session, "english@example.jp")
    [japanese] = outbox(session, "japanese@example.jp")
    assert english.language == "en"
    assert english.subject == "Choose a new password for Joren"
    assert "1 hour" in english.text_body
    assert japanese.language == "ja"
    assert 'lang="ja"' in japanese.html_body


# Magic links -----------------------------------------------------------------------------------

def _request_magic(client, email: str, **extra):
    response = client.post("/login/email", data={"email": email, **extra}, headers=EN)
    _JOBS[0]()
    return response


def _magic_link(session, email: str) -> str:
    return link_in(outbox(session, email, "accounts/magic")[-1], "/login/email/")


def test_magic_link_request_is_neutral_and_creates_nothing(client, session, people):
    session.commit()
    known = _request_magic(client, "member@example.jp")
    unknown = _request_magic(client, "stranger@example.jp")
    assert neutral(known, "member@example.jp") == neutral(unknown, "stranger@example.jp")
    assert len(outbox(session, "member@example.jp", "accounts/magic")) == 1
    assert outbox(session, "stranger@example.jp") == []
    assert session.scalar(select(func.count()).select_from(Account)
                          .where(Account.email == "stranger@example.jp")) == 0


def test_magic_link_request_rejects_malformed_and_too_long_addresses(client, session):
    for bad, message in (("nobody", "Enter a valid email address"),
                         ("x" * 400 + "@example.jp", "Use at most 320 characters.")):
        response = _request_magic(client, bad)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert _outbox_count(session) == 0


def test_magic_link_get_only_asks_for_confirmation(client, session, people):
    session.commit()
    _request_magic(client, "member@example.jp")
    link = _magic_link(session, "member@example.jp")
    page = client.get(link, headers=EN)  # what a mail scanner does
    assert page.status_code == 200
    assert 'method="post"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert not is_signed_in(client)
    assert fresh(session, people.member).login_nonce == people.member.login_nonce


def test_magic_link_signs_in_once(app, client, session, tenant):
    account = factories.account(session, "linker@example.jp", verified=False,
                                password_hash=None)
    imported = factories.member(session, tenant, email="linker@example.jp")
    session.commit()
    _request_magic(client, "linker@example.jp", next="/c/osaka-mixer/")
    link = _magic_link(session, "linker@example.jp")

    response = client.post(link, headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/osaka-mixer/")
    assert is_signed_in(client)
    account = fresh(session, account)
    assert account.email_verified_at is not None
    # Offered on the account page, not joined silently (issue 11, finding 3).
    assert _claimed_member_ids(session, account) == set()
    assert "大阪異業種交流会" in client.get("/account", headers=EN).get_data(as_text=True)
    assert imported.account_id is None

    other = app.test_client()
    reused = other.post(link, headers=EN)
    assert reused.status_code == 400
    assert "This link has already been used" in reused.get_data(as_text=True)
    assert not is_signed_in(other)


def test_an_older_magic_link_dies_when_a_newer_one_is_used(app, session, people):
    session.commit()
    client = app.test_client()
    _request_magic(client, "member@example.jp")
    first = _magic_link(session, "member@example.jp")
    _request_magic(client, "member@example.jp")
    second = _magic_link(session, "member@example.jp")
    assert client.post(second).status_code == 302
    other = app.test_client()
    assert other.post(first).status_code == 400
    assert not is_signed_in(other)


def test_magic_link_does_not_sign_in_once_the_nonce_changed(client, session, people):
    session.commit()
    _request_magic(client, "member@example.jp")
    link = _magic_link(session, "member@example.jp")
    people.member.login_nonce = "rotated-elsewhere"
    session.commit()
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert not is_signed_in(client)


def test_signing_out_everywhere_or_a_new_password_kills_unused_magic_links(app, login, session,
                                                                         people):
    session.commit()
    requester = app.test_client()
    _request_magic(requester, "member@example.jp")
    link = _magic_link(session, "member@example.jp")
    login(people.member).post("/account/sign-out-everywhere")
    assert requester.post(link).status_code == 400

    _request_magic(requester, "owner@example.jp")
    link = _magic_link(session, "owner@example.jp")
    login(people.owner).post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert requester.post(link).status_code == 400
    assert not is_signed_in(requester)


def test_expired_and_forged_magic_links_are_refused(app, client, session, people, clock):
    session.commit()
    _request_magic(client, "member@example.jp")
    link = _magic_link(session, "member@example.jp")
    forged = client.post(link[:-4] + "AAAA", headers=EN)
    assert forged.status_code == 400
    assert "This link is not valid" in forged.get_data(as_text=True)
    clock.shift(seconds=app.config["TOKEN_MAX_AGE"]["magic"] + 1)
    expired = client.post(link, headers=EN)
    assert expired.status_code == 400
    assert "This link has expired" in expired.get_data(as_text=True)
    assert "/login/email" in expired.get_data(as_text=True)
    assert not is_signed_in(client)


def test_magic_link_ignores_an_unsafe_next(client, session, people):
    session.commit()
    _request_magic(client, "outsider@example.jp", next="https://evil.com/")
    response = client.post(_magic_link(session, "outsider@example.jp"))
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


def test_magic_link_with_remember_me_sets_the_cookie(client, session, people):
    session.commit()
    _request_magic(client, "member@example.jp")
    client.post(_magic_link(session, "member@example.jp"), data={"remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_password_sign_in_still_works_after_a_magic_link(client, session, people):
    session.commit()
    _request_magic(client, "member@example.jp")
    client.post(_magic_link(session, "member@example.jp"))
    assert sign_in_form(client.application.test_client(), "member@example.jp",
                        PASSWORD).status_code == 302
