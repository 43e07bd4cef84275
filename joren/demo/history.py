"""The demo community's relationship history: eight months of past introductions (most of them
connected), the contacts the two logged afterwards, a few referrals and their value, and the
demo member's journal and gives, so that the organizer's outcomes page and the member's
"My network" have something to show.

The pairs come from the matching engine itself, run on the loaded community (so the reasons
are the engine's own, in its format): first the demo member's best partners, scripted into
relationships of different depths (one at the 5–7 contact milestone, one not followed up),
then one allocation with a cap of one for everyone else, of which a seeded sample is spread
over the past monthly cycles. ``first_introductions`` runs this BEFORE this month's cycle, so
that the cycle excludes every pair introduced here (one introduction per pair, ever).

Every table is one executemany; the ledger is then rebuilt in one go. Deterministic: one
seeded generator walking lists in member order.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from joren.demo.journal import add_journal_and_gives
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.introductions import loader as intro_loader
from joren.tenants.introductions import matching
from joren.tenants.introductions.features import Features, History
from joren.tenants.introductions.features import pair as ordered_pair
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionCycle,
    IntroductionSource,
    IntroductionStatus,
    Response,
)
from joren.tenants.introductions.services import reasons_json
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    Meetup,
)
from joren.tenants.relationships import services as ledger
from joren.tenants.relationships.models import (
    Contact,
    ContactKind,
    Referral,
    ReferralStatus,
)

HISTORY_SEED = 2028
HISTORY_MONTHS = 8
ENGINE_PAIRS = 32          # past engine introductions besides the demo member's
EXPIRY_DAYS = 14
NUDGE_AFTER = timedelta(days=30)
# The demo member's scripted relationships: (months ago, status, private contacts after the
# connection, referral: None / (direction, status, value)); "me" gives when direction is 1.
MINE: tuple[tuple[int, IntroductionStatus, int, tuple[int, ReferralStatus, int] | None], ...] = (
    (7, IntroductionStatus.CONNECTED, 6, (0, ReferralStatus.CLOSED_WON, 800_000)),
    (5, IntroductionStatus.CONNECTED, 3, (1, ReferralStatus.OPEN, 0)),
    (4, IntroductionStatus.DECLINED, 0, None),
    (3, IntroductionStatus.CONNECTED, 2, (1, ReferralStatus.CLOSED_WON, 350_000)),
    (2, IntroductionStatus.EXPIRED, 0, None),
    (0, IntroductionStatus.CONNECTED, 0, None),   # connected lately, not followed up yet
)
REFERRAL_PLAN = (ReferralStatus.CLOSED_WON, ReferralStatus.CLOSED_WON, ReferralStatus.CLOSED_LOST,
                 ReferralStatus.OPEN, ReferralStatus.CLOSED_WON, ReferralStatus.CLOSED_LOST,
                 ReferralStatus.CLOSED_WON)
VALUES_JPY = (150_000, 220_000, 300_000, 480_000, 650_000, 900_000, 1_200_000, 2_000_000)
REFERRAL_TEXTS = (
    "取引先の社長を紹介（社内システムの入れ替えを検討中）",
    "知人の会社の採用サイト制作の相談",
    "顧問先の事業承継について相談したいとのこと",
    "新店舗の内装工事の見積もり依頼",
    "社員研修の講師を探している会社をご紹介",
    "補助金申請のサポートを希望する製造業の方",
    "オフィス移転に伴う物件探しの相談",
    "展示会用の販促物制作の依頼",
)
MESSAGES = ("お二人はきっと話が合うと思います。ぜひ一度お茶でもどうぞ。",
            "先日の交流会でお話を伺い、ご紹介したいと思いました。")
@dataclass(frozen=True)
class _Scene:
    """The loaded demo community that the history is drawn on."""

    tenant: int
    me: int  # the demo member, with scripted relationships
    organizer: int  # who approved the introductions
    members: dict[int, tuple[str, datetime]]  # id -> (email, joined_at)
    meetups: list[Any]  # (id, starts_at), oldest first
    attended: dict[int, set[int]]  # member id -> meetups they came to
    now: datetime
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()


def add_history(session: Session, now: datetime, zone: ZoneInfo, member_email: str,
                organizer_email: str) -> int:
    """Insert the history (session bound to the demo community) unless the community has
    introductions already; rebuild the ledger. ``member_email`` is the demo member's (the
    one with scripted relationships), ``organizer_email`` the organizer's who approved the
    introductions. Returns how many introductions it added."""
    if session.scalar(select(Introduction.id).limit(1)) is not None:
        return 0
    rng = random.Random(HISTORY_SEED)
    scene = _read_scene(session, now, zone, member_email, organizer_email)
    cycle_starts = _cycle_starts(now, zone)
    features, history = intro_loader.load(session)
    plan = _plan(rng, features, history, scene.me, scene.members, cycle_starts, now)
    cycle_ids = _insert_cycles(session, scene, cycle_starts, int(features.eligible.sum()), plan)
    rows, contacts, referrals, followed = _outcomes(rng, scene, plan, cycle_starts, cycle_ids)
    referrals += _referrals_between_others(rng, followed, scene.today)
    stamp = {"created_at": now, "tenant_id": scene.tenant}
    session.execute(insert(Introduction.__table__), rows)
    if contacts:
        session.execute(insert(Contact.__table__), contacts)
    stamped = [{**stamp, **r} for r in referrals if r]
    if stamped:
        session.execute(insert(Referral.__table__), stamped)
    add_journal_and_gives(session, scene.tenant, scene.me, scene.meetups, scene.attended,
                          now)
    ledger.rebuild(session)
    return len(rows)


def _read_scene(session: Session, now: datetime, zone: ZoneInfo, member_email: str,
                organizer_email: str) -> _Scene:
    """Members, meetups and who came to which, one query each."""
    tenant = current_tenant_id(session)
    assert tenant is not None, "the session must be bound to the demo community"
    members = {m_id: (email, joined) for m_id, email, joined in session.execute(
        select(Member.id, Member.email, Member.joined_at).order_by(Member.id))}
    me = next(m_id for m_id, (email, _) in members.items() if email == member_email)
    organizer = next(m_id for m_id, (email, _) in members.items() if email == organizer_email)
    meetups = session.execute(
        select(Meetup.id, Meetup.starts_at).order_by(Meetup.starts_at)).all()
    attended: dict[int, set[int]] = defaultdict(set)
    for member_id, meetup_id in session.execute(
            select(Attendance.member_id, Attendance.meetup_id)
            .where(Attendance.status.in_(ATTENDED))):
        attended[member_id].add(meetup_id)
    return _Scene(tenant=tenant, me=me, organizer=organizer, members=members,
                  meetups=list(meetups), attended=attended, now=now, zone=zone)


def _insert_cycles(session: Session, scene: _Scene, cycle_starts: list[datetime],
                   candidates: int, plan: list[dict[str, Any]]) -> dict[str, int]:
    """One finished cycle a month; their ids by period ("2026-03")."""
    session.execute(insert(IntroductionCycle.__table__), [
        {"created_at": scene.now, "tenant_id": scene.tenant, "period": start.strftime("%Y-%m"),
         "started_at": start, "finished_at": start + timedelta(minutes=1),
         "candidates": candidates,
         "suggested": sum(1 for p in plan if p["month"] == index and p["engine"])}
        for index, start in enumerate(cycle_starts)])
    return dict(session.execute(select(IntroductionCycle.period, IntroductionCycle.id)).all())


FollowedPair = tuple[tuple[int, int], list[dict[str, Any]]]


def _outcomes(rng: random.Random, scene: _Scene, plan: list[dict[str, Any]],
              cycle_starts: list[datetime], cycle_ids: dict[str, int],
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                         list[dict[str, Any] | None], list[FollowedPair]]:
    """The introduction rows, the contacts of the connected pairs, the demo member's
    scripted referrals, and the other pairs who followed up (with their contacts)."""
    stamp = {"created_at": scene.now, "tenant_id": scene.tenant}
    rows: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    referrals: list[dict[str, Any] | None] = []
    followed: list[FollowedPair] = []
    for item in plan:
        intro = _introduction(rng, item, cycle_starts, cycle_ids, scene.now)
        intro["decided_by_id"] = scene.organizer
        rows.append({**stamp, **intro})
        if intro["status"] != IntroductionStatus.CONNECTED:
            continue
        connected_on = intro["connected_at"].astimezone(scene.zone).date()
        pair = (intro["member_low_id"], intro["member_high_id"])
        days = _follow_ups(rng, item, pair, connected_on, scene.today, scene.meetups,
                           scene.attended, scene.zone)
        contacts.extend({**stamp, **c} for c in days)
        if item["mine"] and item["referral"]:
            direction, status, value = item["referral"]
            giver, receiver = (item["a"], item["b"]) if direction else (item["b"], item["a"])
            referrals.append(_referral(rng, giver, receiver, status, value, days, scene.today))
        elif days:
            followed.append((pair, days))
    return rows, contacts, referrals, followed


def _referrals_between_others(rng: random.Random, followed: list[FollowedPair],
                              today: date) -> list[dict[str, Any] | None]:
    """Other pairs who followed up early enough for business to have closed since: a few
    referrals each way, most of them won."""
    early = [(pair, days) for pair, days in followed
             if min(c["happened_on"] for c in days) <= today - timedelta(days=80)]
    picked = sorted(rng.sample(range(len(early)), min(len(REFERRAL_PLAN), len(early))))
    referrals = []
    for index, status in zip(picked, REFERRAL_PLAN, strict=False):
        pair, days = early[index]
        giver, receiver = pair if rng.random() < 0.5 else pair[::-1]
        referrals.append(_referral(rng, giver, receiver, status, rng.choice(VALUES_JPY), days,
                                   today))
    return referrals


def _cycle_starts(now: datetime, zone: ZoneInfo) -> list[datetime]:
    """The first of each of the last HISTORY_MONTHS months before this one, 10:00 local."""
    local = now.astimezone(zone)
    starts = []
    for back in range(HISTORY_MONTHS, 0, -1):
        year, month = divmod(local.year * 12 + local.month - 1 - back, 12)
        starts.append(datetime(year, month + 1, 1, 10, 0, tzinfo=zone).astimezone(UTC))
    return starts


def _plan(rng: random.Random, features: Features, history: History,
          me: int, members: dict[int, tuple[str, datetime]], starts: list[datetime],
          now: datetime) -> list[dict[str, Any]]:
    """Which pairs were introduced in which past month, how it ended, and with what reasons."""

    def joined_by(member_id: int, when: datetime) -> bool:
        joined = members[member_id][1]
        return joined.replace(tzinfo=joined.tzinfo or UTC) <= when

    plan: list[dict[str, Any]] = []
    partners = matching.rank_among(features, history, list(members), top=20).get(me, [])
    used: set[int] = set()
    for months_ago, status, private, referral in MINE:
        when = now - timedelta(days=18) if months_ago == 0 else starts[-months_ago]
        pick = next((s for s in partners if s.b not in used and joined_by(s.b, when)), None)
        if pick is None:
            continue
        used.add(pick.b)
        plan.append({"a": me, "b": pick.b, "reasons": pick.reasons, "score": pick.score,
                     "month": len(starts) - months_ago if months_ago else None,
                     "engine": months_ago % 2 == 1, "status": status, "private": private,
                     "referral": referral, "mine": True, "when": when})

    taken = {ordered_pair(me, b) for b in used}
    caps = np.where(features.ids == me, 0, 1)
    pool = matching.suggest(features, replace(history, excluded=history.excluded | taken),
                            cap=caps)
    usable = []
    for suggestion in pool:  # the months in which both were members already
        months = [k for k, start in enumerate(starts)
                  if joined_by(suggestion.a, start) and joined_by(suggestion.b, start)]
        if months:
            usable.append((suggestion, months))
    per_month = [0] * len(starts)
    for index in sorted(rng.sample(range(len(usable)), min(ENGINE_PAIRS, len(usable)))):
        suggestion, months = usable[index]
        month = min(months, key=lambda k: (per_month[k], rng.random()))  # spread evenly
        per_month[month] += 1
        roll = rng.random()
        status = (IntroductionStatus.CONNECTED if roll < 0.7 else IntroductionStatus.DECLINED
                  if roll < 0.85 else IntroductionStatus.EXPIRED)
        plan.append({"a": suggestion.a, "b": suggestion.b, "reasons": suggestion.reasons,
                     "score": suggestion.score, "month": month, "engine": rng.random() < 0.85,
                     "status": status, "private": rng.choice([0, 1, 1, 2, 3]),
                     "referral": None, "mine": False, "when": starts[month]})
    return plan


def _introduction(rng: random.Random, item: dict[str, Any], starts: list[datetime],
                  cycle_ids: dict[str, int], now: datetime) -> dict[str, Any]:
    low, high = Introduction.ordered(item["a"], item["b"])
    status: IntroductionStatus = item["status"]
    sent = item["when"] + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 8))
    expires = sent + timedelta(days=EXPIRY_DAYS)
    first = sent + timedelta(hours=rng.randint(2, 60))
    second = first + timedelta(hours=rng.randint(1, 72))
    responses = {"low_response": Response.PENDING, "low_responded_at": None,
                 "high_response": Response.PENDING, "high_responded_at": None}
    sides = ["low", "high"] if rng.random() < 0.5 else ["high", "low"]
    connected_at = closed_at = nudged_at = None
    if status == IntroductionStatus.CONNECTED:
        for side, when in zip(sides, (first, second), strict=True):
            responses.update({f"{side}_response": Response.ACCEPTED, f"{side}_responded_at": when})
        connected_at = second
        if connected_at + NUDGE_AFTER <= now:
            nudged_at = connected_at + NUDGE_AFTER  # the month-later nudge went out then
    elif status == IntroductionStatus.DECLINED:
        responses.update({f"{sides[0]}_response": Response.DECLINED,
                          f"{sides[0]}_responded_at": first})
        closed_at = first
    else:
        responses.update({f"{sides[0]}_response": Response.ACCEPTED,
                          f"{sides[0]}_responded_at": first})
        closed_at = expires
    month = item["month"]
    engine = item["engine"] and month is not None
    return {
        "member_low_id": low, "member_high_id": high,
        "cycle_id": cycle_ids.get(starts[month].strftime("%Y-%m")) if engine else None,
        "source": IntroductionSource.ENGINE if engine else IntroductionSource.ORGANIZER,
        "status": status, "score": item["score"], "reasons": reasons_json(item["reasons"]),
        "message": "" if engine else rng.choice(MESSAGES), "requested_by_id": None,
        "request_note": "", "decided_by_id": None, "decided_at": sent, **responses,
        "sent_at": sent, "expires_at": expires, "connected_at": connected_at,
        "closed_at": closed_at, "nudged_at": nudged_at,
    }


def _follow_ups(rng: random.Random, item: dict[str, Any], pair: tuple[int, int],
                connected_on: date, today: date, meetups: list[Any],
                attended: dict[int, set[int]], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Contacts after the connection: 1:1s and calls, then talks at meetups both came to."""
    out: list[dict[str, Any]] = []
    days: set[date] = set()
    day = connected_on
    for number in range(item["private"]):
        day = day + timedelta(days=rng.randint(6, 24) if number else rng.randint(2, 12))
        if day >= today:
            break
        days.add(day)
        kind = ContactKind.ONE_ON_ONE if number % 2 == 0 else ContactKind.CALL
        out.append({"member_id": rng.choice(pair), "other_id": 0, "kind": kind,
                    "happened_on": day, "meetup_id": None, "note": ""})
    if out:
        both = attended.get(pair[0], set()) & attended.get(pair[1], set())
        for meetup_id, starts_at in meetups:
            on = starts_at.astimezone(zone).date()
            if meetup_id in both and connected_on < on < today and on not in days and (
                    rng.random() < 0.5):
                days.add(on)
                kind = ContactKind.TALKED if len(days) > 2 else ContactKind.CARD_EXCHANGE
                out.append({"member_id": rng.choice(pair), "other_id": 0, "kind": kind,
                            "happened_on": on, "meetup_id": meetup_id, "note": ""})
    for contact in out:
        contact["other_id"] = pair[1] if contact["member_id"] == pair[0] else pair[0]
    return out


def _referral(rng: random.Random, giver: int, receiver: int, status: ReferralStatus,
              value: int, contacts: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    """Business passed a little after the pair's first contact; still open if it would have
    closed after today. None when there was no contact to follow."""
    if not contacts:
        return None
    given_on = min(c["happened_on"] for c in contacts) + timedelta(days=rng.randint(3, 20))
    closed_on = given_on + timedelta(days=rng.randint(14, 50))
    if given_on >= today:
        return None
    if status != ReferralStatus.OPEN and closed_on >= today:
        status = ReferralStatus.OPEN
    won = status == ReferralStatus.CLOSED_WON
    return {"giver_id": giver, "receiver_id": receiver, "description": rng.choice(REFERRAL_TEXTS),
            "status": status, "value_jpy": value if won else None, "given_on": given_on,
            "closed_on": None if status == ReferralStatus.OPEN else closed_on}
