"""A big, realistic community for page benchmarks: ``build(make_session, members=5000,
attendance=60000)``.

Not a test: ``tools/page_bench.py`` and ``tests/perf/test_page_throughput.py`` import it.
Everything any console or portal page reads is there, so every page does its real work:

- members with full profiles (readings and romaji, company, title, JSIC industry, size,
  prefecture, what they give and look for, goals; mostly Japanese, about one in six in
  English), guests and inactive members, half of them with an account;
- a weekly series over 14 months (``meetups`` past occurrences, default 60) and the
  ``attendance`` rows of who came (regulars, returning members, one-timers, lapsed regulars,
  people who never came), registrations for them, register changes on the latest one;
  ``UPCOMING`` meetups ahead with registrations, the next one over capacity with a waitlist;
- engagement levels stored by the app's own ``recompute_community``;
- introductions: monthly cycles over the past 14 months (sent, connected, declined, expired,
  skipped), drawn from the app's matching engine, then this month's cycle run by the app
  (``run_cycle``), so the review queue holds the engine's suggestions, plus member requests;
- contacts after connections and at meetups, referrals with closed business, journal entries,
  gives for the next meetup, the relationship ledger rebuilt by the app (``ledger.rebuild``);
- meetup fees paid at the door or by bank transfer for the last ``PAID_MEETUPS`` meetups,
  annual dues, receipt numbers and payment settings; email preferences (opt-outs); a finished
  CSV import; pending invitations;
- a known organizer (owner) and a known member (a regular with a rich network), both with the
  password ``PASSWORD``, and a second small community the member also belongs to.

Bulk inserts (one executemany per table) through sessions from ``make_session``; every
random draw comes from generators seeded with ``seed``, so two builds on the same day
match. On PostgreSQL the sessions must bypass row-level security (the owner, as migrations and
``joren demo`` connect); ``analyze`` then refreshes the planner's statistics.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, bindparam, func, or_, select, text, update
from sqlalchemy.orm import Session

from joren.demo import data
from joren.models import (
    Account,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Community,
    CommunityKind,
    Meetup,
    MeetupSeries,
    Member,
    MemberStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from joren.platform.db import utcnow
from joren.platform.names import romaji_search_key
from joren.platform.security import hash_password
from joren.platform.tenancy import set_tenant, unscoped
from joren.tenants.engagement.rollups import store as rollup_store
from joren.tenants.members.industries import COMPANY_SIZES, INDUSTRIES, PREFECTURES
from tests.perf import bigcommunity_history as history
from tests.perf import bigcommunity_news as news
from tests.perf.bigcommunity_history import bulk

PASSWORD = "bench passphrase 2026 long enough"
ORGANIZER_EMAIL = "organizer@bench.example.jp"
MEMBER_EMAIL = "member@bench.example.jp"
STAFF_EMAIL = "staff@bench.example.jp"
SLUG = "bench-big"
SMALL_SLUG = "bench-small"
ZONE = ZoneInfo("Asia/Tokyo")
UPCOMING = 4
NEXT_CAPACITY = 120
PRICE = 3000
INDUSTRY_CODES = {label.ja: code for code, label in INDUSTRIES.items()}
# (share of members, weight of their attendance); "one" come once, "never" never.
KINDS = (("regular", 0.12, 14.0), ("returning", 0.28, 3.0), ("lapsed", 0.08, 9.0),
         ("one", 0.22, 0.0), ("never", 0.30, 0.0))
ENGLISH = (
    {"offer_1": "Cross-border e-commerce setup", "offer_2": "English copywriting for websites",
     "offer_3": "Introductions to buyers in Singapore",
     "business_description": "We help Japanese makers sell overseas, from listing to logistics.",
     "ask_description": "Manufacturers with products that could sell abroad",
     "challenges": "Finding makers who are ready to export.", "ask_industries": "E,I"},
    {"offer_1": "Cloud accounting migration", "offer_2": "Bookkeeping automation",
     "offer_3": "Startup financial planning",
     "business_description": "A small team of accountants who work in English and Japanese.",
     "ask_description": "Founders of foreign-owned companies in Kansai",
     "challenges": "Getting referrals from lawyers and consultants.", "ask_industries": "L,J"},
    {"offer_1": "Team offsites and retreats", "offer_2": "Corporate event planning",
     "offer_3": "Venue scouting in Osaka and Kyoto",
     "business_description": "We plan events for international teams visiting Japan.",
     "ask_description": "Hotels and restaurants that welcome large groups",
     "challenges": "Weekday demand is low.", "ask_industries": "M,N"},
)
GOALS = (("今日は製造業の方と3人話す", "半年で紹介を5件いただく", "年内に新規取引先を10社"),
         ("初参加の方に声をかける", "3か月で1on1を6回", "来年までに売上を2割伸ばす"),
         ("Meet two people in logistics", "Close one referral by spring",
          "Open a Kansai office next year"))


@dataclass
class BigCommunity:
    """What a benchmark needs to find its way around the built community."""

    slug: str
    community_id: int
    small_slug: str
    members: int
    attendance: int
    organizer_email: str = ORGANIZER_EMAIL
    member_email: str = MEMBER_EMAIL
    password: str = PASSWORD
    ids: dict[str, int] = field(default_factory=dict)


@dataclass
class _People:
    ids: list[int]                 # member ids in draw order (0: owner, 1: staff, 2: member)
    kinds: list[str]
    consent: list[bool]


def build(make_session: Callable[[], Session], *, members: int = 5000,
          attendance: int = 60000, meetups: int = 60, seed: int = 14,
          now: datetime | None = None) -> BigCommunity:
    """Build both communities (each phase commits); return where things are."""
    now = now or utcnow()
    rng = random.Random(seed)
    session = make_session()
    try:
        accounts = _accounts(session, members, rng)
        community = Community(slug=SLUG, name="関西ビジネス交流会（ベンチマーク）",
                              kind=CommunityKind.CROSS_INDUSTRY, timezone="Asia/Tokyo",
                              default_language="ja", currency="JPY", city="大阪市",
                              is_public=True, description=data.COMMUNITY_DESCRIPTION)
        session.add(community)
        session.flush()
        set_tenant(session, community.id)
        people = _members(session, community.id, members, accounts, rng)
        past, upcoming = _meetups(session, community.id, meetups, now)
        rows = _attendance(session, community.id, people, past, attendance, rng, now)
        _registrations(session, community.id, people, past, upcoming, rows, rng, now)
        session.commit()
        big = BigCommunity(slug=SLUG, community_id=community.id, small_slug=SMALL_SLUG,
                           members=members, attendance=len(rows))
        big.ids.update(member=people.ids[2], organizer=people.ids[0], staff=people.ids[1],
                       past_meetup=past[-1][0], next_meetup=upcoming[0][0],
                       later_meetup=upcoming[-1][0],
                       series=session.scalar(select(MeetupSeries.id)),
                       editable=_editable_member(session))
        history.add(session, community.id, people.ids, people.consent, past, upcoming,
                    rng, now, big.ids)
        session.commit()
        news.add(session, community.id, past[-1][0], upcoming[0][0], rng, now, big.ids)
        session.commit()
        # What the worker's jobs would have done by now (a benchmark runs no worker): the
        # analytics rollups built over the finished community, as of the real clock.
        rollup_store.rebuild(session)
        session.commit()
    finally:
        session.close()
    _small_community(make_session, accounts, now)
    return big


def locate(make_session: Callable[[], Session]) -> BigCommunity | None:
    """The community an earlier ``build`` left in this database, or None."""
    session = make_session()
    try:
        community = session.scalar(select(Community).where(Community.slug == SLUG))
        if community is None:
            return None
        set_tenant(session, community.id)
        by_email = dict(session.execute(select(Member.email, Member.id).where(
            Member.email.in_([ORGANIZER_EMAIL, STAFF_EMAIL, MEMBER_EMAIL]))).all())
        me = by_email[MEMBER_EMAIL]
        last_attended = session.scalar(
            select(Meetup.id).join(Attendance, Attendance.meetup_id == Meetup.id)
            .order_by(Meetup.starts_at.desc()).limit(1))
        last_at = session.scalar(select(Meetup.starts_at).where(Meetup.id == last_attended))
        ahead = list(session.scalars(select(Meetup.id).where(Meetup.starts_at > last_at)
                                     .order_by(Meetup.starts_at)))
        big = BigCommunity(
            slug=SLUG, community_id=community.id, small_slug=SMALL_SLUG,
            members=session.scalar(select(func.count(Member.id))) or 0,
            attendance=session.scalar(select(func.count(Attendance.id))) or 0)
        big.ids.update(member=me, organizer=by_email[ORGANIZER_EMAIL],
                       staff=by_email[STAFF_EMAIL], past_meetup=last_attended,
                       next_meetup=ahead[0], later_meetup=ahead[-1],
                       series=session.scalar(select(MeetupSeries.id)),
                       editable=_editable_member(session),
                       **history.find_ids(session, me), **news.find_ids(session))
        return big
    finally:
        session.close()


def _editable_member(session: Session) -> int | None:
    """A row an organizer may edit in the console (members.services.can_edit_profile): a
    guest's, or one no account has claimed; a member's own profile is theirs to edit."""
    return session.scalar(select(Member.id).where(
        or_(Member.account_id.is_(None), Member.status == MemberStatus.GUEST))
        .order_by(Member.id).limit(1))


def analyze(session: Session) -> None:
    """Refresh the planner's statistics, as autovacuum would have for a real community. On
    PostgreSQL (a database of its own, not a test's transaction) VACUUM ANALYZE: autovacuum
    also marks the pages all-visible, without which no count could be answered from an index
    alone (the benchmark would measure a database no production one resembles)."""
    session.commit()
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and isinstance(bind, Engine):
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    session.execute(text("ANALYZE"))
    session.commit()


# -- accounts and people --------------------------------------------------------------------

def _accounts(session: Session, members: int, rng: random.Random) -> dict[str, int]:
    """The three known accounts and one for every other member with an account (half of
    them): email → account id. One password hash for all (argon2 is slow on purpose)."""
    password_hash = hash_password(PASSWORD)
    now = utcnow()
    rows = [{"email": email, "password_hash": password_hash, "display_name": name,
             "language": "ja", "email_verified_at": now, "created_at": now}
            for email, name in ((ORGANIZER_EMAIL, "北村 雅之"), (STAFF_EMAIL, "西田 彩"),
                                (MEMBER_EMAIL, "山本 翔太"))]
    rows += [{"email": _email(n), "password_hash": password_hash, "display_name": "",
              "language": "en" if n % 13 == 0 else "ja", "email_verified_at": now,
              "created_at": now}
             for n in range(3, members) if n % 2 == 0]
    with unscoped(session):
        bulk(session, Account, rows)
        emails = [r["email"] for r in rows]
        return dict(session.execute(select(Account.email, Account.id)
                                    .where(Account.email.in_(emails[:3]) | Account.email.like(
                                        "%@members.bench.example.jp"))).all())


def _email(n: int) -> str:
    return f"m{n:05d}@members.bench.example.jp"


def _members(session: Session, tenant_id: int, members: int, accounts: dict[str, int],
             rng: random.Random) -> _People:
    families, givens = data.FAMILY_NAMES, data.GIVEN_NAMES
    kinds: list[str] = []
    rows = []
    for n in range(members):
        family, family_kana = families[(n * 7 + rng.randrange(3)) % len(families)]
        given, given_kana = givens[(n * 11 + rng.randrange(5)) % len(givens)]
        kind = "regular" if n < 3 else _draw_kind(rng)
        kinds.append(kind)
        email = (ORGANIZER_EMAIL, STAFF_EMAIL, MEMBER_EMAIL)[n] if n < 3 else _email(n)
        role = (Role.OWNER, Role.STAFF, Role.MEMBER)[n] if n < 3 else Role.MEMBER
        status = MemberStatus.MEMBER
        if n >= 3 and kind == "one" and rng.random() < 0.4:
            status = MemberStatus.GUEST
        elif n >= 3 and kind == "never" and rng.random() < 0.1:
            status = MemberStatus.INACTIVE
        rows.append({"tenant_id": tenant_id, "account_id": accounts.get(email), "role": role,
                     "status": status, "email": email, "family_name": family,
                     "given_name": given, "family_name_kana": family_kana,
                     "given_name_kana": given_kana,
                     "name_romaji": romaji_search_key(family_kana, given_kana),
                     **_profile(rng, n, family, email)})
    bulk(session, Member, rows)
    by_email = dict(session.execute(select(Member.email, Member.id)).all())
    ids = [by_email[r["email"]] for r in rows]
    consent = [bool(r["accepts_introductions"]) for r in rows]
    return _People(ids=ids, kinds=kinds, consent=consent)


def _draw_kind(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for kind, share, _ in KINDS:
        total += share
        if roll < total:
            return kind
    return KINDS[-1][0]


def _profile(rng: random.Random, n: int, family: str, email: str) -> dict[str, Any]:
    industry = rng.choice(list(data.INDUSTRIES))
    patterns, titles = data.INDUSTRIES[industry]
    company = rng.choice(patterns).format(w=rng.choice(data.NAME_WORDS), f=family)
    title = next((t for office, t in data.OFFICE_TITLES.items() if company.endswith(office)),
                 None) or rng.choice(titles)
    pick = zlib.crc32(email.encode())
    english = n > 2 and n % 6 == 5
    give_ask = ENGLISH[pick % len(ENGLISH)] if english else data.profile_for(
        company, industry, pick)
    blank = dict.fromkeys(("offer_1", "offer_2", "offer_3", "business_description",
                           "ask_description", "challenges", "ask_industries"), "")
    goals = GOALS[2] if english else GOALS[pick % 2]
    return {**blank, **give_ask, "company": company, "title": title, "industry": industry,
            "industry_code": INDUSTRY_CODES.get(industry, ""),
            "company_size": rng.choice(list(COMPANY_SIZES)),
            "prefecture": rng.choice(("27", "27", "27", "26", "28", "13", *PREFECTURES)),
            "department": rng.choice(["", "", "営業部", "経営企画室", "総務部"]),
            "website": f"https://www.example.jp/{n}" if n % 3 == 0 else "",
            "ask_company_sizes": rng.choice(["", "20-49,50-99", "5-19"]),
            "goal_meetup": goals[0], "goal_midterm": goals[1], "goal_year": goals[2],
            "seeks_same_industry": n % 9 == 0,
            "accepts_introductions": n < 3 or pick % 5 != 0,
            "contact_visibility": "members" if n % 4 == 0 else "organizers",
            "goals_visibility": "members" if n % 2 == 0 else "organizers"}


# -- meetups, attendance and registrations ----------------------------------------------------

def _meetups(session: Session, tenant_id: int, count: int, now: datetime,
             ) -> tuple[list[tuple[int, datetime]], list[tuple[int, datetime]]]:
    """A weekly Thursday series, 19:00 in Osaka: ``count`` past occurrences, UPCOMING ahead."""
    local = now.astimezone(ZONE)
    last_thursday = (local - timedelta(days=(local.weekday() - 3) % 7 or 7)).date()
    first = last_thursday - timedelta(weeks=count - 1)
    starts = [datetime.combine(first + timedelta(weeks=k), datetime.min.time(), ZONE)
              .replace(hour=19).astimezone(UTC) for k in range(count + UPCOMING)]
    bulk(session, MeetupSeries, [{
        "tenant_id": tenant_id, "title": "木曜定例交流会", "description": data.MEETUP_DESCRIPTION,
        "rrule": "FREQ=WEEKLY;BYDAY=TH", "dtstart_local": f"{first.isoformat()}T19:00:00",
        "timezone": "Asia/Tokyo", "duration_minutes": 120, "venue_name": data.VENUES[0][0],
        "venue_address": data.VENUES[0][1], "capacity": NEXT_CAPACITY, "price": PRICE,
        "member_price": 2000, "horizon_days": 7 * UPCOMING, "materialized_until": starts[-1]}])
    series_id = session.scalar(select(MeetupSeries.id))
    rows = []
    for k, starts_at in enumerate(starts):
        venue = data.VENUES[k % 2]
        past = k < count
        rows.append({"tenant_id": tenant_id, "series_id": series_id, "recurrence_id": starts_at,
                     "title": f"第{k + 1}回 木曜定例交流会", "description": data.MEETUP_DESCRIPTION,
                     "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2),
                     "venue_name": venue[0], "venue_address": venue[1],
                     "capacity": None if past else NEXT_CAPACITY, "price": PRICE,
                     "member_price": 2000, "is_public": True,
                     "checkin_code": f"{k:04d}"})
    bulk(session, Meetup, rows)
    found = session.execute(select(Meetup.id, Meetup.starts_at).order_by(Meetup.starts_at)).all()
    pairs = [(mid, starts[k]) for k, (mid, _) in enumerate(found)]
    return pairs[:count], pairs[count:]


def _attendance(session: Session, tenant_id: int, people: _People,
                past: list[tuple[int, datetime]], target: int, rng: random.Random,
                now: datetime) -> list[tuple[int, int, AttendanceStatus]]:
    """About ``target`` rows: each attending member comes to a share of the meetups since
    they joined (lapsed regulars stop a few months ago), scaled so the total meets the target."""
    n_meetups = len(past)
    weights = {kind: weight for kind, _, weight in KINDS}
    spans = []
    for index, kind in enumerate(people.kinds):
        first = 0 if index < 3 else rng.randrange(n_meetups) if kind != "regular" else \
            rng.randrange(max(1, n_meetups // 2))
        last = n_meetups if kind != "lapsed" else max(first + 1, n_meetups - rng.randint(8, 16))
        spans.append((first, last))
    _joined(session, people, spans, past, rng, now)
    fixed = sum(1 for kind in people.kinds if kind == "one")

    def plan(scale: float) -> list[int]:
        return [min(last - first, round(weights[kind] * scale * (0.6 + (i * 7919 % 100) / 125)))
                for i, (kind, (first, last)) in enumerate(zip(people.kinds, spans, strict=True))]

    low, high = 0.0, 100.0
    for _ in range(40):
        mid = (low + high) / 2
        if sum(plan(mid)) + fixed < target:
            low = mid
        else:
            high = mid
    counts = plan(high)
    rows: list[tuple[int, int, AttendanceStatus]] = []
    for i, (kind, (first, last)) in enumerate(zip(people.kinds, spans, strict=True)):
        count = 1 if kind == "one" else counts[i]
        if i < 3:
            count = n_meetups - 2 - i
        for k in sorted(rng.sample(range(first, last), min(count, last - first))):
            rows.append((people.ids[i], past[k][0], _status(rng, kind)))
    starts = dict(past)
    bulk(session, Attendance, [
        {"tenant_id": tenant_id, "member_id": m, "meetup_id": e, "status": s,
         "checked_in_at": None if s in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
         else starts[e] + timedelta(minutes=rng.randint(-15, 40)),
         "created_at": starts[e]} for m, e, s in rows])
    return rows


def _joined(session: Session, people: _People, spans: list[tuple[int, int]],
            past: list[tuple[int, datetime]], rng: random.Random, now: datetime) -> None:
    """When each member joined: regulars long before their first meetup here, the others on
    the evening of it, those who never came some day in the last 14 months."""
    rows = []
    for member_id, kind, (first, _) in zip(people.ids, people.kinds, spans, strict=True):
        if kind == "never":
            joined = now - timedelta(days=rng.randint(1, 420))
        elif kind in ("regular", "lapsed"):
            joined = past[first][1] - timedelta(days=rng.randint(0, 700))
        else:
            joined = past[first][1]
        rows.append({"b_id": member_id, "b_joined": joined})
    table = Member.__table__
    session.execute(update(table).where(table.c.id == bindparam("b_id"))
                    .values(joined_at=bindparam("b_joined"), created_at=bindparam("b_joined")),
                    rows)


def _status(rng: random.Random, kind: str) -> AttendanceStatus:
    roll = rng.random()
    if kind == "one":
        return AttendanceStatus.WALK_IN if roll < 0.25 else AttendanceStatus.PRESENT
    if roll < 0.05:
        return AttendanceStatus.ABSENT
    if roll < 0.08:
        return AttendanceStatus.EXCUSED
    if roll < 0.14:
        return AttendanceStatus.LATE
    return AttendanceStatus.WALK_IN if roll < 0.16 else AttendanceStatus.PRESENT


def _registrations(session: Session, tenant_id: int, people: _People,
                   past: list[tuple[int, datetime]], upcoming: list[tuple[int, datetime]],
                   attended: list[tuple[int, int, AttendanceStatus]], rng: random.Random,
                   now: datetime) -> None:
    """Everyone who came (but walk-ins) had registered; the coming meetups fill up from the
    people who came lately, the next one beyond capacity (a waitlist); the register of the
    latest meetup has a history of changes."""
    starts = dict(past)
    rows = []
    for member_id, meetup_id, status in attended:
        if status == AttendanceStatus.WALK_IN:
            continue
        when = starts[meetup_id] - timedelta(days=rng.randint(1, 14))
        rows.append({"tenant_id": tenant_id, "meetup_id": meetup_id, "member_id": member_id,
                     "status": RegistrationStatus.GOING, "source": "portal",
                     "waitlist_position": None, "confirmed_at": when,
                     "status_changed_at": when, "created_at": when})
    recent_ids = {e for e, _ in past[-4:]}
    recent = sorted({m for m, e, s in attended if e in recent_ids and s.attended} - {
        people.ids[2]})
    for number, (meetup_id, _) in enumerate(upcoming):
        size = NEXT_CAPACITY + 30 if number == 0 else NEXT_CAPACITY // (number + 1)
        chosen = [people.ids[2]] + rng.sample(recent, min(size, len(recent)))
        cancelled = rng.sample(recent, min(8, len(recent))) if number == 0 else []
        for position, member_id in enumerate(chosen):
            waiting = position >= NEXT_CAPACITY
            rows.append({"tenant_id": tenant_id, "meetup_id": meetup_id, "member_id": member_id,
                         "status": (RegistrationStatus.WAITLISTED if waiting
                                    else RegistrationStatus.GOING),
                         "waitlist_position": position - NEXT_CAPACITY + 1 if waiting else None,
                         "source": "guest" if member_id % 17 == 0 else "portal",
                         "confirmed_at": now, "status_changed_at": now, "created_at": now})
        rows += [{"tenant_id": tenant_id, "meetup_id": meetup_id, "member_id": m,
                  "status": RegistrationStatus.CANCELLED, "source": "portal",
                  "waitlist_position": None, "confirmed_at": now,
                  "status_changed_at": now, "created_at": now}
                 for m in cancelled if m not in chosen]
    bulk(session, Registration, rows)
    latest_id, latest_at = past[-1]
    on_latest = [(m, s) for m, e, s in attended if e == latest_id][:150]
    bulk(session, AttendanceChange, [
        {"tenant_id": tenant_id, "meetup_id": latest_id, "member_id": m,
         "changed_by_id": people.ids[1], "old_status": None, "new_status": s.value,
         "via": "door", "changed_at": latest_at + timedelta(minutes=k % 60)}
        for k, (m, s) in enumerate(on_latest)])


# -- the second, small community -----------------------------------------------------------------

def _small_community(make_session: Callable[[], Session], accounts: dict[str, int],
                     now: datetime) -> None:
    """A small community of its own organizer, the known member and 30 others: another tenant
    for isolation, and a second entry in the member's community switcher."""
    session = make_session()
    try:
        community = Community(slug=SMALL_SLUG, name="神戸経営者勉強会（ベンチマーク）",
                              kind=CommunityKind.STUDY_GROUP,
                              timezone="Asia/Tokyo", default_language="ja", currency="JPY")
        session.add(community)
        session.flush()
        set_tenant(session, community.id)
        rows = [{"tenant_id": community.id, "account_id": accounts[MEMBER_EMAIL],
                 "role": Role.MEMBER, "email": MEMBER_EMAIL, "family_name": "山本",
                 "given_name": "翔太", "family_name_kana": "ヤマモト",
                 "given_name_kana": "ショウタ", "company": "株式会社みらいシステムズ"}]
        rows += [{"tenant_id": community.id, "account_id": None, "role": Role.MEMBER,
                  "email": f"k{n}@small.bench.example.jp", "family_name": "神戸",
                  "given_name": f"次郎{n}", "family_name_kana": "コウベ",
                  "given_name_kana": "ジロウ", "company": f"神戸商事{n}"} for n in range(30)]
        bulk(session, Member, rows)
        starts = [now - timedelta(days=30 * k) for k in (3, 2, 1)] + [now + timedelta(days=20)]
        bulk(session, Meetup, [
            {"tenant_id": community.id, "title": f"勉強会 {k + 1}", "starts_at": s,
             "ends_at": s + timedelta(hours=2)} for k, s in enumerate(starts)])
        member_ids = list(session.scalars(select(Member.id).order_by(Member.id)))
        meetup_ids = list(session.scalars(select(Meetup.id).order_by(Meetup.starts_at)))
        bulk(session, Attendance, [
            {"tenant_id": community.id, "member_id": m, "meetup_id": e,
             "status": AttendanceStatus.PRESENT}
            for e in meetup_ids[:3] for m in member_ids[::2]])
        session.commit()
    finally:
        session.close()
