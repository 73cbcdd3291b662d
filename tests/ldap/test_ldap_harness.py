"""The private slapd, the iRedMail schema and LdapMailStack against hand-written iRedMail entries."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import ldap3  # type: ignore[import-untyped]
import pytest

from gateway.passwords import hash_password
from tests.ldap_mailstack import LdapMailStack, require_tools
from tests.ldap_server import LOCAL_SCHEMA_DIR, LdapServer
from tests.mailstack import MailStackError

STORAGE = "/var/vmail/vmail1"
QUOTA_MB = 1024

USER_SERVICES = [
    "internal", "doveadm", "lib-storage", "indexer-worker", "dsync", "quota-status", "mail",
    "smtp", "smtpsecured", "smtptls", "pop3", "pop3secured", "pop3tls", "imap", "imapsecured", "imaptls",
    "managesieve", "managesievesecured", "managesievetls", "sieve", "sievesecured", "sievetls",
    "deliver", "lda", "lmtp", "recipientbcc", "senderbcc", "forward", "shadowaddress",
    "displayedInGlobalAddressBook", "sogo", "sogowebmail", "sogocalendar", "sogoactivesync",
]  # fmt: skip

PASSWORDS = {
    "john@example.com": "john-secret-1",
    "jane@example.com": "jane-secret-2",
    "off@example.com": "off-secret-3",
    "tls@example.com": "tls-secret-4",
    "eve@disabled.com": "eve-secret-5",
    "admin@other.tld": "admin-secret-6",
}


@cache
def stored_password(address: str, scheme: str = "SSHA512") -> str:
    """``address``'s password hashed with ``scheme``, computed once per session."""
    return hash_password(PASSWORDS[address], scheme)


def domain_dn(server: LdapServer, domain: str) -> str:
    return f"domainName={domain},{server.domains_dn}"


def account_dn(server: LdapServer, address: str, ou: str = "Users") -> str:
    return f"mail={address},ou={ou},{domain_dn(server, address.rsplit('@', 1)[1])}"


def home_directory(address: str) -> str:
    local, domain = address.split("@")
    return f"{STORAGE}/{domain}/{local[0]}/{local[1]}/{local[2]}/{local}-2025.03.01.08.15.42/"


def add(conn: ldap3.Connection, dn: str, attributes: dict[str, object]) -> None:
    object_classes = attributes.pop("objectClass")
    assert conn.add(dn, object_classes, attributes), (dn, conn.result)


def add_domain(conn: ldap3.Connection, server: LdapServer, domain: str, **extra: object) -> None:
    """A domain as the panel creates it: the mailDomain entry and its four containers."""
    dn = domain_dn(server, domain)
    attributes: dict[str, object] = {
        "objectClass": ["mailDomain"],
        "domainName": domain,
        "mtaTransport": "dovecot",
        "enabledService": ["mail"],
        "cn": domain,
        "accountStatus": "active",
        "accountSetting": ["minPasswordLength:8", f"defaultQuota:{QUOTA_MB}"],
        "domainCurrentUserNumber": 0,
    }
    attributes.update(extra)
    add(conn, dn, attributes)
    for ou in ("Users", "Groups", "Aliases", "Externals"):
        add(conn, f"ou={ou},{dn}", {"objectClass": ["organizationalUnit"], "ou": ou})


def add_user(
    conn: ldap3.Connection,
    server: LdapServer,
    address: str,
    *,
    scheme: str = "SSHA512",
    services: list[str] | None = None,
    **extra: object,
) -> None:
    """A mail user with every attribute the panel writes on creation."""
    local = address.split("@")[0]
    attributes: dict[str, object] = {
        "objectClass": ["inetOrgPerson", "mailUser", "shadowAccount", "amavisAccount"],
        "mail": address,
        "uid": local,
        "sn": local,
        "cn": local.capitalize(),
        "userPassword": stored_password(address, scheme),
        "homeDirectory": home_directory(address),
        "mailboxFormat": "maildir",
        "mailboxFolder": "Maildir",
        "mailQuota": QUOTA_MB * 1048576,
        "accountStatus": "active",
        "preferredLanguage": "en_US",
        "shadowLastChange": int(time.time() // 86400),
        "amavisLocal": "TRUE",
        "enabledService": USER_SERVICES if services is None else services,
    }
    attributes.update(extra)
    add(conn, account_dn(server, address), attributes)


def populate(server: LdapServer) -> None:
    """Three domains (active, disabled, backup MX), users, an alias, two lists, a catch-all, an admin."""
    conn = server.connection()
    try:
        add_domain(
            conn,
            server,
            "example.com",
            enabledService=["mail", "recipientbcc"],
            domainRecipientBccAddress="archive@example.com",
            senderRelayHost="[mx.example.org]:587",
            domainCurrentUserNumber=4,
            domainAdmin=["john@example.com"],
        )
        add_domain(conn, server, "disabled.com", accountStatus="disabled")
        add_domain(conn, server, "backup.com", domainBackupMX="yes", mtaTransport="relay:[192.0.2.25]:25")

        add_user(
            conn,
            server,
            "john@example.com",
            shadowAddress=["j.doe@example.com"],
            memberOfGroup=["team@example.com"],
            userSenderBccAddress="audit@example.com",
        )
        add_user(conn, server, "jane@example.com", scheme="BCRYPT", memberOfGroup=["team@example.com"])
        add_user(conn, server, "off@example.com", accountStatus="disabled")
        add_user(conn, server, "tls@example.com", services=[s for s in USER_SERVICES if s != "imap"])
        add_user(conn, server, "eve@disabled.com", domainStatus="disabled")
        add(
            conn,
            account_dn(server, "@example.com"),
            {
                "objectClass": ["inetOrgPerson", "mailUser"],
                "mail": "@example.com",
                "cn": "catch-all",
                "sn": "catch-all",
                "uid": "catch-all",
                "accountStatus": "active",
                "mailForwardingAddress": ["john@example.com"],
            },
        )
        add(
            conn,
            account_dn(server, "sales@example.com", "Aliases"),
            {
                "objectClass": ["mailAlias"],
                "mail": "sales@example.com",
                "cn": "Sales",
                "accountStatus": "active",
                "enabledService": ["mail", "deliver"],
                "mailForwardingAddress": ["john@example.com", "jane@example.com"],
            },
        )
        add(
            conn,
            account_dn(server, "team@example.com", "Groups"),
            {
                "objectClass": ["mailList"],
                "mail": "team@example.com",
                "cn": "Team",
                "accountStatus": "active",
                "enabledService": ["mail", "deliver"],
                "accessPolicy": "public",
            },
        )
        add(
            conn,
            f"mail=friend@other.org,ou=Externals,{domain_dn(server, 'example.com')}",
            {
                "objectClass": ["mailExternalUser"],
                "mail": "friend@other.org",
                "memberOfGroup": ["team@example.com"],
                "accountStatus": "active",
                "enabledService": ["mail", "deliver"],
            },
        )
        add(
            conn,
            account_dn(server, "news@example.com", "Groups"),
            {
                "objectClass": ["mailList"],
                "mail": "news@example.com",
                "cn": "News",
                "accountStatus": "active",
                "enabledService": ["mail", "deliver", "mlmmj"],
                "mtaTransport": "mlmmj:example.com/news",
                "mailingListID": "3f2b9c1e-0d4a-4b8e-9a61-2f7c5d8e1a00",
                "accessPolicy": "membersonly",
                "maxMessageSize": 10485760,
                "listOwner": ["john@example.com"],
                "listModerator": ["jane@example.com"],
                "listAllowedUser": ["boss@other.org"],
            },
        )
        add(
            conn,
            f"mail=admin@other.tld,{server.admins_dn}",
            {
                "objectClass": ["mailAdmin"],
                "mail": "admin@other.tld",
                "userPassword": stored_password("admin@other.tld"),
                "accountStatus": "active",
                "domainGlobalAdmin": "yes",
                "cn": "Admin",
                "preferredLanguage": "en_US",
                "shadowLastChange": int(time.time() // 86400),
            },
        )
    finally:
        conn.unbind()


@pytest.fixture(scope="module")
def stack(ldap_server: LdapServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdapMailStack]:
    """Postfix tables and a running Dovecot reading the session's slapd as cn=vmail."""
    require_tools()
    with LdapMailStack.for_server(ldap_server, tmp_path_factory.mktemp("ldapstack")) as mail:
        yield mail


@pytest.fixture
def directory(ldap_tree: LdapServer) -> LdapServer:
    """The session's slapd holding the entries of ``populate``."""
    populate(ldap_tree)
    return ldap_tree


# Server and schema

OBJECT_CLASSES = {
    "mailDomain": ("1.3.6.1.4.1.32349.1.2.4.1", "STRUCTURAL", ["domainName"]),
    "mailAdmin": ("1.3.6.1.4.1.32349.1.2.4.2", "STRUCTURAL", ["mail"]),
    "mailUser": ("1.3.6.1.4.1.32349.1.2.4.3", "AUXILIARY", ["mail", "uid"]),
    "mailAlias": ("1.3.6.1.4.1.32349.1.2.4.4", "STRUCTURAL", ["mail"]),
    "mailList": ("1.3.6.1.4.1.32349.1.2.4.5", "STRUCTURAL", ["mail"]),
    "mailExternalUser": ("1.3.6.1.4.1.32349.1.2.4.6", "STRUCTURAL", ["memberOfGroup"]),
    "amavisAccount": ("1.3.6.1.4.1.15312.2.2.2.1", "AUXILIARY", []),
}


def _schema_names(path: Path, keyword: str) -> set[str]:
    text = path.read_text()
    return {name.lower() for name in re.findall(rf"{keyword}: \( [0-9.]+ NAME '([^']+)'", text)}


def test_schema_is_loaded(ldap_tree: LdapServer) -> None:
    server = ldap3.Server(ldap_tree.uri, get_info=ldap3.SCHEMA)
    conn = ldap3.Connection(server, auto_bind=True)
    try:
        schema = conn.server.schema
        attributes = {name.lower() for name in schema.attribute_types}
        classes = {name.lower() for name in schema.object_classes}
    finally:
        conn.unbind()
    for name in ("iredmail", "amavisd"):
        path = LOCAL_SCHEMA_DIR / f"{name}.ldif"
        assert _schema_names(path, "olcAttributeTypes") <= attributes
        assert _schema_names(path, "olcObjectClasses") <= classes
    assert len(_schema_names(LOCAL_SCHEMA_DIR / "iredmail.ldif", "olcAttributeTypes")) == 58
    for name, (oid, kind, must) in OBJECT_CLASSES.items():
        definition = schema.object_classes[name]
        assert (definition.oid, definition.kind, sorted(definition.must_contain)) == (oid, kind, must), name
    assert schema.attribute_types["amavisLocal"].oid == "1.3.6.1.4.1.15312.2.2.1.19"
    assert schema.attribute_types["domainName"].oid == "1.3.6.1.4.1.32349.1.2.1.1"
    assert schema.attribute_types["mailQuota"].syntax == "1.3.6.1.4.1.1466.115.121.1.27"
    assert schema.attribute_types["mailingListID"].oid == "1.3.6.1.4.1.32349.1.2.3.6"


def test_slapd_accepts_every_object_class(ldap_tree: LdapServer) -> None:
    populate(ldap_tree)
    conn = ldap_tree.connection(ldap_tree.reader_dn, ldap_tree.reader_password)
    try:
        found: set[str] = set()
        for base in (ldap_tree.domains_dn, ldap_tree.admins_dn):
            conn.search(base, "(objectClass=*)", attributes=["objectClass"])
            for entry in conn.entries:
                found.update(value.lower() for value in entry.objectClass.values)
        assert {
            "maildomain", "mailuser", "mailalias", "maillist", "mailexternaluser", "mailadmin",
            "amavisaccount", "inetorgperson", "shadowaccount",
        } <= found  # fmt: skip
        conn.search(account_dn(ldap_tree, "john@example.com"), "(objectClass=*)", attributes=["*"])
        john = conn.entries[0]
        assert john.mailQuota.value == str(QUOTA_MB * 1048576)
        assert john.amavisLocal.value == "TRUE"
        assert john.userPassword.value.startswith("{SSHA512}")
        assert "sogoactivesync" in john.enabledService.values
    finally:
        conn.unbind()


def test_schema_enforces_must_and_syntax(ldap_tree: LdapServer) -> None:
    conn = ldap_tree.connection()
    try:
        add_domain(conn, ldap_tree, "example.com")
        users = f"ou=Users,{domain_dn(ldap_tree, 'example.com')}"
        no_uid = {"mail": "x@example.com", "cn": "x", "sn": "x"}
        assert not conn.add(f"mail=x@example.com,{users}", ["inetOrgPerson", "mailUser"], no_uid)
        assert conn.result["description"] == "objectClassViolation"
        bad_quota = {**no_uid, "uid": "x", "mailQuota": "lots"}
        assert not conn.add(f"mail=x@example.com,{users}", ["inetOrgPerson", "mailUser"], bad_quota)
        assert conn.result["description"] == "invalidAttributeSyntax"
        assert not conn.add(f"cn=orphan,{users}", ["mailExternalUser"], {"cn": "orphan"})
        assert conn.result["description"] == "objectClassViolation"
    finally:
        conn.unbind()


def test_bind_accounts_and_access(directory: LdapServer) -> None:
    server = directory
    assert server.whoami(server.admin_dn, server.admin_password) == f"dn:{server.admin_dn}"
    assert server.whoami(server.reader_dn, server.admin_password) is None
    # pw-sha2 lets slapd verify the panel's {SSHA512} on bind.
    admin_dn = f"mail=admin@other.tld,{server.admins_dn}"
    assert server.whoami(admin_dn, PASSWORDS["admin@other.tld"]) == f"dn:{admin_dn}"
    assert server.whoami(admin_dn, "wrong") is None

    reader = server.connection(server.reader_dn, server.reader_password)
    try:
        assert reader.search(server.suffix, "(mail=john@example.com)", attributes=["userPassword"])
        assert reader.entries[0].userPassword.value.startswith("{SSHA512}")
        assert not reader.modify(account_dn(server, "john@example.com"), {"cn": [(ldap3.MODIFY_REPLACE, ["X"])]})
        assert reader.result["description"] == "insufficientAccessRights"
    finally:
        reader.unbind()

    anonymous = ldap3.Connection(ldap3.Server(server.uri), auto_bind=True)
    try:
        anonymous.search(server.suffix, "(objectClass=*)")
        assert anonymous.entries == []
    finally:
        anonymous.unbind()


# Postfix


def test_domains(stack: LdapMailStack, directory: LdapServer) -> None:
    assert stack.postmap("virtual_mailbox_domains", "example.com") == "example.com"
    assert stack.postmap("virtual_mailbox_domains", "EXAMPLE.com") == "example.com"
    assert stack.postmap("virtual_mailbox_domains", "disabled.com") is None
    assert stack.postmap("virtual_mailbox_domains", "backup.com") is None
    assert stack.postmap("virtual_mailbox_domains", "unknown.org") is None
    assert stack.postmap("relay_domains", "backup.com") == "backup.com"
    assert stack.postmap("relay_domains", "example.com") is None


def test_mailboxes(stack: LdapMailStack, directory: LdapServer) -> None:
    assert stack.postmap("virtual_mailbox_maps", "john@example.com") == home_directory("john@example.com")
    assert stack.postmap("virtual_mailbox_maps", "j.doe@example.com") == home_directory("john@example.com")
    assert stack.postmap("virtual_mailbox_maps", "jane@example.com") is not None
    assert stack.postmap("virtual_mailbox_maps", "off@example.com") is None
    assert stack.postmap("virtual_mailbox_maps", "eve@disabled.com") is None
    assert stack.postmap("virtual_mailbox_maps", "nobody@example.com") is None
    assert stack.postmap("virtual_mailbox_maps", "sales@example.com") is None


def test_aliases_lists_and_catch_all(stack: LdapMailStack, directory: LdapServer) -> None:
    assert stack.alias_targets("sales@example.com") == {"john@example.com", "jane@example.com"}
    assert stack.alias_targets("team@example.com") == {"john@example.com", "jane@example.com", "friend@other.org"}
    assert stack.alias_targets("news@example.com") == {"news@example.com"}
    assert stack.alias_targets("john@example.com") == {"john@example.com"}
    assert stack.alias_targets("j.doe@example.com") == {"john@example.com"}
    assert stack.alias_targets("nobody@example.com") == {"john@example.com"}
    assert stack.alias_targets("@example.com") == {"john@example.com"}
    assert stack.alias_targets("eve@disabled.com") == set()
    assert stack.alias_targets("nobody@unknown.org") == set()


def test_sender_logins_and_transports(stack: LdapMailStack, directory: LdapServer) -> None:
    assert stack.postmap("sender_login_maps", "john@example.com") == "john@example.com"
    assert stack.postmap("sender_login_maps", "j.doe@example.com") == "john@example.com"
    assert stack.postmap("sender_login_maps", "off@example.com") is None
    assert stack.postmap("sender_login_maps", "eve@disabled.com") is None
    assert stack.transport("john@example.com") == "dovecot"
    assert stack.transport("news@example.com") == "mlmmj:example.com/news"
    assert stack.transport("someone@backup.com") == "relay:[192.0.2.25]:25"
    assert stack.transport("someone@disabled.com") is None


def test_bcc_and_relay_hosts(stack: LdapMailStack, directory: LdapServer) -> None:
    assert stack.postmap("sender_bcc_maps", "john@example.com") == "audit@example.com"
    assert stack.postmap("sender_bcc_maps", "jane@example.com") is None
    assert stack.postmap("recipient_bcc_maps", "jane@example.com") == "archive@example.com"
    assert stack.postmap("recipient_bcc_maps", "someone@backup.com") is None
    assert stack.postmap("sender_dependent_relayhost_maps", "jane@example.com") == "[mx.example.org]:587"
    assert stack.postmap("sender_dependent_relayhost_maps", "someone@backup.com") is None


def test_unknown_table(stack: LdapMailStack) -> None:
    with pytest.raises(ValueError):
        stack.postmap("no_such_maps", "x")


# Dovecot


def test_authentication(stack: LdapMailStack, directory: LdapServer) -> None:
    assert stack.authenticate("john@example.com", PASSWORDS["john@example.com"])
    assert stack.authenticate("JOHN@example.com", PASSWORDS["john@example.com"], "pop3", secured=True)
    assert stack.authenticate("j.doe@example.com", PASSWORDS["john@example.com"], "smtp")
    assert stack.authenticate("jane@example.com", PASSWORDS["jane@example.com"])  # {CRYPT}$2b$
    assert not stack.authenticate("john@example.com", "wrong-password")
    assert not stack.authenticate("off@example.com", PASSWORDS["off@example.com"])
    assert not stack.authenticate("eve@disabled.com", PASSWORDS["eve@disabled.com"])
    assert not stack.authenticate("admin@other.tld", PASSWORDS["admin@other.tld"])
    assert not stack.authenticate("nobody@example.com", "whatever")


def test_services(stack: LdapMailStack, directory: LdapServer) -> None:
    password = PASSWORDS["tls@example.com"]
    assert not stack.authenticate("tls@example.com", password, "imap")
    assert stack.authenticate("tls@example.com", password, "imap", secured=True)
    assert stack.authenticate("tls@example.com", password, "pop3")
    assert not stack.authenticate("john@example.com", PASSWORDS["john@example.com"], "nntp")


def test_userdb(stack: LdapMailStack, directory: LdapServer) -> None:
    fields = stack.userdb("john@example.com")
    assert fields is not None
    assert fields["home"] == home_directory("john@example.com").lower()
    assert fields["mail"] == "maildir:~/Maildir/"
    assert fields["quota_rule"] == f"*:bytes={QUOTA_MB * 1048576}"
    assert stack.userdb("j.doe@example.com") is not None
    assert stack.userdb("off@example.com") is None
    assert stack.userdb("eve@disabled.com") is None
    assert stack.userdb("nobody@example.com") is None


def test_mailstack_error_when_stopped(ldap_server: LdapServer, tmp_path: Path) -> None:
    require_tools()
    mail = LdapMailStack.for_server(ldap_server, tmp_path)
    with pytest.raises(MailStackError):
        mail.authenticate("john@example.com", "x")
    with mail:
        pid = mail.dovecot_pid
        runtime = mail.runtime_dir
        assert pid is not None and runtime is not None and runtime.exists()
    assert mail.dovecot_pid is None and not runtime.exists()
