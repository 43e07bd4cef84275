"""Feed the matching engine from a community: a fixed number of set-based statements (five),
whatever the size of the community (never a query per member or per pair).

- Members with their engagement level (one outer join); the engine itself keeps only the
  consenting, active ones, so every member's row is loaded.
- Every introduction ever made, in any status, is excluded from new cycles; the CONNECTED ones
  also count as "spoken" (and ``rank_among`` may bring them back as "meet again"). What is
  still pending counts towards each member's cap (``History.pending``): a suggestion not yet
  reviewed, for both sides; a sent one, for each side that has not answered.
- Who met whom: the attendance register (attended statuses: present, late, walk-in) of the
  community's last ``WINDOW`` held meetups — not cancelled, already started, latest first —
  read once as (member id, meetup id) rows and passed as ``History.attendance``. The engine
  counts meetups together only for the pairs it scores. Not from the relationship ledger: the
  ledger keeps only pairs with a real tie (contact, referral, introduction), so pairs who met
  but never spoke — exactly the "met but not spoken" ones — are not in it. Not a self-join
  either: one meetup of 780 attendees alone is ~300,000 pairs. The window keeps the register
  bounded (``WINDOW`` × the largest meetup) and "met" recent: a room shared two years ago is
  not a reason to be introduced now.
- The trained verifier's stored verdicts on the tags of the community's sentences, and the
  concepts the finder found where the words find none (``verdicts.read_both``, one
  statement); the engine judges and finds whatever is missing, and the cycle stores it.
- Who has spoken: the CONNECTED introductions, and whatever the features above answer to the
  ``spoken_pairs_wanted`` signal (the relationship ledger: a logged contact from either side,
  one statement).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from sqlalchemy import and_, select, true
from sqlalchemy.orm import Session

from joren.platform.db import IN_LIMIT, utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.tenancy import current_tenant_id
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions import verdicts
from joren.tenants.introductions.features import Features, History, Profile
from joren.tenants.introductions.models import Introduction, IntroductionStatus, Response
from joren.tenants.introductions.signals import spoken_pairs_wanted
from joren.tenants.meetups.models import ATTENDED, Attendance, Meetup, MeetupStatus
from joren.tenants.members import vocabulary

WINDOW = 12     # the last held meetups whose attendance says who met whom

_TEXT = ("offer_1", "offer_2", "offer_3", "business_description", "ask_description",
         "challenges", "goal_meetup")


def _codes(value: str | None) -> frozenset[str]:
    return frozenset(c.strip() for c in (value or "").split(",") if c.strip())


def _profiles(session: Session, ids: list[int] | None) -> list[Profile]:
    query = (
        select(Member.id, Member.status, Member.company, Member.industry_code,
               Member.company_size, Member.prefecture, Member.ask_industries,
               Member.ask_company_sizes, Member.seeks_same_industry,
               Member.accepts_introductions, Member.offer_concepts, Member.need_concepts,
               MemberEngagement.level,
               *(getattr(Member, c) for c in _TEXT))
        .outerjoin(MemberEngagement, and_(MemberEngagement.member_id == Member.id,
                                          MemberEngagement.tenant_id == Member.tenant_id))
        .order_by(Member.id))
    if ids is not None:
        query = query.where(Member.id.in_(ids))
    out = []
    for row in session.execute(query):
        m = row._mapping
        offers = tuple(t for t in (m["offer_1"], m["offer_2"], m["offer_3"],
                                   m["business_description"]) if t and t.strip())
        asks = tuple(t for t in (m["ask_description"], m["challenges"], m["goal_meetup"])
                     if t and t.strip())
        out.append(Profile(
            id=m["id"], offers=offers, asks=asks, industry=m["industry_code"] or "",
            company_size=m["company_size"] or "", prefecture=m["prefecture"] or "",
            ask_industries=_codes(m["ask_industries"]), ask_sizes=_codes(m["ask_company_sizes"]),
            seeks_same_industry=bool(m["seeks_same_industry"]),
            accepts_introductions=bool(m["accepts_introductions"]),
            active=m["status"] != MemberStatus.INACTIVE,
            level=str(getattr(m["level"], "value", m["level"]) or "none"),
            company=m["company"] or "",
            offer_concepts=vocabulary.parse_picks(m["offer_concepts"]),
            need_concepts=vocabulary.parse_picks(m["need_concepts"])))
    return out


def _within(low, high, ids: list[int] | None):  # type: ignore[no-untyped-def]
    return and_(low.in_(ids), high.in_(ids)) if ids is not None else true()


def _attendance(session: Session, ids: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """(member ids, meetup ids) of attendances at the last ``WINDOW`` held meetups."""
    tenant_id = current_tenant_id(session)
    recent = (select(Meetup.id)
              .where(Meetup.tenant_id == tenant_id, Meetup.status != MeetupStatus.CANCELLED,
                     Meetup.starts_at <= utcnow())
              .order_by(Meetup.starts_at.desc(), Meetup.id.desc())
              .limit(WINDOW).subquery())
    query = (select(Attendance.member_id, Attendance.meetup_id)
             .join(recent, recent.c.id == Attendance.meetup_id)
             .where(Attendance.tenant_id == tenant_id, Attendance.status.in_(ATTENDED)))
    if ids is not None and len(ids) <= IN_LIMIT:
        query = query.where(Attendance.member_id.in_(ids))
    rows = np.asarray(session.execute(query).all(), np.int64).reshape(-1, 2)
    if ids is not None and len(ids) > IN_LIMIT:
        rows = rows[np.isin(rows[:, 0], np.asarray(ids, np.int64))]
    return rows[:, 0].copy(), rows[:, 1].copy()


def _history(session: Session, ids: list[int] | None) -> History:
    excluded, connected = set(), set()
    pending: Counter[int] = Counter()
    for low, high, status, low_answer, high_answer in session.execute(
            select(Introduction.member_low_id, Introduction.member_high_id, Introduction.status,
                   Introduction.low_response, Introduction.high_response)
            .where(_within(Introduction.member_low_id, Introduction.member_high_id, ids))):
        excluded.add((low, high))
        if status == IntroductionStatus.CONNECTED:
            connected.add((low, high))
        elif status == IntroductionStatus.SUGGESTED:
            pending.update((low, high))
        elif status == IntroductionStatus.SENT:
            pending.update(m for m, answer in ((low, low_answer), (high, high_answer))
                           if answer == Response.PENDING)
    spoken: set[tuple[int, int]] = set()
    for _receiver, answer in spoken_pairs_wanted.send(session, member_ids=ids):
        spoken |= answer
    return History(excluded=frozenset(excluded), connected=frozenset(connected),
                   spoken=frozenset(spoken | connected), attendance=_attendance(session, ids),
                   pending=dict(pending))


def load(session: Session) -> tuple[Features, History]:
    """The whole community in scope of ``session``."""
    judged, found = verdicts.read_both(session)
    return (Features(_profiles(session, None), verdicts=judged, found=found),
            _history(session, None))


def load_for(session: Session, member_ids: Iterable[int]) -> tuple[Features, History]:
    """Only these members (e.g. a meetup's registrants) and the history among them."""
    ids = sorted({int(i) for i in member_ids})
    judged, found = verdicts.read_both(session)
    return (Features(_profiles(session, ids), verdicts=judged, found=found),
            _history(session, ids))
