"""How iRedMail's LDAP entries map to the gateway's model (storage reference 5.3, 5.4)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from gateway.backends.ldap.entry import Entry
from gateway.model import Alias, Domain, DomainChanges, NewUser, User, UserChanges

MB = 1048576
ACTIVE, DISABLED = "active", "disabled"
EPOCH = datetime(1970, 1, 1)

# DomainChanges field -> accountSetting key
SETTING_KEYS = {
    "max_users": "numberOfUsers",
    "max_aliases": "numberOfAliases",
    "max_lists": "numberOfLists",
    "default_user_quota": "defaultQuota",
    "max_user_quota": "maxUserQuota",
    "min_password_length": "minPasswordLength",
    "max_password_length": "maxPasswordLength",
    "default_language": "defaultLanguage",
}

USER_CLASSES = ("inetOrgPerson", "mailUser", "shadowAccount", "amavisAccount")
USER_SERVICES = (
    "internal", "doveadm", "lib-storage", "indexer-worker", "dsync", "quota-status", "mail",
    "smtp", "smtpsecured", "smtptls", "pop3", "pop3secured", "pop3tls", "imap", "imapsecured", "imaptls",
    "managesieve", "managesievesecured", "managesievetls", "sieve", "sievesecured", "sievetls",
    "deliver", "lda", "lmtp", "recipientbcc", "senderbcc", "forward", "shadowaddress",
    "displayedInGlobalAddressBook", "sogo", "sogowebmail", "sogocalendar", "sogoactivesync",
)  # fmt: skip
FORWARDING_SERVICES = ("mail", "deliver")
ADMIN_SERVICE = "domainadmin"


def status(active: bool) -> str:
    return ACTIVE if active else DISABLED


def is_active(entry: Entry) -> bool:
    return entry.first("accountStatus").lower() == ACTIVE


def days_since_epoch(now: datetime | None = None) -> int:
    """``shadowLastChange``: whole days since 1970-01-01 (UTC)."""
    moment = now or datetime.now(UTC)
    return (moment.date() - EPOCH.date()).days


def local_part(address: str) -> str:
    return address.rsplit("@", 1)[0]


def domain_part(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


# accountSetting


def parse_settings(values: Sequence[str]) -> dict[str, str]:
    """``key:value`` items, split at the first ``:``; items without one are skipped."""
    result: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition(":")
        if sep and key:
            result[key] = value
    return result


def setting_int(settings: dict[str, str], key: str) -> int:
    try:
        return int(settings.get(key, "0") or 0)
    except ValueError:
        return 0


def merged_settings(current: Sequence[str], changes: DomainChanges) -> list[str] | None:
    """The domain's accountSetting values with ``changes`` applied, None when none is given.

    Keys the gateway does not manage are kept; 0 and '' remove a key (no own value).
    """
    given = {key: getattr(changes, name) for name, key in SETTING_KEYS.items() if getattr(changes, name) is not None}
    if not given:
        return None
    # keys given replace their values; the others stay as they are, repeated ones too
    kept = [item for item in current if item.partition(":")[0] not in given]
    return kept + [f"{key}:{value}" for key, value in given.items() if value not in (0, "")]


# entries -> model


def domain_from_entry(entry: Entry) -> Domain:
    settings = parse_settings(entry.values("accountSetting"))
    return Domain(
        name=entry.first("domainName").lower(),
        description=entry.first("cn"),
        active=is_active(entry),
        transport=entry.first("mtaTransport"),
        backupmx=entry.first("domainBackupMX").lower() == "yes",
        quota=entry.integer("domainMaxQuotaSize"),
        max_users=setting_int(settings, "numberOfUsers"),
        max_aliases=setting_int(settings, "numberOfAliases"),
        max_lists=setting_int(settings, "numberOfLists"),
        default_user_quota=setting_int(settings, "defaultQuota"),
        max_user_quota=setting_int(settings, "maxUserQuota"),
        min_password_length=setting_int(settings, "minPasswordLength"),
        max_password_length=setting_int(settings, "maxPasswordLength"),
        default_language=settings.get("defaultLanguage", ""),
        created=entry.time("createTimestamp"),
        modified=entry.time("modifyTimestamp"),
    )


def user_from_entry(entry: Entry, admins: Collection[str] = ()) -> User:
    """A mail user; ``admins`` holds the addresses named in any domain's ``domainAdmin``.

    With no ``mailForwardingAddress`` mail stays in the mailbox, which the
    gateway reports as forwarding to the user itself (SQL's self row).
    """
    email = entry.first("mail").lower()
    days = entry.first("shadowLastChange")
    forwardings = sorted({value.lower() for value in entry.values("mailForwardingAddress")}) or [email]
    return User(
        email=email,
        domain=domain_part(email),
        name=entry.first("cn"),
        language=entry.first("preferredLanguage"),
        quota=entry.integer("mailQuota") // MB,
        transport=entry.first("mtaTransport"),
        active=is_active(entry),
        is_admin=email in admins or entry.has("enabledService", ADMIN_SERVICE),
        is_global_admin=entry.first("domainGlobalAdmin").lower() == "yes",
        employee_id=entry.first("employeeNumber"),
        maildir=entry.first("homeDirectory"),
        created=entry.time("createTimestamp"),
        modified=entry.time("modifyTimestamp"),
        password_last_change=EPOCH + timedelta(days=int(days)) if days.isdigit() else None,
        forwardings=tuple(forwardings),
    )


def alias_from_entry(entry: Entry, members: Sequence[str]) -> Alias:
    """A mail alias or a mailing list, with its members as given."""
    address = entry.first("mail").lower()
    return Alias(
        address=address,
        domain=domain_part(address),
        name=entry.first("cn"),
        access_policy=entry.first("accessPolicy", "public").lower(),
        active=is_active(entry),
        members=tuple(sorted({member.lower() for member in members})),
        created=entry.time("createTimestamp"),
    )


def alias_members(entry: Entry) -> list[str]:
    return entry.values("mailForwardingAddress")


# model -> entries


def domain_attributes(name: str, changes: DomainChanges) -> dict[str, list[str]]:
    """A new mailDomain entry."""
    return {
        "objectClass": ["mailDomain"],
        "domainName": [name],
        "mtaTransport": [changes.transport or "dovecot"],
        "enabledService": ["mail"],
        "cn": [changes.description] if changes.description else [],
        "accountStatus": [ACTIVE],
        "accountSetting": merged_settings([], changes) or [],
        "domainMaxQuotaSize": [str(changes.quota)] if changes.quota else [],
        "domainBackupMX": ["yes"] if changes.backupmx else [],
    }


def home_directory(user: NewUser) -> str:
    """``<storage base>/<node>/<maildir>``, e.g. ``/var/vmail/vmail1/example.com/j/o/h/john-…/``."""
    parts = [user.storage_base_directory.rstrip("/"), user.storage_node.strip("/"), user.maildir.lstrip("/")]
    return "/".join(part for part in parts if part)


def user_attributes(user: NewUser, domain_active: bool, now: datetime | None = None) -> dict[str, list[str]]:
    """A new mail user entry, as the panel writes it."""
    local = local_part(user.email)
    disabled = set(user.disabled_services)
    return {
        "objectClass": list(USER_CLASSES),
        "mail": [user.email],
        "uid": [local],
        "sn": [local],
        "cn": [user.name or local],
        "userPassword": [user.password_hash],
        "homeDirectory": [home_directory(user)],
        "mailboxFormat": ["maildir"],
        "mailboxFolder": ["Maildir"],
        "mailQuota": [str(user.quota * MB)] if user.quota else [],
        "accountStatus": [ACTIVE],
        "preferredLanguage": [user.language] if user.language else [],
        "shadowLastChange": [str(days_since_epoch(now))],
        "amavisLocal": ["TRUE"],
        "enabledService": [service for service in USER_SERVICES if service not in disabled],
        "domainStatus": [] if domain_active else [DISABLED],
        "employeeNumber": [user.employee_id] if user.employee_id else [],
        "mtaTransport": [user.transport] if user.transport else [],
    }


def put_text(values: dict[str, list[str]], attribute: str, given: str | None) -> None:
    """Set a single-valued text attribute when ``given`` is not None; an empty text removes it."""
    if given is not None:
        values[attribute] = [given] if given else []


def user_changes(email: str, changes: UserChanges, now: datetime | None = None) -> dict[str, list[str]]:
    """The attribute values a change set gives a user; an empty list removes the attribute."""
    values: dict[str, list[str]] = {}
    if changes.name is not None:
        values["cn"] = [changes.name or local_part(email)]
    put_text(values, "preferredLanguage", changes.language)
    if changes.quota is not None:
        values["mailQuota"] = [str(changes.quota * MB)] if changes.quota else []
    put_text(values, "mtaTransport", changes.transport)
    if changes.active is not None:
        values["accountStatus"] = [status(changes.active)]
    put_text(values, "employeeNumber", changes.employee_id)
    if changes.password_hash is not None:
        values.update(password_values(changes.password_hash, now))
    return values


def password_values(password_hash: str, now: datetime | None = None) -> dict[str, list[str]]:
    return {"userPassword": [password_hash], "shadowLastChange": [str(days_since_epoch(now))]}


def alias_attributes(alias: Alias, domain_active: bool) -> dict[str, list[str]]:
    """A new mailAlias entry; the members are its forwarding addresses."""
    values = _forwarding_attributes("mailAlias", alias, domain_active)
    values["mailForwardingAddress"] = list(alias.members)
    return values


def list_attributes(maillist: Alias, domain_active: bool) -> dict[str, list[str]]:
    """A new mailList entry; members are recorded on the members' own entries."""
    return _forwarding_attributes("mailList", maillist, domain_active)


def _forwarding_attributes(object_class: str, account: Alias, domain_active: bool) -> dict[str, list[str]]:
    """What a new mailAlias and a new mailList entry both hold."""
    return {
        "objectClass": [object_class],
        "mail": [account.address],
        "cn": [account.name] if account.name else [],
        "accountStatus": [status(account.active)],
        "enabledService": list(FORWARDING_SERVICES),
        "accessPolicy": [account.access_policy],
        "domainStatus": [] if domain_active else [DISABLED],
    }


def alias_changes(current: Alias, updated: Alias, *, with_members: bool) -> dict[str, list[str]]:
    """The attribute values that turn ``current`` into ``updated``."""
    values: dict[str, list[str]] = {}
    if updated.name != current.name:
        values["cn"] = [updated.name] if updated.name else []
    if updated.access_policy != current.access_policy:
        values["accessPolicy"] = [updated.access_policy]
    if updated.active != current.active:
        values["accountStatus"] = [status(updated.active)]
    if with_members and set(updated.members) != set(current.members):
        values["mailForwardingAddress"] = sorted(set(updated.members))
    return values


def external_attributes(member: str, list_address: str, domain_active: bool) -> dict[str, list[str]]:
    """A list member outside the directory."""
    return {
        "objectClass": ["mailExternalUser"],
        "mail": [member],
        "memberOfGroup": [list_address],
        "accountStatus": [ACTIVE],
        "enabledService": list(FORWARDING_SERVICES),
        "domainStatus": [] if domain_active else [DISABLED],
    }
