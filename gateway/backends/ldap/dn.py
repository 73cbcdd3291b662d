"""Where iRedMail keeps each account in the tree, and search filters with escaped values."""

from __future__ import annotations

from dataclasses import dataclass

from ldap3.utils.conv import escape_filter_chars  # type: ignore[import-untyped]
from ldap3.utils.dn import escape_rdn, to_dn  # type: ignore[import-untyped]

USERS, GROUPS, ALIASES, EXTERNALS = "Users", "Groups", "Aliases", "Externals"
CONTAINERS = (USERS, GROUPS, ALIASES, EXTERNALS)

# back-mdb, iRedMail's directory database, keeps an entry's normalised and given
# RDN together in one LMDB record of at most 511 bytes: slapd answers a longer
# RDN with "other" (80). 245 bytes is the longest it adds.
MAX_RDN_BYTES = 245


def leading_rdn(dn: str) -> str:
    """The first RDN of ``dn``, escapes kept (``mail=john@example.com``)."""
    return str(to_dn(dn)[0])


def rdn_fits(dn: str) -> bool:
    """Whether the directory can add an entry at ``dn``."""
    return len(leading_rdn(dn).encode("utf-8")) <= MAX_RDN_BYTES


def rdn_value(value: str) -> str:
    """``value`` escaped for use as an RDN value (RFC 4514)."""
    if not value:
        raise ValueError("an RDN value cannot be empty")
    return str(escape_rdn(value))


def _domain_of(address: str) -> str:
    return address.rsplit("@", 1)[1]


@dataclass(frozen=True)
class Tree:
    """The DNs of iRedMail's tree below ``suffix``::

    o=domains,<suffix>
      domainName=<d>            mailDomain
        ou=Users                mail=<user>      mailUser
        ou=Groups               mail=<list>      mailList
        ou=Aliases              mail=<alias>     mailAlias
        ou=Externals            mail=<member>    mailExternalUser
    o=domainAdmins,<suffix>     mail=<admin>     mailAdmin
    """

    suffix: str

    @property
    def domains(self) -> str:
        return f"o=domains,{self.suffix}"

    @property
    def admins(self) -> str:
        return f"o=domainAdmins,{self.suffix}"

    def domain_dn(self, domain: str) -> str:
        return f"domainName={rdn_value(domain)},{self.domains}"

    def container_dn(self, domain: str, container: str) -> str:
        return f"ou={container},{self.domain_dn(domain)}"

    def _account_dn(self, address: str, container: str) -> str:
        return f"mail={rdn_value(address)},{self.container_dn(_domain_of(address), container)}"

    def user_dn(self, email: str) -> str:
        return self._account_dn(email, USERS)

    def alias_dn(self, address: str) -> str:
        return self._account_dn(address, ALIASES)

    def list_dn(self, address: str) -> str:
        return self._account_dn(address, GROUPS)

    def external_dn(self, list_address: str, member: str) -> str:
        """An outside member of a list, kept under the list's domain."""
        return f"mail={rdn_value(member)},{self.container_dn(_domain_of(list_address), EXTERNALS)}"

    def admin_dn(self, email: str) -> str:
        return f"mail={rdn_value(email)},{self.admins}"


# Filters (RFC 4515); every assertion value is escaped.

MATCH_NOTHING = "(!(objectClass=*))"


def eq(attribute: str, value: str) -> str:
    return f"({attribute}={escape_filter_chars(value)})"


def present(attribute: str) -> str:
    return f"({attribute}=*)"


def contains(attribute: str, text: str) -> str:
    return f"({attribute}=*{escape_filter_chars(text)}*)"


def ends_with(attribute: str, text: str) -> str:
    return f"({attribute}=*{escape_filter_chars(text)})"


def all_of(*filters: str) -> str:
    """All of ``filters``; none given matches every entry."""
    if not filters:
        return present("objectClass")
    return filters[0] if len(filters) == 1 else f"(&{''.join(filters)})"


def any_of(*filters: str) -> str:
    """Any of ``filters``; none given matches nothing."""
    if not filters:
        return MATCH_NOTHING
    return filters[0] if len(filters) == 1 else f"(|{''.join(filters)})"


def not_(search_filter: str) -> str:
    return f"(!{search_filter})"


def object_class(name: str) -> str:
    return eq("objectClass", name)


def active_filter(active: bool | None) -> str:
    """Entries with (True) or without (False) ``accountStatus: active``; '' for all."""
    if active is None:
        return ""
    return eq("accountStatus", "active") if active else not_(eq("accountStatus", "active"))
