"""How mail leaves the machine: a reusable SMTP connection, opened from the settings of
``SMTP_URL`` (joren.platform.smtp)."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading

from joren.platform.smtp import SMTPSettings

log = logging.getLogger("joren.mail")


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

    ``joren worker`` runs every job inside its one long-lived process (joren.workers.worker),
    so the connection is reused across the messages of a batch and across jobs.
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
