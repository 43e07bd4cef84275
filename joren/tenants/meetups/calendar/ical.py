"""iCalendar (RFC 5545) for meetups: one event as an email attachment, or a subscribable feed.

Times are written in UTC (``DTSTART:20260101T100000Z``), which every calendar shows in the
reader's own zone and which needs no VTIMEZONE. The UID is stable per occurrence, so a
calendar updates the event it already has when a feed or a later email carries it again.
There is no SEQUENCE: nothing records how often an occurrence changed (feeds are replaced
wholesale by subscribing calendars, which do not need it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

from icalendar import Calendar, Event

from joren.tenants.meetups.models import Meetup, RegistrationStatus

PRODID = "-//Joren//Meetups//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
ATTACHMENT_CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"
ATTACHMENT_FILENAME = "meetup.ics"
REFRESH = timedelta(hours=1)


def meetup_uid(meetup: Meetup, host: str) -> str:
    return f"meetup-{meetup.id}@{host}"


def location(meetup: Meetup) -> str:
    """Venue and address on one line; the online link for an online-only meetup."""
    parts = [p for p in (meetup.venue_name.strip(), meetup.venue_address.strip()) if p]
    if parts:
        return ", ".join(parts)
    return meetup.online_url.strip()


def meetup_event(
    meetup: Meetup,
    *,
    host: str,
    url: str,
    now: datetime | None = None,
    registration_status: RegistrationStatus | None = None,
) -> Event:
    """The VEVENT of one occurrence; a cancelled one is STATUS:CANCELLED, a waitlisted or
    pending registration makes it TENTATIVE."""
    event = Event()
    event.add("uid", meetup_uid(meetup, host))
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", meetup.starts_at.astimezone(UTC))
    event.add("dtend", meetup.ends_at.astimezone(UTC))
    event.add("summary", meetup.title)
    where = location(meetup)
    if where:
        event.add("location", where)
    event.add("url", url)
    event.add("description", _description(meetup, url))
    if meetup.is_cancelled:
        event.add("status", "CANCELLED")
    elif registration_status in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING,
                                 RegistrationStatus.OFFERED,
                                 RegistrationStatus.AWAITING_PAYMENT):
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    return event


def _description(meetup: Meetup, url: str) -> str:
    lines = [meetup.description.strip()] if meetup.description.strip() else []
    if meetup.map_url:
        lines.append(meetup.map_url)
    if meetup.online_url:
        lines.append(meetup.online_url)
    lines.append(url)
    return "\n\n".join(lines)


def _calendar(name: str, timezone: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    return cal


def meetup_ics(meetup: Meetup, *, calendar_name: str, timezone: str, host: str, url: str,
               now: datetime | None = None) -> bytes:
    """A one-event calendar (METHOD:PUBLISH) for an email attachment."""
    cal = _calendar(calendar_name, timezone, method="PUBLISH")
    cal.add_component(meetup_event(meetup, host=host, url=url, now=now))
    return cal.to_ical()


def feed_ics(
    items: Iterable[tuple[Meetup, RegistrationStatus | None]],
    *,
    calendar_name: str,
    timezone: str,
    host: str,
    url_for_meetup: Callable[[Meetup], str],
    now: datetime | None = None,
) -> bytes:
    """A subscribable calendar of these meetups (each with the reader's registration status,
    or None for the community's public feed)."""
    cal = _calendar(calendar_name, timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for meetup, status in items:
        # A feed's DTSTAMP says when the event was recorded, not when the feed was fetched:
        # the same meetups give the same bytes, so a reader's If-None-Match gets a 304.
        stamp = now or meetup.created_at or datetime.now(UTC)
        cal.add_component(meetup_event(meetup, host=host, url=url_for_meetup(meetup), now=stamp,
                                       registration_status=status))
    return cal.to_ical()


def map_link(meetup: Meetup) -> str:
    """The organizer's map link, or a map search for the address."""
    if meetup.map_url:
        return meetup.map_url
    address = meetup.venue_address.strip() or meetup.venue_name.strip()
    if not address:
        return ""
    return f"https://www.google.com/maps/search/?api=1&query={quote_plus(address)}"
