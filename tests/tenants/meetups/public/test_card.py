"""The pieces of a share card, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from joren.tenants.meetups.models import Meetup, MeetupStatus
from joren.tenants.meetups.public import card
from joren.tenants.meetups.public.models import PublicContact

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2030, 3, 12, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo


def _meetup(**fields) -> Meetup:  # type: ignore[no-untyped-def]
    values = {"id": 5, "title": "定例会", "starts_at": START,
              "ends_at": START + timedelta(hours=2), "venue_name": "", "venue_address": "",
              "online_url": "", "price": 0, "description": "", "registration_opens_at": None,
              "status": MeetupStatus.SCHEDULED}
    values.update(fields)
    return Meetup(**values)


def _data(meetup: Meetup, **options):  # type: ignore[no-untyped-def]
    return card.event_data(meetup, zone=TOKYO, url="https://joren.example.jp/c/o/meetups/5",
                           organizer_name="大阪交流会", organizer_url="https://joren.example.jp/c/o/",
                           currency="JPY", **options)


def test_times_carry_the_community_offset():
    data = _data(_meetup(venue_name="会議室"))
    assert data["startDate"] == "2030-03-12T19:00:00+09:00"
    assert data["endDate"] == "2030-03-12T21:00:00+09:00"


def test_a_fee_becomes_an_offer_in_yen_with_its_opening():
    data = _data(_meetup(price=3000, registration_opens_at=START - timedelta(days=30)))
    assert data["offers"] == {"@type": "Offer", "price": 3000, "priceCurrency": "JPY",
                              "url": "https://joren.example.jp/c/o/meetups/5",
                              "validFrom": "2030-02-10T19:00:00+09:00"}
    assert "offers" not in _data(_meetup(price=0))


def test_attendance_modes_and_locations():
    mixed = _data(_meetup(venue_name="会議室", online_url="https://meet.example/x"))
    assert mixed["eventAttendanceMode"] == card.MIXED
    assert [place["@type"] for place in mixed["location"]] == ["Place", "VirtualLocation"]
    assert "meet.example" not in str(mixed)
    offline = _data(_meetup(venue_address="大阪市北区1-1"))
    assert offline["eventAttendanceMode"] == card.OFFLINE
    assert offline["location"]["address"]["streetAddress"] == "大阪市北区1-1"


def test_the_organizer_and_the_picture():
    contact = PublicContact(contact_name="事務局", contact_email="info@example.jp")
    data = _data(_meetup(venue_name="会議室"), contact=contact,
                 image_url="https://joren.example.jp/c/o/images/1/a.jpg")
    assert data["organizer"]["email"] == "info@example.jp"
    assert data["image"] == ["https://joren.example.jp/c/o/images/1/a.jpg"]
    assert _data(_meetup(status=MeetupStatus.CANCELLED))["eventStatus"] == card.CANCELLED


def test_summary_map_and_share_links():
    assert card.summary("  一行目\n\n二行目  ") == "一行目 二行目"
    long = card.summary("あ" * 300)
    assert len(long) == card.DESCRIPTION_LENGTH and long.endswith("…")
    assert card.map_link("", "") is None
    assert card.map_link("会議室", "", "https://maps.example/x") == "https://maps.example/x"
    assert card.map_link("会議室", "") == (
        "https://www.google.com/maps/search/?api=1&query=%E4%BC%9A%E8%AD%B0%E5%AE%A4")
    links = card.share_links("https://joren.example.jp/c/o/meetups/5?x=1&y=2", "定例会 & 懇親会")
    assert links["line"] == ("https://social-plugins.line.me/lineit/share?url="
                             "https%3A%2F%2Fjoren.example.jp%2Fc%2Fo%2Fmeetups%2F5%3Fx%3D1%26y%3D2")
    assert "text=%E5%AE%9A%E4%BE%8B%E4%BC%9A+%26+" in links["x"]
