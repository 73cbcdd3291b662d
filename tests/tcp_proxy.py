"""A TCP relay in front of a real server (MariaDB, PostgreSQL, slapd) that a test turns faulty.

``TcpProxy(port)`` listens on a free 127.0.0.1 port and relays every
connection to ``127.0.0.1:port`` from threads of its own, so it keeps
working while the test's event loop waits. Modes:

- ``forward()``: relay bytes both ways (the start). Connections that lived
  through a silence are closed, their held-back bytes never delivered, as
  after a partition that outlasted the peers' patience.
- ``silent()``: a server that hangs: connections stay open and new ones are
  accepted, but no byte goes either way.
- ``close()``: a server that is gone: every connection is cut and new ones
  are closed at once.

``url(dsn)`` points a database URL at the relay.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy.engine import make_url

CHUNK = 65536


class Mode(enum.Enum):
    FORWARD = "forward"
    SILENT = "silent"
    CLOSE = "close"


@dataclass(eq=False)
class _Link:
    """One relayed connection: the client's socket and the server's (none while silent)."""

    client: socket.socket
    server: socket.socket | None = None
    silenced: bool = False
    sockets: list[socket.socket] = field(default_factory=list)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class TcpProxy:
    """A relay to ``127.0.0.1:target`` on ``127.0.0.1:port``, switchable between the modes above."""

    def __init__(self, target: int, host: str = "127.0.0.1") -> None:
        self.target = (host, target)
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port: int = self._listener.getsockname()[1]
        self.mode = Mode.FORWARD
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, name=f"tcp-proxy-{self.port}", daemon=True).start()

    def url(self, dsn: str) -> str:
        """``dsn`` with its host and port replaced by the relay's."""
        return make_url(dsn).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def forward(self) -> None:
        with self._lock:
            self.mode = Mode.FORWARD
            silenced = [link for link in self._links if link.silenced]
        for link in silenced:
            self._cut(link)

    def silent(self) -> None:
        with self._lock:
            self.mode = Mode.SILENT
            for link in self._links:
                link.silenced = True

    def close(self) -> None:
        with self._lock:
            self.mode = Mode.CLOSE
            links = list(self._links)
        for link in links:
            self._cut(link)

    def stop(self) -> None:
        """Stop listening and cut every connection."""
        self._stopped = True
        _shut(self._listener)
        self.close()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def connections(self) -> int:
        """The connections relayed (or held silent) right now."""
        with self._lock:
            return len(self._links)

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            link = _Link(client, sockets=[client])
            with self._lock:
                mode = self.mode
                if mode is not Mode.CLOSE:
                    link.silenced = mode is Mode.SILENT
                    self._links.append(link)
            if mode is Mode.CLOSE:
                _shut(client)
                continue
            if not link.silenced:
                try:
                    link.server = socket.create_connection(self.target, timeout=5)
                except OSError:
                    self._cut(link)
                    continue
                link.server.settimeout(None)
                link.sockets.append(link.server)
                threading.Thread(target=self._pump, args=(link, link.server, client), daemon=True).start()
            threading.Thread(target=self._pump, args=(link, client, link.server), daemon=True).start()

    def _pump(self, link: _Link, source: socket.socket, sink: socket.socket | None) -> None:
        """Relay ``source`` to ``sink`` until either side closes; while silenced, swallow what arrives."""
        with contextlib.suppress(OSError):
            while data := source.recv(CHUNK):
                if link.silenced or sink is None:
                    continue
                sink.sendall(data)
        self._cut(link)

    def _cut(self, link: _Link) -> None:
        with self._lock:
            if link in self._links:
                self._links.remove(link)
        for sock in link.sockets:
            _shut(sock)
