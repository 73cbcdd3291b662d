"""Connections to the directory: a small pool bound as the admin DN, used from worker threads.

Every call runs in a worker thread with one pooled ldap3 connection to
itself. Waiting for a free connection, opening one and waiting for any
answer are each bounded by ``timeout``, so a down or silent server gives
``BackendUnavailable`` instead of a hang. Calls that waited for a connection
while another call lost the server give up with it rather than each trying
in turn, so a queue of requests ends together instead of one timeout after
another.

LDAP result codes become gateway errors: noSuchObject ``NotFound``,
entryAlreadyExists ``Conflict(ErrorCode.ALREADY_EXISTS)``, and
insufficientAccessRights ``BackendUnavailable``: the gateway binds as one
service account and checks each admin's rights itself, so a refusal means
the directory's ACLs or the bind DN are wrong for the whole service, not
that the client may not act. Anything else is a ``GatewayError``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import ldap3  # type: ignore[import-untyped]
from ldap3.core import exceptions as ldap_errors  # type: ignore[import-untyped]
from ldap3.utils.dn import parse_dn  # type: ignore[import-untyped]

from gateway.backends.ldap.dn import leading_rdn, rdn_fits
from gateway.backends.ldap.entry import Entry, Values
from gateway.errors import BackendUnavailable, Conflict, ErrorCode, GatewayError, InvalidInput, NotFound

T = TypeVar("T")

log = logging.getLogger(__name__)

PAGE_SIZE = 500
PAGED_RESULTS = "1.2.840.113556.1.4.319"

SUCCESS = 0
NO_SUCH_OBJECT = 32
ENTRY_ALREADY_EXISTS = 68
INSUFFICIENT_ACCESS = 50
SERVER_TROUBLE = {
    3: "timeLimitExceeded",
    11: "adminLimitExceeded",
    49: "invalidCredentials",
    50: "insufficientAccessRights",
    51: "busy",
    52: "unavailable",
}

BASE, LEVEL, SUBTREE = ldap3.BASE, ldap3.LEVEL, ldap3.SUBTREE
ALL_ATTRIBUTES = ldap3.ALL_ATTRIBUTES
ADD, DELETE, REPLACE = ldap3.MODIFY_ADD, ldap3.MODIFY_DELETE, ldap3.MODIFY_REPLACE

# the refusal of a name too long for the directory, by the attribute that names the entry
TOO_LONG = {"domainname": ErrorCode.INVALID_DOMAIN_NAME, "mail": ErrorCode.INVALID_MAIL}

# failures of the connection itself, after which it is thrown away
CONNECTION_ERRORS = (ldap_errors.LDAPCommunicationError, ldap_errors.LDAPResponseTimeoutError, OSError)


def raise_for_result(result: Mapping[str, Any]) -> None:
    """Turn a failed LDAP result into the matching gateway error."""
    code = int(result.get("result", 0))
    if code == SUCCESS:
        return
    detail = f"{result.get('description', code)}: {result.get('message') or ''}".strip(": ")
    if code == NO_SUCH_OBJECT:
        raise NotFound(detail=detail)
    if code == ENTRY_ALREADY_EXISTS:
        raise Conflict(ErrorCode.ALREADY_EXISTS, detail=detail)
    if code in SERVER_TROUBLE:
        raise BackendUnavailable(detail=f"directory refused the gateway: {detail}")
    raise GatewayError(detail=f"directory error {detail}")


def dn_depth(dn: str) -> int:
    """The number of RDNs of ``dn``, escapes respected."""
    return len(parse_dn(dn))


class Directory:
    """Synchronous operations over one bound connection; used inside a worker thread only."""

    def __init__(self, connection: ldap3.Connection) -> None:
        self._conn = connection
        self.answered = 0  # operations the server has answered on this connection during this call

    def _done(self, ok: bool) -> None:
        self.answered += 1
        if not ok:
            raise_for_result(self._conn.result)

    def search(
        self,
        base: str,
        search_filter: str,
        *,
        scope: str = SUBTREE,
        attributes: Sequence[str] | str = ALL_ATTRIBUTES,
    ) -> list[Entry]:
        """Every entry matching, page by page; none when ``base`` does not exist."""
        return list(self._search(base, search_filter, scope, attributes))

    def _search(self, base: str, search_filter: str, scope: str, attributes: Sequence[str] | str) -> Iterator[Entry]:
        cookie: bytes | None = None
        while True:
            self._conn.search(
                base,
                search_filter,
                search_scope=scope,
                attributes=attributes,
                paged_size=PAGE_SIZE if scope != BASE else None,
                paged_cookie=cookie,
            )
            self.answered += 1
            # the return value only says whether entries came back; the result code says the rest
            if self._conn.result.get("result") == NO_SUCH_OBJECT:
                return
            raise_for_result(self._conn.result)
            for item in self._conn.response or ():
                if item.get("type") == "searchResEntry":
                    yield Entry.from_response(item["dn"], item.get("raw_attributes") or {})
            control = (self._conn.result.get("controls") or {}).get(PAGED_RESULTS)
            cookie = control["value"]["cookie"] if control else None
            if not cookie:
                return

    def get(self, dn: str, attributes: Sequence[str] | str = ALL_ATTRIBUTES) -> Entry | None:
        """The entry at ``dn``, None when there is none."""
        found = self.search(dn, "(objectClass=*)", scope=BASE, attributes=attributes)
        return found[0] if found else None

    def add(self, dn: str, attributes: Mapping[str, Values | str]) -> None:
        """Add an entry; empty values are left out, ``objectClass`` may be spelt in any case.

        A name the directory cannot hold is refused before asking it (``INVALID_MAIL``,
        ``INVALID_DOMAIN_NAME``), as slapd would only answer "other".
        """
        if not rdn_fits(dn):
            attribute = leading_rdn(dn).partition("=")[0].lower()
            code = TOO_LONG.get(attribute, ErrorCode.INVALID_PARAMETER)
            raise InvalidInput(code, f"{dn} is too long for the directory")
        values = {name: value for name, value in attributes.items() if value not in ("", [], ())}
        classes = next(values.pop(name) for name in list(values) if name.lower() == "objectclass")
        self._done(self._conn.add(dn, classes, values))

    def modify(self, dn: str, changes: Mapping[str, tuple[str, Values]]) -> None:
        """Apply ``{attribute: (ADD | DELETE | REPLACE, values)}`` to one entry, atomically."""
        if changes:
            self._done(self._conn.modify(dn, {name: [(op, list(values))] for name, (op, values) in changes.items()}))

    def delete(self, dn: str) -> None:
        self._done(self._conn.delete(dn))

    def rename(self, dn: str, new_rdn: str) -> None:
        """Give the entry at ``dn`` (and its subtree) the leading RDN ``new_rdn``; the old RDN value goes."""
        self._done(self._conn.modify_dn(dn, new_rdn, delete_old_dn=True))


class _Stale(Exception):
    """A pooled connection turned out closed before the server answered anything."""


class LdapPool:
    """Connections bound as ``bind_dn``, at most ``size`` at a time, tried on ``uris`` in order.

    ``timeout`` bounds the wait for a free connection, opening a connection
    and each wait for an answer (ldap3 takes the latter in whole seconds, so
    it is rounded up).
    """

    def __init__(
        self,
        uris: str | Sequence[str],
        bind_dn: str,
        password: str,
        *,
        timeout: float = 10.0,
        size: int = 4,
    ) -> None:
        names = [uris] if isinstance(uris, str) else list(uris)
        if not names or size < 1 or timeout <= 0:
            raise ValueError("need at least one URI, a positive size and a positive timeout")
        self._servers = [ldap3.Server(uri, get_info=ldap3.NONE, connect_timeout=timeout) for uri in names]
        self._bind_dn = bind_dn
        self._password = password
        self.timeout = timeout
        self.size = size
        self.failures = 0  # times the directory stopped answering, for the metrics
        self._slots = anyio.Semaphore(size)
        # holding a slot guarantees a thread: the limiter only keeps these threads off anyio's shared pool
        self._threads = anyio.CapacityLimiter(size)
        self._idle: list[ldap3.Connection] = []
        self._lock = threading.Lock()
        self._lost_at = -math.inf  # monotonic time the server last failed to answer

    async def run(self, operation: Callable[[Directory], T], *, undo: bool = False) -> T:
        """Run ``operation`` in a worker thread with a bound connection.

        The wait for a free connection is bounded by ``timeout``. ``undo``
        marks the taking back of a failed write: it waits as long as it takes
        and is never given up early, since a half-undone write is worse than
        a late answer.
        """
        queued = time.monotonic()
        if undo:
            await self._slots.acquire()
        else:
            with anyio.move_on_after(self.timeout) as waiting:
                await self._slots.acquire()
            if waiting.cancelled_caught:
                raise BackendUnavailable(detail=f"no directory connection came free within {self.timeout:g} s")
        try:
            return await _to_completion(
                anyio.to_thread.run_sync(self._run, operation, None if undo else queued, limiter=self._threads)
            )
        finally:
            self._slots.release()

    @property
    def in_use(self) -> int:
        """Connections lent to calls right now."""
        return self.size - self._slots.value

    @property
    def idle(self) -> int:
        """Open connections waiting in the pool."""
        return len(self._idle)

    async def aclose(self) -> None:
        """Unbind every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            await anyio.to_thread.run_sync(_unbind, connection, limiter=self._threads)

    def _run(self, operation: Callable[[Directory], T], queued: float | None) -> T:
        if queued is not None and self._lost_at > queued:
            raise BackendUnavailable(detail="the directory stopped answering while this call waited for a connection")
        connection, reused = self._checkout()
        try:
            return self._use(connection, operation, may_retry=reused)
        except _Stale as stale:
            log.info("pooled LDAP connection was closed (%s); reconnecting", stale.__cause__)
            return self._use(self._connect(), operation, may_retry=False)

    def _use(self, connection: ldap3.Connection, operation: Callable[[Directory], T], *, may_retry: bool) -> T:
        directory = Directory(connection)
        try:
            result = operation(directory)
        except CONNECTION_ERRORS as exc:
            _unbind(connection)
            # An idle connection the server has since closed fails on its first use,
            # before anything was done: that is worth one more try on a fresh one.
            timed_out = isinstance(exc, TimeoutError | ldap_errors.LDAPResponseTimeoutError)
            if may_retry and directory.answered == 0 and not timed_out:
                raise _Stale from exc
            self._lost(exc)
            raise BackendUnavailable(detail=f"directory server: {exc}") from exc
        except BaseException:
            self._checkin(connection)
            raise
        self._checkin(connection)
        return result

    def _lost(self, problem: object) -> None:
        self._lost_at = time.monotonic()
        self.failures += 1
        log.warning("LDAP directory does not answer: %s", problem)

    def _checkout(self) -> tuple[ldap3.Connection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._connect(), False

    def _checkin(self, connection: ldap3.Connection) -> None:
        if connection.closed:
            return
        with self._lock:
            self._idle.append(connection)

    def _connect(self) -> ldap3.Connection:
        """A connection bound on the first server that answers."""
        problems: list[str] = []
        for server in self._servers:
            connection = ldap3.Connection(
                server,
                user=self._bind_dn,
                password=self._password,
                client_strategy=ldap3.SYNC,
                # ldap3 packs the receive timeout as whole seconds
                receive_timeout=max(1, math.ceil(self.timeout)),
                raise_exceptions=False,
                auto_referrals=False,
                return_empty_attributes=False,
            )
            try:
                connection.open()
                if connection.bind():
                    return connection
                result = dict(connection.result)
                _unbind(connection)
                raise_for_result(result)
                problems.append(f"{server.name}: bind refused")
            except CONNECTION_ERRORS as exc:
                _unbind(connection)
                problems.append(f"{server.name}: {exc}")
        self._lost("; ".join(problems))
        raise BackendUnavailable(detail="no directory server answers: " + "; ".join(problems))


async def _to_completion(call: Coroutine[Any, Any, T]) -> T:
    """Await a worker thread's ``call``; when cancelled, wait for the thread to finish before giving up.

    A thread cannot be stopped, and a caller that walked away would leave it
    writing while the caller's undo already runs on another connection.
    """
    future = asyncio.ensure_future(call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait({future})
        if not future.cancelled() and future.exception() is not None:
            log.info("a cancelled LDAP call ended with %r", future.exception())
        raise


def _unbind(connection: ldap3.Connection) -> None:
    try:
        connection.unbind()
    except Exception:  # the connection is being thrown away; its state no longer matters
        log.debug("ignoring error while closing an LDAP connection", exc_info=True)
