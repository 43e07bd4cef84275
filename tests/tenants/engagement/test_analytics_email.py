"""The "we miss you" service: once per absence, again after the member came back and drifted
away again; the next meetup is mentioned only when there is one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.platform.mail.models import OutboxMessage
from joren.tenants.engagement import services
from joren.tenants.engagement.we_miss_you import (
    UnknownMember,
    send_we_miss_you,
    we_miss_you_key,
)
from tests import factories
from tests.tenants.engagement.helpers import NOW, past_meetups, record

pytestmark = pytest.mark.usefixtures("clock")


def _messages(s):  # type: ignore[no-untyped-def]
    return s.scalars(select(OutboxMessage).where(OutboxMessage.template
                                                 == "engagement/we_miss_you")
                     .order_by(OutboxMessage.id)).all()


def test_one_email_per_absence(app_ctx, session, scoped, tenant, other_tenant, people):
    meetups = past_meetups(session, tenant, 13)
    person = factories.member(session, tenant, email="drifter@example.jp")
    record(session, meetups, person, "xxxx")
    s = scoped(tenant)
    then = meetups[6].ends_at + timedelta(hours=1)
    services.recompute_community(s, now=then)
    actor = people.organizer_member

    first = send_we_miss_you(s, tenant, [person.id], actor, now=then)
    again = send_we_miss_you(s, tenant, [person.id], actor, now=then)
    assert (first.queued, again.queued, again.already) == ([person.id], [], [person.id])
    [message] = _messages(s)
    assert message.idempotency_key == we_miss_you_key(tenant.id, person.id,
                                                       meetups[3].starts_at)
    assert meetups[7].title in message.text_body  # the next meetup, as seen on that day
    assert "佐藤 花子" in message.text_body  # signed by the organizer who pressed the button

    # Back for three meetups, then away for three more: a new absence, a new email.
    record(session, meetups[7:10], person, "xxx")
    services.recompute_community(s, now=NOW)
    later = send_we_miss_you(s, tenant, [person.id], actor, now=NOW)
    assert later.queued == [person.id]
    assert send_we_miss_you(s, tenant, [person.id], actor, now=NOW).already == [person.id]
    first_message, second = _messages(s)
    assert second.idempotency_key.endswith(meetups[9].starts_at.date().isoformat())
    assert not any(m.title in second.text_body for m in meetups)  # none planned after NOW

    stranger = factories.member(session, other_tenant)
    with pytest.raises(UnknownMember):
        send_we_miss_you(s, tenant, [person.id, stranger.id], actor, now=NOW)
    assert len(_messages(s)) == 2
