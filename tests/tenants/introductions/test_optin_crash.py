"""A worker killed in the middle of a batch of introduction emails, then restarted, sends no
email twice (joren.platform.mail.sender: claim, hand-over mark, at most once).

The kill is simulated in-process with an exception that nothing in the sender catches
(BaseException, like the SystemExit of a SIGTERM): what was committed stays, what was not is
lost, exactly as when the process dies. "Restart" runs the same batch job again and the sweep.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.mail import recovery, sender
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.transport import connections
from joren.tenants.introductions import services
from tests.tenants.introductions.intro_support import introduction, person

pytestmark = pytest.mark.usefixtures("clock")


class Killed(BaseException):
    """The worker process dies here."""


@pytest.fixture()
def batch(app, session, tenant, people, scoped, monkeypatch):  # type: ignore[no-untyped-def]
    """Three approved introductions: six proposal emails queued in one transaction, handed
    to the SMTP server one at a time (a hand-over window of one; wider ones are below)."""
    monkeypatch.setitem(app.config, "MAIL_HANDOVER_WINDOW", 1)
    members = [person(session, tenant, email=f"crash{i}@example.jp", family_name="交流",
                      given_name=f"{i}号") for i in range(6)]
    session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        for a, b in zip(members[::2], members[1::2], strict=True):
            services.approve(s, introduction(s, a, b), people.organizer_member.id)
        s.commit()
    with app.app_context():  # the batch job queued at commit is run by hand below
        mail_queue = app.extensions["rq"].get_queue("mail")
        mail_queue.connection.delete(mail_queue.key)
    ids = list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
    assert len(ids) == 6
    return ids


def _restart(app, session, ids):  # type: ignore[no-untyped-def]
    """A new process: no connection held; RQ retries the batch job, then the sweep runs."""
    connections.discard()
    with app.app_context():
        transport = sender.transport_from_config(app.config)
        sender.send_messages(session, ids, transport)
        due = recovery.sweep(session, now=utcnow() + timedelta(hours=1),
                           stale_after=timedelta(minutes=6), pending_after=timedelta(0))
        session.commit()
        sender.send_messages(session, due, transport)
    return due


def _statuses(session, ids):  # type: ignore[no-untyped-def]
    session.expire_all()
    return [session.get(OutboxMessage, i).status for i in ids]


def test_killed_after_the_server_accepted_a_message_nothing_is_sent_twice(
    app, session, batch, smtp_server, monkeypatch
):  # type: ignore[no-untyped-def]
    real_send = sender._Link.send
    sent = {"count": 0}

    def send_then_die(self, email, to):  # type: ignore[no-untyped-def]
        real_send(self, email, to)  # the server answered 250 ...
        sent["count"] += 1
        if sent["count"] == 3:
            raise Killed()  # ... and the worker dies before recording it

    monkeypatch.setattr(sender._Link, "send", send_then_die)
    with app.app_context(), pytest.raises(Killed):
        sender.send_messages(session, batch, sender.transport_from_config(app.config))
    session.rollback()  # the dead process's open transaction is gone
    assert len(smtp_server.messages) == 3
    assert _statuses(session, batch)[:3] == [OutboxStatus.SENT, OutboxStatus.SENT,
                                             OutboxStatus.SENDING]

    monkeypatch.setattr(sender._Link, "send", real_send)
    due = _restart(app, session, batch)
    # The uncertain one is not resent; the rest of the batch, claimed with it and never handed
    # over, is sent by the sweep once the claim is stale.
    assert due == batch[3:]

    received = Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    assert sorted(received) == sorted(f"crash{i}@example.jp" for i in range(6))
    assert set(received.values()) == {1}, received
    statuses = _statuses(session, batch)
    assert statuses.count(OutboxStatus.SENT) == 5
    uncertain = session.get(OutboxMessage, batch[2])
    assert uncertain.status == OutboxStatus.FAILED
    assert "may have been delivered" in uncertain.last_error


def test_killed_before_handing_a_message_over_it_is_sent_once_after_the_restart(
    app, session, batch, smtp_server, monkeypatch
):  # type: ignore[no-untyped-def]
    real_hand_over = sender._Ledger.hand_over
    calls = {"count": 0}

    def die_before_third(self, ready):  # type: ignore[no-untyped-def]
        calls["count"] += 1
        if calls["count"] == 3:
            raise Killed()  # claimed, but the SMTP server never saw it
        real_hand_over(self, ready)

    monkeypatch.setattr(sender._Ledger, "hand_over", die_before_third)
    with app.app_context(), pytest.raises(Killed):
        sender.send_messages(session, batch, sender.transport_from_config(app.config))
    session.rollback()
    assert len(smtp_server.messages) == 2
    monkeypatch.setattr(sender._Ledger, "hand_over", real_hand_over)

    due = _restart(app, session, batch)
    # The batch was claimed at once: the message the worker died on and those after it were
    # never handed over, so the sweep sends them (once the claim is stale).
    assert due == batch[2:]

    received = Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    assert len(received) == 6 and set(received.values()) == {1}, received
    # A success is committed with the next message's hand-over: dying in between leaves the
    # second one "handed over", so it is marked as possibly delivered (it was), never resent.
    assert _statuses(session, batch) == [OutboxStatus.SENT, OutboxStatus.FAILED,
                                         *[OutboxStatus.SENT] * 4]
    assert "may have been delivered" in session.get(OutboxMessage, batch[1]).last_error
    # Restarting again (a second retry, another sweep) sends nothing more.
    _restart(app, session, batch)
    assert len(smtp_server.messages) == 6


def test_killed_mid_window_nothing_is_sent_twice_and_the_window_is_left_uncertain(
    app, session, batch, smtp_server, monkeypatch
):  # type: ignore[no-untyped-def]
    """With a hand-over window of four, the first four are handed over in one commit and
    their results are written with the next window's hand-over: a worker killed after the
    server accepted the third leaves all four "handed over". None is sent again (one of
    them never reached the server: the price of the window); the next window is."""
    monkeypatch.setitem(app.config, "MAIL_HANDOVER_WINDOW", 4)
    real_send = sender._Link.send
    sent = {"count": 0}

    def send_then_die(self, email, to):  # type: ignore[no-untyped-def]
        real_send(self, email, to)
        sent["count"] += 1
        if sent["count"] == 3:
            raise Killed()

    monkeypatch.setattr(sender._Link, "send", send_then_die)
    with app.app_context(), pytest.raises(Killed):
        sender.send_messages(session, batch, sender.transport_from_config(app.config))
    session.rollback()
    assert len(smtp_server.messages) == 3
    session.expire_all()
    rows = [session.get(OutboxMessage, i) for i in batch]
    assert [r.status for r in rows] == [OutboxStatus.SENDING] * 6
    assert [bool(r.message_id) for r in rows] == [True] * 4 + [False] * 2

    monkeypatch.setattr(sender._Link, "send", real_send)
    due = _restart(app, session, batch)
    assert due == batch[4:]
    received = Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    assert len(received) == 5 and set(received.values()) == {1}, received
    statuses = _statuses(session, batch)
    assert statuses == [OutboxStatus.FAILED] * 4 + [OutboxStatus.SENT] * 2
    assert all("may have been delivered" in session.get(OutboxMessage, i).last_error
               for i in batch[:4])
    _restart(app, session, batch)
    assert len(smtp_server.messages) == 5
