"""Account emails end to end: queued in the outbox, sent by the worker to a real SMTP server."""

from __future__ import annotations

import re
from email.message import EmailMessage

from sqlalchemy import select

from joren.models import Account
from tests import factories
from tests.platform.test_accounts import _claimed_member_ids, fresh, is_signed_in, signup

EN = {"Accept-Language": "en"}


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "both a text and an HTML part"
    return text.get_content(), html.get_content()


def _link(message: EmailMessage, path: str) -> str:
    text, html = _parts(message)
    pattern = r"http://localhost(" + re.escape(path) + r"[A-Za-z0-9_.\-]+)"
    from_text = re.search(pattern, text).group(1)
    assert re.search(pattern, html).group(1) == from_text
    return from_text


def test_signup_verification_email_arrives_and_verifying_offers_membership(
        client, session, tenant, smtp_server, run_jobs):
    imported = factories.member(session, tenant, email="newcomer@example.jp")
    session.commit()
    signup(client, email="newcomer@example.jp", name="Newcomer", language="en")
    assert run_jobs() >= 1

    [message] = smtp_server.to("newcomer@example.jp")
    assert message["Subject"] == "Confirm your email address for Joren"
    text, html = _parts(message)
    assert "Hello Newcomer," in text
    assert "Confirm my email address" in html
    assert "3 days" in text

    response = client.get(_link(message, "/verify/"), headers=EN)
    assert response.status_code == 302
    account = session.scalar(select(Account).where(Account.email == "newcomer@example.jp"))
    assert fresh(session, account).email_verified_at is not None
    assert response.headers["Location"].endswith("/account#invitations")
    assert _claimed_member_ids(session, account) == set()  # accepted on the account page
    assert imported.account_id is None


def test_verification_email_is_in_japanese_for_a_japanese_signup(client, session, smtp_server,
                                                                 run_jobs):
    signup(client, email="nihongo@example.jp", language="ja", headers=EN)
    run_jobs()
    [message] = smtp_server.to("nihongo@example.jp")
    _text, html = _parts(message)
    assert 'lang="ja"' in html


def test_reset_email_arrives_and_its_link_works(app, client, session, people, smtp_server,
                                               run_jobs):
    session.commit()
    client.post("/password/forgot", data={"email": "owner@example.jp"}, headers=EN)
    run_jobs()
    [message] = smtp_server.to("owner@example.jp")
    link = _link(message, "/password/reset/")
    response = client.post(link, data={"password": "a new pass phrase", "confirm":
                                       "a new pass phrase"})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_magic_link_email_arrives_and_signs_in(app, client, session, people, smtp_server,
                                              run_jobs):
    session.commit()
    client.post("/login/email", data={"email": "member@example.jp"}, headers=EN)
    run_jobs()
    [message] = smtp_server.to("member@example.jp")
    assert message["Subject"] == "Your sign-in link for Joren"  # the account's language is en
    link = _link(message, "/login/email/")
    assert client.get(link).status_code == 200
    assert not is_signed_in(client)
    assert client.post(link).status_code == 302
    assert is_signed_in(client)


def test_no_email_goes_to_an_unknown_address(client, session, smtp_server, run_jobs):
    client.post("/login/email", data={"email": "ghost@example.jp"})
    client.post("/password/forgot", data={"email": "ghost@example.jp"})
    run_jobs()
    assert smtp_server.messages == []
