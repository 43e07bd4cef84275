"""Sending: SMTP URLs, the MIME message, connection reuse, failures, retries and the sweep."""

from __future__ import annotations

import socket
from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.mail import recovery, sender
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.transport import connections
from joren.platform.smtp import SMTPURLError, parse_smtp_url
from tests.workers.helpers import age, notice, release_scheduled, scheduled

pytestmark = pytest.mark.usefixtures("clock")


def transport(app, **overrides):  # type: ignore[no-untyped-def]
    return sender.transport_from_config({**app.config, **overrides})


# --- SMTP_URL -----------------------------------------------------------------------------


def test_smtp_url_forms_and_default_ports() -> None:
    plain = parse_smtp_url("smtp://mail.example.jp")
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls) == (
        "mail.example.jp", 25, False, False)
    starttls = parse_smtp_url("smtp+starttls://u@smtp.example.jp")
    assert (starttls.port, starttls.starttls, starttls.username) == (587, True, "u")
    implicit = parse_smtp_url("smtps://u:p@smtp.example.jp:2465")
    assert (implicit.port, implicit.implicit_tls) == (2465, True)


def test_smtp_credentials_are_url_decoded_and_never_shown() -> None:
    settings = parse_smtp_url("smtp+starttls://apikey%40example.jp:p%40ss%3Aw%2Frd@smtp.example.jp:587")
    assert settings.username == "apikey@example.jp"
    assert settings.password == "p@ss:w/rd"
    assert "p@ss" not in repr(settings)
    assert "p@ss" not in settings.describe()


@pytest.mark.parametrize("url", ["http://smtp.example.jp", "smtp://", "smtp://host:notaport",
                                 "smtp://user:secret-pw@:25"])
def test_bad_smtp_urls_are_refused_without_repeating_the_password(url: str) -> None:
    with pytest.raises(SMTPURLError) as excinfo:
        parse_smtp_url(url)
    assert "secret-pw" not in str(excinfo.value)


def test_capture_mode_when_capture_is_on_or_no_smtp_url(app) -> None:  # type: ignore[no-untyped-def]
    assert transport(app, MAIL_CAPTURE=True, SMTP_URL="smtp://x").capture
    assert transport(app, MAIL_CAPTURE=False, SMTP_URL=None).capture
    assert not transport(app, MAIL_CAPTURE=False, SMTP_URL="smtp://x").capture


# --- delivery -----------------------------------------------------------------------------


def test_delivery_has_both_parts_japanese_subject_and_one_click_unsubscribe(
    app, app_ctx, session, tenant, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    message = notice(session, to="Hanako@Example.jp", key="k1", category="announcements",
                     community_id=tenant.id, heading="3月の交流会のご案内",
                     body_text="大阪で会いましょう。", community_name=tenant.name)
    session.commit()
    assert run_jobs() == 1

    [received] = smtp_server.messages
    assert received["Subject"] == "3月の交流会のご案内"
    assert received["To"] == "hanako@example.jp"
    # The community's name on the installation's address (issue 16).
    address = parseaddr(app.config["MAIL_FROM"])[1]
    assert parseaddr(received["From"]) == (f"{tenant.name} via Joren", address)
    assert received["Message-ID"].startswith("<joren.")
    assert received["Date"]
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    assert "大阪で会いましょう。" in text.get_content()
    assert "大阪で会いましょう。" in html.get_content()
    unsubscribe = received["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://localhost/unsubscribe/") and unsubscribe.endswith(">")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text.get_content()  # the footer link too
    assert smtp_server.handler.envelopes == [("no-reply@joren.localhost", ["hanako@example.jp"])]

    stored = session.get(OutboxMessage, message.id, populate_existing=True)
    assert stored.status == OutboxStatus.SENT
    assert stored.attempts == 1 and stored.sent_at is not None
    assert stored.message_id == received["Message-ID"]


def test_transactional_mail_has_no_unsubscribe_header(
    app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    notice(session, key="reset-1")
    session.commit()
    run_jobs()
    [received] = smtp_server.messages
    assert received["List-Unsubscribe"] is None
    assert received["List-Unsubscribe-Post"] is None


def test_messages_of_one_transaction_go_out_over_one_connection(
    app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    connections.discard()
    for n in range(5):
        notice(session, to=f"member{n}@example.jp", key=f"bulk-{n}")
    session.commit()
    assert run_jobs() == 1  # one batch job
    assert len(smtp_server.messages) == 5
    assert smtp_server.connections == 1


def test_send_pending_sends_a_batch_over_one_connection(
    app, app_ctx, session, smtp_server, maker  # type: ignore[no-untyped-def]
) -> None:
    connections.discard()
    for n in range(4):
        notice(session, to=f"m{n}@example.jp", key=f"pending-{n}")
    session.flush()  # stored but not committed: no job was enqueued for them
    report = sender.send_pending(session, transport(app), batch=3)
    assert len(report.sent) == 3
    assert smtp_server.connections == 1
    report = sender.send_pending(session, transport(app), batch=3)
    assert len(report.sent) == 1
    assert len(smtp_server.messages) == 4
    assert smtp_server.connections == 1  # the held connection answered NOOP and was reused


def test_a_dropped_connection_is_replaced(
    app, app_ctx, session, smtp_server  # type: ignore[no-untyped-def]
) -> None:
    connections.discard()
    first = notice(session, to="a@example.jp", key="drop-1")
    session.flush()
    sender.send_messages(session, [first.id], transport(app))
    # The connection dies while idle (the server timed the client out).
    connections.get(transport(app).smtp).sock.shutdown(socket.SHUT_RDWR)
    second = notice(session, to="b@example.jp", key="drop-2")
    session.flush()
    report = sender.send_messages(session, [second.id], transport(app))
    assert report.sent == [second.id]
    assert smtp_server.connections == 2


def test_sending_twice_sends_once(app, app_ctx, session, smtp_server) -> None:  # type: ignore[no-untyped-def]
    message = notice(session, key="once")
    session.flush()
    first = sender.send_messages(session, [message.id], transport(app))
    again = sender.send_messages(session, [message.id, message.id], transport(app))
    assert first.sent == [message.id]
    assert again.sent == [] and again.skipped == [message.id, message.id]
    assert len(smtp_server.messages) == 1


def test_a_claimed_message_is_not_sent_by_another_worker(
    app, app_ctx, session, smtp_server  # type: ignore[no-untyped-def]
) -> None:
    message = notice(session, key="claimed")
    session.flush()
    assert sender.claim(session, message.id, utcnow())
    assert not sender.claim(session, message.id, utcnow())
    report = sender.send_messages(session, [message.id], transport(app))
    assert report.skipped == [message.id]
    assert smtp_server.messages == []


def test_capture_mode_sends_nothing_and_marks_sent(
    app, app_ctx, session, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    assert app.config["MAIL_CAPTURE"]
    message = notice(session, key="captured")
    session.commit()
    run_jobs()
    stored = session.get(OutboxMessage, message.id, populate_existing=True)
    assert stored.status == OutboxStatus.SENT
    assert stored.message_id.startswith("<joren.")


# --- failures -----------------------------------------------------------------------------


def test_temporary_failure_is_retried_later_and_delivered_once(
    app, app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    message = notice(session, key="flaky")
    session.commit()
    smtp_server.fail_next()
    run_jobs()
    stored = session.get(OutboxMessage, message.id, populate_existing=True)
    assert stored.status == OutboxStatus.PENDING
    assert stored.attempts == 1 and stored.last_error.startswith("451")
    assert smtp_server.messages == []
    [(job, wait)] = scheduled(app)
    assert 0 < wait <= 10  # RQ retries after 10 s, then 1 min, then 5 min

    release_scheduled(app)
    run_jobs()
    release_scheduled(app)
    run_jobs()
    stored = session.get(OutboxMessage, message.id, populate_existing=True)
    assert stored.status == OutboxStatus.SENT and stored.attempts == 2
    assert stored.last_error == ""
    assert len(smtp_server.messages) == 1
    assert scheduled(app) == []


def test_permanent_refusal_fails_at_once(app, app_ctx, session, smtp_server, run_jobs,  # type: ignore[no-untyped-def]
                                          monkeypatch) -> None:
    async def refuse(server, session_, envelope):  # type: ignore[no-untyped-def]
        return "554 5.7.1 Message rejected"

    monkeypatch.setattr(smtp_server.handler, "handle_DATA", refuse)
    message = notice(session, key="refused")
    session.commit()
    run_jobs()
    stored = session.get(OutboxMessage, message.id, populate_existing=True)
    assert stored.status == OutboxStatus.FAILED
    assert stored.attempts == 1 and "554" in stored.last_error
    assert scheduled(app) == []  # nothing to retry


def test_unreachable_server_leaves_the_batch_pending_for_retry(
    app, app_ctx, session  # type: ignore[no-untyped-def]
) -> None:
    connections.discard()
    messages = [notice(session, to=f"x{n}@example.jp", key=f"down-{n}") for n in range(3)]
    session.flush()
    down = transport(app, MAIL_CAPTURE=False, SMTP_URL="smtp://127.0.0.1:1")
    report = sender.send_messages(session, [m.id for m in messages], down)
    assert report.sent == [] and report.retry == [m.id for m in messages]
    statuses = session.execute(select(OutboxMessage.status, OutboxMessage.attempts).where(
        OutboxMessage.id.in_([m.id for m in messages])).order_by(OutboxMessage.id)).all()
    # The first was tried and failed; the rest were never claimed.
    assert statuses == [(OutboxStatus.PENDING, 1), (OutboxStatus.PENDING, 0),
                        (OutboxStatus.PENDING, 0)]


def test_failed_after_the_last_attempt(app, app_ctx, session, smtp_server) -> None:  # type: ignore[no-untyped-def]
    message = notice(session, key="hopeless")
    session.flush()
    flaky = transport(app, MAIL_MAX_ATTEMPTS=2)
    smtp_server.fail_next(5)
    sender.send_messages(session, [message.id], flaky)
    assert session.get(OutboxMessage, message.id).status == OutboxStatus.PENDING
    sender.send_messages(session, [message.id], flaky)
    stored = session.get(OutboxMessage, message.id, populate_existing=True)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 2)


# --- the sweep ----------------------------------------------------------------------------


def test_sweep_resends_what_was_left_and_leaves_the_rest(
    app, app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    lost = notice(session, to="lost@example.jp", key="lost")          # its job was lost
    fresh = notice(session, to="fresh@example.jp", key="fresh")       # its job is still coming
    abandoned = notice(session, to="killed@example.jp", key="killed")  # worker killed mid-send
    busy = notice(session, to="busy@example.jp", key="busy")          # being sent right now
    sent = notice(session, to="sent@example.jp", key="sent")
    session.flush()
    age(session, lost, created=120)
    age(session, fresh, created=5)
    age(session, abandoned, created=900, claimed=600, status=OutboxStatus.SENDING)
    age(session, busy, created=900, claimed=10, status=OutboxStatus.SENDING)
    age(session, sent, created=900, status=OutboxStatus.SENT)
    with app.app_context():
        mail_queue = app.extensions["rq"].get_queue("mail")
        mail_queue.connection.delete(mail_queue.key)  # the jobs queued at commit are lost

    with app.app_context():
        from joren.workers.jobs import sweep_outbox

        assert sweep_outbox() == 2
    run_jobs()
    assert sorted(m["To"] for m in smtp_server.messages) == ["killed@example.jp",
                                                            "lost@example.jp"]
    killed = session.get(OutboxMessage, abandoned.id, populate_existing=True)
    assert killed.status == OutboxStatus.SENT and killed.attempts == 2
    assert session.get(OutboxMessage, busy.id, populate_existing=True).status == (
        OutboxStatus.SENDING)
    assert session.get(OutboxMessage, fresh.id, populate_existing=True).status == (
        OutboxStatus.PENDING)

    with app.app_context():
        assert sweep_outbox() == 0  # nothing left to do: a second sweep sends nothing
    run_jobs()
    assert len(smtp_server.messages) == 2


def test_sweep_waits_out_the_back_off_and_gives_up_on_abandoned_messages(
    app, app_ctx, session  # type: ignore[no-untyped-def]
) -> None:
    failed_once = notice(session, to="a@example.jp", key="backoff")
    hopeless = notice(session, to="b@example.jp", key="hopeless-sweep")
    session.flush()
    failed_once.attempts = 1
    hopeless.attempts = 4
    age(session, failed_once, created=600, claimed=30)
    age(session, hopeless, created=900, claimed=600, status=OutboxStatus.SENDING)
    now = utcnow()
    due = recovery.sweep(session, now=now, stale_after=timedelta(minutes=6), max_attempts=5)
    assert due == []  # tried 30 s ago: waits a minute
    assert session.get(OutboxMessage, hopeless.id, populate_existing=True).status == (
        OutboxStatus.FAILED)
    later = recovery.sweep(session, now=now + timedelta(seconds=31),
                         stale_after=timedelta(minutes=6))
    assert later == [failed_once.id]


def test_separate_jobs_in_one_worker_process_share_the_connection(
    app, app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    from joren.platform.jobs import enqueue_now

    connections.discard()
    first = notice(session, to="one@example.jp", key="job-1")
    second = notice(session, to="two@example.jp", key="job-2")
    session.commit()
    with app.app_context():
        queue = app.extensions["rq"].get_queue("mail")
        queue.connection.delete(queue.key)  # replace the batch job by one job per message
        enqueue_now("joren.workers.jobs.send_outbox_message", first.id, queue="mail")
        enqueue_now("joren.workers.jobs.send_outbox_message", second.id, queue="mail")
    assert run_jobs() == 2
    assert len(smtp_server.messages) == 2
    assert smtp_server.connections == 1


def test_an_address_that_cannot_be_written_fails_at_once(
    app, app_ctx, session, smtp_server  # type: ignore[no-untyped-def]
) -> None:
    broken = notice(session, to="no-domain", key="bad-address")
    fine = notice(session, to="fine@example.jp", key="good-address")
    session.flush()
    report = sender.send_messages(session, [broken.id, fine.id], transport(app))
    assert report.failed == [broken.id] and report.sent == [fine.id]
    stored = session.get(OutboxMessage, broken.id, populate_existing=True)
    assert stored.status == OutboxStatus.FAILED
    assert stored.last_error.startswith("cannot build the message")


# --- batches: hand-over windows, one connection, refusals ------------------------------------


def test_a_batch_of_several_windows_goes_over_one_connection(
    app, app_ctx, session, smtp_server  # type: ignore[no-untyped-def]
) -> None:
    connections.discard()
    messages = [notice(session, to=f"w{n}@example.jp", key=f"window-{n}") for n in range(7)]
    session.flush()
    report = sender.send_messages(session, [m.id for m in messages],
                                  transport(app, MAIL_HANDOVER_WINDOW=3))
    assert report.sent == [m.id for m in messages]
    assert smtp_server.connections == 1
    assert sorted(str(m["To"]) for m in smtp_server.messages) == sorted(
        f"w{n}@example.jp" for n in range(7))
    rows = session.scalars(select(OutboxMessage).where(
        OutboxMessage.id.in_([m.id for m in messages])).execution_options(
        populate_existing=True)).all()
    assert {(r.status, r.attempts, r.last_error) for r in rows} == {(OutboxStatus.SENT, 1, "")}
    assert {r.message_id for r in rows} == {str(m["Message-ID"]) for m in smtp_server.messages}
    assert all(r.sent_at is not None for r in rows)


def _statements_for_a_batch(app, session, size: int) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    messages = [notice(session, to=f"s{size}-{n}@example.jp", key=f"stmt-{size}-{n}")
                for n in range(size)]
    session.flush()
    statements = []
    engine = session.get_bind()

    def count(*args):  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        report = sender.send_messages(session, [m.id for m in messages],
                                      transport(app, MAIL_HANDOVER_WINDOW=size))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(report.sent) == size
    return len(statements)


def test_a_batch_costs_the_same_statements_whatever_its_size(
    app, app_ctx, session, smtp_server  # type: ignore[no-untyped-def]
) -> None:
    """One window: claim, load, hand over, record — not a statement per message."""
    small = _statements_for_a_batch(app, session, 3)
    large = _statements_for_a_batch(app, session, 12)
    assert small == large
    assert large <= 12  # 4 statements and their transactions' scope settings on PostgreSQL


def test_a_refused_recipient_does_not_stop_the_rest_of_the_batch(
    app, app_ctx, session, smtp_server  # type: ignore[no-untyped-def]
) -> None:
    connections.discard()
    smtp_server.handler.refused = {"gone@example.jp": "550 5.1.1 No such user",
                                   "full@example.jp": "452 4.2.2 Mailbox full"}
    to = ["a@example.jp", "gone@example.jp", "b@example.jp", "full@example.jp", "c@example.jp"]
    messages = [notice(session, to=address, key=f"refused-{n}") for n, address in enumerate(to)]
    session.flush()
    ids = [m.id for m in messages]
    report = sender.send_messages(session, ids, transport(app, MAIL_HANDOVER_WINDOW=2))
    assert report.sent == [ids[0], ids[2], ids[4]]
    assert report.failed == [ids[1]] and report.retry == [ids[3]]
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "a@example.jp", "b@example.jp", "c@example.jp"]
    assert smtp_server.connections == 1  # a refusal is an answer: the connection goes on
    gone = session.get(OutboxMessage, ids[1], populate_existing=True)
    full = session.get(OutboxMessage, ids[3], populate_existing=True)
    assert (gone.status, gone.message_id) == (OutboxStatus.FAILED, "")
    assert "550" in gone.last_error
    assert (full.status, full.attempts, full.message_id) == (OutboxStatus.PENDING, 1, "")


def test_a_connection_lost_mid_window_gives_back_what_was_not_tried(
    app, app_ctx, session, smtp_server, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    connections.discard()
    messages = [notice(session, to=f"l{n}@example.jp", key=f"lost-conn-{n}") for n in range(5)]
    session.flush()
    ids = [m.id for m in messages]
    real_send = sender._Link.send
    calls = {"count": 0}

    def drop_on_third(self, email, to):  # type: ignore[no-untyped-def]
        calls["count"] += 1
        if calls["count"] == 3:
            raise ConnectionResetError("the relay went away")
        real_send(self, email, to)

    monkeypatch.setattr(sender._Link, "send", drop_on_third)
    report = sender.send_messages(session, ids, transport(app, MAIL_HANDOVER_WINDOW=4))
    assert report.sent == ids[:2] and report.retry == ids[2:]
    rows = [session.get(OutboxMessage, i, populate_existing=True) for i in ids]
    assert [(r.status, r.attempts, r.message_id == "") for r in rows] == [
        (OutboxStatus.SENT, 1, False), (OutboxStatus.SENT, 1, False),
        (OutboxStatus.PENDING, 1, True),  # tried: the server hung up on it
        (OutboxStatus.PENDING, 0, True),  # handed over, never tried: the mark is cleared
        (OutboxStatus.PENDING, 0, True)]  # claimed, never handed over
    monkeypatch.setattr(sender._Link, "send", real_send)
    again = sender.send_messages(session, ids, transport(app))
    assert again.sent == ids[2:]
    assert len(smtp_server.messages) == 5


def test_the_wire_form_reads_like_the_email_package_s(app, app_ctx, session) -> None:  # type: ignore[no-untyped-def]
    """The sender's own builder: same headers and parts as build_message, Japanese intact, a
    long unsubscribe URL in one piece, and no way to inject a header."""
    import email
    from email.policy import default as default_policy

    from joren.platform.mail.mime import build_message, wire_message

    body = "次回の交流会は3月です。\n" + "長い行" * 40 + "\n.先頭の点\n"
    message = notice(session, to="wire@example.jp", key="wire", category="reminders",
                     body_text=body)
    session.flush()
    now = utcnow()
    wire = wire_message(message, "ジョレン <no-reply@joren.example>", now)
    assert wire is not None and b"\n" not in wire.replace(b"\r\n", b"")
    sent = email.message_from_bytes(wire, policy=default_policy)
    built = build_message(message, "ジョレン <no-reply@joren.example>", now)
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
                 "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Language"):
        assert str(sent[name]) == str(built[name]), name
    assert sent.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        assert sent.get_body((kind,)).get_content() == built.get_body((kind,)).get_content()
    assert str(sent["List-Unsubscribe"]).startswith("<http")  # not RFC 2047 words
    message.subject = "件名\r\nBcc: everyone@example.jp"
    with pytest.raises(ValueError):
        wire_message(message, "x@joren.example", now)
    message.subject = "件名"
    message.to_email = "quoted\"local\"@example.jp"
    assert wire_message(message, "x@joren.example", now) is None  # build_message's case
