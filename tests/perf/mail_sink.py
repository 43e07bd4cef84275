"""An SMTP sink for the mail benchmark, in a process of its own (so that neither the worker
nor the raw smtplib baseline shares it): ``python -m tests.perf.mail_sink PORT FILE`` accepts
every message and appends ``<monotonic time> <recipient>`` to FILE for each."""

from __future__ import annotations

import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        os.write(self.fd, f"{time.monotonic()} {envelope.rcpt_tos[0]}\n".encode())
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(path), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # until the benchmark closes our stdin
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
