"""Every kind of console action issue 17 lists is in the audit log, with what was done and
the changed fields before and after: role and status changes, settings, member edits, a
committed import, exports (member CSV, the community's ZIP, registrations, payments, someone
else's receipt), payment marks and refunds, introductions approved one by one and in bulk,
and a member's removal (recorded as done, not what was erased)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import AuditEntry, MemberStatus, Role
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from tests import factories
from tests.tenants.helpers import in_english, meetup
from tests.tenants.meetups.helpers_checkin import register
from tests.tenants.payments.helpers import payments_of

pytestmark = pytest.mark.usefixtures("clock")


def _entries(session, **where) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        query = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return list(session.scalars(query))


def _one(session, **where) -> AuditEntry:  # type: ignore[no-untyped-def]
    found = _entries(session, **where)
    assert len(found) == 1, [(e.action, e.entity, e.changes) for e in _entries(session)]
    return found[0]


def test_role_and_status_changes(session, tenant, people, owner_client):
    guest = factories.member(session, tenant, status=MemberStatus.GUEST)
    session.commit()
    response = owner_client.post(f"/c/{tenant.slug}/admin/members/{guest.id}", data={
        "action": "role", "role-role": "staff", "role-status": "member"})
    assert response.status_code == 302
    entry = _one(session, entity="members")
    assert (entry.action, entry.entity_id, entry.actor_member_id) == (
        "update", guest.id, people.owner_member.id)
    assert entry.changes["role"] == ["member", "staff"]
    assert entry.changes["status"] == ["guest", "member"]


def test_settings(session, tenant, owner_client):
    session.commit()
    response = owner_client.post(f"/c/{tenant.slug}/admin/settings", data={
        "name": "大阪異業種交流会・改", "kind": "cross_industry", "timezone": "Asia/Tokyo",
        "default_language": "ja", "city": "大阪市"})
    assert response.status_code == 302
    entry = _one(session, entity="communities")
    assert (entry.action, entry.entity_id, entry.tenant_id) == ("update", tenant.id, tenant.id)
    assert entry.changes["name"] == ["大阪異業種交流会", "大阪異業種交流会・改"]
    assert "timezone" not in entry.changes  # unchanged


def test_retention_settings(session, tenant, organizer_client):
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/privacy",
                          data={"import_days": "7", "outbox_days": ""})
    entry = _one(session, entity="retention_settings")
    assert entry.action == "create" and entry.changes["import_days"] == [None, 7]


def test_a_committed_import(session, tenant, organizer_client):
    session.commit()
    base = f"/c/{tenant.slug}/admin/imports/"
    uploaded = organizer_client.post(base, data={"kind": "members", "file": (io.BytesIO(
        "氏名,メール\n取込一郎,toriko@example.jp\n".encode()), "members.csv")},
        content_type="multipart/form-data")
    batch_id = int(uploaded.headers["Location"].split("/imports/")[1].split("/")[0])
    organizer_client.post(f"{base}{batch_id}/mapping", data={"col0": "full_name",
                                                             "col1": "email"})
    organizer_client.get(f"{base}{batch_id}/preview")
    committed = organizer_client.post(f"{base}{batch_id}/preview", data={})
    assert committed.status_code == 302
    entries = _entries(session, entity="import_batches")
    created = next(e for e in entries if e.action == "create")
    # The uploaded file is summarised, never copied into the log.
    assert "取込一郎" not in str(created.changes) and created.entity_id == batch_id
    assert created.changes["text"][1].startswith("…(")
    confirmed = [e for e in entries if e.changes.get("status", [None, None])[1] == "running"]
    assert len(confirmed) == 1 and confirmed[0].changes["status"][0] == "previewed"


@pytest.mark.parametrize("download", ["members", "community", "registrations", "payments"])
def test_exports(session, tenant, people, organizer_client, owner_client, download):
    evening = meetup(session, tenant, "書き出しの会", price=3000)
    session.commit()
    base = f"/c/{tenant.slug}/admin"
    client, response = {
        "members": lambda: (organizer_client, organizer_client.get(f"{base}/members/export.csv")),
        "community": lambda: (owner_client, owner_client.post(f"{base}/export")),
        "registrations": lambda: (organizer_client, organizer_client.get(
            f"{base}/meetups/{evening.id}/registrations.csv")),
        "payments": lambda: (organizer_client, organizer_client.get(
            f"{base}/meetups/{evening.id}/payments.csv")),
    }[download]()
    assert response.status_code == 200
    entry = _one(session, action="export")
    assert entry.tenant_id == tenant.id and entry.method in ("GET", "POST")
    assert "attachment" in entry.changes["file"] and entry.changes["file"].count(".") >= 1
    assert entry.actor_account_id in (people.organizer.id, people.owner.id)


def test_payment_marks_and_undo(session, tenant, people, organizer_client):
    evening = meetup(session, tenant, "十一月定例会", starts_at=utcnow() + timedelta(days=3),
                     price=3000)
    register(session, evening, people.member_member)
    session.commit()
    url = f"/c/{tenant.slug}/admin/meetups/{evening.id}/payments/mark"
    assert organizer_client.post(url, data={"member_id": people.member_member.id,
                                            "method": "door"}).status_code == 303
    [payment] = payments_of(session, meetup_id=evening.id)
    mark = _one(session, entity="payments")
    assert (mark.action, mark.entity_id) == ("create", payment.id)
    assert mark.changes["status"] == [None, "paid"] and mark.changes["amount_jpy"] == [None, 3000]
    assert mark.changes["method"] == [None, "door"]
    organizer_client.post(f"/c/{tenant.slug}/admin/payments/{payment.id}/undo")
    undo = [e for e in _entries(session, entity="payments") if e.id != mark.id]
    assert [e.action for e in undo] in (["update"], ["delete"])
    assert undo[0].entity_id == payment.id
    assert undo[0].changes["status"][0] == "paid"


def _suggest(session, tenant, a, b) -> Introduction:  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = Introduction(tenant_id=tenant.id, member_low_id=min(a.id, b.id),
                           member_high_id=max(a.id, b.id), source=IntroductionSource.ENGINE,
                           status=IntroductionStatus.SUGGESTED, score=0.5,
                           reasons=[{"code": "regulars", "params": {}}])
        session.add(row)
        session.flush()
    return row


def _pairs(session, tenant, n: int) -> list[Introduction]:  # type: ignore[no-untyped-def]
    people = [factories.member(session, tenant, accepts_introductions=True,
                               email=f"intro{i}@example.jp") for i in range(2 * n)]
    return [_suggest(session, tenant, people[2 * i], people[2 * i + 1]) for i in range(n)]


def test_introductions_approved_one_by_one(session, tenant, people, organizer_client):
    [one] = _pairs(session, tenant, 1)
    session.commit()
    response = organizer_client.post(f"/c/{tenant.slug}/admin/introductions/{one.id}/approve")
    assert response.status_code == 302
    entry = _one(session, entity="introductions")
    assert (entry.action, entry.entity_id) == ("update", one.id)
    assert entry.changes["status"] == ["suggested", "sent"]
    assert entry.changes["decided_by_id"] == [None, people.organizer_member.id]


def test_introductions_approved_in_bulk(session, tenant, organizer_client):
    chosen = _pairs(session, tenant, 3)
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/introductions/bulk", data={
        "action": "approve", "ids": [str(i.id) for i in chosen]})
    entries = _entries(session, entity="introductions")
    assert sorted(e.entity_id for e in entries) == sorted(i.id for i in chosen)
    assert all(e.action == "update" and e.changes["status"] == ["suggested", "sent"]
               for e in entries)


def test_someone_elses_receipt(session, tenant, people, organizer_client, member_client):
    evening = meetup(session, tenant, "領収書の会", starts_at=utcnow() + timedelta(days=3),
                     price=3000)
    register(session, evening, people.member_member)
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/meetups/{evening.id}/payments/mark",
                          data={"member_id": people.member_member.id, "method": "door"})
    [payment] = payments_of(session, meetup_id=evening.id)
    before = len(_entries(session))
    # The member's own receipt is theirs: nothing recorded.
    assert member_client.get(
        f"/c/{tenant.slug}/payments/{payment.id}/receipt.pdf").status_code == 200
    assert len(_entries(session)) == before
    # The organizer's copy of someone else's receipt, and a change to its addressee, are.
    assert organizer_client.get(
        f"/c/{tenant.slug}/payments/{payment.id}/receipt.pdf").status_code == 200
    organizer_client.post(f"/c/{tenant.slug}/payments/{payment.id}/receipt/addressee",
                          data={"addressee": "田中商店", "honorific": "onchu"})
    download, change = _entries(session)[before:]
    assert download.action == "export" and "receipt-" in download.changes["file"]
    assert download.actor_member_id == people.organizer_member.id
    assert (change.action, change.entity, change.entity_id) == ("update", "payments", payment.id)
    assert change.changes["receipt_addressee"][1] == "田中商店"


def test_a_members_removal(session, tenant, people, organizer_client):
    person = factories.member(session, tenant, None, Role.MEMBER, family_name="消去谷",
                              company="消去谷商事")
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/members/{person.id}/remove",
                          data={"confirm": "yes"})
    entry = _one(session)  # one entry for the whole removal, however many rows it touched
    assert (entry.action, entry.entity, entry.entity_id) == ("erase", "members", person.id)
    assert entry.changes == {"role": ["member", "member"], "status": ["member", "inactive"]}
    assert "消去谷" not in str(entry.changes)


def test_the_page_reads_what_was_done_in_the_readers_language(session, tenant, people,
                                                              owner_client):
    guest = factories.member(session, tenant, status=MemberStatus.GUEST)
    session.commit()
    owner_client.post(f"/c/{tenant.slug}/admin/members/{guest.id}", data={
        "action": "role", "role-role": "member", "role-status": "member"})
    page = in_english(owner_client).get(f"/c/{tenant.slug}/admin/audit").get_data(as_text=True)
    assert "Changed" in page and f"Member #{guest.id}" in page
    assert '<option value="members">Member</option>' in page
