"""The LDAP pool: timeouts, failover, reconnection, result codes, DN and filter escaping, size limits."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator

import anyio
import ldap3  # type: ignore[import-untyped]
import pytest

from gateway.backends.base import AccountStores
from gateway.backends.ldap import DirectoryStore, LdapPool
from gateway.backends.ldap.connection import Directory, raise_for_result
from gateway.backends.ldap.dn import Tree, all_of, any_of, contains, eq
from gateway.errors import BackendUnavailable, Conflict, GatewayError, NotFound
from gateway.model import DomainChanges
from tests.ldap.backend_support import (  # noqa: F401
    account_stores,
    accounts_fixture,
    directory_fixture,
    make_domain,
    read,
    tree_of,
)
from tests.ldap_server import LdapServer, free_port

TIMEOUT = 1.0


class Proxy:
    """A TCP relay to slapd that can stop relaying (a hung server) or cut every connection."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.sockets: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                while self.frozen.is_set() and not self.closed:
                    time.sleep(0.01)
                sink.sendall(data)
        self._shut(sink)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        """Close every relayed connection, as a server's idle timeout does."""
        sockets, self.sockets = self.sockets, []
        for sock in sockets:
            self._shut(sock)

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        self.cut()


@pytest.fixture
def proxy(ldap_tree: LdapServer) -> Iterator[Proxy]:
    assert ldap_tree.port is not None
    relay = Proxy(ldap_tree.port)
    yield relay
    relay.close()


def pool_for(server: LdapServer, *uris: str, password: str | None = None, size: int = 4) -> LdapPool:
    return LdapPool(
        list(uris) or server.uri,
        server.admin_dn,
        server.admin_password if password is None else password,
        timeout=TIMEOUT,
        size=size,
    )


async def test_closed_port_fails_fast(ldap_tree: LdapServer) -> None:
    pool = pool_for(ldap_tree, f"ldap://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as caught:
        await account_stores(pool, ldap_tree.suffix).domains.get_domain("example.com")
    assert time.monotonic() - started < TIMEOUT + 0.5
    assert caught.value.code == "BACKEND_UNAVAILABLE" and caught.value.http_status == 503


async def test_silent_server_times_out(ldap_tree: LdapServer) -> None:
    """A server that takes the connection but never answers: bounded by the receive timeout."""
    with socket.create_server(("127.0.0.1", 0), backlog=8) as silent:
        pool = pool_for(ldap_tree, f"ldap://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        with pytest.raises(BackendUnavailable):
            await account_stores(pool, ldap_tree.suffix).domains.get_domain("example.com")
        assert time.monotonic() - started < 2 * TIMEOUT + 1


async def test_server_hanging_mid_operation_times_out(ldap_tree: LdapServer, proxy: Proxy) -> None:
    accounts = account_stores(pool_for(ldap_tree, f"ldap://127.0.0.1:{proxy.port}"), ldap_tree.suffix)
    await make_domain(accounts, "example.com")
    proxy.frozen.set()
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        await accounts.domains.get_domain("example.com")
    assert time.monotonic() - started < TIMEOUT + 1
    proxy.frozen.clear()
    assert await accounts.domains.get_domain("example.com") is not None


async def test_reconnects_after_the_server_closed_idle_connections(
    ldap_tree: LdapServer, proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    pool = pool_for(ldap_tree, f"ldap://127.0.0.1:{proxy.port}")
    accounts = account_stores(pool, ldap_tree.suffix)
    await make_domain(accounts, "example.com")
    caplog.set_level(logging.INFO, logger="gateway.backends.ldap.connection")
    proxy.cut()
    time.sleep(0.05)
    assert await accounts.domains.get_domain("example.com") is not None
    proxy.cut()
    time.sleep(0.05)
    await make_domain(accounts, "other.com")
    assert read(ldap_tree, tree_of(ldap_tree).domain_dn("other.com")) is not None
    assert sum("reconnecting" in record.getMessage() for record in caplog.records) == 2
    await pool.aclose()


async def test_fails_over_to_the_next_server(ldap_tree: LdapServer) -> None:
    pool = pool_for(ldap_tree, f"ldap://127.0.0.1:{free_port()}", ldap_tree.uri)
    accounts = account_stores(pool, ldap_tree.suffix)
    await make_domain(accounts, "example.com")
    assert await accounts.domains.get_domain("example.com") is not None
    await pool.aclose()


async def test_refused_bind_and_access_are_unavailability(ldap_tree: LdapServer) -> None:
    wrong = account_stores(pool_for(ldap_tree, password="wrong"), ldap_tree.suffix)
    with pytest.raises(BackendUnavailable) as caught:
        await wrong.domains.get_domain("example.com")
    assert "invalidCredentials" in str(caught.value.detail)

    reader = LdapPool(ldap_tree.uri, ldap_tree.reader_dn, ldap_tree.reader_password, timeout=TIMEOUT)
    read_only = account_stores(reader, ldap_tree.suffix)
    assert await read_only.domains.list_domains() == []
    with pytest.raises(BackendUnavailable) as caught:
        await read_only.domains.create_domain("example.com", DomainChanges())
    assert "insufficientAccessRights" in str(caught.value.detail)
    await reader.aclose()


async def test_concurrent_calls_share_a_bounded_pool(ldap_tree: LdapServer) -> None:
    pool = pool_for(ldap_tree, size=2)
    accounts = account_stores(pool, ldap_tree.suffix)
    await make_domain(accounts, "example.com")
    results: list[object] = []

    async def one() -> None:
        results.append(await accounts.domains.get_domain("example.com"))

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(one)
    assert len(results) == 20 and all(result is not None for result in results)
    assert len(pool._idle) <= 2
    await pool.aclose()
    assert pool._idle == []


def test_result_codes() -> None:
    raise_for_result({"result": 0})
    for code, error in ((32, NotFound), (68, Conflict), (50, BackendUnavailable), (49, BackendUnavailable),
                        (51, BackendUnavailable), (52, BackendUnavailable), (65, GatewayError)):  # fmt: skip
        with pytest.raises(error) as caught:
            raise_for_result({"result": code, "description": "x", "message": ""})
        assert type(caught.value) is error
    with pytest.raises(Conflict) as conflict:
        raise_for_result({"result": 68, "description": "entryAlreadyExists"})
    assert conflict.value.code == "ALREADY_EXISTS"


def test_dn_and_filter_escaping() -> None:
    tree = Tree("dc=example,dc=com")
    assert (
        tree.user_dn("john@example.com")
        == "mail=john@example.com,ou=Users,domainName=example.com,o=domains,dc=example,dc=com"
    )
    assert tree.external_dn("team@example.com", "#a+b=c,d@x.org").startswith(
        "mail=\\#a\\+b\\=c\\,d@x.org,ou=Externals,domainName=example.com,"
    )
    assert tree.admin_dn("a@b.com") == "mail=a@b.com,o=domainAdmins,dc=example,dc=com"
    assert eq("cn", "*)(uid=*") == "(cn=\\2a\\29\\28uid=\\2a)"
    assert contains("cn", "a\\b") == "(cn=*a\\5cb*)"
    assert any_of() == "(!(objectClass=*))" and all_of() == "(objectClass=*)"
    assert any_of("(a=1)") == "(a=1)" and all_of("(a=1)", "(b=2)") == "(&(a=1)(b=2))"


async def test_no_silent_truncation_by_the_size_limit(
    accounts: AccountStores, directory: DirectoryStore, ldap_tree: LdapServer
) -> None:
    """A size limit gives an error, never a short list.

    The test slapd keeps OpenLDAP's default limit of 500 entries; iRedMail sets ``sizelimit unlimited``.
    """
    await make_domain(accounts, "example.com")
    conn = ldap_tree.connection(ldap_tree.root_dn, ldap_tree.root_password)
    try:
        users = tree_of(ldap_tree).container_dn("example.com", "Users")
        for number in range(501):
            attributes = {"mail": f"u{number}@example.com", "uid": f"u{number}", "sn": "u", "cn": "u"}
            assert conn.add(f"mail=u{number}@example.com,{users}", ["inetOrgPerson", "mailUser"], attributes)
    finally:
        conn.unbind()
    with pytest.raises(GatewayError) as caught:
        await accounts.users.list_users("example.com")
    assert "sizeLimitExceeded" in str(caught.value.detail)

    def first_page(directory: Directory) -> int:
        return len(directory.search(users, "(objectClass=mailUser)", scope=ldap3.LEVEL, attributes=["1.1"]))

    with pytest.raises(GatewayError):
        await directory.pool.run(first_page)
