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
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pytest

from tests.ldap_server import describe, kill_group, run, which
from tests.mailstack import MailStackError

if TYPE_CHECKING:
    from tests.ldap_server import LdapServer

REQUIRED_PROGRAMS = ("postmap", "dovecot", "doveadm")
REQUIRED_FILES = ("/usr/lib/postfix/postfix-ldap.so", "/usr/lib/dovecot/modules/auth/libauthdb_ldap.so")
DEBIAN_PACKAGES = "postfix postfix-ldap dovecot-core dovecot-ldap"
START_TIMEOUT = 15.0

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


def _program(name: str) -> str:
    found = which(name)
    if found is None:
        raise MailStackError(f"{name} not found (Debian packages: {DEBIAN_PACKAGES})")
    return found


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
                "(&(objectClass=mailUser)(accountStatus=active)(!(domainStatus=disabled))(mail=@%d))",
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


class LdapMailStack:
    """Postfix LDAP lookup tables and a Dovecot auth service over one iRedMail directory."""

    def __init__(self, uri: str, suffix: str, bind_dn: str, bind_password: str, workdir: Path) -> None:
        self.uri = uri
        self.suffix = suffix
        self.base = f"o=domains,{suffix}"
        self.bind_dn = bind_dn
        self.bind_password = bind_password
        self.workdir = Path(workdir).resolve()
        self.postfix_dir = self.workdir / "postfix"
        self.dovecot_dir = self.workdir / "dovecot"
        self.dovecot_conf = self.dovecot_dir / "dovecot.conf"
        self.dovecot_log = self.dovecot_dir / "dovecot.log"
        self._tables: dict[str, list[Path]] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._runtime: Path | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes], Path], LdapMailStack] | None = None
        self._write_postfix()

    @classmethod
    def for_server(cls, server: LdapServer, workdir: Path) -> LdapMailStack:
        """A stack reading ``server`` as its read-only ``cn=vmail``."""
        return cls(server.uri, server.suffix, server.reader_dn, server.reader_password, workdir)

    # Postfix

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

    def postmap(self, table: str, key: str) -> str | None:
        """What ``postmap -q key`` finds in the tables of Postfix parameter ``table``.

        Several tables are searched in order and the first answer wins, as
        Postfix does for a list of maps. None when no table has the key.
        """
        try:
            paths = self._tables[table]
        except KeyError:
            raise ValueError(f"unknown table {table!r}; one of {sorted(self._tables)}") from None
        command = [_program("postmap"), "-c", str(self.postfix_dir), "-q", key]
        command += [f"ldap:{path}" for path in paths]
        result = run(command)
        if result.returncode == 0:
            return result.stdout.rstrip("\n")
        if result.returncode == 1 and not result.stderr.strip():
            return None
        raise MailStackError(describe(command, result))

    def alias_targets(self, address: str) -> set[str]:
        """The virtual_alias_maps result for ``address``, split on commas.

        A mailbox maps to itself (iRedMail's ``virtual_group_members_maps``).
        """
        found = self.postmap("virtual_alias_maps", address)
        if found is None:
            return set()
        return {target.strip() for target in found.split(",") if target.strip()}

    def transport(self, address: str) -> str | None:
        """The transport_maps answer for a recipient: the address first, then its domain."""
        found = self.postmap("transport_maps", address)
        if found is None and "@" in address:
            found = self.postmap("transport_maps", address.rsplit("@", 1)[1])
        return found

    # Dovecot

    def _write_dovecot(self, runtime: Path) -> None:
        self.dovecot_dir.mkdir(parents=True, exist_ok=True)
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
        self.dovecot_conf.write_text(
            f"base_dir = {runtime / 'run'}\n"
            f"state_dir = {runtime / 'state'}\n"
            "instance_name = ldapmailstack\n"
            "protocols = none\n"
            "listen = 127.0.0.1\n"
            "ssl = no\n"
            f"log_path = {self.dovecot_log}\n"
            "auth_verbose = yes\n"
            "disable_plaintext_auth = no\n"
            "auth_mechanisms = plain login\n"
            "auth_cache_size = 0\n"
            "auth_failure_delay = 0\n"
            f"passdb {{\n  driver = ldap\n  args = {ldap_conf}\n}}\n"
            f"userdb {{\n  driver = ldap\n  args = {ldap_conf}\n}}\n"
        )

    @property
    def dovecot_pid(self) -> int | None:
        """The Dovecot master's pid (also its process group), None when stopped."""
        return None if self._process is None else self._process.pid

    @property
    def runtime_dir(self) -> Path | None:
        """The directory holding Dovecot's sockets and state, None when stopped."""
        return self._runtime

    def start(self) -> None:
        """Start the private Dovecot instance and wait for its auth sockets."""
        if self._process is not None:
            return
        # Socket paths must stay short (108 bytes) and be reachable by the
        # unprivileged auth process, so the runtime directory is not workdir.
        runtime = Path(tempfile.mkdtemp(prefix="ldapstack-"))
        runtime.chmod(0o755)
        self._runtime = runtime
        self._write_dovecot(runtime)
        output = self.dovecot_dir / "dovecot.out"
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [_program("dovecot"), "-F", "-c", str(self.dovecot_conf)],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._process = process
        self._finalizer = weakref.finalize(self, kill_group, process, runtime)
        sockets = [runtime / "run" / "auth-client", runtime / "run" / "auth-userdb"]
        deadline = time.monotonic() + START_TIMEOUT
        while not all(path.exists() for path in sockets):
            if process.poll() is not None or time.monotonic() > deadline:
                detail = output.read_text(errors="replace") + self._log_tail()
                self.stop()
                raise MailStackError(f"dovecot did not start:\n{detail}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill the Dovecot instance with all its processes and remove its runtime directory."""
        if self._finalizer is not None:
            self._finalizer()
        self._finalizer = None
        self._process = None
        self._runtime = None

    def __enter__(self) -> LdapMailStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _doveadm(self, *args: str) -> tuple[list[str], subprocess.CompletedProcess[str]]:
        if self._process is None:
            raise MailStackError("dovecot is not running; call start() first")
        command = [_program("doveadm"), "-c", str(self.dovecot_conf), *args]
        return command, run(command)

    def authenticate(
        self,
        user: str,
        password: str,
        service: str = "imap",
        secured: bool = False,
        remote_ip: str | None = None,
    ) -> bool:
        """Whether Dovecot's passdb accepts ``user``/``password`` for ``service``.

        ``secured`` marks the session as TLS/SSL (``enabledService=<service>secured``);
        ``remote_ip`` is the client address checked against ``allowNets``.
        """
        args = ["auth", "test", "-x", f"service={service}", "-x", "no-penalty"]
        if secured:
            args += ["-x", "secured"]
        if remote_ip is not None:
            args += ["-x", f"rip={remote_ip}"]
        command, result = self._doveadm(*args, user, password)
        first = result.stdout.splitlines()[0] if result.stdout else ""
        if result.returncode == 0 and first.endswith("auth succeeded"):
            return True
        if (
            result.returncode == 77
            and first.endswith("auth failed")
            and "code=temp_fail" not in result.stdout
            and "Error" not in result.stderr
        ):
            return False
        raise MailStackError(describe(command, result) + self._log_tail())

    def userdb(self, user: str, service: str = "doveadm") -> dict[str, str] | None:
        """The userdb fields Dovecot returns for ``user`` (home, mail, quota_rule...), None when unknown."""
        command, result = self._doveadm("user", "-u", "-x", f"service={service}", user)
        if result.returncode == 67:
            return None
        if result.returncode != 0:
            raise MailStackError(describe(command, result) + self._log_tail())
        fields: dict[str, str] = {}
        for line in result.stdout.splitlines():
            if not line.startswith(" ") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name.strip()] = value[1:] if value.startswith(" ") else value
        return fields

    def _log_tail(self, lines: int = 20) -> str:
        if not self.dovecot_log.exists():
            return ""
        tail = self.dovecot_log.read_text(errors="replace").splitlines()[-lines:]
        return "\ndovecot.log:\n" + "\n".join(tail)
