"""Standalone admins (``mail=<a>,o=domainAdmins``, mailAdmin) and who manages a domain (``domainAdmin``).

Reference: pro-api-storage 1.1 to 1.3. Limits are ``accountSetting`` values
(``create_max_users:10``), the two profile switches ``disabledService`` values.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from functools import partial

from gateway.backends.admin_settings import limits_of, with_limits
from gateway.backends.ldap.admin_rights import grant_service, revoke_if_no_domains
from gateway.backends.ldap.admins import LdapAdmins
from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import Tree, all_of, any_of, eq, object_class, present
from gateway.backends.ldap.domains import is_hosted, require_domain
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import (
    ADMIN_SERVICE,
    EPOCH,
    domain_part,
    is_active,
    parse_settings,
    password_values,
    put_text,
    status,
)
from gateway.backends.ldap.users import holders
from gateway.errors import Conflict, ErrorCode, InvalidInput, NotFound
from gateway.model import Admin, AdminChanges, AdminLimits

SERVICES = {
    "disable_viewing_mail_log": "view_mail_log",
    "disable_managing_quarantined_mails": "manage_quarantined_mails",
}
ENTRY_ATTRIBUTES = ["*", "createTimestamp"]


def _managers(directory: Directory, tree: Tree) -> dict[str, set[str]]:
    """Every address named in ``domainAdmin``, with the domains naming it."""
    entries = directory.search(
        tree.domains,
        all_of(object_class("mailDomain"), present("domainAdmin")),
        scope=LEVEL,
        attributes=["domainName", "domainAdmin"],
    )
    managed: dict[str, set[str]] = {}
    for entry in entries:
        for admin in entry.values("domainAdmin"):
            managed.setdefault(admin.lower(), set()).add(entry.first("domainName").lower())
    return managed


def _admin(entry: Entry, domains: Collection[str]) -> Admin:
    standalone = "mailadmin" in entry.classes()
    is_global = entry.first("domainGlobalAdmin").lower() == "yes"
    days = entry.first("shadowLastChange")
    disabled = {value.lower() for value in entry.values("disabledService")}
    return Admin(
        email=entry.first("mail").lower(),
        name=entry.first("cn"),
        language=entry.first("preferredLanguage"),
        active=is_active(entry),
        is_global=is_global,
        standalone=standalone,
        domains=tuple(sorted(domains)),
        limits=limits_of(parse_settings(entry.values("accountSetting")))
        if standalone and not is_global
        else AdminLimits(),
        disable_viewing_mail_log=standalone and SERVICES["disable_viewing_mail_log"] in disabled,
        disable_managing_quarantined_mails=standalone and SERVICES["disable_managing_quarantined_mails"] in disabled,
        created=entry.time("createTimestamp"),
        password_last_change=EPOCH + timedelta(days=int(days)) if days.isdigit() else None,
    )


def admin_entry(directory: Directory, tree: Tree, email: str) -> Entry | None:
    entry = directory.get(tree.admin_dn(email), ENTRY_ATTRIBUTES)
    return entry if entry is not None and "mailadmin" in entry.classes() else None


def fetch_admin(directory: Directory, tree: Tree, email: str) -> Admin | None:
    entry = admin_entry(directory, tree, email)
    return None if entry is None else _admin(entry, _managers(directory, tree).get(email.lower(), ()))


def fetch_admins(directory: Directory, tree: Tree, active: bool | None) -> list[Admin]:
    managers = _managers(directory, tree)
    entries = directory.search(tree.admins, object_class("mailAdmin"), scope=LEVEL, attributes=ENTRY_ATTRIBUTES)
    rights = [eq("domainGlobalAdmin", "yes"), eq("enabledService", ADMIN_SERVICE)]
    rights += [eq("mail", email) for email in sorted(managers)]
    entries += directory.search(
        tree.domains, all_of(object_class("mailUser"), any_of(*rights)), attributes=ENTRY_ATTRIBUTES
    )
    found = [_admin(entry, managers.get(entry.first("mail").lower(), ())) for entry in entries]
    if active is not None:
        found = [admin for admin in found if admin.active == active]
    return sorted(found, key=lambda admin: admin.email)


def _values(current: Entry | None, changes: AdminChanges, is_global: bool) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    put_text(values, "cn", changes.name)
    put_text(values, "preferredLanguage", changes.language)
    if changes.active is not None:
        values["accountStatus"] = [status(changes.active)]
    if changes.password_hash is not None:
        values.update(password_values(changes.password_hash))
    if changes.is_global is not None:
        values["domainGlobalAdmin"] = ["yes"] if changes.is_global else []
    settings_now = parse_settings(current.values("accountSetting")) if current is not None else {}
    settings = with_limits(settings_now, changes.limits, is_global=is_global)
    if current is None or settings != settings_now:
        values["accountSetting"] = [f"{key}:{value}" for key, value in sorted(settings.items())]
    disabled = {value for value in (current.values("disabledService") if current is not None else [])}
    wanted = set(disabled)
    for name, service in SERVICES.items():
        given = getattr(changes, name)
        if given is True:
            wanted.add(service)
        elif given is False:
            wanted.discard(service)
    if wanted != disabled or current is None:
        values["disabledService"] = sorted(wanted)
    return values


def create_admin(directory: Directory, tree: Tree, journal: Journal, email: str, changes: AdminChanges) -> None:
    if is_hosted(directory, tree, domain_part(email)):
        raise InvalidInput(ErrorCode.CAN_NOT_BE_LOCAL_DOMAIN)
    if holders(directory, tree, email):
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    is_global = bool(changes.is_global)
    attributes = {
        "objectClass": ["mailAdmin"],
        "mail": [email],
        "accountStatus": [status(changes.active is not False)],
        "preferredLanguage": [changes.language or "en_US"],
        **{key: value for key, value in _values(None, changes, is_global).items() if value},
    }
    attributes.setdefault("cn", [email.split("@")[0]])
    journal.add(directory, tree.admin_dn(email), attributes)
    if holders(directory, tree, email) > 1:  # a concurrent writer took the address meanwhile
        raise Conflict(ErrorCode.ALREADY_EXISTS)


def update_admin(directory: Directory, tree: Tree, journal: Journal, email: str, changes: AdminChanges) -> None:
    entry = admin_entry(directory, tree, email)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    is_global = entry.first("domainGlobalAdmin").lower() == "yes" if changes.is_global is None else changes.is_global
    journal.replace(directory, entry, _values(entry, changes, is_global))


def delete_admin(directory: Directory, tree: Tree, journal: Journal, email: str) -> None:
    entry = admin_entry(directory, tree, email)
    if entry is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    for domain in _managers(directory, tree).get(email.lower(), ()):
        domain_entry = directory.get(tree.domain_dn(domain), ["domainAdmin"])
        if domain_entry is not None:
            named = domain_entry.matching("domainAdmin", email)
            journal.delete_values(directory, domain_entry.dn, "domainAdmin", named)
    journal.delete(directory, directory.get(entry.dn, ["*"]) or entry)


def _exists(directory: Directory, tree: Tree, email: str) -> bool:
    user = directory.get(tree.user_dn(email), ["objectClass"])
    return admin_entry(directory, tree, email) is not None or (user is not None and "mailuser" in user.classes())


def set_domain_admins(
    directory: Directory,
    tree: Tree,
    journal: Journal,
    domain: str,
    add: Collection[str],
    remove: Collection[str],
    remove_all: bool,
) -> None:
    entry = require_domain(directory, tree, domain)
    if not all(_exists(directory, tree, email) for email in add):
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT, "addAdmin names an address that is neither an admin nor a mailbox")
    current = {value.lower() for value in entry.values("domainAdmin")}
    leaving = current if remove_all else current & {email.lower() for email in remove}
    wanted = (current - leaving) | {email.lower() for email in add}
    journal.replace(directory, entry, {"domainAdmin": sorted(wanted)})
    grant_service(directory, tree, journal, sorted(set(add)))
    revoke_if_no_domains(directory, tree, journal, sorted(leaving - wanted))


def stored_hash(directory: Directory, tree: Tree, email: str, admin: bool) -> str | None:
    if admin:
        entry = admin_entry(directory, tree, email)
        if entry is not None:
            return entry.first("userPassword") or None
    user = directory.get(tree.user_dn(email), ["objectClass", "userPassword", "domainGlobalAdmin", "enabledService"])
    if user is None or "mailuser" not in user.classes():
        return None
    if admin and not (
        user.first("domainGlobalAdmin").lower() == "yes"
        or user.has("enabledService", ADMIN_SERVICE)
        or email.lower() in _managers(directory, tree)
    ):
        return None
    return user.first("userPassword") or None


class LdapAdminStore(LdapAdmins):
    """The ``AdminStore`` over the directory: rights lookups and the admin accounts."""

    async def get_admin(self, email: str) -> Admin | None:
        return await self.store.read(partial(fetch_admin, email=email))

    async def list_admins(self, *, active: bool | None = None) -> list[Admin]:
        return await self.store.read(partial(fetch_admins, active=active))

    async def admin_limits(self, email: str) -> AdminLimits | None:
        admin = await self.get_admin(email)
        return None if admin is None or admin.is_global else admin.limits

    async def create_admin(self, email: str, changes: AdminChanges) -> None:
        await self.store.write(partial(create_admin, email=email, changes=changes))

    async def update_admin(self, email: str, changes: AdminChanges) -> None:
        await self.store.write(partial(update_admin, email=email, changes=changes))

    async def delete_admin(self, email: str) -> None:
        await self.store.write(partial(delete_admin, email=email))

    async def set_domain_admins(
        self, domain: str, *, add: Collection[str], remove: Collection[str], remove_all: bool
    ) -> None:
        await self.store.write(
            partial(set_domain_admins, domain=domain, add=list(add), remove=list(remove), remove_all=remove_all)
        )

    async def stored_hash(self, email: str, *, admin: bool) -> str | None:
        return await self.store.read(partial(stored_hash, email=email, admin=admin))
