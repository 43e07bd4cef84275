"""How mail leaves the machine: SMTP settings from SMTP_URL and a reusable SMTP connection.

``SMTP_URL`` forms: ``smtp://user:pass@host:port`` (no encryption: a relay on the same host or
network, port 25 by default), ``smtp+starttls://...`` (STARTTLS, port 587 by default) and
``smtps://...`` (implicit TLS, port 465 by default). User and password are URL-decoded; they are
never logged and never part of ``repr()``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

log = logging.getLogger("joren.mail")

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
SMTP_TIMEOUT = 30


class SMTPURLError(ValueError):
    """SMTP_URL cannot be understood (the message never contains the password)."""


@dataclass(frozen=True)
class SMTPSettings:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = SMTP_TIMEOUT

    @property
    def starttls(self) -> bool:
        return self.scheme == "smtp+starttls"

    @property
    def implicit_tls(self) -> bool:
        return self.scheme == "smtps"

    def describe(self) -> str:
        """For logs: where mail goes, without credentials."""
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SMTPSettings:
    """Read ``SMTP_URL``; raise SMTPURLError with a message that does not repeat secrets."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise SMTPURLError("SMTP_URL is not a valid URL (smtp://user:password@host:port)") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise SMTPURLError(
            f"SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// (got {scheme or '-'}://)"
        )
    if not parts.hostname:
        raise SMTPURLError("SMTP_URL has no host name")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return SMTPSettings(
        scheme=scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        username=username,
        password=password,
    )


def open_connection(settings: SMTPSettings) -> smtplib.SMTP:
    """Connect, say EHLO, secure the channel as asked and sign in."""
    context = ssl.create_default_context()
    conn: smtplib.SMTP
    if settings.implicit_tls:
        conn = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        conn.ehlo()
        if settings.starttls:
            conn.starttls(context=context)
            conn.ehlo()
        if settings.username:
            conn.login(settings.username, settings.password or "")
    except BaseException:
        _close_quietly(conn)
        raise
    log.info("connected to SMTP server %s", settings.describe())
    return conn


def _close_quietly(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()


def is_alive(conn: smtplib.SMTP) -> bool:
    try:
        return conn.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


class ConnectionHolder:
    """One SMTP connection per thread of this process, kept between messages and jobs.

    ``get()`` hands out the held connection after a NOOP proves it still answers, and opens a
    new one otherwise (servers drop idle clients). ``discard()`` drops a connection whose state
    is unknown after an error.

    ``joren worker`` runs every job in its own process (joren.workers.worker), so the
    connection is reused across the messages of a batch and across jobs.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, settings: SMTPSettings) -> smtplib.SMTP:
        held: tuple[SMTPSettings, smtplib.SMTP] | None = getattr(self._local, "held", None)
        if held is not None:
            held_settings, conn = held
            if held_settings == settings and is_alive(conn):
                return conn
            self.discard()
        conn = open_connection(settings)
        self._local.held = (settings, conn)
        return conn

    def discard(self) -> None:
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            _close_quietly(held[1])


connections = ConnectionHolder()
