"""The platform admin's page of FAILED outbox messages, with resend through the outbox."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from joren.models import OutboxMessage, OutboxStatus
from joren.platform.admin.outbox import mask_email
from tests import factories
from tests.workers.helpers import notice, queued_jobs


@pytest.fixture()
def admin(session):
    account = factories.account(session, "root@example.jp", is_platform_admin=True)
    session.commit()
    return account


def _failed(app, session, to="hanako.yamada@example.jp", key="failed-1", community_id=None):
    with app.test_request_context("/"):
        message = notice(session, to=to, key=key, community_id=community_id)
        message.status = OutboxStatus.FAILED
        message.attempts = 5
        message.last_error = "550 mailbox unavailable"
        session.commit()
    return message


def _status(session, message):
    return session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message.id)
                          .execution_options(populate_existing=True))


def test_the_page_lists_failed_messages_with_masked_recipients(app, login, admin, session,
                                                               tenant):
    message = _failed(app, session, community_id=tenant.id)
    with app.test_request_context("/"):
        notice(session, to="delivered@example.jp", key="ok-1")
        session.commit()

    page = login(admin).get("/admin/outbox/failed").get_data(as_text=True)

    row = re.search(rf'data-testid="failed-{message.id}".*?</tr>', page, re.S).group(0)
    assert "ha***@example.jp" in row and "hanako.yamada" not in page
    assert "550 mailbox unavailable" in row and "大阪異業種交流会" in row
    assert message.subject in row
    assert "de***@example.jp" not in page


def test_resend_makes_a_failed_message_sent_by_the_worker(app, login, admin, session,
                                                          run_jobs, smtp_server):
    message = _failed(app, session)
    run_jobs()  # the original send job, long gone in production
    client = login(admin)

    response = client.post(f"/admin/outbox/{message.id}/resend")
    again = client.post(f"/admin/outbox/{message.id}/resend")  # a double click

    assert response.status_code == 302 and again.status_code == 302
    assert _status(session, message) == OutboxStatus.PENDING
    run_jobs()
    assert _status(session, message) == OutboxStatus.SENT
    assert [m["To"] for m in smtp_server.messages] == ["hanako.yamada@example.jp"]
    assert client.post(f"/admin/outbox/{message.id}/resend").status_code == 302
    assert queued_jobs(app) == []  # a sent message is not requeued


def test_resend_all_asks_first_then_requeues_every_failed_message(app, login, admin, session,
                                                                  run_jobs, smtp_server):
    first = _failed(app, session, to="a@example.jp", key="f-a")
    second = _failed(app, session, to="b@example.jp", key="f-b")
    run_jobs()
    client = login(admin)

    confirm = client.get("/admin/outbox/failed/resend-all")
    assert confirm.status_code == 200 and b"confirm-resend-all" in confirm.data
    assert _status(session, first) == OutboxStatus.FAILED  # asking changes nothing

    client.post("/admin/outbox/failed/resend-all")
    run_jobs()

    assert _status(session, first) == _status(session, second) == OutboxStatus.SENT
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.jp", "b@example.jp"]


@pytest.mark.parametrize("who", ["owner", "organizer", "member", "outsider"])
def test_others_get_404_and_cannot_resend(app, login, people, session, who):
    message = _failed(app, session)
    client = login(getattr(people, who))

    assert client.get("/admin/outbox/failed").status_code == 404
    assert client.post(f"/admin/outbox/{message.id}/resend").status_code == 404
    assert client.post("/admin/outbox/failed/resend-all").status_code == 404
    assert _status(session, message) == OutboxStatus.FAILED


def test_anonymous_visitors_get_404(app, client, session):
    message = _failed(app, session)
    assert client.get("/admin/outbox/failed").status_code == 404
    assert client.post(f"/admin/outbox/{message.id}/resend").status_code == 404


def test_resend_needs_the_csrf_token(app, login, admin, session):
    message = _failed(app, session)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = login(admin).post(f"/admin/outbox/{message.id}/resend")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert _status(session, message) == OutboxStatus.FAILED


def test_paging(app, login, admin, session, monkeypatch):
    from joren.platform.admin import outbox

    for i in range(3):
        _failed(app, session, to=f"p{i}@example.jp", key=f"p-{i}")
    monkeypatch.setattr(outbox, "PER_PAGE", 2)
    monkeypatch.setattr(outbox.failed_messages, "__defaults__", (1, 2))
    client = login(admin)

    first = client.get("/admin/outbox/failed").get_data(as_text=True)
    second = client.get("/admin/outbox/failed?page=2").get_data(as_text=True)
    beyond = client.get("/admin/outbox/failed?page=99999999999999")

    assert first.count('data-testid="failed-') == 2 and second.count('data-testid="failed-') == 1
    assert beyond.status_code in (200, 404)


@pytest.mark.parametrize("address, masked", [
    ("hanako.yamada@example.jp", "ha***@example.jp"), ("a@example.jp", "a***@example.jp"),
    ("no-at-sign", "no***"),
])
def test_mask_email(address, masked):
    assert mask_email(address) == masked
