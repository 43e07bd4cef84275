"""The MIME message of an outbox row: text and HTML alternatives, stored headers, attachments,
and a Message-ID that stays the same on every attempt.

Apart from the sender because the captured-mail viewer and the tests build the same message
without sending it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr

from joren.platform.mail.models import OutboxMessage

RESERVED_HEADERS = {"from", "to", "subject", "date", "message-id", "content-type", "mime-version"}


def message_id_for(message: OutboxMessage, mail_from: str) -> str:
    """A Message-ID that is the same on every attempt, so a resend can be recognised."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "joren.localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    return f"<joren.{message.id}.{digest}@{domain}>"


def build_message(message: OutboxMessage, mail_from: str, now: datetime) -> EmailMessage:
    """The MIME message: text and HTML alternatives in UTF-8 and the stored headers."""
    email = EmailMessage(policy=default_policy)
    email["From"] = mail_from
    email["To"] = Address(addr_spec=message.to_email)
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message.message_id or message_id_for(message, mail_from)
    email["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():
        if name.lower() not in RESERVED_HEADERS:
            email[name] = value
    email.set_content(message.text_body, charset="utf-8")
    email.add_alternative(message.html_body, subtype="html", charset="utf-8")
    # After the body: set_content() drops Content-* headers set before it.
    email["Content-Language"] = message.language
    for attachment in message.attachments or ():
        _attach(email, attachment)
    return email


def _attach(email: EmailMessage, attachment: Mapping[str, str]) -> None:
    """Add one stored attachment; ``content_type`` may carry parameters (``method=PUBLISH``)."""
    try:
        content = base64.b64decode(attachment["content_b64"], validate=True)
    except (KeyError, binascii.Error) as exc:
        raise ValueError(f"bad attachment: {exc}") from exc
    mime, _, params_text = attachment.get("content_type", "").partition(";")
    maintype, _, subtype = mime.strip().partition("/")
    if not maintype or not subtype:
        maintype, subtype = "application", "octet-stream"
    params: dict[str, str] = {}
    for part in params_text.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            params[name.strip()] = value.strip().strip('"')
    email.add_attachment(content, maintype=maintype, subtype=subtype,
                         filename=attachment.get("filename") or "attachment", params=params)
