"""Checks on the links in stored emails: every one on BASE_URL, the mail in its reader's language.

Used with the ``production_base_url`` fixture (tests/conftest.py): BASE_URL with a port and a
path prefix, and no SERVER_NAME, as in production.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.mail import outbox
from joren.platform.mail.models import OutboxMessage
from joren.platform.tenancy import unscoped

URL = re.compile(r"""(?:https?|webcal)://[^\s"'<>)\]]+""")
# Links that are meant to leave the site (a venue's map).
ELSEWHERE = ("https://www.google.com/maps/", "https://maps.example/")


@dataclass(frozen=True)
class Rendering:
    template: str
    language: str
    in_request: bool
    request_host: str | None


def watch_rendering(monkeypatch: pytest.MonkeyPatch) -> list[Rendering]:
    """Record, for every email rendered from now on, its language and whether a request was
    active (a job has none)."""
    seen: list[Rendering] = []
    render = outbox.render_email

    def spy(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
        in_request = has_request_context()
        seen.append(Rendering(template, language, in_request,
                              request.host if in_request else None))
        return render(template, language, context)

    monkeypatch.setattr(outbox, "render_email", spy)
    return seen


def stored(session: Session, *templates: str) -> list[OutboxMessage]:
    """The outbox messages of ``templates`` (all communities), oldest first."""
    session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if templates:
        stmt = stmt.where(OutboxMessage.template.in_(templates))
    with unscoped(session):
        return list(session.scalars(stmt))


def links_in(message: OutboxMessage) -> list[str]:
    """Every absolute link of a message: text, HTML, headers and text attachments (.ics)."""
    parts: list[str] = [message.text_body, message.html_body,
                        *(message.headers or {}).values()]
    for attachment in message.attachments or ():
        if attachment["content_type"].startswith("text/"):
            raw = base64.b64decode(attachment["content_b64"]).decode("utf-8")
            parts.append(raw.replace("\r\n ", ""))  # unfold iCalendar lines
    return [link.rstrip(".,;") for part in parts for link in URL.findall(part)]


def assert_links_on(base: str, messages: Iterable[OutboxMessage]) -> list[str]:
    """Each message has links and every one starts with ``base``; returns them all."""
    found: list[str] = []
    for message in messages:
        links = links_in(message)
        assert links, f"{message.template}: no links"
        wrong = [link for link in links
                 if not link.startswith(base + "/") and not link.startswith(ELSEWHERE)]
        assert wrong == [], f"{message.template}: links off BASE_URL"
        found += links
    assert found, "no messages"
    return found


def assert_in_language(message: OutboxMessage, language: str) -> None:
    assert message.language == language
    assert f'<html lang="{language}"' in message.html_body
