"""Removing a member (issue 17): after an organizer removes someone, or they leave, a scan of
every text column of every table finds their name, company and address nowhere except where
the retention rules say (retention.py): the uploads and Stripe notices purged on their own
schedule, and audit entries younger than RETENTION_AUDIT_DAYS, which keep the values they
recorded until the purge deletes them; counts and payments survive; another community's
people can be neither removed nor touched."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import JSON, String, Text, cast, func, or_, select

from joren.models import (
    Attendance,
    AttendanceStatus,
    AuditEntry,
    Contact,
    EmailUnsubscribe,
    Introduction,
    JournalEntry,
    MeetupGives,
    Member,
    MemberStatus,
    OutboxMessage,
    Payment,
    Referral,
    Registration,
    RegistrationStatus,
    Role,
)
from joren.platform.db import Base
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import IntroductionSource, IntroductionStatus
from joren.tenants.payments.models import PaymentKind, PaymentMethod, PaymentStatus
from joren.tenants.relationships.models import ContactKind
from joren.workers import privacy_jobs
from tests import factories
from tests.tenants.helpers import attend, meetup

pytestmark = pytest.mark.usefixtures("clock")

NAME, GIVEN, COMPANY, EMAIL = "消去谷", "一意郎", "消去谷商事株式会社", "erase-me-7f3@example.jp"
RETAINED_BY_RULE = {"import_batches", "stripe_events"}  # purged by the retention rules


def _seed_person(session, tenant, people):  # type: ignore[no-untyped-def]
    person = factories.member(session, tenant, None, Role.MEMBER, family_name=NAME,
                              given_name=GIVEN, company=COMPANY, email=EMAIL,
                              family_name_kana="ショウキョタニ", offer_1=f"{COMPANY}の経理代行")
    other = people.member_member
    past = meetup(session, tenant, "先月の会", starts_at=datetime.now(UTC) - timedelta(days=30))
    future = meetup(session, tenant, "来月の会", starts_at=datetime.now(UTC) + timedelta(days=30))
    today = date.today()
    with unscoped(session):
        tid = tenant.id
        session.add_all([
            Attendance(tenant_id=tid, meetup_id=past.id, member_id=person.id,
                       status=AttendanceStatus.PRESENT, note=f"{NAME}さんは遅れて来た"),
            Registration(tenant_id=tid, meetup_id=future.id, member_id=person.id,
                         status=RegistrationStatus.GOING, note=f"{NAME}より"),
            JournalEntry(tenant_id=tid, member_id=person.id, written_at=datetime.now(UTC),
                         body=f"{NAME}の気づき"),
            MeetupGives(tenant_id=tid, member_id=person.id, meetup_id=past.id,
                        give_1=f"{COMPANY}の紹介"),
            Contact(tenant_id=tid, member_id=person.id, other_id=other.id,
                    kind=ContactKind.TALKED, happened_on=today, note="名刺交換"),
            Contact(tenant_id=tid, member_id=other.id, other_id=person.id,
                    kind=ContactKind.TALKED, happened_on=today, note=f"{NAME}さんと話した"),
            Referral(tenant_id=tid, giver_id=other.id, receiver_id=person.id, given_on=today,
                     description=f"{COMPANY}に紹介"),
            Introduction(tenant_id=tid, member_low_id=min(person.id, other.id),
                         member_high_id=max(person.id, other.id),
                         source=IntroductionSource.ENGINE,
                         status=IntroductionStatus.CONNECTED,
                         reasons=[{"text": f"{COMPANY}の経理代行"}], message=f"{NAME}さんへ"),
            Payment(tenant_id=tid, member_id=person.id, meetup_id=past.id,
                    kind=PaymentKind.MEETUP_FEE, amount_jpy=3000, method=PaymentMethod.DOOR,
                    status=PaymentStatus.PAID, note=f"{NAME}様 現金"),
            OutboxMessage(idempotency_key="erase-1", template="t", to_email=EMAIL,
                          language="ja", subject=f"{NAME}様", text_body=f"{NAME}様",
                          html_body=f"<p>{NAME}様</p>", community_id=tid),
            EmailUnsubscribe(email=EMAIL, category="introductions", community_id=tid),
        ])
    attend(session, past, other)
    session.commit()
    return person, past, future


def _forms(needles: list[str]) -> list[str]:
    """Each needle as text holds it, and as a JSON column may (SQLite's JSON escapes kana)."""
    return sorted({form for n in needles for form in (n, json.dumps(n)[1:-1])})


def _probes(columns, needles: list[str]) -> list[object]:  # type: ignore[no-untyped-def]
    return [cast(c, Text).contains(form, autoescape=True)
            for c in columns for form in _forms(needles)]


def _hits(session, needles: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    found = set()
    with unscoped(session):
        for table in Base.metadata.sorted_tables:
            texts = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not texts:
                continue
            probes = _probes(texts, needles)
            if session.scalar(select(func.count()).select_from(table).where(or_(*probes))):
                found.add(table.name)
    return found


def _audit_hits(session, needles: list[str]) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    texts = [c for c in AuditEntry.__table__.columns if isinstance(c.type, String | Text | JSON)]
    with unscoped(session):
        return list(session.scalars(select(AuditEntry).where(or_(*_probes(texts, needles)))))


def _audit_period(app) -> timedelta:  # type: ignore[no-untyped-def]
    return timedelta(days=app.config["RETENTION_AUDIT_DAYS"])


def test_removing_a_member_erases_them_everywhere_and_keeps_the_counts(
        app, session, login, people, tenant, clock):
    person, past, _ = _seed_person(session, tenant, people)
    needles = [NAME, GIVEN, COMPANY, EMAIL, "ショウキョタニ"]
    assert {"members", "attendances", "journal_entries", "outbox_messages", "payments",
            "introductions", "referrals", "contacts"} <= _hits(session, needles)

    client = login(people.organizer)
    # An edit in the console before the removal: the audit log records its before and after.
    edited = client.post(f"/c/{tenant.slug}/admin/members/{person.id}", data={
        "action": "profile", "profile-family_name": NAME, "profile-given_name": GIVEN,
        "profile-company": f"{COMPANY}（本店）"})
    assert edited.status_code == 302
    session.expire_all()
    recorded = {e.id for e in _audit_hits(session, needles)}
    assert recorded
    page = client.get(f"/c/{tenant.slug}/admin/members/{person.id}/remove")
    assert page.status_code == 200 and NAME in page.get_data(as_text=True)
    refused = client.post(f"/c/{tenant.slug}/admin/members/{person.id}/remove")
    assert refused.status_code == 422  # not confirmed: nothing happens
    assert _hits(session, needles) >= {"members"}
    done = client.post(f"/c/{tenant.slug}/admin/members/{person.id}/remove",
                       data={"confirm": "yes"})
    assert done.status_code == 302

    session.expire_all()
    # Nowhere but where the retention rules say: the uploads and Stripe notices, and the audit
    # entries written before the removal, all younger than the audit period; the removal's
    # own entry holds none of it.
    assert _hits(session, needles) - {"audit_entries"} <= RETAINED_BY_RULE
    kept = _audit_hits(session, needles)
    assert {e.id for e in kept} == recorded
    assert all(e.created_at > clock.now() - _audit_period(app) for e in kept)
    with unscoped(session):
        removal = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert removal.entity_id == person.id
    with unscoped(session):
        row = session.get(Member, person.id)
        assert row.status == MemberStatus.INACTIVE and row.account_id is None
        assert row.display_name == f"#{person.id}"
        # Counts survive: the attendance row, the payment (amount kept for tax law).
        assert session.scalar(select(func.count()).select_from(Attendance)
                              .where(Attendance.meetup_id == past.id)) == 2
        payment = session.scalars(select(Payment).where(Payment.member_id == person.id)).one()
        assert payment.amount_jpy == 3000 and payment.status == PaymentStatus.PAID
        registration = session.scalars(select(Registration).where(
            Registration.member_id == person.id)).one()
        assert registration.status == RegistrationStatus.CANCELLED
        assert session.scalar(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.member_id == person.id)) == 0
    # Removed already: the page is gone.
    assert client.get(f"/c/{tenant.slug}/admin/members/{person.id}/remove").status_code == 404

    # When the period has passed, the nightly purge deletes them: the name is gone from the log.
    clock.shift(_audit_period(app) + timedelta(days=1))
    with app.app_context():
        privacy_jobs.purge_retained(tenant.id, clock.today().isoformat())
    session.expire_all()
    assert _audit_hits(session, needles) == []


def test_a_member_leaves_and_keeps_their_account(app, session, login, people, tenant,
                                                 other_tenant):
    there = factories.member(session, other_tenant, people.member, Role.MEMBER,
                             company="残る商店")
    session.commit()
    client = login(people.member)
    assert client.get(f"/c/{tenant.slug}/leave").status_code == 200
    assert client.post(f"/c/{tenant.slug}/leave", data={"confirm": "yes"}).status_code == 302
    session.expire_all()
    with unscoped(session):
        gone = session.get(Member, people.member_member.id)
        assert gone.account_id is None and gone.family_name == "" and gone.email is None
        kept = session.get(Member, there.id)
        assert kept.company == "残る商店" and kept.account_id == people.member.id
    # No longer a member here: the portal refuses; the account still signs in elsewhere.
    assert client.get(f"/c/{tenant.slug}/leave").status_code == 403
    assert client.get(f"/c/{other_tenant.slug}/leave").status_code == 200


def test_the_last_owner_cannot_leave(app, session, login, people, tenant):
    session.commit()
    client = login(people.owner)
    answer = client.post(f"/c/{tenant.slug}/leave", data={"confirm": "yes"})
    assert answer.status_code == 422
    session.expire_all()
    with unscoped(session):
        assert session.get(Member, people.owner_member.id).family_name == "大家"


def test_who_may_remove_whom(app, session, login, people, tenant, other_tenant):
    session.commit()
    staff = login(people.staff)
    url = f"/c/{tenant.slug}/admin/members/{people.member_member.id}/remove"
    assert staff.get(url).status_code == 403  # staff do not manage members
    organizer = login(people.organizer)
    # Removing an owner needs an owner; removing yourself is leaving.
    owner_url = f"/c/{tenant.slug}/admin/members/{people.owner_member.id}/remove"
    assert organizer.get(owner_url).status_code == 403
    self_url = f"/c/{tenant.slug}/admin/members/{people.organizer_member.id}/remove"
    assert organizer.get(self_url).status_code == 403
    # Another community's member: 404, and untouched.
    foreign = f"/c/{tenant.slug}/admin/members/{people.other_owner_member.id}/remove"
    assert organizer.get(foreign).status_code == 404
    assert organizer.post(foreign, data={"confirm": "yes"}).status_code == 404
    session.expire_all()
    with unscoped(session):
        assert session.get(Member, people.other_owner_member.id).family_name == "高橋"
