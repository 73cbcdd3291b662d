"""The MailStack harness against hand-written iRedMail rows on MariaDB and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import text

from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.schema import prepare_schema
from tests.conftest import require_server
from tests.databases import DatabasePair, run_sync
from tests.mailstack import MailStack, MailStackError, require_tools

pytestmark = pytest.mark.mailstack

STORAGE = "/var/vmail"
NODE = "vmail1"


def ssha512(password: str, salt: bytes | None = None) -> str:
    """``{SSHA512}`` as iRedAdmin computes it: base64(SHA512(password + salt) + salt)."""
    salt = os.urandom(8) if salt is None else salt
    digest = hashlib.sha512(password.encode() + salt).digest()
    return "{SSHA512}" + base64.b64encode(digest + salt).decode()


def bcrypt_crypt(password: str) -> str:
    """``{CRYPT}$2b$...`` as iRedAdmin stores bcrypt."""
    return "{CRYPT}" + bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def maildir(address: str) -> str:
    local, domain = address.split("@")
    return f"{domain}/{local[0]}/{local[1]}/{local[2]}/{local}-2025.01.02.03.04.05/"


MAILBOXES: list[dict[str, object]] = [
    {
        "username": "john@example.com",
        "password": "{PLAIN}secret",
        "quota": 1024,
        "maildir": "example.com/j/o/h/John-2025.01.02.03.04.05/",
    },
    {"username": "jane@example.com", "password": ssha512("jane-pw"), "transport": "smtp:[mx.example.org]:25"},
    {"username": "bob@example.com", "password": bcrypt_crypt("bob-pw")},
    {"username": "off@example.com", "password": "{PLAIN}secret", "active": 0},
    {"username": "nosmtp@example.com", "password": "{PLAIN}secret", "enablesmtp": 0, "enabledeliver": 0},
    {"username": "pop@example.com", "password": "{PLAIN}secret", "enableimap": 0, "enableimapsecured": 0},
    {"username": "plain@example.com", "password": "{PLAIN}secret", "enableimapsecured": 0},
    {"username": "net@example.com", "password": "{PLAIN}secret", "allow_nets": "192.0.2.0/24"},
    {"username": "eve@disabled.com", "password": "{PLAIN}secret"},
    {"username": "max@backup.com", "password": "{PLAIN}secret"},
]


def _domain_of(address: str) -> str:
    return address.rsplit("@", 1)[1] if "@" in address else address


def _forwarding(address: str, target: str, **flags: int) -> dict[str, object]:
    return {
        "address": address,
        "forwarding": target,
        "domain": _domain_of(address),
        "dest_domain": _domain_of(target),
        **flags,
    }


FORWARDINGS: list[dict[str, object]] = [
    *(_forwarding(str(m["username"]), str(m["username"]), is_forwarding=1) for m in MAILBOXES),
    _forwarding("john@example.com", "john@elsewhere.net", is_forwarding=1),
    _forwarding("team@example.com", "john@example.com", is_list=1),
    _forwarding("team@example.com", "jane@example.com", is_list=1),
    _forwarding("old@example.com", "john@example.com", is_list=1, active=0),
    _forwarding("list@example.com", "list@example.com", is_maillist=1),
    _forwarding("example.net", "john@example.com"),
]

ROWS: list[tuple[str, list[dict[str, object]]]] = [
    (
        "domain",
        [
            {"domain": "example.com"},
            {"domain": "example.net"},
            {"domain": "disabled.com", "active": 0},
            {"domain": "backup.com", "backupmx": 1, "transport": "relay:[backup.example.org]"},
        ],
    ),
    (
        "alias_domain",
        [
            {"alias_domain": "alias.com", "target_domain": "example.com"},
            {"alias_domain": "alias.net", "target_domain": "example.net"},
        ],
    ),
    (
        "mailbox",
        [
            {
                "domain": _domain_of(str(m["username"])),
                "storagebasedirectory": STORAGE,
                "storagenode": NODE,
                "maildir": maildir(str(m["username"])),
                **m,
            }
            for m in MAILBOXES
        ],
    ),
    (
        "alias",
        [
            {"address": "team@example.com", "name": "Team", "domain": "example.com"},
            {"address": "old@example.com", "name": "Old", "domain": "example.com", "active": 0},
        ],
    ),
    ("forwardings", FORWARDINGS),
    (
        "maillists",
        [
            {
                "address": "list@example.com",
                "domain": "example.com",
                "transport": "mlmmj:example.com/list",
                "mlid": "0f1e2d3c",
            }
        ],
    ),
    (
        "sender_bcc_user",
        [{"username": "john@example.com", "bcc_address": "audit@example.com", "domain": "example.com"}],
    ),
    (
        "recipient_bcc_user",
        [{"username": "john@example.com", "bcc_address": "john-copy@example.com", "domain": "example.com"}],
    ),
    ("recipient_bcc_domain", [{"domain": "example.com", "bcc_address": "archive@example.com"}]),
    ("sender_relayhost", [{"account": "@example.com", "relayhost": "[mx.example.org]:587"}]),
]


async def _seed(dsn: str) -> None:
    engine = make_engine(dsn, "vmail")
    try:
        status = await prepare_schema(engine, "vmail")
        assert status.ok and status.created, status
        async with engine.begin() as conn:
            for table, rows in ROWS:
                for row in rows:
                    columns = ", ".join(row)
                    values = ", ".join(f":{name}" for name in row)
                    await conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)
    finally:
        await engine.dispose()


@pytest.fixture(params=["mariadb", "postgresql"])
def sql_kind(request: pytest.FixtureRequest) -> str:
    """The SQL servers Postfix and Dovecot can read (no SQLite)."""
    kind: str = request.param
    require_server(kind)
    require_tools(kind)
    return kind


@pytest.fixture
def stack(empty_databases: DatabasePair, tmp_path: Path) -> Iterator[MailStack]:
    """A MailStack, its Dovecot running, over a vmail database holding ``ROWS``."""
    run_sync(_seed(empty_databases.vmail))
    with MailStack(empty_databases.kind, empty_databases.names[0], tmp_path / "mailstack") as mail:
        yield mail


def test_mailbox_domains_and_relay_domains(stack: MailStack) -> None:
    assert stack.postmap("virtual_mailbox_domains", "example.com") == "example.com"
    assert stack.postmap("virtual_mailbox_domains", "alias.com") == "alias.com"
    assert stack.postmap("virtual_mailbox_domains", "disabled.com") is None
    assert stack.postmap("virtual_mailbox_domains", "backup.com") is None
    assert stack.postmap("virtual_mailbox_domains", "unknown.org") is None
    assert stack.postmap("relay_domains", "backup.com") == "backup.com"
    assert stack.postmap("relay_domains", "example.com") is None


def test_mailbox_maps_and_sender_logins(stack: MailStack) -> None:
    assert stack.postmap("virtual_mailbox_maps", "john@example.com") is not None
    assert stack.postmap("virtual_mailbox_maps", "JOHN@Example.com") is not None
    assert stack.postmap("virtual_mailbox_maps", "off@example.com") is None
    assert stack.postmap("virtual_mailbox_maps", "nosmtp@example.com") is None
    assert stack.postmap("virtual_mailbox_maps", "eve@disabled.com") is None
    assert stack.postmap("virtual_mailbox_maps", "nobody@example.com") is None
    assert stack.postmap("sender_login_maps", "john@example.com") == "john@example.com"
    assert stack.postmap("sender_login_maps", "nosmtp@example.com") is None
    assert stack.postmap("sender_login_maps", "off@example.com") is None
    assert stack.postmap("sender_login_maps", "eve@disabled.com") is None
    assert stack.postmap("sender_login_maps", "max@backup.com") is None


def test_alias_maps(stack: MailStack) -> None:
    assert stack.alias_targets("team@example.com") == {"john@example.com", "jane@example.com"}
    assert stack.alias_targets("john@example.com") == {"john@example.com", "john@elsewhere.net"}
    assert stack.alias_targets("jane@example.com") == {"jane@example.com"}
    assert stack.alias_targets("john@alias.com") == {"john@example.com", "john@elsewhere.net"}
    assert stack.alias_targets("old@example.com") == set()
    assert stack.alias_targets("eve@disabled.com") == set()
    assert stack.alias_targets("max@backup.com") == set()
    assert stack.postmap("virtual_alias_maps", "nobody@example.com") is None
    assert stack.alias_targets("anyone@example.net") == {"john@example.com"}
    assert stack.alias_targets("anyone+tag@example.net") == set()
    assert stack.alias_targets("anyone@alias.net") == {"john@example.com"}
    assert stack.postmap("virtual_mailbox_domains", "alias.net") == "alias.net"


def test_transport_bcc_and_relayhost_maps(stack: MailStack) -> None:
    assert stack.postmap("transport_maps", "jane@example.com") == "smtp:[mx.example.org]:25"
    assert stack.postmap("transport_maps", "john@example.com") is None
    assert stack.transport("john@example.com") == "dovecot"
    assert stack.transport("jane@example.com") == "smtp:[mx.example.org]:25"
    assert stack.postmap("transport_maps", "list@example.com") == "mlmmj:example.com/list"
    assert stack.postmap("transport_maps", "backup.com") == "relay:[backup.example.org]"
    assert stack.transport("eve@disabled.com") is None
    assert stack.postmap("sender_bcc_maps", "john@example.com") == "audit@example.com"
    assert stack.postmap("sender_bcc_maps", "jane@example.com") is None
    assert stack.postmap("recipient_bcc_maps", "john@example.com") == "john-copy@example.com"
    assert stack.postmap("recipient_bcc_maps", "jane@example.com") == "archive@example.com"
    assert stack.postmap("recipient_bcc_maps", "anyone@example.net") is None
    assert stack.postmap("sender_dependent_relayhost_maps", "@example.com") == "[mx.example.org]:587"
    assert stack.postmap("sender_dependent_relayhost_maps", "@example.net") is None


def test_passwords(stack: MailStack) -> None:
    assert stack.authenticate("john@example.com", "secret")
    assert stack.authenticate("John@Example.COM", "secret")
    assert not stack.authenticate("john@example.com", "Secret")
    assert stack.authenticate("jane@example.com", "jane-pw")
    assert not stack.authenticate("jane@example.com", "secret")
    assert stack.authenticate("bob@example.com", "bob-pw")
    assert not stack.authenticate("bob@example.com", "bob-pw2")
    assert not stack.authenticate("nobody@example.com", "secret")


def test_disabled_accounts_cannot_log_in(stack: MailStack) -> None:
    assert not stack.authenticate("off@example.com", "secret")
    assert not stack.authenticate("eve@disabled.com", "secret")
    assert not stack.authenticate("max@backup.com", "secret")


def test_service_switches(stack: MailStack) -> None:
    assert not stack.authenticate("pop@example.com", "secret", service="imap")
    assert not stack.authenticate("pop@example.com", "secret", service="imap", secured=True)
    assert stack.authenticate("pop@example.com", "secret", service="pop3")
    assert stack.authenticate("pop@example.com", "secret", service="pop3", secured=True)
    assert stack.authenticate("plain@example.com", "secret", service="imap")
    assert not stack.authenticate("plain@example.com", "secret", service="imap", secured=True)
    assert stack.authenticate("john@example.com", "secret", service="smtp", secured=True)
    assert not stack.authenticate("nosmtp@example.com", "secret", service="smtp")


def test_allow_nets(stack: MailStack) -> None:
    assert stack.authenticate("net@example.com", "secret", remote_ip="192.0.2.7")
    assert not stack.authenticate("net@example.com", "secret", remote_ip="198.51.100.1")
    assert stack.authenticate("john@example.com", "secret", remote_ip="198.51.100.1")


def test_userdb(stack: MailStack) -> None:
    fields = stack.userdb("john@example.com")
    assert fields is not None
    assert fields["home"] == f"{STORAGE}/{NODE}/example.com/j/o/h/john-2025.01.02.03.04.05/"
    assert fields["mail"] == "maildir:~/Maildir"
    assert fields["quota_rule"] == "*:bytes=1073741824"
    jane = stack.userdb("jane@example.com")
    assert jane is not None and jane["quota_rule"] == "*:bytes=0"
    assert stack.userdb("off@example.com") is None
    assert stack.userdb("eve@disabled.com") is None
    assert stack.userdb("max@backup.com") is None
    assert stack.userdb("nobody@example.com") is None


def _group_alive(pgid: int) -> bool:
    """Whether any process of group ``pgid`` still runs (zombies aside)."""
    result = subprocess.run(["ps", "-o", "stat=", "-g", str(pgid)], capture_output=True, text=True, check=False)
    return any(not state.startswith("Z") for state in result.stdout.split())


def test_stop_ends_every_dovecot_process(sql_kind: str, tmp_path: Path) -> None:
    stack = MailStack(sql_kind, "gwtest_absent", tmp_path)
    stack.start()
    pid, runtime = stack.dovecot_pid, stack.runtime_dir
    assert pid is not None and runtime is not None
    assert _group_alive(pid) and (runtime / "run" / "auth-userdb").exists()
    with pytest.raises(RuntimeError, match="boom"), stack:
        raise RuntimeError("boom")
    assert stack.dovecot_pid is None and stack.runtime_dir is None
    assert not _group_alive(pid)
    assert not runtime.exists()
    stack.stop()
    with stack:
        assert stack.dovecot_pid not in (None, pid)
    assert stack.dovecot_pid is None


def test_failures_raise(sql_kind: str, tmp_path: Path) -> None:
    stack = MailStack(sql_kind, "gwtest_absent", tmp_path)
    with pytest.raises(MailStackError, match="postmap"):
        stack.postmap("virtual_mailbox_domains", "example.com")
    with pytest.raises(ValueError):
        stack.postmap("no_such_table", "example.com")
    with pytest.raises(MailStackError, match="not running"):
        stack.authenticate("john@example.com", "secret")
    with stack, pytest.raises(MailStackError, match="doveadm"):
        stack.authenticate("john@example.com", "secret")
