"""A counting TCP proxy in front of PostgreSQL: how many round trips a piece of code costs.

Every round trip the client makes ends in a message after which it waits for the server: a
simple ``Query`` ('Q': BEGIN, ROLLBACK, COMMIT as psycopg sends them) or the ``Sync`` ('S')
that closes an extended-protocol exchange (every statement with parameters, the pool's
pre-ping). Counting those two in the client's stream counts round trips whatever sends them
(SQLAlchemy, the pool, psycopg itself), which statement events cannot see.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

_UNTYPED_REQUESTS = {80877103, 80877104, 80877102}  # SSL, GSS encryption, cancel


@dataclass
class Wire:
    """The proxy's address and what it saw: one entry per round trip, the message's first
    characters (a query's text; "sync" for an extended-protocol exchange)."""

    port: int
    trips: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, database_url: str) -> str:
        """``database_url`` through the proxy (plain TCP: no SSL or GSS negotiation)."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        url = url.update_query_dict({"sslmode": "disable", "gssencmode": "disable"})
        return url.render_as_string(hide_password=False)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        with self.lock:
            self.trips.clear()
        seen: list[str] = []
        try:
            yield seen
        finally:
            with self.lock:
                seen.extend(self.trips)


def _pump_server(server: socket.socket, client: socket.socket) -> None:
    try:
        while data := server.recv(65536):
            client.sendall(data)
    except OSError:
        pass
    finally:
        for s in (client, server):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def _read(sock: socket.socket, n: int, buffer: bytearray) -> bytes:
    while len(buffer) < n:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError
        buffer.extend(data)
    out = bytes(buffer[:n])
    del buffer[:n]
    return out


def _pump_client(client: socket.socket, server: socket.socket, wire: Wire) -> None:
    buffer = bytearray()
    try:
        started = False
        while not started:  # untyped messages: requests, then the startup message
            raw = _read(client, 4, buffer)
            length = struct.unpack("!I", raw)[0]
            body = _read(client, length - 4, buffer)
            server.sendall(raw + body)
            started = struct.unpack("!I", body[:4])[0] not in _UNTYPED_REQUESTS
        pending = b""
        while True:
            kind = _read(client, 1, buffer)
            raw = _read(client, 4, buffer)
            body = _read(client, struct.unpack("!I", raw)[0] - 4, buffer)
            if kind == b"P" and not pending:
                pending = body.split(b"\0", 2)[1][:60]  # the Parse message's query
            if kind in (b"Q", b"S"):
                text = body[:60] if kind == b"Q" else (pending or b"sync")
                with wire.lock:
                    wire.trips.append(text.decode("utf-8", "replace").rstrip("\0"))
                pending = b""
            server.sendall(kind + raw + body)
    except (ConnectionError, OSError):
        pass
    finally:
        for s in (client, server):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


@contextmanager
def counting_proxy(database_url: str) -> Iterator[Wire]:
    """A proxy to the server of ``database_url`` for the duration of the block."""
    target = make_url(database_url)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    wire = Wire(port=listener.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection((target.host or "127.0.0.1", target.port or 5432))
            threading.Thread(target=_pump_client, args=(client, server, wire),
                             daemon=True).start()
            threading.Thread(target=_pump_server, args=(server, client), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield wire
    finally:
        stop.set()
        listener.close()
