"""What the public meetup and series pages add for sharing: the picture, the card tags, the
share links, the map link, the contact and the schema.org data (one statement: the picture
and the contact together)."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy.orm import Session

from joren.platform.urls import external_url
from joren.tenants.meetups.models import Meetup, MeetupSeries
from joren.tenants.meetups.public import card
from joren.tenants.meetups.public.models import EventImage
from joren.tenants.meetups.public.services import PictureRef, picture_and_contact


def image_url(image: EventImage | PictureRef | None) -> str | None:
    """The picture's absolute address on BASE_URL (cards need one), or None."""
    if image is None:
        return None
    return external_url("community.public.image", image_id=image.id,
                        name=image.storage_key.rsplit("/", 1)[-1])


def meetup_card(session: Session, meetup: Meetup) -> dict[str, Any]:
    """Template values for a public meetup page: ``share`` (card, links, data)."""
    community = g.community
    url = external_url("community.meetups.portal_detail", meetup_id=meetup.id)
    image, contact = picture_and_contact(session, meetup=meetup)
    picture = image_url(image)
    when = meetup.starts_at.astimezone(community.zone).strftime("%Y/%m/%d %H:%M")
    text = f"{meetup.title} ({when}) · {community.name}"
    return {"share": {
        "url": url,
        "title": meetup.title,
        "site_name": community.name,
        "description": card.summary(meetup.description or community.description or text),
        "image": picture,
        "image_alt": meetup.title,
        "type": "article",
        "links": card.share_links(url, text),
        "map": card.map_link(meetup.venue_name, meetup.venue_address, meetup.map_url),
        "contact": contact if contact is not None and contact.is_set else None,
        "event": card.event_data(
            meetup, zone=community.zone, url=url, organizer_name=community.name,
            organizer_url=external_url("community.portal.home"), currency=community.currency,
            image_url=picture, contact=contact),
    }}


def series_card(session: Session, series: MeetupSeries,
                upcoming: list[Meetup]) -> dict[str, Any]:
    """Template values for a public series page (the events are its upcoming meetups)."""
    community = g.community
    url = external_url("community.public.series_page", series_id=series.id)
    image, contact = picture_and_contact(session, series=series)
    picture = image_url(image)
    text = f"{series.title} · {community.name}"
    events = [card.event_data(
        m, zone=community.zone,
        url=external_url("community.meetups.portal_detail", meetup_id=m.id),
        organizer_name=community.name, organizer_url=external_url("community.portal.home"),
        currency=community.currency, image_url=picture, contact=contact) for m in upcoming]
    return {"share": {
        "url": url,
        "title": series.title,
        "site_name": community.name,
        "description": card.summary(series.description or community.description or text),
        "image": picture,
        "image_alt": series.title,
        "type": "website",
        "links": card.share_links(url, text),
        "map": card.map_link(series.venue_name, series.venue_address, series.map_url),
        "contact": contact if contact is not None and contact.is_set else None,
        "event": events,
    }}
