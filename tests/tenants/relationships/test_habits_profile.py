"""The three gives on the profile page for the evening: shown on the day (and in the two days
before), not once the meetup is over, only to whoever sees the give/ask group (always the
member and the organizers), never in another community, in a fixed number of statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from joren.platform.db import utcnow
from joren.platform.membership.models import MemberStatus, ProfileVisibility
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import MeetupStatus, RegistrationStatus
from joren.tenants.relationships import journal
from joren.tenants.relationships.models import MeetupGives
from tests import factories
from tests.tenants.helpers import count_statements, in_english, meetup
from tests.tenants.meetups.helpers_feeds import registration

pytestmark = pytest.mark.usefixtures("clock")

TOKYO = ZoneInfo("Asia/Tokyo")
GIVES = ("税理士の紹介", "採用の経験談", "補助金の申請のコツ")


def _write(session, event, member, *gives: str) -> MeetupGives:  # type: ignore[no-untyped-def]
    values = [*gives, "", "", ""][:3]
    with unscoped(session):
        row = MeetupGives(tenant_id=event.tenant_id, member_id=member.id, meetup_id=event.id,
                          give_1=values[0], give_2=values[1], give_3=values[2])
        session.add(row)
        session.flush()
    return row


def _going(session, event, member, *gives: str):  # type: ignore[no-untyped-def]
    registration(session, event, member)
    _write(session, event, member, *gives)
    return event


def _peer(session, tenant, login, **fields):  # type: ignore[no-untyped-def]
    account = factories.account(session)
    factories.member(session, tenant, account, **fields)
    session.commit()
    return in_english(login(account))


def _page(c, tenant, member) -> str:  # type: ignore[no-untyped-def]
    response = c.get(f"/c/{tenant.slug}/members/{member.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_on_the_day_and_the_two_days_before_the_gives_are_on_the_profile(
        session, tenant, people, login, member_client, organizer_client):
    me = people.member_member
    tonight = _going(session, meetup(session, tenant, "十二月定例会", starts_at=utcnow()), me,
                     *GIVES)
    soon = _going(session, meetup(session, tenant, "朝活", starts_at=utcnow() + timedelta(days=1)),
                  me, "物流会社の紹介")
    _going(session, meetup(session, tenant, "来週の会", starts_at=utcnow() + timedelta(days=4)),
           me, "まだ先の話")
    session.commit()

    peer = _page(_peer(session, tenant, login), tenant, me)
    assert "Tonight I can give" in peer and all(give in peer for give in GIVES)
    assert "At 朝活 I can give" in peer and "物流会社の紹介" in peer
    assert peer.index("税理士の紹介") < peer.index("物流会社の紹介")  # soonest first
    assert "まだ先の話" not in peer  # four days ahead
    assert f"/meetups/{tonight.id}/gives" not in peer  # only the member edits them

    own = _page(in_english(member_client), tenant, me)
    assert "Tonight I can give" in own and f"/c/{tenant.slug}/meetups/{tonight.id}/gives" in own
    mine = member_client.get(f"/c/{tenant.slug}/profile").get_data(as_text=True)
    assert "Tonight I can give" in mine and "税理士の紹介" in mine
    assert f"/c/{tenant.slug}/meetups/{soon.id}/gives" in mine
    assert "物流会社の紹介" in _page(in_english(organizer_client), tenant, me)


def test_not_once_the_meetup_is_over_cancelled_or_the_registration_cancelled(
        session, tenant, people, login):
    me = people.member_member
    _going(session, meetup(session, tenant, "今朝の会", starts_at=utcnow() - timedelta(hours=3)),
           me, "終わった会の話")  # ended an hour ago
    _going(session, meetup(session, tenant, "中止の会", starts_at=utcnow() + timedelta(hours=5),
                           status=MeetupStatus.CANCELLED), me, "中止の会の話")
    dropped = meetup(session, tenant, "欠席の会", starts_at=utcnow() + timedelta(hours=5))
    registration(session, dropped, me, status=RegistrationStatus.CANCELLED)
    _write(session, dropped, me, "行かない会の話")
    _write(session, meetup(session, tenant, "未登録の会", starts_at=utcnow() + timedelta(hours=5)),
           me, "登録していない会の話")
    blank = _going(session, meetup(session, tenant, "空欄の会",
                                   starts_at=utcnow() + timedelta(hours=5)), me)
    session.commit()

    page = _page(_peer(session, tenant, login), tenant, me)
    for text in ("終わった会の話", "中止の会の話", "行かない会の話", "登録していない会の話",
                 "I can give"):
        assert text not in page
    assert f'data-meetup="{blank.id}"' not in page  # nothing written: nothing to show


def test_the_community_calendar_decides_today_and_the_last_day(session, scoped, tenant, people):
    me = people.member_member
    now = datetime(2026, 12, 8, 10, 0, tzinfo=TOKYO).astimezone(UTC)
    events = {}
    for title, local in (("today", datetime(2026, 12, 8, 19, 0)),
                         ("last-day", datetime(2026, 12, 10, 23, 0)),
                         ("too-late", datetime(2026, 12, 11, 0, 30))):
        starts = local.replace(tzinfo=TOKYO).astimezone(UTC)
        events[title] = _going(session, meetup(session, tenant, title, starts_at=starts), me,
                               title)
    session.commit()
    shown = journal.profile_gives(scoped(tenant), me.id, tenant, now=now)
    assert [(s.meetup.title, s.gives, s.tonight) for s in shown] == [
        ("today", ["today"], True), ("last-day", ["last-day"], False)]
    # The evening after: today's meetup is over, and the 11th is now within two days.
    later = datetime(2026, 12, 9, 0, 0, tzinfo=TOKYO).astimezone(UTC)
    assert [s.meetup.title for s in journal.profile_gives(scoped(tenant), me.id, tenant,
                                                          now=later)] == ["last-day", "too-late"]


def test_organizers_only_give_ask_hides_them_from_other_members(
        session, tenant, people, login, member_client, organizer_client):
    me = people.member_member
    me.give_ask_visibility = ProfileVisibility.ORGANIZERS
    _going(session, meetup(session, tenant, "十二月定例会", starts_at=utcnow()), me, *GIVES)
    session.commit()

    peer = _page(_peer(session, tenant, login), tenant, me)
    assert "I can give" not in peer and "税理士の紹介" not in peer
    assert "Tonight I can give" in _page(in_english(organizer_client), tenant, me)
    assert "税理士の紹介" in _page(in_english(member_client), tenant, me)
    assert "税理士の紹介" in member_client.get(f"/c/{tenant.slug}/profile").get_data(
        as_text=True)


def test_a_guest_sees_no_gives_for_a_members_only_meetup(session, tenant, people, login):
    me = people.member_member
    _going(session, meetup(session, tenant, "会員限定の会", starts_at=utcnow(), is_public=False),
           me, "会員だけの話")
    _going(session, meetup(session, tenant, "公開の会", starts_at=utcnow() + timedelta(days=1)),
           me, "誰でも聞ける話")
    session.commit()
    guest = _page(_peer(session, tenant, login, status=MemberStatus.GUEST), tenant, me)
    assert "誰でも聞ける話" in guest and "会員だけの話" not in guest
    member = _page(_peer(session, tenant, login), tenant, me)
    assert "誰でも聞ける話" in member and "会員だけの話" in member


def test_another_community_never_sees_them(session, tenant, other_tenant, people, login):
    me = people.member_member
    _going(session, meetup(session, tenant, "十二月定例会", starts_at=utcnow()), me, *GIVES)
    # The same person is a member over there too, with a meetup of their own tonight.
    there = factories.member(session, other_tenant, people.member)
    registration(session, meetup(session, other_tenant, "神戸の会", starts_at=utcnow()), there)
    session.commit()

    stranger = in_english(login(people.other_owner))
    assert stranger.get(f"/c/{tenant.slug}/members/{me.id}").status_code == 403
    assert stranger.get(f"/c/{other_tenant.slug}/members/{me.id}").status_code == 404
    page = _page(stranger, other_tenant, there)
    assert "I can give" not in page and "税理士の紹介" not in page
    outsider = in_english(login(people.outsider))
    assert outsider.get(f"/c/{tenant.slug}/members/{me.id}").status_code == 403


def test_the_profile_page_reads_the_gives_in_one_statement(
        app, session, tenant, people, login):
    me = people.member_member
    _going(session, meetup(session, tenant, "一回目", starts_at=utcnow()), me, "一つ目")
    session.commit()
    peer = _peer(session, tenant, login)
    _page(peer, tenant, me)  # warm up
    with count_statements(app) as one:
        assert "一つ目" in _page(peer, tenant, me)
    for day in (1, 2):
        _going(session, meetup(session, tenant, f"{day + 1}回目",
                               starts_at=utcnow() + timedelta(days=day)), me, f"{day}日後")
    session.commit()
    with count_statements(app) as three:
        page = _page(peer, tenant, me)
    assert "1日後" in page and "2日後" in page
    assert len(three) == len(one)
    me.give_ask_visibility = ProfileVisibility.ORGANIZERS
    session.commit()
    with count_statements(app) as none:
        assert "1日後" not in _page(peer, tenant, me)
    assert len(none) == len(one) - 1  # hidden: not even read
