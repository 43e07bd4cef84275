"""SMTP settings read from ``SMTP_URL``: the part of the mail transport that configuration
checks at start-up, kept in the kernel so config does not depend on the mail package.

``SMTP_URL`` forms: ``smtp://user:pass@host:port`` (no encryption: a relay on the same host or
network, port 25 by default), ``smtp+starttls://...`` (STARTTLS, port 587 by default) and
``smtps://...`` (implicit TLS, port 465 by default). User and password are URL-decoded; they are
never logged and never part of ``repr()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

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
