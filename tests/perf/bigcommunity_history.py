"""The big benchmark community's history (``bigcommunity.build`` calls ``add``): engagement
levels, 14 months of introductions and what followed them (contacts, referrals, the ledger),
journals and gives, fees and dues, email preferences, an import and invitations, then this
month's matching cycle. The app's own services compute what the app stores (levels, the
ledger, the cycle); the rest is one executemany per table.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import insert, select

from joren.models import (
    Attendance,
    EmailUnsubscribe,
    ImportBatch,
    Introduction,
    IntroductionCycle,
    IntroductionSettings,
    Invitation,
    Member,
    MemberStatus,
    Payment,
    PaymentSettings,
    Registration,
    RegistrationStatus,
    Role,
)
from joren.tenants.engagement.services import recompute_community
from joren.tenants.introductions import loader as intro_loader
from joren.tenants.introductions import matching
from joren.tenants.introductions.cycles import due_period, run_cycle
from joren.tenants.introductions.features import Weights
from joren.tenants.introductions.models import (
    Cadence,
    IntroductionSource,
    IntroductionStatus,
    Response,
)
from joren.tenants.introductions.services import reasons_json
from joren.tenants.meetups.models import ATTENDED
from joren.tenants.payments.models import (
    DuesInterval,
    DuesSettings,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from joren.tenants.relationships import services as ledger
from joren.tenants.relationships.models import (
    Contact,
    ContactKind,
    JournalEntry,
    MeetupGives,
    Referral,
    ReferralStatus,
)
from joren.tenants.relationships.preferences import TOGGLES

ZONE = ZoneInfo("Asia/Tokyo")
HISTORY_MONTHS = 14
KNOWN_PARTNERS = 12     # past introductions of the known member
PAID_MEETUPS = 8          # the latest past meetups whose fees were marked paid
DUES_YEN = 12000
JOURNAL = ("名刺交換だけで終わらせず、次の約束まで決めると関係が続く。",
           "自分の「欲しいもの」を具体的に言うと、紹介が来やすい。",
           "初参加の方に声をかけたら、とても喜ばれた。",
           "Follow up the next day: two people replied within an hour.",
           "紹介をもらったら、結果を必ず紹介者に報告する。")
GIVES = ("中小企業向けのIT導入補助金の最新情報", "採用に強い社労士さんのご紹介",
         "展示会出展のノウハウ", "Introductions to buyers in Singapore", "経理のクラウド化の体験談")
REFERRALS = ("取引先の社長を紹介（社内システムの入れ替えを検討中）",
             "知人の会社の採用サイト制作の相談",
             "顧問先の事業承継について相談したいとのこと", "新店舗の内装工事の見積もり依頼",
             "A buyer in Singapore looking for kitchenware makers")
VALUES_JPY = (150_000, 220_000, 300_000, 480_000, 650_000, 900_000, 1_200_000)


def bulk(session, model: type, rows: list[dict[str, Any]]) -> None:  # type: ignore[no-untyped-def]
    """One executemany of ``rows`` into ``model``'s table. A Core executemany takes its
    columns from the first row, so a key missing there would be dropped from every row
    without a word: all rows must have the same keys."""
    keys = set(rows[0])
    assert all(set(row) == keys for row in rows), f"{model.__name__}: rows differ in keys"
    session.execute(insert(model.__table__), rows)


def add(session, tenant_id: int, member_ids: list[int], consent: list[bool],  # type: ignore[no-untyped-def]
        past: list[tuple[int, datetime]], upcoming: list[tuple[int, datetime]],
        rng: random.Random, now: datetime, ids: dict[str, int]) -> None:
    """Everything after the attendance register, in the order the app would have made it."""
    owner, staff, me = member_ids[:3]
    bulk(session, IntroductionSettings, [{"tenant_id": tenant_id,
                                                    "cadence": Cadence.MONTHLY}])
    bulk(session, PaymentSettings, [{
        "tenant_id": tenant_id, "issuer_name": "関西ビジネス交流会 事務局",
        "issuer_address": "大阪府大阪市北区梅田1丁目", "registration_number": "T1234567890123"}])
    bulk(session, DuesSettings, [{
        "tenant_id": tenant_id, "enabled": True, "name": "年会費", "amount_jpy": DUES_YEN,
        "interval": DuesInterval.YEAR, "instructions": "三井住友銀行 梅田支店 普通 1234567"}])
    recompute_community(session, now=now)
    attended = _attended(session)
    pairs = _introductions(session, tenant_id, me, owner, rng, now)
    _contacts_and_referrals(session, tenant_id, pairs, attended, past, me, rng, now)
    _journal_and_gives(session, tenant_id, me, attended, past, upcoming, rng, now)
    _payments(session, tenant_id, owner, staff, me, past, rng, now)
    _preferences_imports_invitations(session, tenant_id, member_ids, owner, rng, now, ids)
    ledger.rebuild(session)
    run_cycle(session, due_period(Cadence.MONTHLY, now) or "bench", now=now)
    _requests(session, tenant_id, me, member_ids, consent, rng)
    ids.update(find_ids(session, me))


def find_ids(session, me: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Where the history's pages are, for the known member ``me`` (session in scope)."""
    ids = {
        "journal_entry": session.scalar(select(JournalEntry.id)
                                        .where(JournalEntry.member_id == me)
                                        .order_by(JournalEntry.id)),
        "referral": session.scalar(select(Referral.id).where(
            (Referral.giver_id == me) | (Referral.receiver_id == me)).order_by(Referral.id)),
        "import_batch": session.scalar(select(ImportBatch.id).order_by(ImportBatch.id)),
        "payment": session.scalar(select(Payment.id).where(
            Payment.member_id == me, Payment.kind == PaymentKind.MEETUP_FEE)
            .order_by(Payment.id.desc())),
    }
    # A member (not a guest: the portal shows only members) the known member is connected to.
    partner = session.scalar(
        select(Member.id).join(Introduction, ((Introduction.member_low_id == me)
                                              & (Introduction.member_high_id == Member.id))
                               | ((Introduction.member_high_id == me)
                                  & (Introduction.member_low_id == Member.id)))
        .where(Introduction.status == IntroductionStatus.CONNECTED,
               Member.status == MemberStatus.MEMBER).order_by(Introduction.id).limit(1))
    ids["profile"] = partner or session.scalar(
        select(Member.id).where(Member.id != me, Member.role == Role.MEMBER,
                                Member.status == MemberStatus.MEMBER).order_by(Member.id))
    return ids


def _attended(session) -> dict[int, set[int]]:  # type: ignore[no-untyped-def]
    attended: dict[int, set[int]] = {}
    for member_id, meetup_id in session.execute(
            select(Attendance.member_id, Attendance.meetup_id)
            .where(Attendance.status.in_(ATTENDED))):
        attended.setdefault(member_id, set()).add(meetup_id)
    return attended


def _month_starts(now: datetime) -> list[datetime]:
    local = now.astimezone(ZONE)
    starts = []
    for back in range(HISTORY_MONTHS, 0, -1):
        year, month = divmod(local.year * 12 + local.month - 1 - back, 12)
        starts.append(datetime(year, month + 1, 1, 10, 0, tzinfo=ZONE).astimezone(UTC))
    return starts


def _introductions(session, tenant_id: int, me: int, organizer: int,  # type: ignore[no-untyped-def]
                   rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    """Past monthly cycles drawn from the engine's own suggestions (its reasons and scores),
    the known member's spread over the last months."""
    features, hist = intro_loader.load(session)
    # One allocation: two introductions each over the months, a dozen for the known member.
    suggested = matching.suggest(features, hist,
                                 cap=np.where(features.ids == me, KNOWN_PARTNERS, 2))
    partners = [s for s in suggested if me in (s.a, s.b)]
    if len(partners) < KNOWN_PARTNERS:
        # The known member's pages need a dozen past introductions, whatever the engine's
        # floor: the rest are its best-ranked partners (no floor, no caps).
        have = {(s.a, s.b) for s in partners}
        ranked = matching.rank_among(features, hist, features.ids.tolist(),
                                     top=KNOWN_PARTNERS, weights=Weights(min_score=-1.0))[me]
        partners += [s for s in ranked if (min(s.a, s.b), max(s.a, s.b)) not in have
                     ][:KNOWN_PARTNERS - len(partners)]
    pool = partners + [s for s in suggested if me not in (s.a, s.b)]
    starts = _month_starts(now)
    cycle_rows = [{"tenant_id": tenant_id, "period": s.astimezone(ZONE).strftime("%Y-%m"),
                   "started_at": s, "finished_at": s + timedelta(minutes=1),
                   "candidates": int(features.eligible.sum()), "created_at": s}
                  for s in starts]
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for number, suggestion in enumerate(pool):
        pair = Introduction.ordered(int(suggestion.a), int(suggestion.b))
        if pair in seen or pair[0] == pair[1]:
            continue
        seen.add(pair)
        month = (number % HISTORY_MONTHS) if number >= len(partners) else \
            HISTORY_MONTHS - 1 - (number % HISTORY_MONTHS)
        rows.append({"tenant_id": tenant_id, **_introduction(
            rng, pair, suggestion, month, starts, now, organizer, mine=me in pair)})
    for index, row in enumerate(cycle_rows):
        row["suggested"] = sum(1 for r in rows if r["_month"] == index)
    bulk(session, IntroductionCycle, cycle_rows)
    cycles = dict(session.execute(select(IntroductionCycle.period, IntroductionCycle.id)).all())
    for row in rows:
        row["cycle_id"] = cycles[starts[row.pop("_month")].astimezone(ZONE).strftime("%Y-%m")]
    bulk(session, Introduction, rows)
    return rows


def _introduction(rng: random.Random, pair: tuple[int, int], suggestion: Any, month: int,
                  starts: list[datetime], now: datetime, organizer: int,
                  mine: bool) -> dict[str, Any]:
    sent = starts[month] + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 8))
    roll = rng.random()
    if month == HISTORY_MONTHS - 1 and not mine:
        status = IntroductionStatus.SENT if roll < 0.6 else IntroductionStatus.CONNECTED
    elif mine:
        status = IntroductionStatus.CONNECTED if roll < 0.75 else IntroductionStatus.DECLINED
    else:
        status = (IntroductionStatus.CONNECTED if roll < 0.55 else IntroductionStatus.DECLINED
                  if roll < 0.7 else IntroductionStatus.EXPIRED if roll < 0.85
                  else IntroductionStatus.SKIPPED)
    first, second = sent + timedelta(hours=rng.randint(2, 60)), sent + timedelta(days=3)
    row: dict[str, Any] = {
        "member_low_id": pair[0], "member_high_id": pair[1],
        "source": IntroductionSource.ENGINE, "status": status, "score": float(suggestion.score),
        "reasons": reasons_json(suggestion.reasons), "message": "", "requested_by_id": None,
        "request_note": "", "decided_by_id": organizer, "decided_at": sent,
        "low_response": Response.PENDING, "low_responded_at": None,
        "high_response": Response.PENDING, "high_responded_at": None,
        "sent_at": None if status == IntroductionStatus.SKIPPED else sent,
        "expires_at": sent + timedelta(days=14), "connected_at": None, "closed_at": None,
        "nudged_at": None, "created_at": starts[month], "_month": month}
    if status == IntroductionStatus.CONNECTED:
        row.update(low_response=Response.ACCEPTED, low_responded_at=first,
                   high_response=Response.ACCEPTED, high_responded_at=second,
                   connected_at=second,
                   nudged_at=second + timedelta(days=30) if second + timedelta(days=30) < now
                   else None)
    elif status == IntroductionStatus.DECLINED:
        row.update(low_response=Response.DECLINED, low_responded_at=first, closed_at=first)
    elif status == IntroductionStatus.EXPIRED:
        row.update(high_response=Response.ACCEPTED, high_responded_at=first,
                   closed_at=sent + timedelta(days=14))
    elif status == IntroductionStatus.SENT:
        row.update(low_response=Response.ACCEPTED, low_responded_at=first)
    return row


def _contacts_and_referrals(session, tenant_id: int, intros: list[dict[str, Any]],  # type: ignore[no-untyped-def]
                            attended: dict[int, set[int]], past: list[tuple[int, datetime]],
                            me: int, rng: random.Random, now: datetime) -> None:
    """After each connection a few 1:1s and calls; talks at meetups both came to; now and then
    a referral, most of them won."""
    today = now.astimezone(ZONE).date()
    starts = dict(past)
    contacts, referrals = [], []
    for intro in intros:
        if intro["status"] != IntroductionStatus.CONNECTED:
            continue
        low, high = intro["member_low_id"], intro["member_high_id"]
        day = intro["connected_at"].astimezone(ZONE).date()
        days = set()
        for number in range(rng.choice([0, 1, 2, 3, 4, 6] if me in (low, high) else [0, 1, 2])):
            day += timedelta(days=rng.randint(4, 20))
            if day >= today or day in days:
                break
            days.add(day)
            who = rng.choice((low, high))
            contacts.append({"tenant_id": tenant_id, "member_id": who,
                             "other_id": high if who == low else low,
                             "kind": ContactKind.ONE_ON_ONE if number % 2 == 0
                             else ContactKind.CALL, "happened_on": day, "meetup_id": None,
                             "note": "", "created_at": now})
        for meetup_id in sorted(attended.get(low, set()) & attended.get(high, set()))[-3:]:
            on = starts[meetup_id].astimezone(ZONE).date()
            if on not in days and rng.random() < 0.5:
                days.add(on)
                contacts.append({"tenant_id": tenant_id, "member_id": low, "other_id": high,
                                 "kind": ContactKind.TALKED, "happened_on": on,
                                 "meetup_id": meetup_id, "note": "", "created_at": now})
        if days and (me in (low, high) or rng.random() < 0.12):
            given = min(days) + timedelta(days=rng.randint(3, 20))
            if given < today:
                status = rng.choice([ReferralStatus.CLOSED_WON, ReferralStatus.CLOSED_WON,
                                     ReferralStatus.OPEN, ReferralStatus.CLOSED_LOST])
                closed = given + timedelta(days=rng.randint(14, 50))
                if closed >= today:
                    status = ReferralStatus.OPEN
                giver, receiver = (low, high) if rng.random() < 0.5 else (high, low)
                referrals.append({
                    "tenant_id": tenant_id, "giver_id": giver, "receiver_id": receiver,
                    "description": rng.choice(REFERRALS), "status": status,
                    "value_jpy": rng.choice(VALUES_JPY)
                    if status == ReferralStatus.CLOSED_WON else None,
                    "given_on": given,
                    "closed_on": None if status == ReferralStatus.OPEN else closed,
                    "created_at": now})
    if contacts:
        bulk(session, Contact, contacts)
    if referrals:
        bulk(session, Referral, referrals)


def _journal_and_gives(session, tenant_id: int, me: int,  # type: ignore[no-untyped-def]
                       attended: dict[int, set[int]], past: list[tuple[int, datetime]],
                       upcoming: list[tuple[int, datetime]], rng: random.Random,
                       now: datetime) -> None:
    starts = dict(past)
    entries = []
    for member_id, meetups in attended.items():
        mine = member_id == me
        if not mine and rng.random() > 0.3:
            continue
        for meetup_id in sorted(meetups, key=starts.__getitem__)[-(12 if mine else 2):]:
            entries.append({"tenant_id": tenant_id, "member_id": member_id,
                            "meetup_id": meetup_id, "body": rng.choice(JOURNAL),
                            "written_at": starts[meetup_id] + timedelta(hours=4),
                            "created_at": now})
    bulk(session, JournalEntry, entries)
    next_id = upcoming[0][0]
    going = list(session.scalars(select(Registration.member_id).where(
        Registration.meetup_id == next_id, Registration.status == RegistrationStatus.GOING)
        .order_by(Registration.member_id)))
    givers = [me] + [m for m in going if m != me][:80]
    bulk(session, MeetupGives, [
        {"tenant_id": tenant_id, "member_id": m, "meetup_id": next_id,
         "give_1": rng.choice(GIVES), "give_2": rng.choice(GIVES), "give_3": rng.choice(GIVES),
         "people_to_meet": [], "created_at": now} for m in givers])


def _payments(session, tenant_id: int, owner: int, staff: int, me: int,  # type: ignore[no-untyped-def]
              past: list[tuple[int, datetime]], rng: random.Random, now: datetime) -> None:
    """Fees of the latest PAID_MEETUPS meetups marked at the door or by transfer, and the
    annual dues of two in five members; each paid one with its receipt number."""
    paid_meetups = dict(past[-PAID_MEETUPS:])
    rows = []
    for member_id, meetup_id in session.execute(
            select(Attendance.member_id, Attendance.meetup_id)
            .where(Attendance.meetup_id.in_(list(paid_meetups)), Attendance.status.in_(ATTENDED))
            .order_by(Attendance.meetup_id, Attendance.member_id)):
        when = paid_meetups[meetup_id] + timedelta(minutes=rng.randint(0, 90))
        rows.append({"member_id": member_id, "meetup_id": meetup_id,
                     "kind": PaymentKind.MEETUP_FEE,
                     "amount_jpy": 2000 if member_id % 3 else 3000,
                     "method": PaymentMethod.DOOR if rng.random() < 0.7
                     else PaymentMethod.BANK_TRANSFER, "paid_at": when,
                     "marked_by_id": rng.choice((owner, staff)), "marked_at": when})
    local = now.astimezone(ZONE).date()
    members = list(session.scalars(select(Member.id).order_by(Member.id)))
    for member_id in members:
        if member_id != me and rng.random() > 0.4:
            continue
        start = local - timedelta(days=rng.randint(0, 300))
        when = datetime.combine(start, datetime.min.time(), ZONE).astimezone(UTC)
        rows.append({"member_id": member_id, "meetup_id": None, "kind": PaymentKind.DUES,
                     "amount_jpy": DUES_YEN, "method": PaymentMethod.BANK_TRANSFER,
                     "paid_at": when, "marked_by_id": owner, "marked_at": when,
                     "period_start": start,
                     "period_end": start.replace(year=start.year + 1) - timedelta(days=1)
                     if not (start.month == 2 and start.day == 29)
                     else start + timedelta(days=364)})
    rows.sort(key=lambda r: r["paid_at"])
    sequence: dict[int, int] = {}
    for row in rows:
        year = row["paid_at"].astimezone(ZONE).year
        sequence[year] = sequence.get(year, 0) + 1
        row.update(tenant_id=tenant_id, status=PaymentStatus.PAID, created_at=row["paid_at"],
                   receipt_number=f"R-{year}-{sequence[year]:06d}")
        row.setdefault("period_start", None)
        row.setdefault("period_end", None)
    bulk(session, Payment, rows)
    year = max(sequence)
    session.execute(PaymentSettings.__table__.update()
                    .where(PaymentSettings.tenant_id == tenant_id)
                    .values(receipt_year=year, receipt_sequence=sequence[year]))


def _preferences_imports_invitations(session, tenant_id: int, member_ids: list[int],  # type: ignore[no-untyped-def]
                                     owner: int, rng: random.Random, now: datetime,
                                     ids: dict[str, int]) -> None:
    emails = dict(session.execute(select(Member.id, Member.email)).all())
    bulk(session, EmailUnsubscribe, [
        {"email": emails[m], "category": rng.choice(TOGGLES), "community_id": tenant_id,
         "created_at": now} for k, m in enumerate(member_ids) if k == 2 or k % 20 == 7])
    header = "姓,名,セイ,メイ,メールアドレス,会社名,役職\n"
    lines = "".join(f"山田,太郎{n},ヤマダ,タロウ,import{n}@example.jp,山田商事{n},代表\n"
                    for n in range(200))
    bulk(session, ImportBatch, [{
        "tenant_id": tenant_id, "created_by_id": owner, "kind": "members",
        "filename": "members.csv", "encoding": "utf-8", "status": "done",
        "text": header + lines, "mapping": ["family_name", "given_name", "family_name_kana",
                                            "given_name_kana", "email", "company", "title"],
        "total": 200, "processed": 200, "created": 0, "merged": 200, "created_at": now}])
    without_account = list(session.scalars(
        select(Member.id).where(Member.account_id.is_(None), Member.role == Role.MEMBER)
        .order_by(Member.id).limit(25)))
    bulk(session, Invitation, [
        {"tenant_id": tenant_id, "member_id": m, "invited_by_id": owner, "email": emails[m],
         "role": Role.MEMBER, "message": "ぜひポータルにご登録ください。",
         "nonce": secrets.token_urlsafe(24), "expires_at": now + timedelta(days=10),
         "sent_count": 1, "created_at": now} for m in without_account])


def _requests(session, tenant_id: int, me: int, member_ids: list[int],  # type: ignore[no-untyped-def]
              consent: list[bool], rng: random.Random) -> None:
    """Members who asked the organizer for an introduction (at the top of the queue)."""
    taken = {(low, high) for low, high in session.execute(
        select(Introduction.member_low_id, Introduction.member_high_id))}
    rows = []
    for asker in [me, *rng.sample(member_ids[3:], min(20, len(member_ids) - 3))]:
        other = rng.choice(member_ids[3:])
        pair = Introduction.ordered(asker, other) if asker != other else None
        if pair is None or pair in taken or not consent[member_ids.index(other)]:
            continue
        taken.add(pair)
        rows.append({"tenant_id": tenant_id, "member_low_id": pair[0],
                     "member_high_id": pair[1], "source": IntroductionSource.MEMBER_REQUEST,
                     "status": IntroductionStatus.SUGGESTED, "reasons": [],
                     "requested_by_id": asker, "request_note": "新しい取引先を探しています。"})
    if rows:
        bulk(session, Introduction, rows)
