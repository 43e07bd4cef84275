"""What a shared link shows: the Open Graph / X card, share links, the map link and the
schema.org ``Event`` data of a public meetup page. Plain functions of plain values, so the
tests check them without a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from joren.tenants.meetups.models import Meetup
from joren.tenants.meetups.public.models import PublicContact

DESCRIPTION_LENGTH = 200
SCHEDULED = "https://schema.org/EventScheduled"
CANCELLED = "https://schema.org/EventCancelled"
OFFLINE = "https://schema.org/OfflineEventAttendanceMode"
ONLINE = "https://schema.org/OnlineEventAttendanceMode"
MIXED = "https://schema.org/MixedEventAttendanceMode"


def summary(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """One line of at most ``limit`` characters for og:description."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def share_links(url: str, text: str) -> dict[str, str]:
    """Plain share URLs (no third-party script): LINE, X and Facebook."""
    return {
        "line": "https://social-plugins.line.me/lineit/share?" + urlencode({"url": url}),
        "x": "https://x.com/intent/post?" + urlencode({"text": text, "url": url}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
    }


def map_link(venue_name: str, venue_address: str, map_url: str = "") -> str | None:
    """The organizer's own map link, else a Google Maps search for the address (or venue)."""
    if map_url:
        return map_url
    query = " ".join(part for part in (venue_address, venue_name) if part).strip()
    if not query:
        return None
    return "https://www.google.com/maps/search/?api=1&query=" + quote(query, safe="")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def attendance_mode(meetup: Meetup) -> str:
    has_place = bool(meetup.venue_name or meetup.venue_address)
    if meetup.online_url and has_place:
        return MIXED
    return ONLINE if meetup.online_url else OFFLINE


def event_data(meetup: Meetup, *, zone: ZoneInfo, url: str, organizer_name: str,
               organizer_url: str, currency: str, image_url: str | None = None,
               contact: PublicContact | None = None) -> dict[str, Any]:
    """The schema.org ``Event`` (JSON-LD) of one meetup."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": meetup.title,
        "startDate": _local(meetup.starts_at, zone),
        "endDate": _local(meetup.ends_at, zone),
        "eventStatus": CANCELLED if meetup.is_cancelled else SCHEDULED,
        "eventAttendanceMode": attendance_mode(meetup),
        "url": url,
    }
    if meetup.description:
        data["description"] = summary(meetup.description, 500)
    data["location"] = _location(meetup, url)
    organizer: dict[str, Any] = {"@type": "Organization", "name": organizer_name,
                                 "url": organizer_url}
    if contact is not None and contact.contact_email:
        organizer["email"] = contact.contact_email
    data["organizer"] = organizer
    if image_url:
        data["image"] = [image_url]
    if meetup.price:
        offer: dict[str, Any] = {"@type": "Offer", "price": meetup.price,
                                 "priceCurrency": currency, "url": url}
        if meetup.registration_opens_at is not None:
            offer["validFrom"] = _local(meetup.registration_opens_at, zone)
        data["offers"] = offer
    return data


def _location(meetup: Meetup, url: str) -> dict[str, Any] | list[dict[str, Any]]:
    place = None
    if meetup.venue_name or meetup.venue_address:
        place = {"@type": "Place", "name": meetup.venue_name or meetup.venue_address,
                 "address": {"@type": "PostalAddress",
                             "streetAddress": meetup.venue_address or meetup.venue_name}}
    # The online room's address is for members only: the public page stands in for it.
    virtual = {"@type": "VirtualLocation", "url": url} if meetup.online_url else None
    found = [p for p in (place, virtual) if p is not None]
    if not found:
        return {"@type": "Place", "name": meetup.title}
    return found[0] if len(found) == 1 else found
