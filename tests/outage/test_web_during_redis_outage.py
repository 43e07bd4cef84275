"""Redis stopped under a running app (issue 12, finding 5): sign-in, sign-in links, sign-up and
meetup registration keep working, rate limits keep limiting (per process, in memory), the jobs
they ask for wait in the database and go out once Redis is back; /readyz stays ready.

Each test runs its own redis-server and stops it; nothing here touches another Redis.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import SimpleWorker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.models import OutboxMessage
from joren.platform.deferred import DeferredJob
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Registration, RegistrationStatus
from joren.workers import jobs as worker_jobs
from tests import factories
from tests.mailserver import SMTPServer
from tests.outage.redis_server import RedisServer
from tests.tenants.meetups.helpers_registrations import seated_meetup


@pytest.fixture()
def mail(outage_app: Flask) -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    outage_app.config.update(SMTP_URL=server.url, MAIL_CAPTURE=False)
    try:
        yield server
    finally:
        server.stop()


def _deferred(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(DeferredJob.job_name).order_by(DeferredJob.id)))


def _work_off(app: Flask) -> None:
    """What `joren cron` and `joren worker` do once Redis is back: the every-minute
    redelivery, then the workers empty the queues (in this process, inside the test's
    transaction)."""
    with app.app_context():
        worker_jobs.redeliver_deferred()
        queues = list(app.extensions["rq"].queues.values())
        while sum(q.count for q in queues):
            SimpleWorker(queues, connection=queues[0].connection,
                         job_class=queues[0].job_class).work(burst=True)
        failed = [j for q in queues for j in q.failed_job_registry.get_job_ids()]
        assert not failed, failed


def test_password_sign_in_and_its_rate_limit_work_while_redis_is_down(
        outage_app, outage_session, redis_server: RedisServer):
    account = factories.account(outage_session, email="hanako@example.jp")
    outage_session.commit()
    client = outage_app.test_client()
    redis_server.stop()

    signed_in = client.post("/login", data={"email": account.email,
                                            "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/account").status_code == 200

    # Wrong passwords for one address from one client (5 a minute) are still limited, the
    # count kept in this process meanwhile.
    guesser = outage_app.test_client()
    answers = [guesser.post("/login", data={"email": account.email, "password": "wrong"},
                            environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code
               for _ in range(6)]
    assert answers == [200] * 5 + [429]

    redis_server.start()
    again = outage_app.test_client().post(
        "/login", data={"email": account.email, "password": factories.PASSWORD})
    assert again.status_code == 302


def test_sign_in_link_requested_while_redis_is_down_arrives_once_it_is_back(
        outage_app, outage_session, redis_server: RedisServer, mail: SMTPServer):
    account = factories.account(outage_session, email="jiro@example.jp")
    outage_session.commit()
    redis_server.stop()

    response = outage_app.test_client().post("/login/email", data={"email": account.email})
    assert response.status_code == 200
    assert _deferred(outage_session) == ["joren.workers.account_jobs.send_account_email"]
    assert mail.messages == []

    redis_server.start()
    _work_off(outage_app)
    received = mail.to(account.email)
    assert len(received) == 1
    assert "/login/email/" in received[0].get_body(("plain",)).get_content()
    assert _deferred(outage_session) == []


def test_sign_up_while_redis_is_down_gets_its_confirmation_email_later(
        outage_app, outage_session, redis_server: RedisServer, mail: SMTPServer):
    redis_server.stop()
    response = outage_app.test_client().post("/signup", data={
        "email": "new.member@example.jp", "display_name": "新井 花子",
        "password": "a long enough passphrase 2026", "language": "ja"})
    assert response.status_code == 302
    assert len(_deferred(outage_session)) == 1

    redis_server.start()
    _work_off(outage_app)
    received = mail.to("new.member@example.jp")
    assert len(received) == 1
    assert "/verify/" in received[0].get_body(("plain",)).get_content()


def test_meetup_registration_while_redis_is_down_is_saved_and_confirmed_later(
        outage_app, outage_session, redis_server: RedisServer, mail: SMTPServer):
    tenant = factories.community(outage_session, slug="osaka-outage")
    account = factories.account(outage_session, email="member@example.jp")
    factories.member(outage_session, tenant, account)
    meetup = seated_meetup(outage_session, tenant, capacity=5)
    outage_session.commit()
    client: FlaskClient = outage_app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = factories.login_id(outage_session, account)
        s["_fresh"] = True
    redis_server.stop()

    response = client.post(f"/c/{tenant.slug}/meetups/{meetup.id}/register")
    assert response.status_code == 302
    with unscoped(outage_session):
        outage_session.expire_all()
        status = outage_session.scalar(select(Registration.status).where(
            Registration.meetup_id == meetup.id))
        queued = outage_session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.to_email == account.email))
    assert status == RegistrationStatus.GOING
    assert queued == 1
    assert _deferred(outage_session) != []

    redis_server.start()
    _work_off(outage_app)
    assert len(mail.to(account.email)) == 1


def test_readyz_stays_ready_without_redis_and_says_it_is_degraded(
        outage_app, redis_server: RedisServer):
    client = outage_app.test_client()
    assert client.get("/readyz").get_json()["status"] == "ok"
    redis_server.stop()

    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "ConnectionError"}
    assert client.get("/readyz/redis").status_code == 503

    redis_server.start()
    assert client.get("/readyz").get_json() == {
        "status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    assert client.get("/readyz/redis").status_code == 200
