"""A real SMTP server for tests (aiosmtpd), collecting what it receives."""

from __future__ import annotations

import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.connections = 0
        self.lock = threading.Lock()
        self.fail_next = 0
        self.refused: dict[str, str] = {}  # address -> the RCPT reply refusing it

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return "451 Requested action aborted: local error in processing"
            message = email.message_from_bytes(envelope.content, policy=default_policy)
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPServer:
    """``start()``, then read ``messages``; ``url`` is what SMTP_URL should be."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.handler = _Collector()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    @property
    def connections(self) -> int:
        return self.handler.connections

    def fail_next(self, count: int = 1) -> None:
        self.handler.fail_next = count

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
