"""What the gateway wrote, read straight from storage, in the same shape for SQL and LDAP.

Storage-neutral tests assert through :class:`Storage`; tests of one layout
(SQL columns, LDAP attributes) read rows or entries themselves. Both views
also arrange what the API cannot (standalone admins, aged passwords).

Values are normalised to the gateway's units: quotas in MB, booleans for
status, dates for the last password change (LDAP keeps whole days only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import ldap3  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.ldap.dn import Tree
from gateway.backends.sql.tables import iredapd_metadata
from gateway.passwords import hash_password
from tests.ldap_server import LdapServer

MB = 1048576
EPOCH = date(1970, 1, 1)
IREDAPD_TABLES = tuple(iredapd_metadata.tables)  # every table of the iredapd database


@dataclass(frozen=True)
class StoredDomain:
    name: str
    description: str
    active: bool
    transport: str
    max_users: int
    max_aliases: int
    max_lists: int
    default_user_quota: int
    max_user_quota: int
    min_password_length: int
    max_password_length: int
    default_language: str


@dataclass(frozen=True)
class StoredUser:
    email: str
    domain: str
    name: str
    password: str  # the stored hash
    language: str
    quota: int  # MB, 0 = unlimited
    active: bool
    home: str  # absolute maildir path
    transport: str
    employee_id: str
    is_global_admin: bool
    password_changed: date | None
    forwardings: tuple[str, ...]  # sorted targets; the user's own address when mail stays local


@dataclass(frozen=True)
class StoredAlias:
    address: str
    name: str
    access_policy: str
    active: bool
    members: tuple[str, ...]  # sorted


@dataclass(frozen=True)
class StoredMailbox:
    """A row of ``deleted_mailboxes``: a maildir waiting to be removed."""

    username: str
    domain: str
    maildir: str
    admin: str
    delete_date: date | None


class Storage(Protocol):
    """Reads and arrangements every backend offers to the tests."""

    kind: str
    iredapd: AsyncEngine

    @property
    def ancillary(self) -> AsyncEngine:
        """Where deleted_mailboxes and used_quota live: vmail on SQL, iredadmin on LDAP."""
        ...

    async def domain(self, name: str) -> StoredDomain | None: ...
    async def domains(self) -> list[str]: ...
    async def user(self, email: str) -> StoredUser | None: ...
    async def users(self, domain: str | None = None) -> list[StoredUser]: ...
    async def alias(self, address: str) -> StoredAlias | None: ...
    async def aliases(self) -> list[StoredAlias]: ...
    async def snapshot(self) -> dict[str, Any]: ...
    async def add_admin(
        self, email: str, password: str, *, global_admin: bool = False, active: bool = True
    ) -> None: ...
    async def grant_domain(self, admin: str, domain: str, *, active: bool = True) -> None: ...
    async def revoke_domain(self, admin: str, domain: str) -> None: ...
    async def make_global_admin(self, email: str) -> None: ...
    async def make_domain_admin(self, email: str, domain: str) -> None: ...
    async def disable_admin(self, email: str) -> None: ...
    async def age_passwords(self, when: date, email: str | None = None) -> None: ...
    async def add_forwarding(self, email: str, target: str) -> None: ...
    async def created(self, name: str) -> datetime | None: ...
    async def password_changed_at(self, email: str) -> datetime | None: ...
    async def password_hashes(self) -> list[str]: ...


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        result = await conn.execute(text(sql), params)
        return [dict(row._mapping) for row in result]


async def run(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


async def table_rows(engine: AsyncEngine, names: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    return {name: sorted(await fetch(engine, f"SELECT * FROM {name}"), key=repr) for name in names}


async def deleted_mailboxes(storage: Storage) -> list[StoredMailbox]:
    rows = await fetch(storage.ancillary, "SELECT * FROM deleted_mailboxes ORDER BY username")
    return [
        StoredMailbox(row["username"], row["domain"], row["maildir"], row["admin"], as_date(row["delete_date"]))
        for row in rows
    ]


async def set_used_quota(storage: Storage, email: str, used_bytes: int, messages: int) -> None:
    """What Dovecot's quota dict writes for ``email``."""
    await run(
        storage.ancillary,
        "INSERT INTO used_quota (username, bytes, messages, domain) VALUES (:u, :b, :m, :d)",
        u=email, b=used_bytes, m=messages, d=email.rsplit("@", 1)[1],
    )


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def today() -> date:
    return datetime.now(UTC).date()


# SQL


SQL_SETTING_KEYS = {
    "default_user_quota": "default_user_quota",
    "max_user_quota": "max_user_quota",
    "min_passwd_length": "min_password_length",
    "max_passwd_length": "max_password_length",
}
VMAIL_TABLES = (
    "domain", "mailbox", "forwardings", "alias", "domain_admins", "admin", "deleted_mailboxes",
    "moderators", "alias_domain", "used_quota", "maillists", "maillist_owners",
)  # fmt: skip


def parse_sql_settings(value: str | None) -> dict[str, str]:
    items = (item.partition(":") for item in (value or "").split(";"))
    return {key: val for key, sep, val in items if sep and key}


@dataclass
class SqlStorage:
    """The ``vmail`` and ``iredapd`` databases."""

    kind: str
    vmail: AsyncEngine
    iredapd: AsyncEngine

    @property
    def ancillary(self) -> AsyncEngine:
        return self.vmail

    async def domain(self, name: str) -> StoredDomain | None:
        rows = await fetch(self.vmail, "SELECT * FROM domain WHERE domain = :d", d=name)
        if not rows:
            return None
        row = rows[0]
        settings = parse_sql_settings(row["settings"])
        numbers = {field: int(settings.get(key, 0) or 0) for key, field in SQL_SETTING_KEYS.items()}
        return StoredDomain(
            name=row["domain"], description=row["description"] or "", active=bool(row["active"]),
            transport=row["transport"], max_users=int(row["mailboxes"]), max_aliases=int(row["aliases"]),
            max_lists=int(row["maillists"]), default_language=settings.get("default_language", ""), **numbers,
        )

    async def domains(self) -> list[str]:
        return [row["domain"] for row in await fetch(self.vmail, "SELECT domain FROM domain ORDER BY domain")]

    async def _users(self, where: str, **params: Any) -> list[StoredUser]:
        rows = await fetch(self.vmail, f"SELECT * FROM mailbox {where} ORDER BY username", **params)
        forwardings: dict[str, list[str]] = {}
        for row in await fetch(self.vmail, "SELECT address, forwarding FROM forwardings WHERE is_forwarding = 1"):
            forwardings.setdefault(row["address"], []).append(row["forwarding"])
        return [
            StoredUser(
                email=row["username"], domain=row["domain"], name=row["name"], password=row["password"],
                language=row["language"], quota=int(row["quota"]), active=bool(row["active"]),
                home="/".join(
                    part.strip("/") if index else part.rstrip("/")
                    for index, part in enumerate((row["storagebasedirectory"], row["storagenode"], row["maildir"]))
                ) + "/",
                transport=row["transport"], employee_id=row["employeeid"] or "",
                is_global_admin=bool(row["isglobaladmin"]), password_changed=as_date(row["passwordlastchange"]),
                forwardings=tuple(sorted(forwardings.get(row["username"], []))),
            )
            for row in rows
        ]

    async def user(self, email: str) -> StoredUser | None:
        found = await self._users("WHERE username = :u", u=email)
        return found[0] if found else None

    async def users(self, domain: str | None = None) -> list[StoredUser]:
        if domain is None:
            return await self._users("")
        return await self._users("WHERE domain = :d", d=domain)

    async def _aliases(self, where: str, **params: Any) -> list[StoredAlias]:
        rows = await fetch(self.vmail, f"SELECT * FROM alias {where} ORDER BY address", **params)
        members: dict[str, list[str]] = {}
        for row in await fetch(self.vmail, "SELECT address, forwarding FROM forwardings WHERE is_list = 1"):
            members.setdefault(row["address"], []).append(row["forwarding"])
        return [
            StoredAlias(
                address=row["address"], name=row["name"], access_policy=row["accesspolicy"],
                active=bool(row["active"]), members=tuple(sorted(members.get(row["address"], []))),
            )
            for row in rows
        ]

    async def alias(self, address: str) -> StoredAlias | None:
        found = await self._aliases("WHERE address = :a", a=address)
        return found[0] if found else None

    async def aliases(self) -> list[StoredAlias]:
        return await self._aliases("")

    async def snapshot(self) -> dict[str, Any]:
        return {**await table_rows(self.vmail, VMAIL_TABLES), **await table_rows(self.iredapd, IREDAPD_TABLES)}

    async def add_admin(self, email: str, password: str, *, global_admin: bool = False, active: bool = True) -> None:
        await run(
            self.vmail, "INSERT INTO admin (username, password, active) VALUES (:u, :p, :a)",
            u=email, p=hash_password(password, "SSHA512"), a=int(active),
        )
        if global_admin:
            await self.grant_domain(email, "ALL")

    async def grant_domain(self, admin: str, domain: str, *, active: bool = True) -> None:
        await run(
            self.vmail, "INSERT INTO domain_admins (username, domain, active) VALUES (:u, :d, :a)",
            u=admin, d=domain, a=int(active),
        )

    async def revoke_domain(self, admin: str, domain: str) -> None:
        await run(self.vmail, "DELETE FROM domain_admins WHERE username = :u AND domain = :d", u=admin, d=domain)

    async def make_global_admin(self, email: str) -> None:
        await run(self.vmail, "UPDATE mailbox SET isglobaladmin = 1 WHERE username = :u", u=email)
        await self.grant_domain(email, "ALL")

    async def make_domain_admin(self, email: str, domain: str) -> None:
        """The mail user ``email`` administers ``domain``: ``isadmin=1`` and its ``domain_admins`` row."""
        await run(self.vmail, "UPDATE mailbox SET isadmin = 1 WHERE username = :u", u=email)
        await self.grant_domain(email, domain)

    async def disable_admin(self, email: str) -> None:
        await run(self.vmail, "UPDATE admin SET active = 0 WHERE username = :u", u=email)
        await run(self.vmail, "UPDATE mailbox SET active = 0 WHERE username = :u", u=email)

    async def age_passwords(self, when: date, email: str | None = None) -> None:
        moment = datetime(when.year, when.month, when.day, 4, 5, 6)
        if email is None:
            await run(self.vmail, "UPDATE mailbox SET passwordlastchange = :t", t=moment)
        else:
            await run(self.vmail, "UPDATE mailbox SET passwordlastchange = :t WHERE username = :u", t=moment, u=email)

    async def add_forwarding(self, email: str, target: str) -> None:
        """The user ``email`` also forwards to ``target``, keeping a copy (its own row stays)."""
        await run(
            self.vmail,
            "INSERT INTO forwardings (address, forwarding, domain, dest_domain, is_forwarding, active) "
            "VALUES (:a, :f, :d, :dd, 1, 1)",
            a=email, f=target, d=email.rsplit("@", 1)[1], dd=target.rsplit("@", 1)[1],
        )

    async def created(self, name: str) -> datetime | None:
        """When the domain ``name``, or the user or alias of that address, was created, as stored."""
        queries = (
            ["SELECT created FROM mailbox WHERE username = :n", "SELECT created FROM alias WHERE address = :n"]
            if "@" in name
            else ["SELECT created FROM domain WHERE domain = :n"]
        )
        for sql in queries:
            for row in await fetch(self.vmail, sql, n=name):
                value = row["created"]
                return value if isinstance(value, datetime) or value is None else datetime.fromisoformat(str(value))
        return None

    async def password_changed_at(self, email: str) -> datetime | None:
        """The user's last password change, to the second as ``mailbox.passwordlastchange`` keeps it."""
        for row in await fetch(self.vmail, "SELECT passwordlastchange FROM mailbox WHERE username = :u", u=email):
            value = row["passwordlastchange"]
            return value if isinstance(value, datetime) or value is None else datetime.fromisoformat(str(value))
        return None

    async def password_hashes(self) -> list[str]:
        """Every stored password hash: mail users' and standalone admins'."""
        rows = await fetch(self.vmail, "SELECT password FROM mailbox")
        rows += await fetch(self.vmail, "SELECT password FROM admin")
        return [row["password"] for row in rows]


# LDAP


LDAP_SETTING_KEYS = {
    "defaultQuota": "default_user_quota",
    "maxUserQuota": "max_user_quota",
    "minPasswordLength": "min_password_length",
    "maxPasswordLength": "max_password_length",
    "numberOfUsers": "max_users",
    "numberOfAliases": "max_aliases",
    "numberOfLists": "max_lists",
}

Attributes = dict[str, list[str]]


def first(entry: Attributes, name: str, default: str = "") -> str:
    values = entry.get(name.lower())
    return values[0] if values else default


@dataclass
class LdapStorage:
    """iRedMail's directory on a test slapd, with ``iredapd`` and ``iredadmin`` in SQL."""

    server: LdapServer
    iredadmin: AsyncEngine
    iredapd: AsyncEngine
    kind: str = "ldap"
    tree: Tree = field(init=False)

    def __post_init__(self) -> None:
        self.tree = Tree(self.server.suffix)

    @property
    def ancillary(self) -> AsyncEngine:
        return self.iredadmin

    def search(self, base: str, search_filter: str, scope: str = ldap3.SUBTREE) -> dict[str, Attributes]:
        """Entries (lower-cased DN -> lower-cased attribute names -> values), as the root DN sees them."""
        return self.server.entries(base, search_filter, scope)

    def entry(self, dn: str) -> Attributes | None:
        return self.server.entry(dn)

    def modify(self, dn: str, changes: dict[str, list[tuple[str, list[str]]]]) -> None:
        self.server.modify(dn, changes)

    async def domain(self, name: str) -> StoredDomain | None:
        entry = self.entry(self.tree.domain_dn(name))
        if entry is None:
            return None
        settings = dict(item.partition(":")[::2] for item in entry.get("accountsetting", []))
        numbers = {field: int(settings.get(key, 0) or 0) for key, field in LDAP_SETTING_KEYS.items()}
        return StoredDomain(
            name=first(entry, "domainName"), description=first(entry, "cn"),
            active=first(entry, "accountStatus") == "active", transport=first(entry, "mtaTransport"),
            default_language=settings.get("defaultLanguage", ""), **numbers,
        )

    async def domains(self) -> list[str]:
        found = self.search(self.tree.domains, "(objectClass=mailDomain)")
        return sorted(first(entry, "domainName") for entry in found.values())

    def _user(self, entry: Attributes) -> StoredUser:
        email = first(entry, "mail")
        days = first(entry, "shadowLastChange")
        return StoredUser(
            email=email, domain=email.rsplit("@", 1)[1], name=first(entry, "cn"),
            password=first(entry, "userPassword"), language=first(entry, "preferredLanguage"),
            quota=int(first(entry, "mailQuota", "0")) // MB, active=first(entry, "accountStatus") == "active",
            home=first(entry, "homeDirectory"), transport=first(entry, "mtaTransport"),
            employee_id=first(entry, "employeeNumber"),
            is_global_admin=first(entry, "domainGlobalAdmin").lower() == "yes",
            password_changed=EPOCH + timedelta(days=int(days)) if days.isdigit() else None,
            forwardings=tuple(sorted(entry.get("mailforwardingaddress", []))) or (email,),
        )

    async def user(self, email: str) -> StoredUser | None:
        entry = self.entry(self.tree.user_dn(email))
        return None if entry is None else self._user(entry)

    async def users(self, domain: str | None = None) -> list[StoredUser]:
        base = self.tree.domains if domain is None else self.tree.domain_dn(domain)
        found = self.search(base, "(objectClass=mailUser)")
        return sorted((self._user(entry) for entry in found.values()), key=lambda user: user.email)

    def _alias(self, entry: Attributes) -> StoredAlias:
        return StoredAlias(
            address=first(entry, "mail"), name=first(entry, "cn"), access_policy=first(entry, "accessPolicy"),
            active=first(entry, "accountStatus") == "active",
            members=tuple(sorted(entry.get("mailforwardingaddress", []))),
        )

    async def alias(self, address: str) -> StoredAlias | None:
        entry = self.entry(self.tree.alias_dn(address))
        return None if entry is None else self._alias(entry)

    async def aliases(self) -> list[StoredAlias]:
        found = self.search(self.tree.domains, "(objectClass=mailAlias)")
        return sorted((self._alias(entry) for entry in found.values()), key=lambda alias: alias.address)

    async def maillist(self, address: str) -> StoredAlias | None:
        """A mailing list, its members read from their ``memberOfGroup`` values."""
        entry = self.entry(self.tree.list_dn(address))
        if entry is None:
            return None
        members = self.search(self.tree.domains, f"(memberOfGroup={ldap3.utils.conv.escape_filter_chars(address)})")
        return StoredAlias(
            address=first(entry, "mail"), name=first(entry, "cn"), access_policy=first(entry, "accessPolicy"),
            active=first(entry, "accountStatus") == "active",
            members=tuple(sorted(first(member, "mail") for member in members.values())),
        )

    async def snapshot(self) -> dict[str, Any]:
        return {
            "entries": {**self.server.entries(self.tree.domains), **self.server.entries(self.tree.admins)},
            **await table_rows(self.iredadmin, ("deleted_mailboxes", "used_quota")),
            **await table_rows(self.iredapd, IREDAPD_TABLES),
        }

    async def add_admin(self, email: str, password: str, *, global_admin: bool = False, active: bool = True) -> None:
        attributes = {
            "mail": email,
            "userPassword": hash_password(password, "SSHA512"),
            "accountStatus": "active" if active else "disabled",
            "cn": email.split("@")[0],
            "domainGlobalAdmin": "yes" if global_admin else "no",
        }
        conn = self.server.connection(self.server.root_dn, self.server.root_password)
        try:
            assert conn.add(self.tree.admin_dn(email), ["mailAdmin"], attributes), conn.result
        finally:
            conn.unbind()

    async def grant_domain(self, admin: str, domain: str, *, active: bool = True) -> None:
        """``domainAdmin: <admin>`` on the domain; an inactive grant is the admin's disabled account."""
        self.modify(self.tree.domain_dn(domain), {"domainAdmin": [(ldap3.MODIFY_ADD, [admin])]})
        if not active:
            await self.disable_admin(admin)

    async def revoke_domain(self, admin: str, domain: str) -> None:
        self.modify(self.tree.domain_dn(domain), {"domainAdmin": [(ldap3.MODIFY_DELETE, [admin])]})

    async def make_global_admin(self, email: str) -> None:
        self.modify(self.tree.user_dn(email), {"domainGlobalAdmin": [(ldap3.MODIFY_REPLACE, ["yes"])]})

    async def make_domain_admin(self, email: str, domain: str) -> None:
        """The mail user ``email`` administers ``domain``: ``domainAdmin`` there, ``domainadmin`` service on it."""
        self.modify(self.tree.user_dn(email), {"enabledService": [(ldap3.MODIFY_ADD, ["domainadmin"])]})
        await self.grant_domain(email, domain)

    async def disable_admin(self, email: str) -> None:
        for dn in (self.tree.admin_dn(email), self.tree.user_dn(email)):
            if self.entry(dn) is not None:
                self.modify(dn, {"accountStatus": [(ldap3.MODIFY_REPLACE, ["disabled"])]})

    async def age_passwords(self, when: date, email: str | None = None) -> None:
        days = str((when - EPOCH).days)
        if email is not None:
            targets = [self.tree.user_dn(email)]
        else:
            targets = list(self.search(self.tree.domains, "(objectClass=mailUser)"))
        for dn in targets:
            self.modify(dn, {"shadowLastChange": [(ldap3.MODIFY_REPLACE, [days])]})

    async def add_forwarding(self, email: str, target: str) -> None:
        """The user ``email`` also forwards to ``target``, keeping a copy (its own address joins when absent)."""
        dn = self.tree.user_dn(email)
        entry = self.entry(dn)
        assert entry is not None, email
        added = [target] if entry.get("mailforwardingaddress") else [email, target]
        self.modify(dn, {"mailForwardingAddress": [(ldap3.MODIFY_ADD, added)]})

    def _operational(self, dn: str, name: str) -> str:
        conn = self.server.connection(self.server.root_dn, self.server.root_password)
        try:
            try:
                conn.search(dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=[name])
            except ldap3.core.exceptions.LDAPNoSuchObjectResult:
                return ""
            for found in conn.response or ():
                values = found.get("raw_attributes", {}).get(name) or []
                if found.get("type") == "searchResEntry" and values:
                    return str(values[0].decode())
            return ""
        finally:
            conn.unbind()

    async def created(self, name: str) -> datetime | None:
        """When the domain ``name``, or the user, alias or mailing list of that address, was created
        (``createTimestamp``, naive UTC)."""
        dns = (
            [self.tree.user_dn(name), self.tree.alias_dn(name), self.tree.list_dn(name)]
            if "@" in name
            else [self.tree.domain_dn(name)]
        )
        for dn in dns:
            stamp = self._operational(dn, "createTimestamp")
            if stamp:
                return datetime.strptime(stamp[:14], "%Y%m%d%H%M%S")
        return None

    async def password_changed_at(self, email: str) -> datetime | None:
        """The user's last password change: midnight of the ``shadowLastChange`` day (LDAP keeps whole days)."""
        user = await self.user(email)
        changed = None if user is None else user.password_changed
        return None if changed is None else datetime(changed.year, changed.month, changed.day)

    async def password_hashes(self) -> list[str]:
        """Every stored password hash: mail users' and standalone admins'."""
        found = {**self.search(self.tree.domains, "(objectClass=mailUser)"),
                 **self.search(self.tree.admins, "(objectClass=mailAdmin)")}
        return [value for entry in found.values() for value in entry.get("userpassword", [])]
