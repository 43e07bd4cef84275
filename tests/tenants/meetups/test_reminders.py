"""Reminder emails: when they are due (Tokyo and a DST zone), delivered over real SMTP with a
valid .ics, never twice, never for cancelled meetups or registrations, in the reader's language,
and not to whoever turned them off in their email preferences or with the unsubscribe link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from joren.models import MemberStatus
from joren.platform.jobs import enqueue_now, minutes_slot_key
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.unsubscribes import is_unsubscribed
from joren.tenants.meetups import reminders
from joren.tenants.meetups.models import (
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)
from joren.workers import reminder_jobs
from tests import factories
from tests.tenants.helpers import reload
from tests.tenants.meetups.helpers_feeds import in_, meetup_at, registration

pytestmark = pytest.mark.usefixtures("clock")

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def _local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def _occurrence(starts_at: datetime) -> Meetup:
    return Meetup(id=1, title="定例会", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))


# --- the schedule (pure) -------------------------------------------------------------------

def test_a_one_off_is_reminded_two_days_before_and_at_eight_on_the_morning_in_tokyo():
    start = _local(TOKYO, 2026, 12, 8, 19, 0)
    assert reminders.reminder_schedule(_occurrence(start), None, TOKYO) == [
        ("days-2", _local(TOKYO, 2026, 12, 6, 19, 0)),
        ("morning", _local(TOKYO, 2026, 12, 8, 8, 0)),
    ]
    assert reminders.reminder_schedule(_occurrence(start), None, TOKYO)[1][1] == datetime(
        2026, 12, 7, 23, 0, tzinfo=UTC)


def test_reminders_keep_local_time_across_a_dst_change():
    # New York springs forward on 2026-03-08: two days before 19:00 EDT is 19:00 EST.
    start = _local(NEW_YORK, 2026, 3, 9, 19, 0)
    assert start == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    schedule = dict(reminders.reminder_schedule(_occurrence(start), None, NEW_YORK))
    assert schedule["days-2"] == datetime(2026, 3, 8, 0, 0, tzinfo=UTC)  # 19:00 EST
    assert schedule["days-2"] != start - timedelta(days=2)
    assert schedule["morning"] == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 08:00 EDT
    # And in winter, 08:00 EST is 13:00 UTC.
    winter = _local(NEW_YORK, 2026, 1, 13, 19, 0)
    assert dict(reminders.reminder_schedule(_occurrence(winter), None, NEW_YORK))[
        "morning"] == datetime(2026, 1, 13, 13, 0, tzinfo=UTC)


def test_a_series_chooses_its_reminders():
    series = MeetupSeries(reminder_days=[7, 1], reminder_morning_of=False)
    start = _local(TOKYO, 2026, 12, 8, 19, 0)
    assert reminders.reminder_schedule(_occurrence(start), series, TOKYO) == [
        ("days-7", _local(TOKYO, 2026, 12, 1, 19, 0)),
        ("days-1", _local(TOKYO, 2026, 12, 7, 19, 0)),
    ]
    none = MeetupSeries(reminder_days=[], reminder_morning_of=False)
    assert reminders.reminder_schedule(_occurrence(start), none, TOKYO) == []


def test_an_early_meetup_gets_its_day_of_reminder_the_evening_before():
    start = _local(TOKYO, 2026, 12, 8, 6, 30)
    schedule = dict(reminders.reminder_schedule(_occurrence(start), None, TOKYO))
    assert schedule["morning"] == _local(TOKYO, 2026, 12, 7, 20, 0)


def test_only_the_latest_due_reminder_counts_and_none_after_the_start():
    start = _local(TOKYO, 2026, 12, 8, 19, 0)
    schedule = reminders.reminder_schedule(_occurrence(start), None, TOKYO)
    assert reminders.latest_due(schedule, _local(TOKYO, 2026, 12, 6, 18, 59), start) is None
    assert reminders.latest_due(schedule, _local(TOKYO, 2026, 12, 6, 19, 0), start)[0] == "days-2"
    assert reminders.latest_due(schedule, _local(TOKYO, 2026, 12, 8, 7, 59), start)[0] == "days-2"
    assert reminders.latest_due(schedule, _local(TOKYO, 2026, 12, 8, 8, 0), start)[0] == "morning"
    assert reminders.latest_due(schedule, start, start) is None


# --- due reminders in the database -----------------------------------------------------------

@pytest.mark.parametrize("zone_name", ["Asia/Tokyo", "America/New_York"])
def test_due_reminders_follow_the_communitys_morning(session, scoped, zone_name):
    zone = ZoneInfo(zone_name)
    community = factories.community(session, slug=f"tz-{zone_name.split('/')[1].lower()}",
                                    timezone=zone_name)
    member = factories.member(session, community)
    # 2030-03-11 is the day after New York's DST change; Tokyo has none.
    meetup = meetup_at(session, community, _local(zone, 2030, 3, 11, 18, 30))
    reg = registration(session, meetup, member)
    session.commit()
    scoped_session = scoped(community)

    def due(*local: int) -> list[str]:
        found = reminders.due_reminders(scoped_session, community, _local(zone, *local))
        assert all(d.registration.id == reg.id for d in found)
        return [d.kind for d in found]

    assert due(2030, 3, 9, 18, 29) == []
    assert due(2030, 3, 9, 18, 30) == ["days-2"]
    assert due(2030, 3, 11, 7, 59) == ["days-2"]
    assert due(2030, 3, 11, 8, 0) == ["morning"]
    assert due(2030, 3, 11, 18, 30) == []


def test_due_reminders_skip_whoever_is_not_going(session, scoped, tenant, people):
    meetup = meetup_at(session, tenant, in_(days=1))
    cancelled_meetup = meetup_at(session, tenant, in_(days=1), status=MeetupStatus.CANCELLED)
    going = registration(session, meetup, people.member_member)
    for status in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING,
                   RegistrationStatus.CANCELLED, RegistrationStatus.NOT_GOING):
        registration(session, meetup, factories.member(session, tenant), status=status)
    registration(session, meetup, factories.member(session, tenant, status=MemberStatus.GUEST),
                 confirmed_at=None)  # a guest who never confirmed
    registration(session, meetup, factories.member(session, tenant,
                                                   status=MemberStatus.INACTIVE))
    registration(session, cancelled_meetup, people.owner_member)
    session.commit()
    found = reminders.due_reminders(scoped(tenant), tenant, datetime.now(UTC))
    assert [d.registration.id for d in found] == [going.id]


# --- delivered over SMTP by the jobs ----------------------------------------------------------

def _run_reminders(app, run_jobs) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        enqueue_now("joren.workers.reminder_jobs.fan_out_meetup_reminders")
    run_jobs()


def _calendar_part(message):  # type: ignore[no-untyped-def]
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def test_reminders_are_delivered_with_a_calendar_file_once(
    app, session, tenant, other_tenant, people, smtp_server, run_jobs, client
):
    people.member.language = "en"
    guest = factories.member(session, tenant, status=MemberStatus.GUEST, account=None,
                             email="guest@example.jp", family_name="佐藤", given_name="花子")
    meetup = meetup_at(session, tenant, in_(days=2, hours=-1), title="十二月定例会",
                       map_url="https://maps.example/umeda")
    mine = registration(session, meetup, people.member_member)
    guest_reg = registration(session, meetup, guest)
    other_meetup = meetup_at(session, other_tenant, in_(days=2, hours=-1), title="神戸の勉強会")
    theirs = registration(session, other_meetup, people.other_owner_member)
    cancelled = meetup_at(session, tenant, in_(days=2, hours=-1), status=MeetupStatus.CANCELLED)
    registration(session, cancelled, people.owner_member)
    session.commit()

    _run_reminders(app, run_jobs)

    by_rcpt = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    assert sorted(by_rcpt) == sorted([people.member.email, guest.email,
                                      people.other_owner.email])
    message = by_rcpt[people.member.email]
    assert "十二月定例会" in str(message["Subject"])
    assert "年" not in str(message["Subject"])  # English date for an English reader
    assert "年" in str(by_rcpt[guest.email]["Subject"])  # the community's language (ja)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "梅田スカイビル 会議室A" in text and "https://maps.example/umeda" in html
    assert f"/c/{tenant.slug}/tickets/{mine.checkin_token}" in text
    assert f"/c/{tenant.slug}/meetups/cant-make-it/" in html

    part = _calendar_part(message)
    assert part.get_filename() == "meetup.ics"
    assert part.get_param("method") == "PUBLISH"
    body = part.get_payload(decode=True)
    assert body.endswith(b"\r\n")
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["UID"]) == f"meetup-{meetup.id}@localhost"
    assert event.decoded("DTSTART") == meetup.starts_at.replace(microsecond=0)
    assert str(event["SUMMARY"]) == "十二月定例会"

    kobe = by_rcpt[people.other_owner.email].get_body(("plain",)).get_content()
    assert "神戸の勉強会" in kobe and "十二月定例会" not in kobe
    assert f"/c/{other_tenant.slug}/" in kobe and f"/c/{tenant.slug}/" not in kobe

    # A second run (another quarter, or an overlapping one) sends nothing more.
    with app.app_context():
        enqueue_now(reminder_jobs.SEND_REMINDERS_JOB, tenant.id, "again")
    run_jobs()
    _run_reminders(app, run_jobs)
    assert len(smtp_server.messages) == 3
    keys = session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.like("meetup-reminder:%"))).all()
    assert sorted(keys) == sorted([reminders.reminder_key(mine, "days-2"),
                                   reminders.reminder_key(guest_reg, "days-2"),
                                   reminders.reminder_key(theirs, "days-2")])


def test_the_cant_make_it_link_in_the_reminder_frees_the_seat(
    app, session, tenant, people, smtp_server, run_jobs, client
):
    meetup = meetup_at(session, tenant, in_(days=2, hours=-2))
    mine = registration(session, meetup, people.member_member)
    session.commit()
    _run_reminders(app, run_jobs)
    (message,) = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    link = next(line for line in text.splitlines() if "/cant-make-it/" in line).strip()
    path = link.removeprefix("http://localhost")

    page = client.get(path)
    assert page.status_code == 200 and b"id=\"cant-make-it-form\"" in page.data
    assert reload(session, Registration, mine.id).status == RegistrationStatus.GOING

    done = client.post(path)
    assert done.status_code == 200
    assert reload(session, Registration, mine.id).status == RegistrationStatus.CANCELLED

    # Morning-of time comes: a cancelled registration is not reminded again.
    with app.app_context():
        enqueue_now(reminder_jobs.SEND_REMINDERS_JOB, tenant.id, "later")
    run_jobs()
    assert len(smtp_server.messages) == 1


def test_sending_twice_in_one_transaction_queues_each_reminder_once(
    app_ctx, session, scoped, tenant, people
):
    meetup = meetup_at(session, tenant, in_(hours=3))
    registration(session, meetup, people.member_member)
    session.commit()
    s = scoped(tenant)
    assert reminders.send_due_reminders(s, tenant) == 1
    assert reminders.send_due_reminders(s, tenant) == 0
    s.commit()
    assert session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.idempotency_key.like(f"meetup-reminder:{tenant.id}:%"))) == 1


def test_quarter_keys():
    every = reminder_jobs.EVERY_MINUTES
    assert minutes_slot_key(every, datetime(2026, 11, 22, 6, 14, tzinfo=UTC)) == "2026-11-22T06-00"
    assert minutes_slot_key(every, datetime(2026, 11, 22, 6, 45, 59, tzinfo=UTC)) == \
        "2026-11-22T06-45"


# --- opting out -------------------------------------------------------------------------------

def test_reminders_can_be_turned_off_and_on_again(
    app, session, scoped, tenant, people, smtp_server, run_jobs, member_client, client
):
    meetup = meetup_at(session, tenant, in_(days=2, hours=-1), title="十二月定例会")
    registration(session, meetup, people.member_member)
    registration(session, meetup, people.owner_member)
    session.commit()
    prefs = f"/c/{tenant.slug}/email-preferences"
    others = {"meetup_prep": "y", "follow_ups": "y", "nudges": "y", "introductions": "y",
              "we_miss_you": "y"}
    assert member_client.post(prefs, data=others).status_code == 302  # reminders off

    _run_reminders(app, run_jobs)

    # The owner, who did not opt out, gets theirs, with a one-click unsubscribe link.
    (message,) = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == people.owner.email
    unsubscribe = str(message["List-Unsubscribe"])
    assert unsubscribe.startswith("<http://localhost/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.get_body(("plain",)).get_content()
    # The member who turned reminders off gets none: stored, suppressed, never sent.
    statuses = dict(session.execute(select(OutboxMessage.to_email, OutboxMessage.status).where(
        OutboxMessage.idempotency_key.like("meetup-reminder:%"))).all())
    assert statuses == {people.member.email: OutboxStatus.SUPPRESSED,
                        people.owner.email: OutboxStatus.SENT}

    # Turned on again, the next reminder (the morning of) reaches them again.
    assert member_client.post(prefs, data={**others, "reminders": "y"}).status_code == 302
    morning = dict(reminders.reminder_schedule(meetup, None, TOKYO))["morning"]
    with app.test_request_context("/"):
        s = scoped(tenant)
        assert reminders.send_due_reminders(s, tenant, morning + timedelta(minutes=1)) == 2
        s.commit()
    run_jobs()
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages[1:]) == sorted(
        [people.member.email, people.owner.email])
    again = next(m for m in smtp_server.messages[1:]
                 if m["To"].addresses[0].addr_spec == people.member.email)
    assert "/unsubscribe/" in str(again["List-Unsubscribe"])

    # The owner uses the one-click link of the first reminder: theirs stop, the member's do not.
    assert client.post(unsubscribe.strip("<>").removeprefix("http://localhost"),
                       data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert is_unsubscribed(session, people.owner.email, reminders.CATEGORY, tenant.id)
    assert not is_unsubscribed(session, people.member.email, reminders.CATEGORY, tenant.id)


# --- outbox attachments ------------------------------------------------------------------------

def test_an_outbox_attachment_is_stored_and_sent_with_its_content_type(app_ctx, session):
    from joren.platform.mail.mime import build_message
    from joren.platform.mail.outbox import Attachment, queue_email

    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    message = queue_email(
        session, to="Someone@Example.jp", template="meetups/reminder", language="en",
        idempotency_key="attachment-test", context=_fake_context(),
        attachments=[Attachment("meetup.ics", "text/calendar; charset=utf-8; method=PUBLISH",
                                ics)])
    assert message.attachments[0]["filename"] == "meetup.ics"
    email = build_message(message, "Joren <no-reply@joren.localhost>",
                          datetime(2026, 1, 1, tzinfo=UTC))
    assert email.get_content_type() == "multipart/mixed"
    assert email.get_body(("plain",)) is not None and email.get_body(("html",)) is not None
    (part,) = list(email.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "PUBLISH" and part.get_param("charset") == "utf-8"
    assert part.get_payload(decode=True) == ics

    plain = queue_email(session, to="b@example.jp", template="meetups/reminder", language="en",
                        idempotency_key="no-attachment", context=_fake_context())
    assert plain.attachments == []
    assert build_message(plain, "x@joren.localhost", datetime(2026, 1, 1, tzinfo=UTC)
                         ).get_content_type() == "multipart/alternative"


def test_a_damaged_attachment_fails_to_build_instead_of_sending_garbage(app_ctx, session):
    from joren.platform.mail.mime import build_message
    from joren.platform.mail.models import OutboxMessage

    message = OutboxMessage(idempotency_key="k", template="t", to_email="a@example.jp",
                            language="ja", subject="s", text_body="t", html_body="<p>h</p>",
                            headers={}, attachments=[{"filename": "x.ics",
                                                      "content_type": "text/calendar",
                                                      "content_b64": "***"}])
    with pytest.raises(ValueError):
        build_message(message, "x@joren.localhost", datetime(2026, 1, 1, tzinfo=UTC))


def _fake_context() -> dict[str, object]:
    start = datetime(2026, 12, 8, 10, tzinfo=UTC)
    return {"community_name": "大阪異業種交流会", "member_name": "山田",
            "meetup": Meetup(title="定例会", starts_at=start, ends_at=start, online_url=""),
            "kind": "days-2", "is_today": False, "starts": "Tue", "ends": "21:00",
            "timezone": "Asia/Tokyo", "location": "梅田", "map_url": "", "meetup_url": "u",
            "ticket_url": "t", "cant_make_it_url": "c"}
