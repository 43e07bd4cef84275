"""The loader feeds the engine from the database: profiles, levels, history; batched queries;
never another community's members or history."""

from __future__ import annotations

from itertools import combinations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joren.models import AttendanceStatus, MeetupStatus
from joren.platform.membership.models import MemberStatus
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions import loader
from joren.tenants.introductions.history_keys import met_counts
from joren.tenants.introductions.loader import load, load_for
from joren.tenants.introductions.matching import rank_among, suggest
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.relationships.models import Contact, ContactKind, Relationship
from joren.tenants.relationships.services import log_contact
from tests import factories
from tests.tenants.helpers import attend, count_statements, days_ago, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _member(session: Session, community, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("accepts_introductions", True)
    return factories.member(session, community, **fields)


def _add(session: Session, *rows) -> None:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add_all(rows)
        session.flush()


def _intro(community, a, b, status):  # type: ignore[no-untyped-def]
    low, high = sorted((a.id, b.id))
    return Introduction(tenant_id=community.id, member_low_id=low, member_high_id=high,
                        source=IntroductionSource.ENGINE, status=status)


def test_profiles_levels_and_codes_are_loaded(session, scoped, tenant):
    m = _member(session, tenant, company="株式会社アルファ", industry_code="G",
                company_size="20-49", prefecture="27", offer_1="採用支援", offer_2="",
                offer_3="人材紹介", business_description="求人広告の代理店です",
                ask_industries="E,D", ask_company_sizes="50-99", ask_description="製造業の方と",
                challenges="人手不足", goal_meetup="税理士と知り合いたい", seeks_same_industry=True)
    quiet = _member(session, tenant, accepts_introductions=False, status=MemberStatus.INACTIVE)
    _add(session, MemberEngagement(tenant_id=tenant.id, member_id=m.id, level=Level.REGULAR))
    session.commit()

    features, _history = load(scoped(tenant))
    profile = features.profiles[features.position[m.id]]
    assert profile.offers == ("採用支援", "人材紹介", "求人広告の代理店です")
    assert profile.asks == ("製造業の方と", "人手不足", "税理士と知り合いたい")
    assert (profile.industry, profile.company_size, profile.prefecture) == ("G", "20-49", "27")
    assert profile.ask_industries == frozenset({"E", "D"})
    assert profile.ask_sizes == frozenset({"50-99"})
    assert profile.seeks_same_industry and profile.accepts_introductions and profile.active
    assert profile.level == "regular" and profile.company == "株式会社アルファ"
    other = features.profiles[features.position[quiet.id]]
    assert not other.accepts_introductions and not other.active and other.level == "none"


def _pair(x, y) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return tuple(sorted((x.id, y.id)))  # type: ignore[return-value]


def _contact(community, x, y):  # type: ignore[no-untyped-def]
    return Contact(tenant_id=community.id, member_id=x.id, other_id=y.id,
                   kind=ContactKind.TALKED, happened_on=days_ago(3).date())


def test_history_from_introductions_and_contacts(session, scoped, tenant):
    a, b, c, d, e = (_member(session, tenant) for _ in range(5))
    _add(session,
         _intro(tenant, a, b, IntroductionStatus.DECLINED),
         _intro(tenant, c, a, IntroductionStatus.CONNECTED),
         _intro(tenant, a, d, IntroductionStatus.SUGGESTED),
         _contact(tenant, e, d),
         # A ledger row says nothing about meeting: the register does (none here).
         Relationship(tenant_id=tenant.id, member_low_id=b.id, member_high_id=c.id,
                      meetups_together=3, contacts=0))
    session.commit()

    features, history = load(scoped(tenant))
    assert history.excluded == {_pair(a, b), _pair(a, c), _pair(a, d)}
    assert history.connected == {_pair(a, c)}
    assert history.spoken == {_pair(a, c), _pair(d, e)}
    assert not history.met_together and not len(history.attendance[0])
    assert met_counts(features, history, [(b.id, c.id)]) == {_pair(b, c): 0}


def test_met_counts_come_from_the_register_of_recent_held_meetups(session, scoped, tenant,
                                                                    monkeypatch):
    a, b, c, d = (_member(session, tenant) for _ in range(4))
    first, second, third = (meetup(session, tenant, starts_at=days_ago(n)) for n in (21, 14, 7))
    cancelled = meetup(session, tenant, starts_at=days_ago(10), status=MeetupStatus.CANCELLED)
    upcoming = meetup(session, tenant, starts_at=days_ago(-7))
    oldest = meetup(session, tenant, starts_at=days_ago(28))
    for m in (a, b, c):
        attend(session, first, m)
    attend(session, second, a)
    attend(session, second, b, AttendanceStatus.LATE)
    attend(session, second, c, AttendanceStatus.ABSENT)
    attend(session, second, d, AttendanceStatus.EXCUSED)
    attend(session, third, a, AttendanceStatus.WALK_IN)
    attend(session, third, d)
    for m in (a, b, c, d):   # never counted: cancelled, not held yet, or out of the window
        attend(session, cancelled, m)
        attend(session, upcoming, m)
        attend(session, oldest, m)
    _add(session, _contact(tenant, c, a))
    session.commit()
    monkeypatch.setattr(loader, "WINDOW", 3)

    features, history = load(scoped(tenant))
    assert set(history.attendance[1].tolist()) == {first.id, second.id, third.id}
    everyone = [(x.id, y.id) for x, y in combinations((a, b, c, d), 2)]
    assert met_counts(features, history, everyone) == {
        _pair(a, b): 2, _pair(a, c): 1, _pair(a, d): 1,
        _pair(b, c): 1, _pair(b, d): 0, _pair(c, d): 0}
    assert history.spoken == {_pair(a, c)}
    # A subset: only its members' attendances.
    features, history = load_for(scoped(tenant), [a.id, b.id])
    assert set(history.attendance[0].tolist()) == {a.id, b.id}
    assert met_counts(features, history, [(a.id, b.id)]) == {_pair(a, b): 2}


def test_met_but_not_spoken_survives_a_logged_contact(session, scoped, tenant):
    """Once one contact is logged the ledger has rows; pairs who only shared a room are
    not in it, and still get "met but not spoken" through the loader."""
    giver = _member(session, tenant, offer_1="採用支援・求人広告の運用代行")
    asker = _member(session, tenant, ask_description="採用に課題。求人を出しても応募が来ない")
    friend = _member(session, tenant, offer_1="採用支援・求人広告の運用代行")
    held = [meetup(session, tenant, starts_at=days_ago(n)) for n in (14, 7)]
    for m in held:
        for x in (giver, asker, friend):
            attend(session, m, x)
    session.commit()
    s = scoped(tenant)
    log_contact(s, friend.id, asker.id, ContactKind.TALKED)
    s.commit()
    assert s.scalar(select(func.count()).select_from(Relationship)) == 1

    features, history = load(scoped(tenant))
    assert history.spoken == {_pair(friend, asker)}
    found = {(x.a, x.b): x for x in suggest(features, history, cap=2)}
    met = [r.params for r in found[_pair(giver, asker)].reasons if r.code == "met_not_spoken"]
    assert met == [{"a": min(giver.id, asker.id), "b": max(giver.id, asker.id), "meetups": 2}]
    spoke = found.get(_pair(friend, asker))
    assert spoke is None or "met_not_spoken" not in {r.code for r in spoke.reasons}
    ranked = rank_among(features, history, [giver.id, asker.id, friend.id])
    assert "met_not_spoken" in {r.code for r in ranked[giver.id][0].reasons}


def test_load_for_a_subset_keeps_only_their_history(session, scoped, tenant):
    a, b, c = (_member(session, tenant) for _ in range(3))
    _add(session, _intro(tenant, a, b, IntroductionStatus.SENT),
         _intro(tenant, b, c, IntroductionStatus.EXPIRED))
    session.commit()
    features, history = load_for(scoped(tenant), [a.id, b.id])
    assert sorted(features.ids.tolist()) == sorted([a.id, b.id])
    assert history.excluded == {tuple(sorted((a.id, b.id)))}


def test_another_communitys_members_and_history_are_never_loaded(session, scoped, tenant,
                                                                  other_tenant, monkeypatch):
    mine = [_member(session, tenant, offer_1="採用支援") for _ in range(2)]
    theirs = [_member(session, other_tenant, ask_description="採用に課題") for _ in range(2)]
    _add(session, _intro(other_tenant, *theirs, IntroductionStatus.CONNECTED),
         _contact(other_tenant, *theirs),
         Relationship(tenant_id=other_tenant.id, member_low_id=min(t.id for t in theirs),
                      member_high_id=max(t.id for t in theirs), meetups_together=5))
    held = meetup(session, tenant, starts_at=days_ago(30))
    for m in mine:
        attend(session, held, m)
    # Their meetups are more recent: they must not push ours out of our window.
    for n in (2, 1):
        theirs_held = meetup(session, other_tenant, starts_at=days_ago(n))
        for t in theirs:
            attend(session, theirs_held, t)
    session.commit()
    monkeypatch.setattr(loader, "WINDOW", 1)
    features, history = load(scoped(tenant))
    assert sorted(features.ids.tolist()) == sorted(m.id for m in mine)
    assert not history.excluded and not history.met_together and not history.spoken
    assert sorted(history.attendance[0].tolist()) == sorted(m.id for m in mine)
    assert set(history.attendance[1].tolist()) == {held.id}
    # Even when asked for them by id.
    features, history = load_for(scoped(tenant), [t.id for t in theirs] + [mine[0].id])
    assert features.ids.tolist() == [mine[0].id]
    assert not history.excluded and not history.spoken
    assert history.attendance[0].tolist() == [mine[0].id]


def test_statement_count_does_not_grow_with_the_community(app, session, scoped, tenant):
    def grow(n: int) -> None:
        ms = [_member(session, tenant, offer_1="採用支援", ask_description="採用に課題")
              for _ in range(n)]
        _add(session, *[MemberEngagement(tenant_id=tenant.id, member_id=m.id,
                                         level=Level.REGULAR) for m in ms],
             *[_intro(tenant, x, y, IntroductionStatus.SKIPPED)
               for x, y in zip(ms, ms[1:], strict=False)],
             *[_contact(tenant, x, y) for x, y in zip(ms, ms[2:], strict=False)])
        held = meetup(session, tenant, starts_at=days_ago(n))
        for m in ms:
            attend(session, held, m)
        session.commit()

    grow(3)
    with count_statements(app) as small:
        load(scoped(tenant))
    grow(30)
    s = scoped(tenant)
    with count_statements(app) as large:
        features, history = load(s)
        ids = features.ids.tolist()
        load_for(s, ids[:10])
    assert len(large) == 2 * len(small)
    assert len(small) <= 5          # members, introductions, spoken, attendance, verdicts
    assert len(features) == 33 and len(history.excluded) == 31
    assert len(history.attendance[0]) == 33 and len(history.spoken) == 1 + 28


def test_loaded_community_flows_through_the_engine(session, scoped, tenant, other_tenant):
    giver = _member(session, tenant, offer_1="採用支援・求人広告の運用代行", prefecture="13")
    asker = _member(session, tenant, ask_description="採用に課題。求人を出しても応募が来ない",
                    prefecture="13")
    _member(session, tenant, offer_1="ヨガ教室", accepts_introductions=False)
    _member(session, other_tenant, ask_description="採用に課題")
    session.commit()
    features, history = load(scoped(tenant))
    (s,) = suggest(features, history)
    assert {s.a, s.b} == {giver.id, asker.id}
    ranked = rank_among(features, history, [giver.id, asker.id])
    assert ranked[giver.id][0].b == asker.id
