"""iCalendar output: parsed back with ``icalendar``, and valid RFC 5545 text (CRLF, folding)."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from joren.tenants.meetups.calendar import ical
from joren.tenants.meetups.models import Meetup, MeetupStatus, RegistrationStatus

URL = "https://joren.example/c/osaka-mixer/meetups/42"
LONG_TITLE = "大阪異業種交流会 第百二十回定例会〜紹介が生まれる朝の勉強会と名刺交換のひととき〜" * 2


def _meetup(**fields) -> Meetup:  # type: ignore[no-untyped-def]
    values = dict(
        id=42, title="定例会", description="自己紹介は30秒で。\n名刺をお持ちください。",
        starts_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 12, 0, tzinfo=UTC),
        venue_name="梅田スカイビル 会議室A", venue_address="大阪市北区大淀中1-1-88",
        map_url="https://maps.example/umeda", online_url="", status=MeetupStatus.SCHEDULED,
    )
    values.update(fields)
    return Meetup(**values)


def _ics(meetup: Meetup) -> bytes:
    return ical.meetup_ics(meetup, calendar_name="大阪異業種交流会", timezone="Asia/Tokyo",
                           host="joren.example", url=URL,
                           now=datetime(2026, 12, 1, tzinfo=UTC))


def _event(body: bytes):  # type: ignore[no-untyped-def]
    events = Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def assert_rfc5545_text(body: bytes) -> None:
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines)  # every line break is CRLF
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character


def test_a_meetup_event_has_every_field_and_parses_back():
    body = _ics(_meetup())
    assert_rfc5545_text(body)
    cal = Calendar.from_ical(body)
    assert cal["METHOD"] == "PUBLISH" and cal["VERSION"] == "2.0" and cal["PRODID"]
    event = _event(body)
    assert str(event["UID"]) == "meetup-42@joren.example"
    assert event.decoded("DTSTART") == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    assert b"DTSTART:20261208T100000Z" in body
    assert str(event["SUMMARY"]) == "定例会"
    assert str(event["LOCATION"]) == "梅田スカイビル 会議室A, 大阪市北区大淀中1-1-88"
    assert str(event["URL"]) == URL
    description = str(event["DESCRIPTION"])
    assert "名刺をお持ちください。" in description and "https://maps.example/umeda" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == datetime(2026, 12, 1, tzinfo=UTC)


def test_long_japanese_text_is_folded_and_unfolds_to_the_same_text():
    body = _ics(_meetup(title=LONG_TITLE))
    assert_rfc5545_text(body)
    assert b"\r\n " in body
    assert str(_event(body)["SUMMARY"]) == LONG_TITLE


def test_a_cancelled_meetup_is_status_cancelled_with_the_same_uid():
    body = _ics(_meetup(status=MeetupStatus.CANCELLED))
    event = _event(body)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "meetup-42@joren.example"


def test_an_online_meetup_has_its_link_as_location():
    event = _event(_ics(_meetup(venue_name="", venue_address="", map_url="",
                                online_url="https://meet.example/abc")))
    assert str(event["LOCATION"]) == "https://meet.example/abc"


def test_a_feed_holds_every_meetup_with_the_readers_status():
    first = _meetup()
    second = _meetup(id=43, title="勉強会", starts_at=datetime(2026, 12, 15, 10, tzinfo=UTC),
                     ends_at=datetime(2026, 12, 15, 11, tzinfo=UTC))
    body = ical.feed_ics([(first, RegistrationStatus.GOING),
                          (second, RegistrationStatus.WAITLISTED)],
                         calendar_name="大阪異業種交流会", timezone="Asia/Tokyo",
                         host="joren.example", url_for_meetup=lambda m: f"{URL}?id={m.id}")
    assert_rfc5545_text(body)
    cal = Calendar.from_ical(body)
    assert "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == "大阪異業種交流会"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"meetup-42@joren.example", "meetup-43@joren.example"}
    assert str(events["meetup-42@joren.example"]["STATUS"]) == "CONFIRMED"
    assert str(events["meetup-43@joren.example"]["STATUS"]) == "TENTATIVE"
    assert str(events["meetup-43@joren.example"]["URL"]) == f"{URL}?id=43"


def test_a_seat_offered_or_being_paid_for_is_tentative() -> None:
    for status in (RegistrationStatus.OFFERED, RegistrationStatus.AWAITING_PAYMENT):
        body = ical.feed_ics([(_meetup(), status)], calendar_name="交流会",
                             timezone="Asia/Tokyo", host="joren.example",
                             url_for_meetup=lambda m: f"{URL}?id={m.id}")
        [event] = Calendar.from_ical(body).walk("VEVENT")
        assert str(event["STATUS"]) == "TENTATIVE"
