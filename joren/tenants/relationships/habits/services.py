"""Before and after each meetup: the habits the best networkers keep, as emails.

- **Two days before** (09:00 local time, two calendar days before the meetup's local date):
  each member registered GOING gets "people to meet at this meetup" — their best matches among
  the registrants (``loader.load_for`` + ``matching.rank_among``), with the reasons in their
  own language and only what the others show to members — and a prompt to write down three
  things they can give that evening (the portal's gives page). The people sent are kept on the
  member's ``MeetupGives`` row for the next day's follow-up.
- **The next day** (08:00 local time on the day after the meetup's local date): each attendee
  gets the people they were sent to meet, the people they were introduced to (a CONNECTED
  introduction) and the people who checked in beside them — only those who attended too, at
  most ``MAX_FOLLOW_UP_PEOPLE`` — each with a one-click "we talked" link (left out once they
  logged it), what they meant to give, and a prompt to note one insight in their journal.
- **A month after a connection** with no logged contact since: a gentle nudge
  (``habit_nudges``).

A periodic job calls ``send_meetup_emails`` every 15 minutes.
Only what is due is built, each message has an idempotency key per (registration or
attendance, kind), so a second run or an overlapping one sends nothing twice. Each email has
its category, so members' opt-outs (email preferences, List-Unsubscribe) are honoured.
The builders load everything for one meetup in a fixed number of queries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joren.platform.db import utcnow
from joren.platform.i18n import format_local
from joren.platform.identity.community import Community
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.urls import external_url
from joren.tenants.introductions import loader, matching, reasons, verdicts
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.meetups.models import (
    ATTENDED,
    Attendance,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)
from joren.tenants.meetups.reminders import DATE_FORMATS, meetup_link
from joren.tenants.relationships.habits import links
from joren.tenants.relationships.habits.people import (
    Person,
    person,
    public_name,
    reachable,
    shown_reasons,
)
from joren.tenants.relationships.habits.schedule import (
    PREP_DAYS_BEFORE,
    follow_up_send_at,
    local_date,
    prep_send_at,
)
from joren.tenants.relationships.models import Contact, ContactKind, MeetupGives

log = logging.getLogger("joren.habits")

PREP_TEMPLATE = "relationships/habits/prep"
FOLLOW_UP_TEMPLATE = "relationships/habits/follow_up"
PREP_CATEGORY = "meetup_prep"
FOLLOW_UP_CATEGORY = "follow_ups"

TOP = 3
FOLLOW_UP_LATEST = timedelta(days=2)      # a job down longer than this sends no stale follow-up
BESIDE = 3
BESIDE_WINDOW = timedelta(minutes=10)
MAX_FOLLOW_UP_PEOPLE = 8

# Why someone is in a follow-up, best reason first (rendered in the reader's language).
SENT_TO_MEET = "to_meet"
INTRODUCED = "introduced"
BESIDE_AT_DOOR = "beside"
WHY_LABELS = {
    SENT_TO_MEET: _l("on your list of people to meet"),
    INTRODUCED: _l("introduced to you"),
    BESIDE_AT_DOOR: _l("checked in next to you"),
}


@dataclass
class Prepared:
    """One email ready to queue (built without queueing, so the builders can be measured)."""

    member: Member
    key: str
    language: str
    context: dict[str, Any]
    people: list[int]


def _queued(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    return set(session.scalars(
        select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(keys))))


def _common(community: Community, meetup: Meetup, member: Member,
            language: str) -> dict[str, Any]:
    return {
        "community_name": community.name,
        "member_name": public_name(member) or member.display_name,
        "meetup": meetup,
        "starts": format_local(meetup.starts_at, community.zone, language,
                               DATE_FORMATS),
        "meetup_url": meetup_link(community, meetup),
        "preferences_url": external_url("community.habits.preferences", slug=community.slug),
    }


# -- two days before ---------------------------------------------------------------------------

def prep_key(registration: Registration) -> str:
    return f"habits:prep:{registration.tenant_id}:{registration.id}"


def due_prep_meetups(session: Session, community: Community, now: datetime) -> list[Meetup]:
    meetups = session.scalars(
        select(Meetup).where(Meetup.status == MeetupStatus.SCHEDULED, Meetup.starts_at > now,
                             Meetup.starts_at <= now + timedelta(days=PREP_DAYS_BEFORE + 2))
        .order_by(Meetup.starts_at, Meetup.id)
    ).all()
    return [m for m in meetups if prep_send_at(m, community) <= now]


def going(session: Session, meetup: Meetup) -> list[Registration]:
    """Confirmed GOING registrations of active members, members loaded."""
    rows = session.scalars(
        select(Registration).options(selectinload(Registration.member))
        .where(Registration.meetup_id == meetup.id,
               Registration.status == RegistrationStatus.GOING,
               Registration.confirmed_at.is_not(None))
        .order_by(Registration.id)
    ).all()
    return [r for r in rows if r.member.status != MemberStatus.INACTIVE]


def build_prep(session: Session, community: Community, meetup: Meetup) -> list[Prepared]:
    """The "people to meet" emails of one meetup not queued yet (a fixed number of queries)."""
    registrations = going(session, meetup)
    queued = _queued(session, (prep_key(r) for r in registrations))
    todo = [r for r in registrations if reachable(r.member) and prep_key(r) not in queued]
    if not todo:
        return []
    members = {r.member_id: r.member for r in registrations}
    ids = list(members)
    features, history = loader.load_for(session, ids)
    ranked = matching.rank_among(features, history, ids, top=TOP)
    if features.verdicts is not None:   # what the verifier judged here, for the cycles
        verdicts.store(session, features.verdicts)
    if features.found is not None:      # what the finder found here, for the cycles
        verdicts.store_found(session, features.found)
    names = {member_id: public_name(m) for member_id, m in members.items()}
    prepared = []
    for registration in todo:
        member = registration.member
        language = recipient_language(member, community)
        people = []
        for suggestion in ranked.get(member.id, [])[:TOP]:
            other_id = suggestion.b if suggestion.a == member.id else suggestion.a
            other = members.get(other_id)
            if other is None or other_id == member.id:
                continue
            card = person(other, language, community)
            card.reasons = reasons.render(shown_reasons(suggestion.reasons, other), names,
                                          language)
            people.append(card)
        context = {
            **_common(community, meetup, member, language),
            "people": people,
            "gives_url": external_url("community.habits.gives", slug=community.slug,
                                      meetup_id=meetup.id),
        }
        prepared.append(Prepared(member, prep_key(registration), language, context,
                                 [p.member_id for p in people]))
    return prepared


def _remember_people(session: Session, meetup: Meetup, sent: dict[int, list[int]]) -> None:
    """Keep who each member was sent to meet on their MeetupGives row (created if missing)."""
    if not sent:
        return
    rows = {g.member_id: g for g in session.scalars(
        select(MeetupGives).where(MeetupGives.meetup_id == meetup.id,
                                  MeetupGives.member_id.in_(list(sent))))}
    for member_id, people in sent.items():
        row = rows.get(member_id)
        if row is None:
            session.add(MeetupGives(member_id=member_id, meetup_id=meetup.id,
                                    people_to_meet=list(people)))
        else:
            row.people_to_meet = list(people)
    session.flush()


def send_prep(session: Session, community: Community, meetup: Meetup) -> int:
    sent: dict[int, list[int]] = {}
    prepared = build_prep(session, community, meetup)
    for item in prepared:
        message = _queue(session, community, item, PREP_TEMPLATE, PREP_CATEGORY)
        if message.status != OutboxStatus.SUPPRESSED:
            sent[item.member.id] = item.people
    _remember_people(session, meetup, sent)
    return len(prepared)


def _queue(session: Session, community: Community, item: Prepared, template: str,
           category: str) -> OutboxMessage:
    return queue_email(session, to=item.member.email or "", template=template,
                       context=item.context, language=item.language,
                       idempotency_key=item.key, community_id=community.id, category=category)


# -- the next day ------------------------------------------------------------------------------

def follow_up_key(attendance: Attendance) -> str:
    return f"habits:follow-up:{attendance.tenant_id}:{attendance.id}"


def due_follow_up_meetups(session: Session, community: Community,
                          now: datetime) -> list[Meetup]:
    meetups = session.scalars(
        select(Meetup).where(Meetup.status == MeetupStatus.SCHEDULED, Meetup.starts_at < now,
                             Meetup.starts_at >= now - timedelta(days=4))
        .order_by(Meetup.starts_at, Meetup.id)
    ).all()
    return [m for m in meetups
            if follow_up_send_at(m, community) <= now < follow_up_send_at(m, community)
            + FOLLOW_UP_LATEST]


def checked_in_beside(checkins: Sequence[tuple[int, datetime]], *, nearest: int = BESIDE,
                      window: timedelta = BESIDE_WINDOW) -> dict[int, list[int]]:
    """For each member, the ``nearest`` others who checked in closest to them in time.

    People who reach the door at about the same moment wait together at the reception desk
    and usually have their first conversation there, so they are likely to have talked. In
    check-in order (time, then member id), each member's neighbours are taken by their time
    difference (the earlier one first on a tie), only those within ``window`` of them, at most
    ``nearest`` of them. Members with no check-in time are left out.
    """
    ordered = sorted((at, member_id) for member_id, at in checkins if at is not None)
    result: dict[int, list[int]] = {}
    for i, (at, member_id) in enumerate(ordered):
        around = ordered[max(0, i - nearest):i] + ordered[i + 1:i + 1 + nearest]
        close = [(abs((other_at - at).total_seconds()), other_at, other_id)
                 for other_at, other_id in around if abs(other_at - at) <= window]
        close.sort()
        result[member_id] = [other_id for _, _, other_id in close[:nearest]]
    return result


def _introduced_among(session: Session, ids: list[int]) -> dict[int, list[int]]:
    """Each member's CONNECTED introductions to others among ``ids``, oldest first."""
    introduced: dict[int, list[int]] = {}
    for low, high in session.execute(
        select(Introduction.member_low_id, Introduction.member_high_id)
        .where(Introduction.status == IntroductionStatus.CONNECTED,
               Introduction.member_low_id.in_(ids), Introduction.member_high_id.in_(ids))
        .order_by(Introduction.connected_at, Introduction.id)
    ):
        introduced.setdefault(low, []).append(high)
        introduced.setdefault(high, []).append(low)
    return introduced


def _follow_up_people(community: Community, meetup: Meetup, member: Member, language: str,
                      present: dict[int, Member],
                      sources: Iterable[tuple[str, Iterable[int] | None]],
                      logged: set[tuple[int, int]]) -> list[Person]:
    """The people one member's follow-up names (those present, at most
    ``MAX_FOLLOW_UP_PEOPLE``), each with why and a "we talked" link unless already logged."""
    reasons: dict[int, list[str]] = {}
    for why, others in sources:
        for other_id in others or ():
            if other_id in present and other_id != member.id:
                reasons.setdefault(other_id, []).append(why)
    people = []
    for other_id, why in list(reasons.items())[:MAX_FOLLOW_UP_PEOPLE]:
        card = person(present[other_id], language, community)
        card.why = tuple(WHY_LABELS[w] for w in why)
        if (member.id, other_id) not in logged:
            card.log_url = links.talked_url(community, member.id, other_id, meetup.id)
        people.append(card)
    return people


def build_follow_ups(session: Session, community: Community, meetup: Meetup) -> list[Prepared]:
    """The next-day emails of one meetup not queued yet (a fixed number of queries)."""
    attendances = session.scalars(
        select(Attendance).options(selectinload(Attendance.member))
        .where(Attendance.meetup_id == meetup.id, Attendance.status.in_(ATTENDED))
        .order_by(Attendance.id)
    ).all()
    attendances = [a for a in attendances if a.member.status != MemberStatus.INACTIVE]
    queued = _queued(session, (follow_up_key(a) for a in attendances))
    todo = [a for a in attendances if reachable(a.member) and follow_up_key(a) not in queued]
    if not todo:
        return []
    present = {a.member_id: a.member for a in attendances}
    ids = list(present)
    todo_ids = [a.member_id for a in todo]
    gives = {g.member_id: g for g in session.scalars(
        select(MeetupGives).where(MeetupGives.meetup_id == meetup.id,
                                  MeetupGives.member_id.in_(todo_ids)))}
    introduced = _introduced_among(session, ids)
    logged = set(session.execute(
        select(Contact.member_id, Contact.other_id)
        .where(Contact.meetup_id == meetup.id, Contact.kind == ContactKind.TALKED,
               Contact.member_id.in_(todo_ids))))
    beside = checked_in_beside([(a.member_id, a.checked_in_at) for a in attendances])
    happened = local_date(meetup.starts_at, community)
    prepared = []
    for attendance in todo:
        member = attendance.member
        language = recipient_language(member, community)
        row = gives.get(member.id)
        sources = ((SENT_TO_MEET, row.people_to_meet if row else []),
                   (INTRODUCED, introduced.get(member.id, [])),
                   (BESIDE_AT_DOOR, beside.get(member.id, [])))
        people = _follow_up_people(community, meetup, member, language, present, sources,
                                   logged)
        context = {
            **_common(community, meetup, member, language),
            "people": people,
            "gives": [g for g in (row.give_1, row.give_2, row.give_3) if g] if row else [],
            "journal_url": external_url("community.habits.journal_new", slug=community.slug,
                                        meetup_id=meetup.id),
            "happened_on": happened,
        }
        prepared.append(Prepared(member, follow_up_key(attendance), language, context,
                                 [p.member_id for p in people]))
    return prepared


def send_follow_ups(session: Session, community: Community, meetup: Meetup) -> int:
    prepared = build_follow_ups(session, community, meetup)
    for item in prepared:
        _queue(session, community, item, FOLLOW_UP_TEMPLATE, FOLLOW_UP_CATEGORY)
    return len(prepared)


def send_meetup_emails(session: Session, community: Community,
                       now: datetime | None = None) -> int:
    """Queue every due "people to meet" and next-day email (each at most once)."""
    now = now or utcnow()
    count = 0
    for meetup in due_prep_meetups(session, community, now):
        count += send_prep(session, community, meetup)
    for meetup in due_follow_up_meetups(session, community, now):
        count += send_follow_ups(session, community, meetup)
    if count:
        log.info("community %s: %d meetup habit emails queued", community.id, count)
    return count
