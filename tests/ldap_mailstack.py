"""Ask the real Postfix and Dovecot what they make of an iRedMail LDAP directory.

``LdapMailStack`` is ``tests.mailstack.MailStack`` for the OpenLDAP backend:
Postfix ``ldap:`` lookup tables and a private Dovecot (auth service only)
with an LDAP passdb and userdb, their filters equivalent to the ones
iRedMail installs. ``postmap`` runs with its own configuration directory,
Dovecot with its own ``base_dir`` and ``state_dir`` and no listeners; both
bind as the read-only ``cn=vmail``.

Every account filter requires ``accountStatus=active``,
``enabledService=mail`` and no ``domainStatus=disabled``; domain filters
require an active ``mailDomain`` that is not a backup MX. Delivery needs
``enabledService=deliver``, a login ``enabledService=<service>`` (plus
``secured`` on TLS sessions), sender ownership ``smtp``. Aliases are
``mailAlias`` entries (``mailForwardingAddress``), list members are the
entries carrying ``memberOfGroup: <list>``, the catch-all is the
``mailUser`` ``@<domain>``.

Passwords: Dovecot reads ``userPassword`` and verifies it itself
(``default_pass_scheme = CRYPT``), as iRedMail's Dovecot 2.4 sample does, so
``{SSHA512}``, ``{CRYPT}$2b$...`` and every other Dovecot scheme work.
iRedMail's Dovecot 2.3 sample uses ``auth_bind = yes`` instead, leaving the
check to slapd, which knows only ``{SSHA}`` (and ``{SSHA512}`` with pw-sha2).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.mailstack import MailStackBase
from tests.processes import which

if TYPE_CHECKING:
    from tests.ldap_server import LdapServer

REQUIRED_PROGRAMS = ("postmap", "dovecot", "doveadm")
REQUIRED_FILES = ("/usr/lib/postfix/postfix-ldap.so", "/usr/lib/dovecot/modules/auth/libauthdb_ldap.so")
DEBIAN_PACKAGES = "postfix postfix-ldap dovecot-core dovecot-ldap"

ACCOUNT_OK = "(accountStatus=active)(!(domainStatus=disabled))(enabledService=mail)"
DOMAIN_OK = "(objectClass=mailDomain)(accountStatus=active)(enabledService=mail)"


def tools_problem() -> str | None:
    """Why Postfix/Dovecot with LDAP cannot be used, or None when they can."""
    missing = [name for name in REQUIRED_PROGRAMS if which(name) is None]
    missing += [path for path in REQUIRED_FILES if not Path(path).exists()]
    if missing:
        return f"missing {', '.join(missing)} (Debian packages: {DEBIAN_PACKAGES})"
    return None


def require_tools() -> None:
    """Skip (or, with ``CI`` set, fail) when Postfix/Dovecot with LDAP are missing."""
    problem = tools_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"Postfix/Dovecot LDAP required in CI but unavailable: {problem}")
    pytest.skip(f"Postfix/Dovecot LDAP unavailable: {problem}")


def postfix_lookups() -> dict[str, list[tuple[str, str, str]]]:
    """Each Postfix parameter's LDAP tables, in order, as (file stem, query_filter, result_attribute).

    All tables search ``o=domains,<suffix>`` with scope ``sub``.
    """
    address = "(|(mail=%s)(shadowAddress=%s))"
    return {
        "virtual_mailbox_domains": [
            (
                "virtual_mailbox_domains",
                f"(&{DOMAIN_OK}(!(domainBackupMX=yes))"
                "(|(domainName=%s)(&(enabledService=domainalias)(domainAliasName=%s))))",
                "domainName",
            )
        ],
        "relay_domains": [
            (
                "relay_domains",
                f"(&{DOMAIN_OK}(domainBackupMX=yes)(domainName=%s))",
                "domainName",
            )
        ],
        "virtual_mailbox_maps": [
            (
                "virtual_mailbox_maps",
                f"(&(objectClass=mailUser){ACCOUNT_OK}(enabledService=deliver){address})",
                "homeDirectory",
            )
        ],
        "virtual_alias_maps": [
            (
                "virtual_alias_maps",
                f"(&{ACCOUNT_OK}(enabledService=deliver)"
                "(|(objectClass=mailAlias)(&(objectClass=mailUser)(enabledService=forward)))"
                f"{address})",
                "mailForwardingAddress",
            ),
            (
                "virtual_group_members_maps",
                f"(&(objectClass=mailUser){ACCOUNT_OK}(enabledService=deliver){address})",
                "mail",
            ),
            (
                "virtual_group_maps",
                f"(&{ACCOUNT_OK}(enabledService=deliver)"
                "(|(&(|(objectClass=mailUser)(objectClass=mailExternalUser))(|(memberOfGroup=%s)(shadowAddress=%s)))"
                "(&(|(objectClass=mailAlias)(objectClass=mailList))(memberOfGroup=%s)(!(shadowAddress=%s)))"
                f"(&(objectClass=mailList)(enabledService=mlmmj){address})))",
                "mail",
            ),
            (
                "catchall_maps",
                # iRedMail matches mail or shadowAddress: the catch-all's @<alias> answers for its alias domains
                "(&(objectClass=mailUser)(accountStatus=active)(!(domainStatus=disabled))"
                "(|(mail=@%d)(shadowAddress=@%d)))",
                "mailForwardingAddress",
            ),
        ],
        "sender_login_maps": [
            (
                "sender_login_maps",
                f"(&(objectClass=mailUser){ACCOUNT_OK}(enabledService=smtp){address})",
                "mail",
            )
        ],
        "transport_maps": [
            (
                "transport_maps_user",
                f"(&(objectClass=mailUser){ACCOUNT_OK}(enabledService=deliver){address})",
                "mtaTransport",
            ),
            (
                "transport_maps_maillist",
                f"(&(objectClass=mailList){ACCOUNT_OK}{address})",
                "mtaTransport",
            ),
            (
                "transport_maps_domain",
                f"(&{DOMAIN_OK}(|(domainName=%s)(domainAliasName=%s)))",
                "mtaTransport",
            ),
        ],
        "sender_bcc_maps": [
            (
                "sender_bcc_maps_user",
                f"(&(objectClass=mailUser){ACCOUNT_OK}(enabledService=senderbcc)(mail=%s))",
                "userSenderBccAddress",
            ),
            (
                "sender_bcc_maps_domain",
                f"(&{DOMAIN_OK}(enabledService=senderbcc)(|(domainName=%d)(domainAliasName=%d)))",
                "domainSenderBccAddress",
            ),
        ],
        "recipient_bcc_maps": [
            (
                "recipient_bcc_maps_user",
                f"(&(objectClass=mailUser){ACCOUNT_OK}(enabledService=recipientbcc)(mail=%s))",
                "userRecipientBccAddress",
            ),
            (
                "recipient_bcc_maps_domain",
                f"(&{DOMAIN_OK}(enabledService=recipientbcc)(|(domainName=%d)(domainAliasName=%d)))",
                "domainRecipientBccAddress",
            ),
        ],
        "sender_dependent_relayhost_maps": [
            (
                "sender_dependent_relayhost_maps_user",
                f"(&(objectClass=mailUser){ACCOUNT_OK}(mail=%s))",
                "senderRelayHost",
            ),
            (
                "sender_dependent_relayhost_maps_domain",
                f"(&{DOMAIN_OK}(domainName=%d))",
                "senderRelayHost",
            ),
        ],
    }


def dovecot_ldap_settings() -> dict[str, str]:
    """Filters and attribute maps of Dovecot's LDAP passdb and userdb."""
    login = (
        f"(&(objectClass=mailUser){ACCOUNT_OK}(enabledService=%Ls%Lc)"
        "(|(mail=%u)(&(enabledService=shadowaddress)(shadowAddress=%u))))"
    )
    return {
        "pass_filter": login,
        "pass_attrs": "mail=user,userPassword=password,allowNets=allow_nets",
        "user_filter": login,
        "user_attrs": (
            "mail=master_user,mail=user,=home=%L{ldap:homeDirectory},"
            "=mail=%{ldap:mailboxFormat:maildir}:~/%{ldap:mailboxFolder:Maildir}/,"
            "mailQuota=quota_rule=*:bytes=%$"
        ),
        "iterate_filter": f"(&(objectClass=mailUser){ACCOUNT_OK})",
        "iterate_attrs": "mail=user",
    }


class LdapMailStack(MailStackBase):
    """Postfix LDAP lookup tables and a Dovecot auth service over one iRedMail directory.

    A mailbox maps to itself in ``alias_targets`` (iRedMail's ``virtual_group_members_maps``).
    """

    MAP_TYPE = "ldap"
    INSTANCE = "ldapmailstack"

    def __init__(self, uri: str, suffix: str, bind_dn: str, bind_password: str, workdir: Path) -> None:
        super().__init__(workdir)
        self.uri = uri
        self.suffix = suffix
        self.base = f"o=domains,{suffix}"
        self.bind_dn = bind_dn
        self.bind_password = bind_password
        self._write_postfix()

    @classmethod
    def for_server(cls, server: LdapServer, workdir: Path) -> LdapMailStack:
        """A stack reading ``server`` as its read-only ``cn=vmail``."""
        return cls(server.uri, server.suffix, server.reader_dn, server.reader_password, workdir)

    def _write_postfix(self) -> None:
        self.postfix_dir.mkdir(parents=True, exist_ok=True)
        (self.postfix_dir / "main.cf").write_text("compatibility_level = 3.6\n")
        for table, lookups in postfix_lookups().items():
            paths = []
            for stem, query_filter, attribute in lookups:
                path = self.postfix_dir / f"{stem}.cf"
                path.write_text(
                    f"server_host = {self.uri}\n"
                    "version = 3\n"
                    "bind = yes\n"
                    "start_tls = no\n"
                    f"bind_dn = {self.bind_dn}\n"
                    f"bind_pw = {self.bind_password}\n"
                    f"search_base = {self.base}\n"
                    "scope = sub\n"
                    "timeout = 10\n"
                    f"query_filter = {query_filter}\n"
                    f"result_attribute = {attribute}\n"
                )
                path.chmod(0o600)
                paths.append(path)
            self._tables[table] = paths

    def _write_auth(self) -> tuple[str, Path]:
        ldap_conf = self.dovecot_dir / "dovecot-ldap.conf.ext"
        lines = [
            f"uris = {self.uri}",
            "ldap_version = 3",
            "auth_bind = no",
            f"dn = {self.bind_dn}",
            f"dnpass = {self.bind_password}",
            f"base = {self.base}",
            "scope = subtree",
            "deref = never",
            "default_pass_scheme = CRYPT",
        ]
        lines += [f"{name} = {value}" for name, value in dovecot_ldap_settings().items()]
        ldap_conf.write_text("\n".join(lines) + "\n")
        ldap_conf.chmod(0o600)
        return "ldap", ldap_conf
