"""Reading the card tags, the share links and the JSON-LD out of a page."""

from __future__ import annotations

import html
import io
import json
import re

from sqlalchemy import select

from joren.platform.db import utcnow
from joren.tenants.meetups.models import Meetup

META = re.compile(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"')
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SHARE = re.compile(r'data-share="(\w+)" href="([^"]+)"')


def meta(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in META.findall(page)}


def json_ld(page: str) -> object:
    found = JSON_LD.findall(page)
    assert len(found) == 1, found
    return json.loads(found[0])


def share_links(page: str) -> dict[str, str]:
    return {name: html.unescape(href) for name, href in SHARE.findall(page)}


def upload(client, path: str, data: bytes, name: str = "photo.jpg"):  # type: ignore[no-untyped-def]
    return client.post(path, data={"image": (io.BytesIO(data), name), "action": "upload"},
                       content_type="multipart/form-data")


def next_meetup(session, series) -> Meetup:  # type: ignore[no-untyped-def]
    return session.scalars(select(Meetup).where(Meetup.series_id == series.id,
                                                Meetup.starts_at >= utcnow())
                           .order_by(Meetup.starts_at)).first()
