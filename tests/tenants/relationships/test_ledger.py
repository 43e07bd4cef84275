"""The relationship ledger: figures on a hand-built history, idempotent contacts, incremental
refreshes that agree with the full rebuild, and communities that never mix."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from joren.models import AttendanceStatus, MeetupStatus
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import IntroductionStatus
from joren.tenants.relationships import services
from joren.tenants.relationships.models import Contact, ContactKind, ReferralStatus, Relationship
from joren.tenants.relationships.services import LedgerError
from tests import factories
from tests.tenants.relationships.ledger_helpers import (
    attended,
    contact,
    introduction,
    past_meetup,
    referral,
)

pytestmark = pytest.mark.usefixtures("clock")

TOKYO = ZoneInfo("Asia/Tokyo")


def _ledger(s) -> dict[tuple[int, int], dict]:  # type: ignore[no-untyped-def]
    s.expire_all()
    return {(r.member_low_id, r.member_high_id): {f: getattr(r, f) for f in services.FIGURES}
            for r in s.scalars(select(Relationship))}


def _local(meetup):  # type: ignore[no-untyped-def]
    return meetup.starts_at.astimezone(TOKYO).date()


@pytest.fixture()
def history(session, tenant):  # type: ignore[no-untyped-def]
    a, b, c, d, e = (factories.member(session, tenant) for _ in range(5))
    m1, m2, m3 = (past_meetup(session, tenant, days) for days in (60, 30, 10))
    cancelled = past_meetup(session, tenant, 20, status=MeetupStatus.CANCELLED)
    attended(session, m1, a, b, c)
    attended(session, m2, a)
    attended(session, m2, b, status=AttendanceStatus.WALK_IN)
    attended(session, m3, a)
    attended(session, m3, b, status=AttendanceStatus.ABSENT)
    attended(session, cancelled, a, b)
    # a and b: the same conversation logged by both (one day), then a 1:1 later.
    contact(session, a, b, _local(m1), meetup=m1)
    contact(session, b, a, _local(m1), ContactKind.CARD_EXCHANGE, meetup=m1)
    one_on_one = _local(m2) + timedelta(days=3)
    contact(session, b, a, one_on_one, ContactKind.ONE_ON_ONE)
    referral(session, a, b, status=ReferralStatus.CLOSED_WON, value=1_200_000)
    referral(session, b, a, status=ReferralStatus.CLOSED_LOST)
    referral(session, b, a)
    referral(session, a, c)                       # open, no value
    introduction(session, a, b, IntroductionStatus.CONNECTED)
    introduction(session, c, d, IntroductionStatus.SUGGESTED)   # never told: no tie
    introduction(session, a, e, IntroductionStatus.DECLINED)
    session.flush()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "m1": m1, "m2": m2, "m3": m3,
            "one_on_one": one_on_one}


def test_rebuild_figures_on_a_hand_built_history(scoped, tenant, history):
    s = scoped(tenant)
    h = history
    assert services.rebuild(s) == 3
    ledger = _ledger(s)
    a, b, c, e = h["a"].id, h["b"].id, h["c"].id, h["e"].id
    assert set(ledger) == {(a, b), (a, c), (a, e)}
    assert ledger[(a, b)] == {
        "meetups_together": 2, "introductions": 1, "introduction_status": "connected",
        "contacts": 2, "referrals_low_to_high": 1, "referrals_high_to_low": 2,
        "referral_value": 1_200_000, "last_contact_on": h["one_on_one"]}
    assert ledger[(a, c)] == {
        "meetups_together": 1, "introductions": 0, "introduction_status": "", "contacts": 0,
        "referrals_low_to_high": 1, "referrals_high_to_low": 0, "referral_value": 0,
        "last_contact_on": _local(h["m1"])}
    assert ledger[(a, e)]["introduction_status"] == "declined"
    assert ledger[(a, e)]["last_contact_on"] is None
    # Rebuilding again gives the same ledger.
    assert services.rebuild(s) == 3
    assert _ledger(s) == ledger


def test_last_contact_is_the_latest_meetup_together_when_it_is_later(scoped, tenant, history,
                                                                     session):
    h = history
    attended(session, h["m3"], h["c"])
    contact(session, h["a"], h["c"], _local(h["m1"]))
    s = scoped(tenant)
    services.rebuild(s)
    row = _ledger(s)[(h["a"].id, h["c"].id)]
    assert (row["meetups_together"], row["contacts"]) == (2, 1)
    assert row["last_contact_on"] == _local(h["m3"])


def test_log_contact_is_idempotent_and_refreshes_the_pair(scoped, tenant, history):
    s = scoped(tenant)
    h = history
    services.rebuild(s)
    first = services.log_contact(s, h["c"].id, h["a"].id, ContactKind.CALL)
    again = services.log_contact(s, h["c"].id, h["a"].id, ContactKind.CALL, note="重複")
    assert again.id == first.id
    assert s.scalar(select(Relationship.contacts).where(
        Relationship.member_low_id == h["a"].id, Relationship.member_high_id == h["c"].id)) == 1
    # Another kind, meetup or day is another contact row; the same day still counts once.
    services.log_contact(s, h["c"].id, h["a"].id, ContactKind.TALKED, meetup_id=h["m1"].id,
                         happened_on=_local(h["m1"]))
    services.log_contact(s, h["a"].id, h["c"].id, ContactKind.CALL)
    assert len(s.scalars(select(Contact).where(Contact.other_id.in_(
        [h["a"].id, h["c"].id]), Contact.member_id.in_([h["a"].id, h["c"].id]))).all()) == 3
    row = services.relationship_of(s, h["a"].id, h["c"].id)
    assert row.contacts == 2
    assert row.last_contact_on == services.community_today(s)
    s.flush()
    assert _ledger(s) == (services.rebuild(s) and _ledger(s))


def test_log_contact_makes_a_new_pair_and_refuses_bad_input(scoped, tenant, other_tenant,
                                                            history, session):
    s = scoped(tenant)
    h = history
    services.log_contact(s, h["d"].id, h["e"].id, "card")
    row = services.relationship_of(s, h["e"].id, h["d"].id)
    assert (row.contacts, row.meetups_together) == (1, 0)
    stranger = factories.member(session, other_tenant)
    bad = [
        ((h["d"].id, h["d"].id, ContactKind.CALL), {}, "same_person"),
        ((h["d"].id, h["e"].id, "wave"), {}, "bad_kind"),
        ((h["d"].id, h["e"].id, ContactKind.CALL),
         {"happened_on": services.community_today(s) + timedelta(days=1)}, "future"),
        ((h["d"].id, stranger.id, ContactKind.CALL), {}, "unknown_member"),
        ((h["d"].id, h["e"].id, ContactKind.CALL), {"meetup_id": 10 ** 9}, "unknown_meetup"),
        ((h["d"].id, h["e"].id, ContactKind.CALL), {"note": "あ" * 501}, "note_too_long"),
    ]
    for args, options, code in bad:
        with pytest.raises(LedgerError) as refused:
            services.log_contact(s, *args, **options)
        assert refused.value.code == code
    assert s.scalar(select(Contact).where(Contact.other_id == stranger.id)) is None


def test_pairs_spoken(scoped, tenant, history):
    s = scoped(tenant)
    h = history
    a, b, c, d, e = (h[k].id for k in "abcde")
    # a-b: contacts and connected; a-c only a referral; a-e declined; c-d suggested.
    assert services.pairs_spoken(s) == {(a, b)}
    services.log_contact(s, e, d, ContactKind.CALL)
    assert services.pairs_spoken(s) == {(a, b), (min(d, e), max(d, e))}
    assert services.pairs_spoken(s, [a, b, c]) == {(a, b)}
    assert services.pairs_spoken(s, [a, c, d]) == set()


def test_refresh_member_follows_a_check_in(scoped, tenant, history, session):
    s = scoped(tenant)
    h = history
    services.rebuild(s)
    attended(session, h["m3"], h["c"])
    services.refresh_member(s, h["c"].id)
    assert services.relationship_of(s, h["a"].id, h["c"].id).meetups_together == 2
    assert _ledger(s) == (services.rebuild(s) and _ledger(s))


def test_a_pair_with_no_tie_left_leaves_the_ledger(scoped, tenant, history):
    s = scoped(tenant)
    h = history
    services.log_contact(s, h["d"].id, h["e"].id, ContactKind.CALL)
    assert services.relationship_of(s, h["d"].id, h["e"].id) is not None
    for row in s.scalars(select(Contact).where(Contact.member_id == h["d"].id)):
        s.delete(row)
    s.flush()
    services.refresh_pairs(s, [(h["e"].id, h["d"].id)])
    assert services.relationship_of(s, h["d"].id, h["e"].id) is None


def test_refresh_pairs_agrees_with_rebuild_on_a_random_history(scoped, tenant, session):
    rng = random.Random(5)
    members = [factories.member(session, tenant) for _ in range(14)]
    meetups = [past_meetup(session, tenant, 7 * i + 1) for i in range(8)]
    present = {}
    for m in meetups:
        present[m.id] = rng.sample(members, 7)
        attended(session, m, *present[m.id])
    pairs = [(x, y) for i, x in enumerate(members) for y in members[i + 1:]]
    for x, y in rng.sample(pairs, 25):
        by, other = (x, y) if rng.random() < 0.5 else (y, x)
        contact(session, by, other, _local(rng.choice(meetups)),
                rng.choice(list(ContactKind)))
    for x, y in rng.sample(pairs, 12):
        status = rng.choice(list(ReferralStatus))
        referral(session, x, y, status=status,
                 value=rng.randrange(0, 5_000_000) if status == ReferralStatus.CLOSED_WON else None)
    for x, y in rng.sample(pairs, 15):
        introduction(session, x, y, rng.choice(list(IntroductionStatus)))
    s = scoped(tenant)
    services.refresh_pairs(s, [(x.id, y.id) for x, y in pairs[:40]])
    for x, y in pairs[40:]:
        services.refresh_pairs(s, [(y.id, x.id)])
    incremental = _ledger(s)
    services.rebuild(s)
    assert _ledger(s) == incremental
    assert len(incremental) >= 30
    # Changes to the sources, then a member-by-member refresh, still agree.
    for row in s.scalars(select(Contact).limit(5)):
        s.delete(row)
    s.flush()
    attended(session, meetups[0], *[m for m in members if m not in present[meetups[0].id]])
    for member in members:
        services.refresh_member(s, member.id)
    incremental = _ledger(s)
    services.rebuild(s)
    assert _ledger(s) == incremental


def test_the_ledger_never_mixes_communities(scoped, tenant, other_tenant, history, session):
    h = history
    x, y = factories.member(session, other_tenant), factories.member(session, other_tenant)
    theirs = past_meetup(session, other_tenant, 10)
    attended(session, theirs, x, y)
    contact(session, x, y, _local(theirs))
    referral(session, y, x, status=ReferralStatus.CLOSED_WON, value=7)
    other = scoped(other_tenant)
    assert services.rebuild(other) == 1
    mine = scoped(tenant)
    assert services.rebuild(mine) == 3
    assert (h["a"].id, h["b"].id) in _ledger(mine)
    assert services.pairs_spoken(mine) == {(h["a"].id, h["b"].id)}
    with unscoped(session):
        rows = session.execute(select(Relationship.tenant_id, Relationship.member_low_id,
                                      Relationship.referral_value)).all()
    assert sorted(t for t, _low, _v in rows) == sorted([tenant.id] * 3 + [other_tenant.id])
    assert [(low, v) for t, low, v in rows if t == other_tenant.id] == [(min(x.id, y.id), 7)]
    # A rebuild in one community leaves the other's rows alone.
    services.rebuild(mine)
    assert len(_ledger(other)) == 1


def test_a_check_in_refreshes_the_members_ledger_rows_through_a_job(app_ctx, scoped, tenant,
                                                                     history, session,
                                                                     run_jobs):
    from joren.tenants.meetups import attendance

    h = history
    s = scoped(tenant)
    services.rebuild(s)
    s.commit()
    assert services.relationship_of(s, h["a"].id, h["c"].id).meetups_together == 1
    attendance.check_in(s, h["m3"], s.get(type(h["c"]), h["c"].id), None,
                        now=h["m3"].starts_at)
    s.commit()
    assert run_jobs() == 2   # engagement and the ledger
    s.expire_all()
    assert services.relationship_of(s, h["a"].id, h["c"].id).meetups_together == 2


def test_introduction_status_changes_reach_the_ledger(app_ctx, scoped, tenant, session):
    from joren.tenants.introductions import services as introductions

    a, b = factories.member(session, tenant), factories.member(session, tenant)
    s = scoped(tenant)
    intro = introductions.introduce(s, a.id, b.id, source="organizer")
    s.flush()
    assert services.relationship_of(s, a.id, b.id) is None   # still in the organizer's queue
    introductions.approve(s, intro, None)
    assert services.relationship_of(s, a.id, b.id).introduction_status == "sent"
    introductions.respond(s, intro, a.id, True)
    introductions.respond(s, intro, b.id, True)
    row = services.relationship_of(s, a.id, b.id)
    assert (row.introductions, row.introduction_status, row.contacts) == (1, "connected", 0)
    assert services.pairs_spoken(s) == {services.ordered(a.id, b.id)}


def test_the_daily_rebuild_job_and_its_schedule(app_ctx, scoped, tenant, other_tenant, history,
                                                session):
    from joren.workers import cron, relationship_jobs

    session.commit()
    assert relationship_jobs.rebuild(tenant.id, "2026-11-27") == 3
    assert relationship_jobs.rebuild(other_tenant.id, "2026-11-27") == 0
    assert relationship_jobs.rebuild(10 ** 9, "2026-11-27") is None   # community gone
    assert len(_ledger(scoped(tenant))) == 3
    assert any(entry.args == ("joren.workers.relationship_jobs.rebuild", "day")
               for entry in cron.SCHEDULE)
