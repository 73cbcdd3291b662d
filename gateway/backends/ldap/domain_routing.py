"""A domain's routing in the directory (storage reference 3).

On the mailDomain entry: ``domainAliasName`` (with ``enabledService:
domainalias``), ``senderRelayHost``, ``domainSenderBccAddress`` /
``domainRecipientBccAddress`` (with ``senderbcc`` / ``recipientbcc``), the
other ``enabledService`` values and ``accountSetting`` switches
``disabledDomainProfile:<name>`` (one value each). The catch-all is the
mailUser ``mail=@<domain>`` under ou=Users. Postfix finds an account by an
alias domain through its ``shadowAddress: <local>@<alias>`` (``@<alias>`` on
the catch-all), kept on every account of the domain.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from gateway.backends.ldap.connection import LEVEL, Directory
from gateway.backends.ldap.dn import USERS, Tree, all_of, any_of, eq, object_class
from gateway.backends.ldap.entry import Entry
from gateway.backends.ldap.journal import Journal
from gateway.backends.ldap.mapping import ACTIVE, DISABLED, is_active, local_part
from gateway.errors import Conflict, ErrorCode
from gateway.model import Destination, DomainRouting

# DomainRouting field -> accountSetting key, one value per name
SWITCHES = {
    "disabled_domain_profiles": "disabledDomainProfile",
    "disabled_user_profiles": "disabledUserProfile",
    "disabled_user_preferences": "disabledUserPreference",
}
# enabledService values that follow the data: always mail, the others when their data is there
MANAGED = ("mail", "domainalias", "senderbcc", "recipientbcc")
ACCOUNTS = any_of(object_class("mailUser"), object_class("mailAlias"), object_class("mailList"))
ANSWERING = ("mail", "shadowAddress")


def catchall_address(name: str) -> str:
    return f"@{name}"


def catchall_dn(tree: Tree, name: str) -> str:
    return f"mail={catchall_address(name)},{tree.container_dn(name, USERS)}"


def _switches(entry: Entry, key: str) -> tuple[str, ...]:
    prefix = f"{key.lower()}:"
    return tuple(sorted({v.split(":", 1)[1] for v in entry.values("accountSetting") if v.lower().startswith(prefix)}))


def routing_from_entries(domain: Entry, catchall: Entry | None) -> DomainRouting:
    services = sorted({value.lower() for value in domain.values("enabledService")} - set(MANAGED))
    return DomainRouting(
        alias_domains=tuple(sorted({value.lower() for value in domain.values("domainAliasName")})),
        catchall=tuple(sorted({value.lower() for value in catchall.values("mailForwardingAddress")}))
        if catchall is not None
        else (),
        relayhost=domain.first("senderRelayHost"),
        sender_bcc=domain.first("domainSenderBccAddress").lower(),
        recipient_bcc=domain.first("domainRecipientBccAddress").lower(),
        services=tuple(services),
        **{field: _switches(domain, key) for field, key in SWITCHES.items()},
    )


def catchall_entries(directory: Directory, tree: Tree, names: Collection[str]) -> dict[str, Entry]:
    """The catch-all entries of domains ``names``, by domain."""
    if not names:
        return {}
    wanted = all_of(object_class("mailUser"), any_of(*(eq("mail", catchall_address(n)) for n in sorted(names))))
    found = directory.search(tree.domains, wanted, attributes=["mail", "mailForwardingAddress", "shadowAddress"])
    return {entry.first("mail").lower()[1:]: entry for entry in found}


def read_routing(directory: Directory, tree: Tree, domains: Sequence[Entry]) -> dict[str, DomainRouting]:
    """The routing of each domain entry of ``domains``, with one search for all their catch-alls."""
    by_name = {entry.first("domainName").lower(): entry for entry in domains}
    catchalls = catchall_entries(directory, tree, list(by_name))
    return {name: routing_from_entries(entry, catchalls.get(name)) for name, entry in by_name.items()}


def _services(entry: Entry, wanted: DomainRouting) -> list[str]:
    on = {
        "mail": True,
        "domainalias": bool(wanted.alias_domains),
        "senderbcc": bool(wanted.sender_bcc),
        "recipientbcc": bool(wanted.recipient_bcc),
    }
    kept = [value for value in entry.values("enabledService") if on.get(value.lower(), False)]
    missing = [name for name, wanted_on in on.items() if wanted_on and name not in {v.lower() for v in kept}]
    return kept + missing + list(wanted.services)


def _settings(entry: Entry, wanted: DomainRouting) -> list[str]:
    keys = {key.lower() for key in SWITCHES.values()}
    kept = [value for value in entry.values("accountSetting") if value.split(":", 1)[0].lower() not in keys]
    return kept + [f"{key}:{name}" for field, key in SWITCHES.items() for name in getattr(wanted, field)]


def _refuse_hosted(directory: Directory, tree: Tree, names: Collection[str]) -> None:
    if not names:
        return
    taken = any_of(*(any_of(eq("domainName", n), eq("domainAliasName", n)) for n in sorted(names)))
    wanted = all_of(object_class("mailDomain"), taken)
    if directory.search(tree.domains, wanted, scope=LEVEL, attributes=["domainName"]):
        raise Conflict(ErrorCode.ALIAS_DOMAIN_EXISTS, "an alias domain is hosted here already")


def _shadow(address: str, alias: str) -> str:
    return f"{local_part(address)}@{alias}"


def add_alias_domain_addresses(directory: Directory, journal: Journal, domain: Entry, dn: str, address: str) -> None:
    """Give the new account ``address`` at ``dn`` its addresses in the alias domains of the entry ``domain``."""
    shadows = [_shadow(address, alias.lower()) for alias in domain.values("domainAliasName")]
    journal.add_values(directory, dn, "shadowAddress", shadows)


def _set_shadow_addresses(
    directory: Directory, tree: Tree, journal: Journal, name: str, added: Collection[str], removed: Collection[str]
) -> None:
    """Give every account of domain ``name`` its address in the ``added`` alias domains; drop the ``removed``."""
    if not added and not removed:
        return
    for entry in directory.search(tree.domain_dn(name), ACCOUNTS, attributes=["mail", "shadowAddress"]):
        address = entry.first("mail").lower()
        have = {value.lower(): value for value in entry.values("shadowAddress")}
        gone = [have[_shadow(address, alias)] for alias in removed if _shadow(address, alias) in have]
        new = [_shadow(address, alias) for alias in added if _shadow(address, alias) not in have]
        journal.delete_values(directory, entry.dn, "shadowAddress", gone)
        journal.add_values(directory, entry.dn, "shadowAddress", new)


def _write_catchall(
    directory: Directory, tree: Tree, journal: Journal, domain: Entry, wanted: DomainRouting
) -> None:
    name = domain.first("domainName").lower()
    dn = catchall_dn(tree, name)
    entry = directory.get(dn, ["*"])
    if not wanted.catchall:
        if entry is not None:
            journal.delete(directory, entry)
        return
    if entry is not None:
        journal.replace(directory, entry, {"mailForwardingAddress": list(wanted.catchall)})
        return
    journal.add(
        directory,
        dn,
        {
            "objectClass": ["inetOrgPerson", "mailUser"],
            "mail": [catchall_address(name)],
            "cn": ["catch-all"],
            "sn": ["catch-all"],
            "uid": ["catch-all"],
            "accountStatus": [ACTIVE],
            "domainStatus": [] if is_active(domain) else [DISABLED],
            "mailForwardingAddress": list(wanted.catchall),
            "shadowAddress": [catchall_address(alias) for alias in wanted.alias_domains],
        },
    )


def write_routing(
    directory: Directory, tree: Tree, journal: Journal, domain: Entry, current: DomainRouting, wanted: DomainRouting
) -> None:
    """Turn the stored ``current`` routing of the domain entry ``domain`` into ``wanted``."""
    name = domain.first("domainName").lower()
    added = sorted(set(wanted.alias_domains) - set(current.alias_domains))
    removed = sorted(set(current.alias_domains) - set(wanted.alias_domains))
    _refuse_hosted(directory, tree, added)
    journal.replace(
        directory,
        domain,
        {
            "domainAliasName": list(wanted.alias_domains),
            "senderRelayHost": [wanted.relayhost] if wanted.relayhost else [],
            "domainSenderBccAddress": [wanted.sender_bcc] if wanted.sender_bcc else [],
            "domainRecipientBccAddress": [wanted.recipient_bcc] if wanted.recipient_bcc else [],
            "enabledService": _services(domain, wanted),
            "accountSetting": _settings(domain, wanted),
        },
    )
    _write_catchall(directory, tree, journal, domain, wanted)
    _set_shadow_addresses(directory, tree, journal, name, added, removed)


def destinations(directory: Directory, tree: Tree, emails: Collection[str]) -> dict[str, Destination]:
    """Where each hosted address of ``emails`` lands: an account whose mail or shadowAddress it is."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    domains = sorted({email.rsplit("@", 1)[1] for email in wanted})
    named = any_of(*(any_of(eq("domainName", d), eq("domainAliasName", d)) for d in domains))
    primary: dict[str, str] = {}
    hosting = all_of(object_class("mailDomain"), named)
    for entry in directory.search(tree.domains, hosting, scope=LEVEL, attributes=["domainName", "domainAliasName"]):
        name = entry.first("domainName").lower()
        for hosted in [name, *(value.lower() for value in entry.values("domainAliasName"))]:
            primary[hosted] = name
    resolved = Destination.in_primary_domains(wanted, primary)
    if not resolved:
        return {}
    targets = sorted(set(resolved.values()))
    asked = any_of(*(any_of(*(eq(attribute, target) for attribute in ANSWERING)) for target in targets))
    existing: set[str] = set()
    for entry in directory.search(tree.domains, all_of(ACCOUNTS, asked), attributes=list(ANSWERING)):
        existing.update(value.lower() for attribute in ANSWERING for value in entry.values(attribute))
    return Destination.of(resolved, existing)
