"""Build the demo community: people, a year of monthly meetups, and who came to them.

The shape of attendance is what Joren is about: real regulars (9 or more of 12 meetups),
returning members, one-timers, and regulars who drifted away in the last few months.
Everything is drawn from one seeded random generator, so two loads on the same day match.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from joren.demo import data
from joren.platform.db import utcnow
from joren.platform.identity.account import Account
from joren.platform.identity.community import Community, CommunityKind
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.names import romaji_forms, romaji_search_key
from joren.platform.security import hash_password
from joren.platform.tenancy import set_tenant
from joren.tenants.meetups.models import (
    Attendance,
    AttendanceStatus,
    Meetup,
    Registration,
    RegistrationStatus,
)
from joren.tenants.members.industries import INDUSTRIES

SLUG = "osaka-ikigyoshu"
NAME = "大阪異業種交流会「常連」"
TIMEZONE = "Asia/Tokyo"
PASSWORD = "joren-demo-2026"
ACCOUNT_DOMAIN = "demo.joren.jp"
OWNER_EMAIL = f"organizer@{ACCOUNT_DOMAIN}"
STAFF_EMAIL = f"staff@{ACCOUNT_DOMAIN}"
MEMBER_EMAIL = f"member@{ACCOUNT_DOMAIN}"
SEED = 2026
PAST_MEETUPS = 12
UPCOMING_MEETUPS = 2
FIRST_MEETUP_NUMBER = 61
PRICE_YEN = 3000
CAPACITY = 40

# How many people of each kind, 120 in all.
GROUPS = {"regular": 20, "returning": 15, "one_timer": 40, "lapsed": 10, "never": 35}
GUEST_ONE_TIMERS = 6
GUEST_RETURNING = 2
GUEST_NEVER = 3
INACTIVE_NEVER = 5
# Returning members who first came through the public guest form and have joined since.
CONVERTED_GUESTS = 6
# Share of the meetups a returning member skipped that they had still registered for.
UNRECORDED_NO_SHOW = 0.1
INDUSTRY_CODES = {label.ja: code for code, label in INDUSTRIES.items()}
GIVE_AND_ASK_FIELDS = ("offer_1", "offer_2", "offer_3", "business_description",
                       "ask_description", "challenges", "ask_industries")

# (family, family reading, given, given reading, company, title, industry, email)
KEY_PEOPLE = {
    "owner": ("北村", "キタムラ", "雅之", "マサユキ", "北浜コンサルティング合同会社", "代表社員",
              "学術研究，専門・技術サービス業", OWNER_EMAIL),
    "staff": ("西田", "ニシダ", "彩", "アヤ", "株式会社なにわ企画", "営業部長",
              "サービス業（他に分類されないもの）", STAFF_EMAIL),
    "member": ("山本", "ヤマモト", "翔太", "ショウタ", "株式会社みらいシステムズ", "代表取締役",
               "情報通信業", MEMBER_EMAIL),
}
KEY_ROLES = {"owner": Role.OWNER, "staff": Role.STAFF, "member": Role.MEMBER}
KEY_ATTENDANCE = {"owner": 12, "staff": 12, "member": 11}


@dataclass(frozen=True)
class DemoSummary:
    """What the demo community holds, for the closing message."""

    community_id: int
    slug: str
    name: str
    created: bool
    members: int
    meetups: int
    attendances: int


@dataclass
class Person:
    """One member row to insert, and which kind of attender the person is."""

    group: str
    values: dict[str, Any]
    key: str | None = None


def load_demo(session: Session, *, now: datetime | None = None,
              reset: bool = False) -> DemoSummary:
    """Load the demo community unless it is there already (``reset`` deletes it first).

    Binds ``session`` to the demo community; the caller commits.
    """
    now = now or utcnow()
    if reset:
        remove_demo(session)
    existing = session.scalar(select(Community).where(Community.slug == SLUG))
    if existing is not None:
        set_tenant(session, existing.id)
        return _summary(session, existing, created=False)

    rng = random.Random(SEED)
    accounts = _demo_accounts(session)
    community = Community(
        slug=SLUG, name=NAME, kind=CommunityKind.CROSS_INDUSTRY, timezone=TIMEZONE,
        default_language="ja", currency="JPY", city="大阪市", is_public=True,
        description=data.COMMUNITY_DESCRIPTION,
    )
    session.add(community)
    session.flush()
    set_tenant(session, community.id)

    past, upcoming = meetup_times(now)
    people = _people(rng, accounts)
    plans = [(person, _plan_attendance(rng, person)) for person in people]
    _set_joined_dates(rng, plans, past, now)

    # Each table is one executemany; the new ids are then read back in one query each.
    session.execute(insert(Meetup), [
        _meetup(community.id, number, starts_at)
        for number, starts_at in enumerate(past + upcoming, start=FIRST_MEETUP_NUMBER)
    ])
    session.execute(insert(Member), [{"tenant_id": community.id, **p.values} for p in people])
    meetup_ids = list(session.scalars(select(Meetup.id).order_by(Meetup.starts_at)))
    member_ids = dict(session.execute(select(Member.email, Member.id)).all())
    session.execute(insert(Attendance), [
        {"tenant_id": community.id, "meetup_id": meetup_ids[index],
         "member_id": member_ids[person.values["email"]], "status": status,
         "created_at": past[index]}
        for person, plan in plans for index, status in plan
    ])
    ordered_ids = [member_ids[p.values["email"]] for p, _ in plans]
    session.execute(insert(Registration), _registrations(
        rng, community.id, plans, ordered_ids, meetup_ids[len(past):], len(past), now)
        + _past_registrations(community.id, plans, ordered_ids, meetup_ids, past))
    return _summary(session, community, created=True)


def first_introductions(session: Session, now: datetime | None = None) -> int:
    """Engagement levels, the relationship history (``history.add_history``: past
    introductions, contacts, referrals, journal and gives, then the ledger rebuilt), then this
    month's matching cycle, so that the organizer's review queue has suggestions to look at
    (the monthly cron then finds the month done).

    The history goes in BEFORE the cycle, so that the cycle leaves out every pair introduced
    in the past (one introduction per pair, ever). It is inserted here rather than in
    ``load_demo``, which must stay within a few bulk statements; it is itself one
    executemany per table. ``joren demo`` runs this after loading; the session is bound to
    the demo community. Returns how many introductions were suggested."""
    from joren.demo.history import add_history
    from joren.tenants.engagement.services import recompute_community
    from joren.tenants.introductions.cycles import due_period, run_cycle
    from joren.tenants.introductions.models import Cadence

    now = now or utcnow()
    recompute_community(session, now=now)
    add_history(session, now, ZoneInfo(TIMEZONE), MEMBER_EMAIL, OWNER_EMAIL)
    return run_cycle(session, due_period(Cadence.MONTHLY, now) or "demo", now=now).suggested


def _registrations(rng: random.Random, tenant_id: int, plans: list[tuple[Person, list[Any]]],
                   member_ids: list[int], upcoming_ids: list[int], past_count: int,
                   now: datetime) -> list[dict[str, Any]]:
    """Who has already signed up for the coming meetups: mostly people who came lately; the
    next one is over capacity, so a few wait for a seat."""
    recent = [member_id for (person, plan), member_id in zip(plans, member_ids, strict=True)
              if any(index >= past_count - 3 and status.attended for index, status in plan)]
    rows = []
    for number, meetup_id in enumerate(upcoming_ids):
        share = 1.0 if number == 0 else 0.6
        chosen = [m for m in recent if rng.random() < share]
        if number == 0:
            chosen += rng.sample([m for m in member_ids if m not in chosen], 6)
        for position, member_id in enumerate(chosen):
            waiting = position >= CAPACITY
            rows.append({
                "tenant_id": tenant_id, "meetup_id": meetup_id, "member_id": member_id,
                "status": RegistrationStatus.WAITLISTED if waiting else RegistrationStatus.GOING,
                "waitlist_position": position - CAPACITY + 1 if waiting else None,
                "source": "portal", "confirmed_at": now, "status_changed_at": now,
                "created_at": now,
            })
    return rows


def _past_registrations(tenant_id: int, plans: list[tuple[Person, list[Any]]],
                        member_ids: list[int], meetup_ids: list[int],
                        past: list[datetime]) -> list[dict[str, Any]]:
    """How people signed up for the past meetups: walk-ins had not; everyone else had, so
    the absent ones are no-shows. Guests (and the returning members who started as guests)
    came in through the public guest form. A generator of its own keeps the rest unchanged."""
    rng = random.Random(SEED + 1)
    joined = [p for p, _ in plans
              if p.group == "returning" and p.values["status"] == MemberStatus.MEMBER]
    converted = {id(p) for p in joined[:CONVERTED_GUESTS]}
    rows = []
    for (person, plan), member_id in zip(plans, member_ids, strict=True):
        signed_up = {index: status for index, status in plan
                     if status != AttendanceStatus.WALK_IN}
        if person.group == "returning" and plan:
            first = min(index for index, _ in plan)
            signed_up.update({index: None for index in range(first, PAST_MEETUPS)
                              if index not in signed_up and rng.random() < UNRECORDED_NO_SHOW})
        first_visit = min((i for i, status in plan if status.attended), default=None)
        for index in sorted(signed_up):
            as_guest = person.values["status"] == MemberStatus.GUEST or (
                id(person) in converted and index == first_visit)
            when = past[index] - timedelta(days=rng.randint(3, 20))
            rows.append({
                "tenant_id": tenant_id, "meetup_id": meetup_ids[index], "member_id": member_id,
                "status": RegistrationStatus.GOING, "source": "guest" if as_guest else "portal",
                "confirmed_at": when, "status_changed_at": when, "created_at": when,
            })
    return rows


def remove_demo(session: Session) -> None:
    """Delete the demo community (its rows go with it) and the demo accounts."""
    session.execute(delete(Community).where(Community.slug == SLUG))
    session.execute(delete(Account).where(Account.email.like(f"%@{ACCOUNT_DOMAIN}")))
    session.expunge_all()


def meetup_times(now: datetime) -> tuple[list[datetime], list[datetime]]:
    """The last twelve and the next two second-Tuesday evenings (19:00 in Osaka), in UTC."""
    zone = ZoneInfo(TIMEZONE)
    local_now = now.astimezone(zone)
    starts = []
    for offset in range(-14, 4):
        year, month = divmod(local_now.year * 12 + local_now.month - 1 + offset, 12)
        day = _second_tuesday(year, month + 1)
        starts.append(datetime(year, month + 1, day.day, 19, 0, tzinfo=zone).astimezone(UTC))
    past = [s for s in starts if s <= now][-PAST_MEETUPS:]
    upcoming = [s for s in starts if s > now][:UPCOMING_MEETUPS]
    return past, upcoming


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def _meetup(tenant_id: int, number: int, starts_at: datetime) -> dict[str, Any]:
    venue_name, venue_address = data.VENUES[starts_at.month % 2]
    return {
        "tenant_id": tenant_id, "title": f"第{number}回 定例交流会",
        "description": data.MEETUP_DESCRIPTION, "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2), "venue_name": venue_name,
        "venue_address": venue_address, "capacity": CAPACITY, "price": PRICE_YEN,
        "is_public": True,
    }


def _demo_accounts(session: Session) -> dict[str, Account]:
    """The owner, staff and member accounts: verified, with the demo password."""
    accounts = {}
    for key, spec in KEY_PEOPLE.items():
        email = spec[7]
        account = session.scalar(select(Account).where(Account.email == email))
        if account is None:
            account = Account(email=email, password_hash=hash_password(PASSWORD),
                              display_name=f"{spec[0]} {spec[2]}", language="ja",
                              email_verified_at=utcnow())
            session.add(account)
        accounts[key] = account
    session.flush()
    return accounts


def _people(rng: random.Random, accounts: dict[str, Account]) -> list[Person]:
    names = _unique_names(rng, sum(GROUPS.values()) - len(KEY_PEOPLE))
    emails: set[str] = set()
    people = [
        Person("regular", _key_member(key, accounts[key]), key=key) for key in KEY_PEOPLE
    ]
    emails.update(spec[7] for spec in KEY_PEOPLE.values())
    for group, size in GROUPS.items():
        count = size - (len(KEY_PEOPLE) if group == "regular" else 0)
        for _ in range(count):
            people.append(Person(group, _random_member(rng, next(names), emails)))
    _set_statuses(people)
    return people


def _unique_names(rng: random.Random, count: int) -> Iterator[tuple[str, str, str, str]]:
    taken = {(spec[0], spec[2]) for spec in KEY_PEOPLE.values()}
    pairs = [(f, g) for f in data.FAMILY_NAMES for g in data.GIVEN_NAMES
             if (f[0], g[0]) not in taken]
    for family, given in rng.sample(pairs, count):
        yield family[0], family[1], given[0], given[1]


def _member(*, account_id: int | None, role: Role, email: str, family: str, family_kana: str,
            given: str, given_kana: str, company: str, title: str,
            industry: str) -> dict[str, Any]:
    return {
        "account_id": account_id, "role": role, "status": MemberStatus.MEMBER, "email": email,
        "family_name": family, "given_name": given, "family_name_kana": family_kana,
        "given_name_kana": given_kana, "name_romaji": romaji_search_key(family_kana, given_kana),
        "company": company, "title": title, "industry": industry,
        "industry_code": INDUSTRY_CODES.get(industry, ""),
        **_give_and_ask(email, company, industry),
    }


def _give_and_ask(email: str, company: str, industry: str) -> dict[str, Any]:
    """What the member offers and asks for (data.PROFILES), and consent to introductions for
    four in five. Chosen from the email address, not the random generator, so that its
    sequence (and with it the attendance patterns) stays as it was."""
    pick = zlib.crc32(email.encode())
    blank = dict.fromkeys(GIVE_AND_ASK_FIELDS, "")  # one set of keys for the bulk insert
    return {**blank, **data.profile_for(company, industry, pick),
            "accepts_introductions": pick % 5 != 0}


def _key_member(key: str, account: Account) -> dict[str, Any]:
    family, family_kana, given, given_kana, company, title, industry, email = KEY_PEOPLE[key]
    values = _member(account_id=account.id, role=KEY_ROLES[key], email=email, family=family,
                     family_kana=family_kana, given=given, given_kana=given_kana,
                     company=company, title=title, industry=industry)
    values["accepts_introductions"] = True  # the demo sign-ins see introductions at work
    return values


def _random_member(rng: random.Random, name: tuple[str, str, str, str],
                   emails: set[str]) -> dict[str, Any]:
    family, family_kana, given, given_kana = name
    industry = rng.choice(list(data.INDUSTRIES))
    patterns, titles = data.INDUSTRIES[industry]
    company = rng.choice(patterns).format(w=rng.choice(data.NAME_WORDS), f=family)
    title = next((t for office, t in data.OFFICE_TITLES.items() if company.endswith(office)),
                 None) or rng.choice(titles)
    return _member(account_id=None, role=Role.MEMBER,
                   email=_email(rng, family_kana, given_kana, emails), family=family,
                   family_kana=family_kana, given=given, given_kana=given_kana,
                   company=company, title=title, industry=industry)


def _email(rng: random.Random, family_kana: str, given_kana: str, taken: set[str]) -> str:
    local = f"{romaji_forms(given_kana)[-1]}.{romaji_forms(family_kana)[-1]}".replace(" ", "")
    domain = rng.choice(data.EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    n = 2
    while email in taken:
        email = f"{local}{n}@{domain}"
        n += 1
    taken.add(email)
    return email


def _set_statuses(people: list[Person]) -> None:
    by_group: dict[str, list[Person]] = {}
    for person in people:
        by_group.setdefault(person.group, []).append(person)
    for person in by_group["one_timer"][:GUEST_ONE_TIMERS]:
        person.values["status"] = MemberStatus.GUEST
    for person in by_group["returning"][:GUEST_RETURNING]:
        person.values["status"] = MemberStatus.GUEST
    never = by_group["never"]
    for person in never[:GUEST_NEVER]:
        person.values["status"] = MemberStatus.GUEST
    for person in never[GUEST_NEVER:GUEST_NEVER + INACTIVE_NEVER]:
        person.values["status"] = MemberStatus.INACTIVE


def _plan_attendance(rng: random.Random, person: Person) -> list[tuple[int, AttendanceStatus]]:
    """(past meetup index, status) for each meetup the person signed up for; 0 is the oldest."""
    came, missed = _attended_meetups(rng, person)
    plan = [(index, _came_status(rng, person)) for index in came]
    for index in missed:
        status = AttendanceStatus.EXCUSED if rng.random() < 0.6 else AttendanceStatus.ABSENT
        plan.append((index, status))
    return plan


def _attended_meetups(rng: random.Random, person: Person) -> tuple[list[int], list[int]]:
    """Which past meetups the person came to, and which they signed up for but missed."""
    everything = range(PAST_MEETUPS)
    if person.group == "regular":
        count = KEY_ATTENDANCE.get(person.key or "", rng.choice([9, 10, 10, 11, 11, 12]))
        came = rng.sample(everything, count)
        return sorted(came), [i for i in everything if i not in came]
    if person.group == "returning":
        start = rng.randint(0, 7)
        span = range(start, PAST_MEETUPS)
        came = rng.sample(span, min(len(span), rng.randint(3, 6)))
        return sorted(came), [i for i in span if i not in came and rng.random() < 0.2]
    if person.group == "one_timer":
        return [rng.randrange(PAST_MEETUPS)], []
    if person.group == "lapsed":
        # A regular through the first eight months, then gone for the last three or four.
        lapse = rng.choice([PAST_MEETUPS - 4, PAST_MEETUPS - 3])
        came = rng.sample(range(8), rng.randint(6, 8 - (lapse - 8)))
        came += list(range(8, lapse))
        return sorted(came), ([lapse] if rng.random() < 0.3 else [])
    return [], []


def _came_status(rng: random.Random, person: Person) -> AttendanceStatus:
    if person.group == "one_timer" and rng.random() < 0.25:
        return AttendanceStatus.WALK_IN
    return AttendanceStatus.LATE if rng.random() < 0.08 else AttendanceStatus.PRESENT


def _set_joined_dates(rng: random.Random,
                      plans: list[tuple[Person, list[tuple[int, AttendanceStatus]]]],
                      past: list[datetime], now: datetime) -> None:
    """Regulars joined long ago; others on the evening they first came (or lately)."""
    for person, plan in plans:
        if person.group in ("regular", "lapsed"):
            joined = past[0] - timedelta(days=rng.randint(30, 1100))
        elif plan:
            joined = past[min(index for index, _ in plan)]
        else:
            joined = now - timedelta(days=rng.randint(1, 360))
        person.values["joined_at"] = joined
        person.values["created_at"] = joined


def _summary(session: Session, community: Community, created: bool) -> DemoSummary:
    def count(column: object) -> int:
        return int(session.scalar(select(func.count(column))) or 0)

    return DemoSummary(
        community_id=community.id, slug=community.slug, name=community.name, created=created,
        members=count(Member.id), meetups=count(Meetup.id), attendances=count(Attendance.id),
    )
