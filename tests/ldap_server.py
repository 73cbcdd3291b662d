"""A private OpenLDAP server holding an empty iRedMail directory tree.

``LdapServer`` builds a ``cn=config`` directory with ``slapadd -n0`` (core,
cosine, nis and inetorgperson from ``/etc/ldap/schema`` plus the iRedMail
and amavisd schemas in ``tests/ldap/``), loads the base tree with
``slapadd -n1`` and runs ``slapd`` in its own process group on a free
127.0.0.1 port. Everything lives in one temporary directory; the system's
slapd, its configuration and its data are never read or changed.

The tree and the access rules are those of an iRedMail installation::

    dc=example,dc=com                 dcObject + organization
      cn=vmail                        read-only bind DN (Postfix, Dovecot)
      cn=vmailadmin                   read/write bind DN (admin panel)
      o=domains                       mail domains and their accounts
      o=domainAdmins                  standalone admins

``cn=Manager`` is the database's root DN. Anonymous clients may only bind.
When the Debian module ``pw-sha2`` is present it is loaded, as iRedMail does
on Debian, so that slapd verifies ``{SSHA512}`` passwords on bind.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import ldap3  # type: ignore[import-untyped]
import pytest

from tests.processes import describe, kill_group, run, which

SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
LOCAL_SCHEMA_DIR = Path(__file__).resolve().parent / "ldap"
SYSTEM_SCHEMAS = ("core", "cosine", "nis", "inetorgperson")
LOCAL_SCHEMAS = ("amavisd", "iredmail")
REQUIRED_PROGRAMS = ("slapd", "slapadd", "ldapwhoami")
DEBIAN_PACKAGES = "slapd ldap-utils"
START_TIMEOUT = 20.0
START_ATTEMPTS = 5
INDEXED_ATTRIBUTES = (
    "objectClass",
    "mail",
    "uid",
    "cn",
    "domainName",
    "domainAliasName",
    "accountStatus",
    "enabledService",
    "domainStatus",
    "domainBackupMX",
    "shadowAddress",
    "memberOfGroup",
    "mailForwardingAddress",
    "domainAdmin",
    "domainGlobalAdmin",
    "listAllowedUser",
    "listModerator",
    "listOwner",
    "mailingListID",
)


class LdapServerError(RuntimeError):
    """slapd or one of the OpenLDAP tools failed."""


def slapd_problem() -> str | None:
    """Why a private slapd cannot be run here, or None when it can."""
    missing = [name for name in REQUIRED_PROGRAMS if which(name) is None]
    missing += [str(path) for path in _required_files() if not path.exists()]
    if missing:
        return f"missing {', '.join(missing)} (Debian packages: {DEBIAN_PACKAGES})"
    return None


def require_slapd() -> None:
    """Skip (or, with ``CI`` set, fail) when slapd cannot be run."""
    problem = slapd_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"slapd required in CI but unavailable: {problem}")
    pytest.skip(f"slapd unavailable: {problem}")


def _required_files() -> list[Path]:
    files = [MODULE_DIR / "back_mdb.so"]
    files += [SCHEMA_DIR / f"{name}.ldif" for name in SYSTEM_SCHEMAS]
    files += [LOCAL_SCHEMA_DIR / f"{name}.ldif" for name in LOCAL_SCHEMAS]
    return files


def program(name: str) -> str:
    """The path of an installed program; LdapServerError when it is missing."""
    found = which(name)
    if found is None:
        raise LdapServerError(f"{name} not found (Debian packages: {DEBIAN_PACKAGES})")
    return found


def ssha(password: str) -> str:
    """``{SSHA}`` base64(SHA1(password + salt) + salt), which slapd verifies natively."""
    salt = secrets.token_bytes(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode("ascii")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ldif(dn: str, attributes: Sequence[tuple[str, str]]) -> str:
    return "\n".join([f"dn: {dn}", *(f"{name}: {value}" for name, value in attributes)]) + "\n"


def _first_rdn(dn: str) -> tuple[str, str]:
    rdn = dn.split(",", 1)[0]
    name, _, value = rdn.partition("=")
    return name.strip().lower(), value.strip()


class LdapServer:
    """A private slapd with an empty iRedMail tree under ``suffix``.

    ``admin_dn``/``admin_password`` is ``cn=vmailadmin`` (read/write on the
    whole tree), ``reader_dn``/``reader_password`` is ``cn=vmail``
    (read-only); ``root_dn``/``root_password`` is the database root.
    ``uri`` is ``ldap://127.0.0.1:<port>`` once started.
    """

    def __init__(self, suffix: str = "dc=example,dc=com") -> None:
        name, value = _first_rdn(suffix)
        if name != "dc" or not value:
            raise ValueError(f"suffix must start with a dc= component, not {suffix!r}")
        self.suffix = suffix
        self.root_dn = f"cn=Manager,{suffix}"
        self.admin_dn = f"cn=vmailadmin,{suffix}"
        self.reader_dn = f"cn=vmail,{suffix}"
        self.domains_dn = f"o=domains,{suffix}"
        self.admins_dn = f"o=domainAdmins,{suffix}"
        self.root_password = secrets.token_urlsafe(18)
        self.admin_password = secrets.token_urlsafe(18)
        self.reader_password = secrets.token_urlsafe(18)
        self.port: int | None = None
        self._workdir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes], Path], LdapServer] | None = None

    @property
    def uri(self) -> str:
        """``ldap://127.0.0.1:<port>`` (no trailing slash: ldap3 refuses one); LdapServerError when not started."""
        if self.port is None:
            raise LdapServerError("slapd is not running; call start() first")
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def workdir(self) -> Path | None:
        """The directory holding configuration, data and log; None when stopped."""
        return self._workdir

    @property
    def pid(self) -> int | None:
        """slapd's pid (also its process group), None when stopped."""
        return None if self._process is None else self._process.pid

    @property
    def log_path(self) -> Path | None:
        """slapd's output (errors only), None when stopped."""
        return None if self._workdir is None else self._workdir / "slapd.log"

    # Configuration

    def config_ldif(self, workdir: Path) -> str:
        """The ``cn=config`` directory, as LDIF for ``slapadd -n0``."""
        modules = [("olcModuleLoad", "back_mdb")]
        if (MODULE_DIR / "pw-sha2.so").exists():
            modules.append(("olcModuleLoad", "pw-sha2"))
        admin, reader = f'dn.exact="{self.admin_dn}"', f'dn.exact="{self.reader_dn}"'
        database = [
            ("objectClass", "olcDatabaseConfig"),
            ("objectClass", "olcMdbConfig"),
            ("olcDatabase", "{1}mdb"),
            ("olcSuffix", self.suffix),
            ("olcRootDN", self.root_dn),
            ("olcRootPW", ssha(self.root_password)),
            ("olcDbDirectory", str(workdir / "data")),
            ("olcDbMaxSize", str(256 * 1024 * 1024)),
            *(("olcDbIndex", f"{name} eq") for name in INDEXED_ATTRIBUTES),
            (
                "olcAccess",
                f"{{0}}to attrs=userPassword,shadowLastChange by {admin} write by {reader} read"
                " by anonymous auth by * none",
            ),
            ("olcAccess", f"{{1}}to * by {admin} write by {reader} read by * none"),
        ]
        entries = [
            _ldif(
                "cn=config",
                [
                    ("objectClass", "olcGlobal"),
                    ("cn", "config"),
                    ("olcPidFile", str(workdir / "slapd.pid")),
                    ("olcArgsFile", str(workdir / "slapd.args")),
                ],
            ),
            _ldif(
                "cn=module{0},cn=config",
                [("objectClass", "olcModuleList"), ("cn", "module{0}"), ("olcModulePath", str(MODULE_DIR)), *modules],
            ),
            _ldif("cn=schema,cn=config", [("objectClass", "olcSchemaConfig"), ("cn", "schema")]),
            *(f"include: file://{SCHEMA_DIR / name}.ldif\n" for name in SYSTEM_SCHEMAS),
            *(f"include: file://{LOCAL_SCHEMA_DIR / name}.ldif\n" for name in LOCAL_SCHEMAS),
            _ldif(
                "olcDatabase={-1}frontend,cn=config",
                [
                    ("objectClass", "olcDatabaseConfig"),
                    ("objectClass", "olcFrontendConfig"),
                    ("olcDatabase", "{-1}frontend"),
                ],
            ),
            _ldif(
                "olcDatabase={0}config,cn=config",
                [
                    ("objectClass", "olcDatabaseConfig"),
                    ("olcDatabase", "{0}config"),
                    ("olcAccess", "{0}to * by * none"),
                ],
            ),
            _ldif("olcDatabase={1}mdb,cn=config", database),
        ]
        return "\n".join(entries)

    def base_ldif(self) -> str:
        """The suffix entry, the two bind accounts and the two containers."""
        _, dc = _first_rdn(self.suffix)
        accounts = [
            _ldif(
                dn,
                [
                    ("objectClass", "person"),
                    ("objectClass", "shadowAccount"),
                    ("cn", cn),
                    ("sn", cn),
                    ("uid", cn),
                    ("userPassword", ssha(password)),
                ],
            )
            for dn, cn, password in (
                (self.reader_dn, "vmail", self.reader_password),
                (self.admin_dn, "vmailadmin", self.admin_password),
            )
        ]
        return "\n".join(
            [
                _ldif(
                    self.suffix, [("objectClass", "dcObject"), ("objectClass", "organization"), ("dc", dc), ("o", dc)]
                ),
                *accounts,
                _ldif(self.domains_dn, [("objectClass", "organization"), ("o", "domains")]),
                _ldif(self.admins_dn, [("objectClass", "organization"), ("o", "domainAdmins")]),
            ]
        )

    # Life cycle

    def start(self) -> None:
        """Build the configuration and the base tree, start slapd, wait until binds work."""
        if self._process is not None:
            return
        workdir = Path(tempfile.mkdtemp(prefix="slapd-"))
        self._workdir = workdir
        try:
            (workdir / "config").mkdir()
            (workdir / "data").mkdir()
            self._slapadd(0, self.config_ldif(workdir), "config.ldif")
            self._slapadd(1, self.base_ldif(), "base.ldif")
            for attempt in range(START_ATTEMPTS):
                if self._launch(last=attempt == START_ATTEMPTS - 1):
                    return
        except BaseException:
            self.stop()
            raise

    def _slapadd(self, database: int, ldif: str, name: str) -> None:
        assert self._workdir is not None
        path = self._workdir / name
        path.write_text(ldif)
        path.chmod(0o600)
        command = [program("slapadd"), "-n", str(database), "-F", str(self._workdir / "config"), "-l", str(path)]
        result = run(command, error=LdapServerError)
        if result.returncode != 0:
            raise LdapServerError(describe(command, result))

    def _launch(self, last: bool) -> bool:
        """Start slapd on a new port; False when the port was taken meanwhile."""
        assert self._workdir is not None and self.log_path is not None
        self.port = free_port()
        command = [program("slapd"), "-h", self.uri + "/", "-F", str(self._workdir / "config"), "-d", "none"]
        with self.log_path.open("wb") as sink:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._process = process
        self._finalizer = weakref.finalize(self, kill_group, process, self._workdir)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                log = self.log_path.read_text(errors="replace")
                self._process = None
                self._finalizer.detach()
                self._finalizer = None
                if "Address already in use" in log and not last:
                    return False
                raise LdapServerError(f"slapd exited with status {process.returncode}:\n{log}")
            if self.whoami(self.admin_dn, self.admin_password) is not None:
                return True
            if time.monotonic() > deadline:
                raise LdapServerError(f"slapd did not answer within {START_TIMEOUT:g} s:\n{self.log_path.read_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill slapd's process group and remove the temporary directory."""
        if self._finalizer is not None:
            self._finalizer()
        elif self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._finalizer = None
        self._process = None
        self._workdir = None
        self.port = None

    def __enter__(self) -> LdapServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Use

    def whoami(self, dn: str, password: str) -> str | None:
        """The authorization identity after a simple bind (``ldapwhoami``), None when the bind fails."""
        env = dict(os.environ, LDAPNOINIT="1")
        command = [program("ldapwhoami"), "-x", "-H", self.uri, "-D", dn, "-w", password, "-o", "nettimeout=5"]
        result = run(command, error=LdapServerError, env=env)
        if result.returncode != 0:
            return None
        return result.stdout.strip()

    def connection(self, dn: str | None = None, password: str | None = None) -> ldap3.Connection:
        """An ldap3 connection bound as ``dn`` (default: the read/write admin ``cn=vmailadmin``)."""
        if dn is None:
            dn, password = self.admin_dn, self.admin_password
        server = ldap3.Server(self.uri, get_info=ldap3.NONE, connect_timeout=5)
        return ldap3.Connection(server, user=dn, password=password, auto_bind=True, receive_timeout=10)

    def entries(
        self, base: str, search_filter: str = "(objectClass=*)", scope: str = ldap3.SUBTREE
    ) -> dict[str, dict[str, list[str]]]:
        """User attributes of the entries found, as the root DN sees them: lower-cased DN -> lower-cased
        attribute name -> sorted values. Empty when ``base`` does not exist."""
        conn = self.connection(self.root_dn, self.root_password)
        try:
            try:
                conn.search(base, search_filter, search_scope=scope, attributes=["*"])
            except ldap3.core.exceptions.LDAPNoSuchObjectResult:
                return {}
            return {
                entry["dn"].lower(): {
                    name.lower(): sorted(value.decode() for value in values)
                    for name, values in entry["raw_attributes"].items()
                }
                for entry in conn.response
                if entry.get("type") == "searchResEntry"
            }
        finally:
            conn.unbind()

    def entry(self, dn: str) -> dict[str, list[str]] | None:
        """The user attributes of the entry at ``dn`` (as ``entries``); None when there is none."""
        return next(iter(self.entries(dn, scope=ldap3.BASE).values()), None)

    def modify(self, dn: str, changes: dict[str, list[tuple[str, list[Any]]]]) -> None:
        """Apply ``changes`` (ldap3's form) to ``dn`` as the root DN; AssertionError when refused."""
        conn = self.connection(self.root_dn, self.root_password)
        try:
            assert conn.modify(dn, changes), conn.result
        finally:
            conn.unbind()

    def clear(self) -> None:
        """Delete every entry below ``o=domains`` and ``o=domainAdmins``."""
        conn = self.connection(self.root_dn, self.root_password)
        try:
            dns: list[str] = []
            for base in (self.domains_dn, self.admins_dn):
                conn.search(base, "(objectClass=*)", search_scope=ldap3.SUBTREE, attributes=[ldap3.NO_ATTRIBUTES])
                dns += [entry.entry_dn for entry in conn.entries if entry.entry_dn.lower() != base.lower()]
            for dn in sorted(dns, key=lambda name: name.count(","), reverse=True):
                if not conn.delete(dn):
                    raise LdapServerError(f"cannot delete {dn}: {conn.result}")
        finally:
            conn.unbind()
