"""The MIME message of an outbox row: text and HTML alternatives, stored headers, attachments,
and a Message-ID that stays the same on every attempt.

Apart from the sender because the captured-mail viewer and the tests build the same message
without sending it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr

from joren.platform.mail.models import OutboxMessage
from joren.platform.mail.sender_identity import FROM_NAME, from_header

RESERVED_HEADERS = {"from", "to", "subject", "date", "message-id", "content-type", "mime-version",
                    FROM_NAME.lower()}


def message_id_for(message: OutboxMessage, mail_from: str) -> str:
    """A Message-ID that is the same on every attempt, so a resend can be recognised."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "joren.localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    return f"<joren.{message.id}.{digest}@{domain}>"


def build_message(message: OutboxMessage, mail_from: str, now: datetime) -> EmailMessage:
    """The MIME message: text and HTML alternatives in UTF-8 and the stored headers."""
    email = EmailMessage(policy=default_policy)
    email["From"] = from_header(mail_from, (message.headers or {}).get(FROM_NAME))
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


# -- the wire form, built directly ----------------------------------------------------------
# ``build_message`` goes through the email package's header registry, which parses every
# header it is given: ~4 ms a message, more than sending it to a local relay takes. The sender
# builds the common message (no attachments, a plain ASCII address) as bytes instead, with the
# same headers and parts; anything else goes through ``build_message``.

SIMPLE_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
)
MAX_LINE = 78
MAX_HEADER_LINE = 990  # RFC 5322: 998 characters a line
CRLF = "\r\n"


def wire_message(message: OutboxMessage, mail_from: str, now: datetime) -> bytes | None:
    """The message as sent (CRLF line ends), or None when ``build_message`` must build it
    (attachments, an address that needs the full parser)."""
    if message.attachments or not SIMPLE_ADDRESS.fullmatch(message.to_email):
        return None
    boundary = f"=_joren_{secrets.token_hex(12)}"
    headers = [
        ("From", _from_header(mail_from, (message.headers or {}).get(FROM_NAME))),
        ("To", message.to_email),
        ("Subject", _header_text("Subject", message.subject)),
        ("Date", format_datetime(now)),
        ("Message-ID", message.message_id or message_id_for(message, mail_from)),
        ("Auto-Submitted", "auto-generated"),
        *((name, _header_text(name, value)) for name, value in (message.headers or {}).items()
          if name.lower() not in RESERVED_HEADERS),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ("Content-Language", message.language),
    ]
    lines = [f"{name}: {value}" for name, value in headers]
    for subtype, body in (("plain", message.text_body), ("html", message.html_body)):
        cte, encoded = _encode_body(body)
        lines += ["", f"--{boundary}", f'Content-Type: text/{subtype}; charset="utf-8"',
                  f"Content-Transfer-Encoding: {cte}", "", encoded]
    lines += ["", f"--{boundary}--", ""]
    return CRLF.join(lines).encode("utf-8")


@functools.lru_cache(maxsize=256)
def _from_header(mail_from: str, name: str | None) -> str:
    return from_header(mail_from, name)


def _header_text(name: str, value: str) -> str:
    """A header value: as it is when ASCII (an unsubscribe URL must stay one piece), else
    RFC 2047 encoded words; never a line break (it would start a header of its own)."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"a line break in the {name} header")
    if value.isascii() and len(name) + len(value) < MAX_HEADER_LINE:
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep=CRLF)


def _encode_body(text: str) -> tuple[str, str]:
    """(Content-Transfer-Encoding, body) as the email package chooses them: 7bit or 8bit when
    every line is short, else base64."""
    lines = text.splitlines()
    if all(len(line.encode("utf-8")) <= MAX_LINE for line in lines):
        body = CRLF.join(lines)  # smtplib doubles leading dots
        return ("7bit" if text.isascii() else "8bit"), body
    encoded = base64.encodebytes(("\n".join(lines) + "\n").encode("utf-8")).decode("ascii")
    return "base64", CRLF.join(encoded.splitlines())
