"""Account enumeration (issue 11, finding 8): sign-up, forgot-password and magic-link requests
answer the same, and do the same work, whether or not the address has an account; the
emails, made later by a job, tell the owner the rest."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from joren.models import Account, OutboxMessage
from joren.platform.accounts import services
from tests import factories
from tests.platform.test_accounts import is_signed_in, link_in, outbox, signup

EN = {"Accept-Language": "en"}


def _neutral(response, email: str) -> str:  # type: ignore[no-untyped-def]
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]*"', "CSRF", page)


def _queued_jobs(app) -> list[tuple[str, tuple]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        queue = app.extensions["rq"].get_queue("transactional")
        return [(job.func_name, job.args) for job in queue.get_jobs()]


def _outbox_total(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_signup_answers_the_same_for_a_new_and_an_existing_address(app, session, people,
                                                                    run_jobs):
    session.commit()
    known, unknown = app.test_client(), app.test_client()
    taken = signup(known, email="owner@example.jp", headers=EN)
    new = signup(unknown, email="brand.new@example.jp", headers=EN)
    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    assert taken.get_data() == new.get_data()
    assert sorted(c.key for c in known._cookies.values()) == \
        sorted(c.key for c in unknown._cookies.values())
    assert _neutral(known.get(taken.headers["Location"], headers=EN), "owner@example.jp") == \
        _neutral(unknown.get(new.headers["Location"], headers=EN), "brand.new@example.jp")
    assert not is_signed_in(known) and not is_signed_in(unknown)

    run_jobs()
    [exists] = outbox(session, "owner@example.jp")
    assert exists.template == "accounts/signup_exists"
    assert "http://localhost/login?email=owner" in exists.text_body
    assert "http://localhost/password/forgot?email=owner" in exists.text_body
    assert "/verify/" not in exists.text_body
    [verify] = outbox(session, "brand.new@example.jp")
    assert verify.template == "accounts/verify"
    link_in(verify, "/verify/")
    assert fresh_password_of(session, "owner@example.jp") == people.owner.password_hash


def fresh_password_of(session, email: str) -> str | None:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(Account.password_hash).where(Account.email == email))


@pytest.mark.parametrize(("path", "template"), [("/password/forgot", "accounts/reset"),
                                                ("/login/email", "accounts/magic")])
def test_link_requests_do_the_same_work_and_answer_the_same(app, session, people, run_jobs,
                                                            path, template):
    session.commit()
    known = app.test_client().post(path, data={"email": "owner@example.jp"}, headers=EN)
    known_jobs = _queued_jobs(app)
    unknown = app.test_client().post(path, data={"email": "nobody@example.jp"}, headers=EN)
    all_jobs = _queued_jobs(app)
    assert known.status_code == unknown.status_code == 200
    assert _neutral(known, "owner@example.jp") == _neutral(unknown, "nobody@example.jp")

    # One job each, the same job; no token made, nothing rendered or stored in the request.
    assert len(known_jobs) == 1 and len(all_jobs) == 2
    (first_name, first_args), (second_name, second_args) = all_jobs
    assert first_name == second_name == "joren.workers.account_jobs.send_account_email"
    assert first_args[0] == second_args[0]
    assert _outbox_total(session) == 0

    run_jobs()
    assert [m.template for m in outbox(session, "owner@example.jp")] == [template]
    assert outbox(session, "nobody@example.jp") == []
    assert session.scalar(select(func.count()).select_from(Account)
                          .where(Account.email == "nobody@example.jp")) == 0


def test_a_retried_job_does_not_send_twice(app, session, people):
    session.commit()
    with app.test_request_context("/"):
        first = services.send_account_email(session, "reset", "owner@example.jp", "en", None,
                                            None, "same-request")
        again = services.send_account_email(session, "reset", "owner@example.jp", "en", None,
                                            None, "same-request")
    assert first is not None and again is not None and first.id == again.id


def test_signup_with_an_unverified_address_tells_its_owner_how_to_get_in(client, session,
                                                                         run_jobs):
    factories.account(session, "waiting@example.jp", verified=False)
    session.commit()
    signup(client, email="waiting@example.jp")
    run_jobs()
    [message] = outbox(session, "waiting@example.jp")
    assert message.template == "accounts/signup_exists"


def test_sending_the_confirmation_again_answers_the_same(app, session, people, run_jobs):
    factories.account(session, "waiting@example.jp", verified=False)
    session.commit()
    pages = {}
    for email in ("waiting@example.jp", "owner@example.jp", "nobody@example.jp"):
        c = app.test_client()
        response = c.post("/signup/resend", data={"email": email}, headers=EN)
        assert response.status_code == 302
        pages[email] = _neutral(c.get(response.headers["Location"], headers=EN), email)
    assert len(set(pages.values())) == 1
    run_jobs()
    assert [m.template for m in outbox(session, "waiting@example.jp")] == ["accounts/verify"]
    assert outbox(session, "owner@example.jp") == []  # already confirmed: nothing to send
    assert outbox(session, "nobody@example.jp") == []
