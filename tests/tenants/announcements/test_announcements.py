"""Announcements: segments built in one statement, preview, scheduled sending through the
sweep in batches (idempotent), per-recipient delivery states, the unsubscribe category, and
isolation between communities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.models import MemberStatus, OutboxMessage, OutboxStatus
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.tenancy import unscoped
from joren.tenants.announcements import delivery, segments, services
from joren.tenants.announcements.models import (
    Announcement,
    AnnouncementRecipient,
    AnnouncementStatus,
    Segment,
)
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.meetups.models import Registration, RegistrationStatus
from tests import factories
from tests.tenants.helpers import count_statements, in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _level(session, member, level):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add(MemberEngagement(tenant_id=member.tenant_id, member_id=member.id,
                                     level=level))
        session.flush()


def _register(session, m, member, status=RegistrationStatus.GOING):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add(Registration(tenant_id=m.tenant_id, meetup_id=m.id, member_id=member.id,
                                 status=status))
        session.flush()


def _messages(session):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == services.TEMPLATE).order_by(OutboxMessage.id)).all()


def _community_world(session, tenant, other_tenant):  # type: ignore[no-untyped-def]
    regular = factories.member(session, tenant, family_name="青木", family_name_kana="アオキ")
    regular_too = factories.member(session, tenant, family_name="井上", family_name_kana="イノウエ")
    lapsed = factories.member(session, tenant, family_name="上田", family_name_kana="ウエダ")
    guest = factories.member(session, tenant, status=MemberStatus.GUEST, family_name="江口",
                             family_name_kana="エグチ")
    factories.member(session, tenant, status=MemberStatus.INACTIVE)
    factories.member(session, tenant, email="")
    plain = factories.member(session, tenant, family_name="大野", family_name_kana="オオノ")
    _level(session, regular, Level.REGULAR)
    _level(session, regular_too, Level.REGULAR)
    _level(session, lapsed, Level.LAPSED_REGULAR)
    m = meetup(session, tenant, "四月の定例会")
    _register(session, m, regular)
    _register(session, m, guest)
    _register(session, m, regular_too, RegistrationStatus.CANCELLED)
    stranger = factories.member(session, other_tenant)
    _level(session, stranger, Level.REGULAR)
    return {"regular": regular, "regular_too": regular_too, "lapsed": lapsed, "guest": guest,
            "plain": plain, "meetup": m}


def test_segments(app, session, scoped, tenant, other_tenant):
    world = _community_world(session, tenant, other_tenant)
    session.commit()
    s = scoped(tenant)
    m = world["meetup"]

    def ids(segment, meetup_id=None):  # type: ignore[no-untyped-def]
        return set(s.scalars(segments.member_ids(segment, meetup_id)))

    people = {k: v.id for k, v in world.items() if k != "meetup"}
    assert ids(Segment.EVERYONE) == set(people.values())
    assert ids(Segment.REGULARS) == {people["regular"], people["regular_too"]}
    assert ids(Segment.LAPSED_REGULARS) == {people["lapsed"]}
    assert ids(Segment.GUESTS) == {people["guest"]}
    assert ids(Segment.REGISTERED, m.id) == {people["regular"], people["guest"]}
    assert ids(Segment.NOT_REGISTERED, m.id) == {people["regular_too"], people["lapsed"],
                                                 people["plain"]}
    assert segments.count(s, Segment.REGULARS, None) == 2
    assert [x.family_name for x in segments.sample(s, Segment.EVERYONE, None)] == [
        "青木", "井上", "上田", "江口", "大野"]
    # Set-based: counting a segment is one statement whatever its size.
    with count_statements(app) as counted:
        segments.count(s, Segment.NOT_REGISTERED, m.id)
    assert len(counted) == 1


def test_organizer_writes_previews_schedules_and_cancels(session, tenant, other_tenant, people,
                                                         organizer_client, login, clock):
    world = _community_world(session, tenant, other_tenant)
    session.commit()
    in_english(organizer_client)
    base = f"/c/{tenant.slug}/admin/announcements"
    assert organizer_client.get(f"{base}/new").status_code == 200
    missing = organizer_client.post(f"{base}/new", data={
        "segment": "registered", "meetup_id": "", "subject": "Hello", "body": "Body"})
    assert missing.status_code == 400 and "Choose the meetup." in missing.get_data(as_text=True)
    made = organizer_client.post(f"{base}/new", data={
        "segment": "registered", "meetup_id": str(world["meetup"].id),
        "subject": "持ち物のお知らせ", "body": "名刺を多めにお持ちください。\n\n会場は3階です。"})
    assert made.status_code == 303
    with unscoped(session):
        announcement = session.scalar(select(Announcement))
    page = organizer_client.get(made.location).get_data(as_text=True)
    assert "2 people" in page  # the regular and the guest registered for the meetup
    assert "青木" in page and "江口" in page  # sample names
    assert "名刺を多めにお持ちください。" in page and "data-preview" in page
    assert "Hello 青木" in page  # the preview is addressed to the first recipient

    # Scheduled in the community's time zone; a time in the past is refused.
    local = (clock.now() + timedelta(days=1)).astimezone(tenant.zone)
    url = f"{base}/{announcement.id}/schedule"
    past = organizer_client.post(url, data={"send_at": "2000-01-01T09:00"},
                                 follow_redirects=True)
    assert "Choose a time in the future" in past.get_data(as_text=True)
    organizer_client.post(url, data={"send_at": local.strftime("%Y-%m-%dT%H:%M")})
    with unscoped(session):
        session.expire_all()
        row = session.get(Announcement, announcement.id)
    assert row.status == AnnouncementStatus.SCHEDULED
    assert row.send_at == local.replace(second=0, microsecond=0)
    listing = organizer_client.get(base).get_data(as_text=True)
    assert "持ち物のお知らせ" in listing and "Scheduled" in listing

    # Another community sees nothing of it.
    other = login(people.other_owner)
    foreign = f"/c/{other_tenant.slug}/admin/announcements/{announcement.id}"
    assert other.get(foreign).status_code == 404
    assert other.post(f"{foreign}/cancel").status_code == 404
    assert other.post(f"{foreign}/schedule", data={"action": "now"}).status_code == 404
    assert "持ち物のお知らせ" not in other.get(
        f"/c/{other_tenant.slug}/admin/announcements").get_data(as_text=True)

    organizer_client.post(f"{base}/{announcement.id}/cancel")
    with unscoped(session):
        session.expire_all()
        assert session.get(Announcement, announcement.id).status == AnnouncementStatus.CANCELLED


def test_sending_in_batches_is_idempotent_and_skips_unsubscribed(
        app_ctx, session, scoped, tenant, other_tenant, people, clock):
    everyone = [factories.member(session, tenant, family_name_kana=f"ア{i}") for i in range(5)]
    factories.member(session, tenant, email="stopped@example.jp")
    record_unsubscribe(session, "stopped@example.jp", "announcements", tenant.id)
    session.commit()
    s = scoped(tenant)
    now = clock.now()
    announcement = services.save(s, subject="総会のお知らせ", body="来月は総会です。",
                                 segment="everyone", meetup_id=None,
                                 author=people.organizer_member)
    services.schedule(s, announcement, now + timedelta(hours=1), now=now)
    s.commit()
    assert services.send_batch(s, tenant, now=now) == 0  # not yet

    later = now + timedelta(hours=1, minutes=2)
    steps = []
    while step := services.send_batch(s, tenant, now=later, size=3):
        s.commit()
        steps.append(step)
    expected = len(everyone) + 1 + 4  # these, the stopped one and the four of ``people``
    # The recipients fixed first in one go, then batches of three, then marked sent.
    assert steps == [expected, 3, 3, 3, 1, 1]
    messages = _messages(session)
    assert len(messages) == expected
    assert len({m.idempotency_key for m in messages}) == expected
    assert all(m.category == "announcements" and "List-Unsubscribe" in m.headers
               for m in messages)
    assert [m.status for m in messages if m.to_email == "stopped@example.jp"] == [
        OutboxStatus.SUPPRESSED]
    assert announcement.status == AnnouncementStatus.SENT
    counts = delivery.counts(s, announcement)
    assert counts == {"waiting": 0, "queued": expected - 1, "sent": 0, "failed": 0,
                      "unsubscribed": 1}

    # The sweep again, and once more with the recipients' outbox links lost (a crash after
    # the emails were stored): nothing is sent twice.
    assert services.send_batch(s, tenant, now=later + timedelta(minutes=5)) == 0
    with unscoped(s):
        for row in s.scalars(select(AnnouncementRecipient)):
            row.outbox_message_id = None
    announcement.status = AnnouncementStatus.SENDING
    s.flush()
    while services.send_batch(s, tenant, now=later):
        s.commit()
    assert len(_messages(session)) == expected
    assert delivery.counts(s, announcement)["waiting"] == 0

    # Another community's sweep never sends this community's announcement.
    theirs = scoped(other_tenant)
    assert services.send_batch(theirs, other_tenant, now=later) == 0
    assert theirs.scalar(select(func.count(AnnouncementRecipient.id))) == 0


def test_send_now_delivery_page_in_japanese(session, tenant, other_tenant, people,
                                            organizer_client, run_jobs):
    factories.member(session, tenant, family_name="木村", family_name_kana="キムラ")
    session.commit()
    base = f"/c/{tenant.slug}/admin/announcements"
    made = organizer_client.post(f"{base}/new", data={
        "segment": "everyone", "meetup_id": "", "subject": "臨時のお知らせ", "body": "本文"})
    detail = made.location
    page = organizer_client.get(detail).get_data(as_text=True)
    assert "プレビュー" in page and "今すぐ送信" in page
    announcement_id = int(detail.rstrip("/").rsplit("/", 1)[1])
    sent = organizer_client.post(f"{base}/{announcement_id}/schedule", data={"action": "now"},
                                 follow_redirects=True)
    assert "送信を始めました" in sent.get_data(as_text=True)
    run_jobs()
    page = organizer_client.get(detail).get_data(as_text=True)
    assert "配信状況" in page and "木村" in page
    assert "送信済み" in page or "送信待ち" in page
    with unscoped(session):
        session.expire_all()
        row = session.get(Announcement, announcement_id)
    assert row.status == AnnouncementStatus.SENT and row.recipient_count == 5
    cancelled = organizer_client.post(f"{base}/{announcement_id}/cancel", follow_redirects=True)
    assert "取り消せません" in cancelled.get_data(as_text=True)


def test_the_delivery_pages_list_every_recipient_once_in_reading_order(
        app_ctx, session, scoped, tenant, other_tenant, people, clock):
    for kana in ("ワダ", "アベ", "", "カトウ", "アベ"):
        factories.member(session, tenant, family_name_kana=kana)
    factories.member(session, other_tenant, family_name_kana="アアア")
    session.commit()
    s = scoped(tenant)
    now = clock.now()
    announcement = services.save(s, subject="お知らせ", body="本文", segment="everyone",
                                 meetup_id=None, author=people.organizer_member)
    services.schedule(s, announcement, now + timedelta(hours=1), now=now)
    while services.send_batch(s, tenant, now=now + timedelta(hours=2)):
        s.commit()
    listed = [d for offset in range(0, 20, 3) for d in delivery.page(s, announcement, offset, 3)]
    expected = sorted((d.member for d in listed), key=lambda m: (
        m.family_name_kana == "", m.family_name_kana, m.given_name_kana, m.id))
    assert [d.member.id for d in listed] == [m.id for m in expected]
    assert len(listed) == announcement.recipient_count
    assert all(d.member.tenant_id == tenant.id and d.outbox_id is not None for d in listed)
