"""The next-day follow-up: delivered over SMTP by the jobs the morning after, in each reader's
language, listing the people they were sent to meet, introduced to or checked in beside (and
nobody else), once; honouring opt-outs; built in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from joren.models import MemberStatus
from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_now
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.membership.models import ProfileVisibility
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.relationships.habits import services as habits
from joren.tenants.relationships.models import MeetupGives
from joren.workers import habit_jobs
from tests import factories
from tests.tenants.helpers import attend, count_statements, meetup

pytestmark = pytest.mark.usefixtures("clock")


def yesterdays_meetup(session, community, title="十一月定例会"):  # type: ignore[no-untyped-def]
    """Started 30 hours ago: whatever the hour, its follow-up is due now (see the schedule)."""
    return meetup(session, community, title, starts_at=utcnow() - timedelta(hours=30))


def came(session, meetup_row, member, minute=None):  # type: ignore[no-untyped-def]
    row = attend(session, meetup_row, member)
    if minute is not None:
        row.checked_in_at = meetup_row.starts_at - timedelta(minutes=30) + timedelta(
            minutes=minute)
        session.flush()
    return row


def sent_to_meet(session, meetup_row, member, *others):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add(MeetupGives(tenant_id=meetup_row.tenant_id, member_id=member.id,
                                meetup_id=meetup_row.id, give_1="税理士の紹介",
                                people_to_meet=[o.id for o in others]))
        session.flush()


def connected(session, a, b, at: datetime | None = None):  # type: ignore[no-untyped-def]
    low, high = sorted((a.id, b.id))
    with unscoped(session):
        row = Introduction(tenant_id=a.tenant_id, member_low_id=low, member_high_id=high,
                           source=IntroductionSource.ORGANIZER,
                           status=IntroductionStatus.CONNECTED,
                           connected_at=at or utcnow() - timedelta(days=3))
        session.add(row)
        session.flush()
    return row


def run_habits(app, run_jobs) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        enqueue_now("joren.workers.habit_jobs.fan_out_meetup_habit_emails")
    run_jobs()


def by_recipient(smtp_server):  # type: ignore[no-untyped-def]
    return {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}


def text_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(("html",)).get_content()


def _evening(session, tenant, people):  # type: ignore[no-untyped-def]
    """Tanaka (English) came; Sato was on his list, Suzuki is a connection of his, Kimura
    checked in two minutes after him; Ito came an hour later; Yamamoto registered, never came."""
    me = people.member_member
    event = yesterdays_meetup(session, tenant)
    sato = factories.member(session, tenant, family_name="佐藤", given_name="一",
                            company="見える商事", title="代表取締役", offer_1="採用支援")
    suzuki = factories.member(session, tenant, family_name="鈴木", given_name="二",
                              company="秘密工業", work_visibility=ProfileVisibility.ORGANIZERS,
                              offer_1="非公開の得意分野",
                              give_ask_visibility=ProfileVisibility.ORGANIZERS)
    kimura = factories.member(session, tenant, family_name="木村", given_name="三")
    ito = factories.member(session, tenant, family_name="伊藤", given_name="四")
    yamamoto = factories.member(session, tenant, family_name="山本", given_name="五")
    came(session, event, me, minute=0)
    came(session, event, sato, minute=20)
    came(session, event, suzuki)
    came(session, event, kimura, minute=2)
    came(session, event, ito, minute=62)
    sent_to_meet(session, event, me, sato, yamamoto)
    connected(session, me, suzuki)
    return event, {"sato": sato, "suzuki": suzuki, "kimura": kimura, "ito": ito,
                   "yamamoto": yamamoto}


def test_the_follow_up_lists_the_right_people_in_each_readers_language_once(
        app, session, tenant, other_tenant, people, smtp_server, run_jobs):
    event, who = _evening(session, tenant, people)
    theirs = yesterdays_meetup(session, other_tenant, title="神戸の勉強会")
    came(session, theirs, people.other_owner_member, minute=0)
    session.commit()

    run_habits(app, run_jobs)

    mail = by_recipient(smtp_server)
    assert people.member.email in mail and who["sato"].email in mail
    assert who["yamamoto"].email not in mail          # registered, never came
    assert people.other_owner.email in mail            # the other community's own evening
    mine = mail[people.member.email]
    text, html = text_of(mine), html_of(mine)
    assert "年" not in text  # an English date for an English reader
    assert "十一月定例会" in str(mine["Subject"])
    for name in ("佐藤 一", "鈴木 二", "木村 三"):
        assert name in text and name in html
    for absent in ("伊藤 四", "山本 五", "神戸の勉強会"):
        assert absent not in text
    assert "見える商事" in text and "代表取締役" in text
    assert "秘密工業" not in text + html and "非公開の得意分野" not in text + html  # hidden
    assert "税理士の紹介" in text                      # what he meant to give
    assert text.count(f"/c/{tenant.slug}/talked/") == 3
    assert f"/c/{tenant.slug}/journal/new?meetup_id={event.id}" in text
    assert mine["List-Unsubscribe"] and "/unsubscribe/" in mine["List-Unsubscribe"]
    sato_mail = mail[who["sato"].email]
    assert "年" in text_of(sato_mail)  # the community's language, Japanese
    kobe = text_of(mail[people.other_owner.email])
    assert "神戸の勉強会" in kobe and f"/c/{tenant.slug}/" not in kobe

    delivered = len(smtp_server.messages)
    with app.app_context():
        enqueue_now(habit_jobs.SEND_MEETUP_EMAILS_JOB, tenant.id, "again")
    run_jobs()
    run_habits(app, run_jobs)
    assert len(smtp_server.messages) == delivered


def test_an_opted_out_attendee_gets_no_follow_up_until_they_opt_in_again(
        app, session, tenant, people, smtp_server, run_jobs, member_client):
    first = yesterdays_meetup(session, tenant)
    came(session, first, people.member_member, minute=0)
    came(session, first, people.organizer_member, minute=1)
    record_unsubscribe(session, people.member.email, habits.FOLLOW_UP_CATEGORY, tenant.id)
    session.commit()
    run_habits(app, run_jobs)
    assert set(by_recipient(smtp_server)) == {people.organizer.email}
    with unscoped(session):
        stored = session.scalar(select(OutboxMessage).where(
            OutboxMessage.to_email == people.member.email))
    assert stored.status == OutboxStatus.SUPPRESSED

    response = member_client.post(f"/c/{tenant.slug}/email-preferences",
                                  data={"meetup_prep": "y", "follow_ups": "y", "nudges": "y",
                                        "introductions": "y", "we_miss_you": "y"})
    assert response.status_code == 302
    second = yesterdays_meetup(session, tenant, title="翌月の定例会")
    came(session, second, people.member_member)
    session.commit()
    with app.app_context():  # the next quarter-hour's run
        enqueue_now(habit_jobs.SEND_MEETUP_EMAILS_JOB, tenant.id, "next-quarter")
    run_jobs()
    assert people.member.email in by_recipient(smtp_server)


def test_no_follow_up_for_a_cancelled_meetup_or_an_inactive_member(
        app, session, tenant, people, smtp_server, run_jobs):
    from joren.tenants.meetups.models import MeetupStatus

    cancelled = yesterdays_meetup(session, tenant)
    cancelled.status = MeetupStatus.CANCELLED
    came(session, cancelled, people.member_member)
    event = yesterdays_meetup(session, tenant, title="定例会B")
    gone = factories.member(session, tenant, status=MemberStatus.INACTIVE)
    came(session, event, gone)
    old = meetup(session, tenant, "先週の定例会", starts_at=utcnow() - timedelta(days=6))
    came(session, old, people.organizer_member)
    session.commit()
    run_habits(app, run_jobs)
    assert smtp_server.messages == []


def test_building_follow_ups_takes_the_same_queries_for_3_or_12_attendees(
        app, app_ctx, session, scoped, tenant, people):
    def evening(size: int, title: str):  # type: ignore[no-untyped-def]
        event = yesterdays_meetup(session, tenant, title=title)
        members = [factories.member(session, tenant) for _ in range(size)]
        for i, m in enumerate(members):
            came(session, event, m, minute=i)
        for a, b in zip(members, members[1:], strict=False):
            connected(session, a, b) if a.id % 2 else sent_to_meet(session, event, a, b)
        return event

    small, large = evening(3, "小"), evening(12, "大")
    session.commit()
    counts = []
    for event in (small, large):
        s = scoped(tenant)
        with count_statements(app) as counter:
            built = habits.build_follow_ups(s, tenant, s.get(type(event), event.id))
        assert built and all(item.people for item in built)
        counts.append(len(counter))
    assert counts[0] == counts[1], counts
