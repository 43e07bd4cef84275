"""queue_email: stored once per key, sent after commit only, suppressed after an opt-out."""

from __future__ import annotations

from sqlalchemy import func, select

from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus
from joren.platform.mail.outbox import SEND_BATCH_JOB
from tests.workers.helpers import notice, queued_jobs


def count(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count(OutboxMessage.id)))


def test_the_same_key_stores_one_message_and_delivers_once(
    app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    first = notice(session, key="welcome:42")
    again = notice(session, key="welcome:42", heading="別の件名")
    session.commit()
    later = notice(session, key="welcome:42")  # a retried request, after the commit
    session.commit()
    assert first.id == again.id == later.id
    assert count(session) == 1
    run_jobs()
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Subject"] == "お知らせ"


def test_nothing_is_sent_before_commit_or_after_rollback(
    app, app_ctx, session, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    notice(session, key="rolled-back")
    assert queued_jobs(app) == []
    session.rollback()
    assert count(session) == 0
    assert queued_jobs(app) == []
    assert run_jobs() == 0
    assert smtp_server.messages == []

    notice(session, key="committed")
    assert queued_jobs(app) == []
    session.commit()
    [job] = queued_jobs(app)
    assert job.func_name == SEND_BATCH_JOB and job.origin == "mail"


def test_renders_in_the_recipients_language(app_ctx, session) -> None:  # type: ignore[no-untyped-def]
    english = notice(session, key="en", language="en", heading="March meetup",
                     body_text="See you in Osaka.", category="announcements")
    japanese = notice(session, key="ja", language="ja", category="announcements")
    assert "Unsubscribe from these emails" in english.text_body
    assert "Unsubscribe from these emails" not in japanese.text_body
    assert english.subject == "March meetup"


def test_an_address_that_opted_out_is_suppressed(
    app, app_ctx, session, tenant, other_tenant  # type: ignore[no-untyped-def]
) -> None:
    session.add(EmailUnsubscribe(email="quiet@example.jp", category="announcements",
                                 community_id=tenant.id))
    session.flush()
    stopped = notice(session, to="Quiet@example.jp", key="a1", category="announcements",
                     community_id=tenant.id)
    elsewhere = notice(session, to="quiet@example.jp", key="a2", category="announcements",
                       community_id=other_tenant.id)
    other_kind = notice(session, to="quiet@example.jp", key="a3", category="reminders",
                        community_id=tenant.id)
    account_mail = notice(session, to="quiet@example.jp", key="a4", community_id=tenant.id)
    session.commit()
    assert stopped.status == OutboxStatus.SUPPRESSED
    assert elsewhere.status == other_kind.status == account_mail.status == OutboxStatus.PENDING
    [job] = queued_jobs(app)
    assert sorted(job.args[0]) == sorted([elsewhere.id, other_kind.id, account_mail.id])


def test_a_very_long_key_still_works(app_ctx, session) -> None:  # type: ignore[no-untyped-def]
    key = "digest:" + "x" * 400
    first = notice(session, key=key)
    assert notice(session, key=key).id == first.id
    assert len(first.idempotency_key) <= 200
