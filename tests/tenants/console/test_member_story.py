"""A member's page in the console tells their story: meetups, engagement, introductions and
their outcomes, referrals, payments and notes (issue 16, item 4)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import AttendanceStatus, RegistrationStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.console.models import MemberNote
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.meetups.models import Registration
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from joren.tenants.relationships.models import Referral
from tests.tenants.helpers import attend, count_statements, days_ago, in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _url(member) -> str:  # type: ignore[no-untyped-def]
    return f"/c/osaka-mixer/admin/members/{member.id}/story"


def _add(session, row):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add(row)
        session.flush()
    return row


@pytest.fixture()
def story(session, tenant, people):  # type: ignore[no-untyped-def]
    me, peer = people.member_member, people.staff_member
    first = meetup(session, tenant, "四月の定例会", days_ago(60), price=3000)
    second = meetup(session, tenant, "五月の定例会", days_ago(30))
    upcoming = meetup(session, tenant, "七月の定例会", utcnow() + timedelta(days=10))
    attend(session, first, me)
    attend(session, second, me, AttendanceStatus.ABSENT)
    _add(session, Registration(tenant_id=tenant.id, meetup_id=upcoming.id, member_id=me.id,
                               status=RegistrationStatus.WAITLISTED, waitlist_position=1,
                               source="line"))
    _add(session, MemberEngagement(tenant_id=tenant.id, member_id=me.id, level=Level.RETURNING,
                                   attended_count=1, current_streak=0, longest_streak=1,
                                   attendance_rate=0.5, last_attended_at=first.starts_at))
    low, high = sorted((me.id, peer.id))
    _add(session, Introduction(tenant_id=tenant.id, member_low_id=low, member_high_id=high,
                               source=IntroductionSource.ORGANIZER, reasons=[],
                               status=IntroductionStatus.CONNECTED))
    _add(session, Referral(tenant_id=tenant.id, giver_id=me.id, receiver_id=peer.id,
                           description="税理士さんをご紹介", given_on=days_ago(20).date()))
    _add(session, Payment(tenant_id=tenant.id, member_id=me.id, meetup_id=first.id,
                          kind=PaymentKind.MEETUP_FEE, amount_jpy=3000, method=PaymentMethod.DOOR,
                          status=PaymentStatus.PAID, paid_at=first.starts_at))
    session.commit()
    return me


def test_the_story_shows_every_part(organizer_client, story):
    body = organizer_client.get(_url(story)).get_data(as_text=True)
    assert "四月の定例会" in body and "五月の定例会" in body and "七月の定例会" in body
    assert "出席" in body and "欠席" in body and "キャンセル待ち" in body
    assert "LINE（主催者が受付）" in body
    assert re.search(r'data-figure="level">\s*2回目以降の参加者|data-figure="level">[^<]+<', body)
    assert 'data-outcome="connected"' in body and "鈴木 次郎" in body
    assert "税理士さんをご紹介" in body and "鈴木 次郎さんに案件を紹介しました" in body
    assert "¥3,000" in body or "￥3,000" in body
    english = in_english(organizer_client).get(_url(story)).get_data(as_text=True)
    assert "Gave a referral to 鈴木 次郎" in english and "Connected" in english


def test_a_note_is_saved_and_shown(session, organizer_client, story, people):
    # (CSRF is off in the tests: tests/test_csrf.py covers it.)
    response = organizer_client.post(_url(story), data={
        "body": "LINEで近況を伺いました", "contacted": "y"})
    assert response.status_code == 302
    with unscoped(session):
        [note] = session.scalars(select(MemberNote)).all()
    assert (note.member_id, note.author_id, note.contacted) == (
        story.id, people.organizer_member.id, True)
    body = organizer_client.get(_url(story)).get_data(as_text=True)
    assert "LINEで近況を伺いました" in body and "連絡済み" in body
    empty = organizer_client.post(_url(story), data={"body": "  "})
    assert empty.status_code == 422
    assert "メモを書くか" in empty.get_data(as_text=True)


def test_roles_and_other_communities(session, other_tenant, organizer_client, staff_client,
                                     member_client, story, people):
    assert staff_client.get(_url(story)).status_code == 200
    page = staff_client.get(_url(story)).get_data(as_text=True)
    assert "メモを保存<" not in page
    assert member_client.get(_url(story)).status_code == 403
    assert organizer_client.get(_url(people.other_owner_member)).status_code == 404
    response = organizer_client.post(_url(people.other_owner_member), data={"body": "x"})
    assert response.status_code == 404
    with unscoped(session):
        assert session.scalars(select(MemberNote)).all() == []


def test_statements_stay_the_same_for_a_long_story(app, session, tenant, organizer_client,
                                                   story):
    organizer_client.get(_url(story))
    with count_statements(app) as before:
        organizer_client.get(_url(story))
    for n in range(30):
        attend(session, meetup(session, tenant, f"過去の会{n}", days_ago(100 + n)), story)
    session.commit()
    with count_statements(app) as after:
        body = organizer_client.get(_url(story)).get_data(as_text=True)
    assert len(after) == len(before) <= 10
    assert 'data-pages="2"' in body
