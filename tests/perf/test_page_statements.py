"""Every console and portal page issues at most ``LIMIT`` SQL statements, and the same number
on a community of 12 members as on one of 60 (issue 14).

The walk covers every GET route under ``/c/<slug>/`` (the organizer console as the owner, the
member portal as a member) and the account pages; a new route is covered without being
named. Routes that need ids get them from a small community seeded here, owned by the member
where the page is theirs (a journal entry, a payment, a referral). Routes behind a signed link
get a token nobody holds: they answer their refusal page, which is counted all the same.

The tenant scope that the guard sets for row-level security and transaction control are not
counted (tests/tenants/helpers.count_statements).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select
from werkzeug.routing import IntegerConverter, Rule

from joren.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    Meetup,
    Member,
    MemberStatus,
    Role,
)
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.announcements.models import (
    Announcement,
    AnnouncementRecipient,
    AnnouncementStatus,
    Segment,
)
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus
from joren.tenants.introductions.models import Introduction, IntroductionSource
from joren.tenants.meetups.models import MeetupSeries, Registration, RegistrationStatus, Visibility
from joren.tenants.meetups.public.models import EventImage
from joren.tenants.meetups.questions.models import (
    Question,
    QuestionKind,
    QuestionPurpose,
    RegistrationAnswer,
)
from joren.tenants.meetups.survey.models import SurveyResponse
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from joren.tenants.relationships.models import JournalEntry, Referral
from tests import factories
from tests.tenants.helpers import count_statements, meetup

pytestmark = pytest.mark.usefixtures("clock")

LIMIT = 10
SMALL, LARGE = 12, 60

# Not HTML pages: files, feeds and images (their own guards live beside their features).
NOT_PAGES = {
    "community.checkin.export",               # attendance.csv
    "community.payments.export",              # payments.csv
    "community.registrations.console_export",  # registrations.csv
    "community.survey.export",                # survey.csv
    "community.imports.export_members",       # members CSV export
    "community.feeds.community_ics",          # calendar.ics
    "community.feeds.member_ics",             # a member's calendar feed
    "community.feeds.ticket_qr",              # a ticket's QR code (SVG)
    "community.payments.receipt_pdf",         # a receipt as PDF
}


ACCOUNT_PAGES = ("/account", "/communities/new")


class Seeded:
    """A community with ``size`` members who came to past meetups, and one of everything a
    page can be about."""

    def __init__(self, session, slug: str, size: int) -> None:  # type: ignore[no-untyped-def]
        self.community = community = factories.community(session, slug=slug)
        owner = factories.account(session, f"owner@{slug}.example.jp")
        member = factories.account(session, f"member@{slug}.example.jp")
        self.owner, self.member = owner, member
        self.owner_member = factories.member(session, community, owner, Role.OWNER)
        self.me = factories.member(session, community, member, Role.MEMBER)
        with unscoped(session):
            session.execute(insert(Member), [
                {"tenant_id": community.id, "family_name": "山田", "given_name": f"太郎{n}",
                 "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
                 "email": f"m{n}@{slug}.example.jp", "company": f"会社{n}"}
                for n in range(size - 2)])
            others = list(session.scalars(select(Member).where(
                Member.tenant_id == community.id, Member.account_id.is_(None))
                .order_by(Member.id)))
        everyone = [self.owner_member, self.me, *others]
        past = [meetup(session, community, f"定例会 {n}", starts_at=utcnow() - timedelta(
            days=7 * n)) for n in range(1, 4)]
        series = self._series(session)
        # Part of a series, with a member price: the register box asks payments about dues.
        upcoming = meetup(session, community, "次回の定例会",
                          starts_at=utcnow() + timedelta(days=3), capacity=size + 5,
                          series_id=series.id, price=3000, member_price=2000)
        with unscoped(session):
            session.execute(insert(Attendance), [
                {"tenant_id": community.id, "meetup_id": m.id, "member_id": p.id,
                 "status": AttendanceStatus.PRESENT} for m in past for p in everyone])
            session.execute(insert(Registration), [
                {"tenant_id": community.id, "meetup_id": upcoming.id, "member_id": p.id,
                 "status": RegistrationStatus.GOING} for p in everyone])
        self.peer = others[0]
        self.ids = {
            "member_id": self.peer.id,
            "meetup_id": upcoming.id,
            "series_id": series.id,
            "batch_id": self._batch(session).id,
            "entry_id": self._entry(session).id,
            "referral_id": self._referral(session).id,
            "payment_id": self._payment(session, past[0]).id,
            "invitation_id": self._invitation(session).id,
            "image_id": self._add(session, EventImage(
                tenant_id=community.id, series_id=series.id, content_type="image/jpeg",
                storage_key=f"t{community.id}/series-{series.id}-pages.jpg", width=1200,
                height=630, byte_size=1)).id,
            "announcement_id": self._announcement(session, everyone).id,
        }
        self._questions_and_answers(session, upcoming, everyone)
        self._introduction(session)
        self._dues(session)

    def _add(self, session, row):  # type: ignore[no-untyped-def]
        with unscoped(session):
            session.add(row)
            session.flush()
        return row

    def _series(self, session) -> MeetupSeries:  # type: ignore[no-untyped-def]
        return self._add(session, MeetupSeries(
            tenant_id=self.community.id, title="毎月の定例会", rrule="FREQ=MONTHLY;BYDAY=2TU",
            dtstart_local="2030-01-08T19:00:00", visibility=Visibility.MEMBERS))

    def _batch(self, session) -> ImportBatch:  # type: ignore[no-untyped-def]
        return self._add(session, ImportBatch(
            tenant_id=self.community.id, kind=ImportKind.MEMBERS, filename="m.csv",
            text="氏名,会社名\n取込 太郎,取込商事\n", total=1, mapping=["full_name", "company"],
            status=ImportStatus.PREVIEWED))

    def _entry(self, session) -> JournalEntry:  # type: ignore[no-untyped-def]
        return self._add(session, JournalEntry(
            tenant_id=self.community.id, member_id=self.me.id, body="気づき", written_at=utcnow()))

    def _referral(self, session) -> Referral:  # type: ignore[no-untyped-def]
        return self._add(session, Referral(
            tenant_id=self.community.id, giver_id=self.me.id, receiver_id=self.peer.id,
            description="紹介", given_on=utcnow().date()))

    def _payment(self, session, past: Meetup) -> Payment:  # type: ignore[no-untyped-def]
        return self._add(session, Payment(
            tenant_id=self.community.id, member_id=self.me.id, meetup_id=past.id,
            kind=PaymentKind.MEETUP_FEE, amount_jpy=3000, method=PaymentMethod.DOOR,
            status=PaymentStatus.PAID, paid_at=utcnow(),
            receipt_number=f"R-2026-{self.community.id:06d}"))

    def _dues(self, session) -> Payment:  # type: ignore[no-untyped-def]
        today = utcnow().date()
        return self._add(session, Payment(
            tenant_id=self.community.id, member_id=self.me.id, kind=PaymentKind.DUES,
            amount_jpy=12000, method=PaymentMethod.BANK_TRANSFER, status=PaymentStatus.PAID,
            paid_at=utcnow(), period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=335),
            receipt_number=f"R-2026-D{self.community.id:05d}"))

    def _invitation(self, session) -> Invitation:  # type: ignore[no-untyped-def]
        invitee = factories.member(session, self.community, status=MemberStatus.GUEST)
        return self._add(session, Invitation(
            tenant_id=self.community.id, member_id=invitee.id, email=invitee.email,
            role=Role.MEMBER, nonce="pages", expires_at=utcnow() + timedelta(days=30),
            sent_count=1))

    def _announcement(self, session, everyone):  # type: ignore[no-untyped-def]
        """A sent announcement to everyone: its page lists each recipient's delivery."""
        row = self._add(session, Announcement(
            tenant_id=self.community.id, subject="お知らせ", body="本文", segment=Segment.EVERYONE,
            status=AnnouncementStatus.SENT, recipient_count=len(everyone), sent_at=utcnow()))
        with unscoped(session):
            session.execute(insert(AnnouncementRecipient), [
                {"tenant_id": self.community.id, "announcement_id": row.id, "member_id": p.id}
                for p in everyone])
        return row

    def _questions_and_answers(self, session, upcoming, everyone):  # type: ignore[no-untyped-def]
        """A registration question everyone answered (the door and the register box show it)
        and a survey answer from everyone (the survey page and the analytics trend)."""
        asked = self._add(session, Question(
            tenant_id=self.community.id, meetup_id=upcoming.id, prompt="紹介したい業種",
            position=1))
        self._add(session, Question(
            tenant_id=self.community.id, meetup_id=upcoming.id, prompt="次回も参加しますか",
            purpose=QuestionPurpose.SURVEY, kind=QuestionKind.SINGLE, choices=["はい", "いいえ"],
            position=1))
        with unscoped(session):
            registrations = session.scalars(select(Registration.id).where(
                Registration.tenant_id == self.community.id,
                Registration.meetup_id == upcoming.id)).all()
            session.execute(insert(RegistrationAnswer), [
                {"tenant_id": self.community.id, "registration_id": r, "question_id": asked.id,
                 "answer": ["製造業"]} for r in registrations])
            session.execute(insert(SurveyResponse), [
                {"tenant_id": self.community.id, "meetup_id": upcoming.id, "member_id": p.id,
                 "satisfaction": 4, "comment": "良かった", "answers": {}} for p in everyone])

    def _introduction(self, session) -> Introduction:  # type: ignore[no-untyped-def]
        low, high = sorted((self.me.id, self.peer.id))
        return self._add(session, Introduction(
            tenant_id=self.community.id, member_low_id=low, member_high_id=high,
            source=IntroductionSource.ORGANIZER, message="ご紹介", reasons=[]))


def page_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules()
                   if r.rule.startswith("/c/<slug>/") and "GET" in r.methods
                   and r.endpoint not in NOT_PAGES), key=lambda r: r.rule)


def _url(app: Flask, rule: Rule, seeded: Seeded) -> str:
    converters = rule._converters  # noqa: SLF001 - werkzeug keeps them only here
    values: dict[str, Any] = {"slug": seeded.community.slug}
    for name, conv in converters.items():
        if name == "slug":
            continue
        values[name] = seeded.ids[name] if isinstance(conv, IntegerConverter) else "nobody-holds"
    with app.test_request_context():
        return rule.build(values)[1]


def _counts(app: Flask, seeded: Seeded, login: Callable[..., Any]) -> dict[str, tuple[int, int]]:
    """endpoint (or path) → (status, statements), for the owner on the console and the member
    everywhere else."""
    owner, member = login(seeded.owner), login(seeded.member)
    found: dict[str, tuple[int, int]] = {}
    targets = [(rule.endpoint, _url(app, rule, seeded),
                owner if "/admin/" in rule.rule else member) for rule in page_rules(app)]
    targets += [(path, path, member) for path in ACCOUNT_PAGES]
    for key, url, client in targets:
        client.get(url)  # warm: templates compiled, last-seen written
        with count_statements(app) as sql:
            response = client.get(url)
        found[key] = (response.status_code, len(sql))
    return found


def test_every_page_stays_within_the_limit_whatever_the_size(app, session, login):
    small_community = Seeded(session, "pages-small", SMALL)
    large_community = Seeded(session, "pages-large", LARGE)
    session.commit()
    small = _counts(app, small_community, login)
    large = _counts(app, large_community, login)
    assert small.keys() == large.keys()
    broken = [key for key, (status, _) in small.items() if status >= 500]
    assert not broken, f"pages that failed: {broken}"
    answered = {key for key, (status, _) in small.items() if status == 200}
    # A broken seed would leave the walk counting refusal pages: these must really answer.
    for key in ("community.console.dashboard", "community.members.console_list",
                "community.members.console_detail", "community.profiles.directory",
                "community.relationships.network", "community.portal.home",
                "community.meetups.portal_list", "community.meetups.portal_detail",
                "community.meetups.console_detail", "community.dues.members",
                "community.payments.mine", "community.payments.receipt",
                "community.habits.journal_edit", "community.relationships.referral",
                "community.console.settings", "/account", "community.analytics.dashboard",
                "community.introductions.queue", "community.checkin.register_view",
                "community.checkin.door", "community.checkin.search",
                "community.public.series_page", "community.public.embed",
                "community.public.settings", "community.public.meetup_image",
                "community.questions.console", "community.survey.results_page",
                "community.announcements.detail", "community.announcements.console_list",
                "community.announcements.new"):
        assert key in answered, f"{key} answered {small.get(key)}"
    over = {key: n for key, (_, n) in small.items() if n > LIMIT}
    assert not over, f"pages over {LIMIT} statements: {over}"
    grew = {key: (small[key][1], large[key][1]) for key in small
            if large[key][1] != small[key][1]}
    assert not grew, f"pages whose statements grow with the community ({SMALL} → {LARGE}): {grew}"
