"""Registration emails are not rendered while the meetup row is locked (issue 12, finding 7).

Every seat decision holds the meetup's row lock until the transaction commits, so whatever runs
under it makes every concurrent registration for that meetup wait. The emails those decisions
send are recorded in the same transaction (a crash after commit loses none), but only as plain
values: the send job renders them, in the recipient's language, right before sending.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from joren.models import OutboxMessage
from joren.platform.mail import outbox as outbox_module
from joren.platform.mail.models import OutboxStatus
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import seats as reg_seats
from joren.tenants.meetups.registrations import services as reg_services
from tests.tenants.meetups.helpers_registrations import outbox, people_in, seated_meetup

pytestmark = pytest.mark.usefixtures("clock")


class LockWatch:
    """Records every template rendering and whether a meetup lock was held at that moment."""

    def __init__(self) -> None:
        self.locked = False
        self.under_lock: list[str] = []
        self.outside: list[str] = []


@pytest.fixture()
def watch(monkeypatch: pytest.MonkeyPatch, tenant_session) -> Iterator[LockWatch]:  # type: ignore[no-untyped-def]
    w = LockWatch()
    lock, render = reg_seats.lock_meetup, outbox_module.render_email

    def locking(session, meetup_id):  # type: ignore[no-untyped-def]
        w.locked = True  # held until this transaction ends
        return lock(session, meetup_id)

    def rendering(template, language, context):  # type: ignore[no-untyped-def]
        (w.under_lock if w.locked else w.outside).append(template)
        return render(template, language, context)

    def ended(_session) -> None:  # type: ignore[no-untyped-def]
        w.locked = False

    monkeypatch.setattr(reg_services, "lock_meetup", locking)
    monkeypatch.setattr(outbox_module, "render_email", rendering)
    event.listen(tenant_session, "after_commit", ended)
    event.listen(tenant_session, "after_rollback", ended)
    yield w
    event.remove(tenant_session, "after_commit", ended)
    event.remove(tenant_session, "after_rollback", ended)


def _register(app, ts, meetup_id, member_id):  # type: ignore[no-untyped-def]
    ts.expire_all()
    with app.app_context():  # as a job would: no request
        r = reg_services.register(ts, ts.get(Meetup, meetup_id), ts.get(Member, member_id))
        ts.commit()
    return r


def test_no_template_is_rendered_under_the_meetup_lock(
    app, session, tenant, tenant_session, people, watch, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    ts = tenant_session
    m = seated_meetup(session, tenant, capacity=1)
    (other,) = people_in(session, tenant, 1)
    session.commit()
    first = _register(app, ts, m.id, people.member_member.id)  # English account: going
    waiting = _register(app, ts, m.id, other.id)  # the community's language (ja): waitlisted
    assert (first.status, waiting.status) == (RegistrationStatus.GOING,
                                              RegistrationStatus.WAITLISTED)
    with app.app_context():
        reg_services.cancel_registration(ts, first)  # the seat goes to the waiting member: promoted
        ts.commit()
    assert [o.template for o in outbox(ts)] == ["meetups/registrations/confirmed",
                                                "meetups/registrations/waitlisted",
                                                "meetups/registrations/promoted"]
    assert watch.under_lock == []  # nothing rendered while a seat decision held the lock
    assert watch.outside == []
    # Recorded in the registration's transaction, not rendered yet.
    assert all(o.status == OutboxStatus.PENDING and o.subject == "" and o.render_context
               for o in outbox(ts))

    run_jobs()
    assert watch.under_lock == []
    assert sorted(watch.outside) == ["meetups/registrations/confirmed",
                                     "meetups/registrations/promoted",
                                     "meetups/registrations/waitlisted"]
    by_template = {o.template: o for o in outbox(ts)}
    assert all(o.status == OutboxStatus.SENT and o.render_context is None
               for o in by_template.values())
    confirmed = by_template["meetups/registrations/confirmed"]
    assert (confirmed.to_email, confirmed.language) == (people.member_member.email, "en")
    assert confirmed.subject == "You are registered: 定例会"
    assert f"/c/{tenant.slug}/tickets/{first.checkin_token}" in confirmed.text_body
    assert f"/c/{tenant.slug}/meetups/{m.id}" in confirmed.html_body
    promoted = by_template["meetups/registrations/promoted"]
    assert (promoted.to_email, promoted.language) == (other.email, "ja")
    assert "定例会" in promoted.subject
    waitlisted = by_template["meetups/registrations/waitlisted"]
    assert "1" in waitlisted.text_body  # the rank at decision time
    sent = sorted((str(mail["To"]), str(mail["Subject"])) for mail in smtp_server.messages)
    assert sent == sorted((o.to_email, o.subject) for o in by_template.values())


def test_a_crash_between_commit_and_send_still_sends_once_via_the_sweep(
    app, session, tenant, tenant_session, people, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    ts = tenant_session
    m = seated_meetup(session, tenant, capacity=5)
    session.commit()
    registration = _register(app, ts, m.id, people.member_member.id)
    with app.app_context():  # the process died after commit: the send job never ran
        for queue in app.extensions["rq"].queues.values():
            queue.connection.delete(queue.key)
    [stored] = outbox(ts)
    assert stored.subject == "" and stored.render_context is not None
    session.execute(update(OutboxMessage).where(OutboxMessage.id == stored.id)
                    .values(created_at=stored.created_at - timedelta(minutes=5)))
    session.commit()
    from joren.workers.jobs import sweep_outbox

    with app.app_context():
        assert sweep_outbox() == 1
    run_jobs()
    [mail] = smtp_server.messages
    assert mail["To"] == people.member_member.email
    assert mail["Subject"] == "You are registered: 定例会"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"/c/{tenant.slug}/tickets/{registration.checkin_token}" in body
    with app.app_context():
        assert sweep_outbox() == 0
    run_jobs()
    assert len(smtp_server.messages) == 1


def test_an_email_whose_registration_is_gone_fails_instead_of_sending(
    app, session, tenant, tenant_session, people, smtp_server, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    ts = tenant_session
    m = seated_meetup(session, tenant, capacity=5)
    session.commit()
    registration = _register(app, ts, m.id, people.member_member.id)
    ts.delete(ts.get(Registration, registration.id))
    ts.commit()
    run_jobs()
    assert smtp_server.messages == []
    [message] = outbox(ts)
    assert message.status == OutboxStatus.FAILED
    assert "cannot render" in message.last_error


def test_a_stored_message_of_another_community_is_rendered_in_its_own_scope(
    app, session, tenant, other_tenant, tenant_session, people, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    """The builder runs scoped to the message's community: a registration id of another
    community (a forged row) finds nothing rather than another community's data."""
    ts = tenant_session
    m = seated_meetup(session, tenant, capacity=5)
    session.commit()
    registration = _register(app, ts, m.id, people.member_member.id)
    [stored] = outbox(ts)
    session.execute(update(OutboxMessage).where(OutboxMessage.id == stored.id)
                    .values(community_id=other_tenant.id))
    session.commit()
    run_jobs()
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.id == stored.id)
                             .execution_options(populate_existing=True))
    assert message.status == OutboxStatus.FAILED, registration.id
