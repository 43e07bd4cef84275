"""The demo community has a relationship history: past introductions and what came of them,
consistent in the organizer's outcomes and in the demo member's network, and the pending
cycle never suggests a pair introduced before."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from joren.demo import journal as demo_journal
from joren.demo import loader, meetups, people
from joren.demo.loader import first_introductions, load_demo
from joren.models import Member
from joren.platform.templating import yen
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionCycle,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.relationships import services
from joren.tenants.relationships.ledger import MILESTONE_LOW, network, not_followed_up
from joren.tenants.relationships.models import (
    Contact,
    ContactKind,
    JournalEntry,
    MeetupGives,
    Referral,
    ReferralStatus,
    Relationship,
)
from joren.tenants.relationships.outcomes import outcomes

pytestmark = pytest.mark.usefixtures("clock")

NOW = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)
OSAKA = ZoneInfo(meetups.TIMEZONE)


def _load(session):  # type: ignore[no-untyped-def]
    load_demo(session, now=NOW)
    return first_introductions(session, now=NOW)


def _local_day(value: datetime):  # type: ignore[no-untyped-def]
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(OSAKA).date()


def _past(session):  # type: ignore[no-untyped-def]
    return session.scalars(select(Introduction).where(
        Introduction.status != IntroductionStatus.SUGGESTED)).all()


def _demo_member(session) -> Member:  # type: ignore[no-untyped-def]
    return session.scalar(select(Member).where(Member.email == people.MEMBER_EMAIL))


def test_the_demo_outcomes_are_non_zero_and_consistent(session):  # type: ignore[no-untyped-def]
    _load(session)
    past = _past(session)
    result = outcomes(session, now=NOW)
    total = result.total

    assert total.made == len(past) >= 25
    assert 0 < total.contacted <= total.connected < total.made
    assert 0 < total.referred <= total.connected
    assert sum(1 for m in result.months if m.made) >= 7  # spread over the past eight months
    statuses = {i.status for i in past}
    assert statuses == {IntroductionStatus.CONNECTED, IntroductionStatus.DECLINED,
                        IntroductionStatus.EXPIRED}
    assert {i.source for i in past} == {IntroductionSource.ENGINE, IntroductionSource.ORGANIZER}
    assert all(i.reasons and all("code" in r and "params" in r for r in i.reasons) for i in past)
    owner = session.scalar(select(Member).where(Member.email == people.OWNER_EMAIL))
    assert {i.decided_by_id for i in past} == {owner.id}
    for intro in past:
        assert intro.sent_at <= NOW and _local_day(intro.sent_at) >= NOW.date().replace(
            year=2025, month=10, day=1)
        if intro.status == IntroductionStatus.CONNECTED:
            assert intro.sent_at < intro.connected_at <= NOW
        else:
            assert intro.connected_at is None and intro.closed_at is not None

    # "Led to a contact", recounted by hand: connected, and a contact on or after that day.
    connected = {(i.member_low_id, i.member_high_id): _local_day(i.connected_at)
                 for i in past if i.status == IntroductionStatus.CONNECTED}
    contacts = session.execute(
        select(Contact.member_id, Contact.other_id, Contact.happened_on, Contact.kind)).all()
    followed = set()
    for a, b, day, kind in contacts:
        pair = (min(a, b), max(a, b))
        assert pair in connected and day >= connected[pair]  # every contact follows one
        assert day < NOW.date() and kind in set(ContactKind) - {ContactKind.OTHER}
        followed.add(pair)
    assert total.connected == len(connected)
    assert total.contacted == len(followed)
    assert {kind for *_, kind in contacts} >= {ContactKind.ONE_ON_ONE, ContactKind.CALL,
                                               ContactKind.TALKED}

    referrals = session.scalars(select(Referral)).all()
    won = [r for r in referrals if r.status == ReferralStatus.CLOSED_WON]
    assert len(won) >= 3 and all(150_000 <= r.value_jpy <= 2_000_000 for r in won)
    assert {r.status for r in referrals} == set(ReferralStatus)
    assert all(r.closed_on is None for r in referrals if r.status == ReferralStatus.OPEN)
    assert all(r.given_on <= r.closed_on < NOW.date() for r in referrals if r.closed_on)
    assert result.total_value == sum(r.value_jpy for r in won) > 0
    assert sum(v.count for v in result.values) == len(won)


def test_the_ledger_is_rebuilt_from_the_history(session):  # type: ignore[no-untyped-def]
    _load(session)
    stored = {(r.member_low_id, r.member_high_id): {name: getattr(r, name)
                                                     for name in services.FIGURES}
              for r in session.scalars(select(Relationship))}
    computed = {pair: {name: values[name] for name in services.FIGURES}
                for pair, values in services.compute(session).items()}
    assert stored == computed
    assert {(i.member_low_id, i.member_high_id) for i in _past(session)} <= set(stored)
    assert sum(r["referral_value"] for r in stored.values()) == sum(session.scalars(
        select(Referral.value_jpy).where(Referral.status == ReferralStatus.CLOSED_WON)))


def test_the_demo_member_has_a_network_with_depth(session):  # type: ignore[no-untyped-def]
    _load(session)
    me = _demo_member(session)
    entries = network(session, me)
    introduced = [e for e in entries if e.introduction == "connected"]
    assert len(introduced) >= 3
    deepest = entries[0]
    assert deepest.depth >= MILESTONE_LOW and deepest.milestone_reached
    assert deepest.relationship.referral_value > 0
    assert any(0 < e.depth < MILESTONE_LOW for e in introduced)
    assert any(e.given for e in entries) and any(e.received for e in entries)
    # Introductions that did not connect leave no trace on the page.
    assert all(e.introduction != "not_connected" or e.relationship.meetups_together
               for e in entries)

    follow_ups = not_followed_up(session, me, now=NOW)
    waiting = [f for f in follow_ups if f.reason == "introduced"]
    assert len(waiting) == 1 and waiting[0].other.id in {e.other.id for e in introduced}

    assert session.scalar(select(func.count(JournalEntry.id))
                          .where(JournalEntry.member_id == me.id)) >= 3
    gives = session.scalars(select(MeetupGives)).all()
    mine = [g for g in gives if g.member_id == me.id]
    assert len(mine) == 2 and all(g.give_1 and g.give_2 and g.give_3 for g in mine)
    upcoming = {g.meetup_id for g in mine} & {g.meetup_id for g in gives if g.member_id != me.id}
    assert len(upcoming) == 1


def test_the_pending_cycle_never_repeats_a_past_pair(session):  # type: ignore[no-untyped-def]
    suggested = _load(session)
    past = {(i.member_low_id, i.member_high_id) for i in _past(session)}
    cycle = session.scalar(select(IntroductionCycle).where(IntroductionCycle.period == "2026-06"))
    pending = session.scalars(select(Introduction).where(
        Introduction.cycle_id == cycle.id)).all()
    assert suggested == len(pending) >= 10
    assert all(i.status == IntroductionStatus.SUGGESTED for i in pending)
    assert not past & {(i.member_low_id, i.member_high_id) for i in pending}
    past_cycles = session.scalars(select(IntroductionCycle).where(
        IntroductionCycle.id != cycle.id)).all()
    assert len(past_cycles) == 8 and all(c.finished_at < NOW for c in past_cycles)
    assert first_introductions(session, now=NOW) == suggested  # nothing added twice
    assert len(_past(session)) == len(past)


def test_the_demo_history_is_the_same_every_time(maker):  # type: ignore[no-untyped-def]
    def shape(s):  # type: ignore[no-untyped-def]
        email = dict(s.execute(select(Member.id, Member.email)).all())
        intros = sorted((email[i.member_low_id], email[i.member_high_id], i.status,
                         i.source, i.sent_at, i.connected_at)
                        for i in s.scalars(select(Introduction)))
        contacts = sorted((email[a], email[b], day) for a, b, day in s.execute(
            select(Contact.member_id, Contact.other_id, Contact.happened_on)))
        referrals = sorted((email[a], email[b], status, value) for a, b, status, value in
                           s.execute(select(Referral.giver_id, Referral.receiver_id,
                                            Referral.status, Referral.value_jpy)))
        return intros, contacts, referrals

    before = maker(expire_on_commit=False)
    _load(before)
    first = shape(before)
    before.flush()
    fresh = maker(expire_on_commit=False)  # a session serves one community: the new one
    load_demo(fresh, now=NOW, reset=True)
    first_introductions(fresh, now=NOW)
    assert shape(fresh) == first


def test_the_demo_pages_show_the_history(session, login):  # type: ignore[no-untyped-def]
    load_demo(session)
    first_introductions(session)
    session.commit()
    owner = session.scalar(select(Member).where(Member.email == people.OWNER_EMAIL))
    me = _demo_member(session)
    deepest = network(session, me)[0].other
    total_value = outcomes(session).total_value
    owner_account, member_account = owner.account, me.account

    owner_client = login(owner_account)
    page = owner_client.get(f"/c/{loader.SLUG}/admin/outcomes")
    assert page.status_code == 200
    assert total_value > 0 and yen(total_value) in page.get_data(as_text=True)
    for path in ("admin/introductions", "admin/introductions/history", "admin/analytics"):
        assert owner_client.get(f"/c/{loader.SLUG}/{path}").status_code == 200, path
    member_client = login(member_account)
    page = member_client.get(f"/c/{loader.SLUG}/network")
    assert page.status_code == 200
    assert deepest.family_name in page.get_data(as_text=True)
    for path in ("introductions", "journal", "evenings", "profile", ""):
        assert member_client.get(f"/c/{loader.SLUG}/{path}").status_code == 200, path
    journal = member_client.get(f"/c/{loader.SLUG}/journal").get_data(as_text=True)
    assert sum(body[:20] in journal for body in demo_journal.JOURNAL) >= 3
