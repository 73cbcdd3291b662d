"""Ask the real Postfix and Dovecot what they make of a ``vmail`` database.

``MailStack`` writes Postfix SQL lookup tables and a private Dovecot
instance (auth service only) into a work directory, with queries equivalent
to the ones iRedMail installs. Nothing system-wide is read or changed:
``postmap`` runs with its own configuration directory, Dovecot with its own
``base_dir`` and ``state_dir`` and no network listeners.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest
from sqlalchemy.engine import make_url

from tests.databases import SERVER_URLS
from tests.processes import describe, kill_group, run, which

POSTFIX_DRIVER = {"mariadb": "mysql", "postgresql": "pgsql"}
DOVECOT_DRIVER = {"mariadb": "mysql", "postgresql": "pgsql"}
REQUIRED_FILES = {
    "mariadb": ("/usr/lib/postfix/postfix-mysql.so", "/usr/lib/dovecot/modules/libdriver_mysql.so"),
    "postgresql": ("/usr/lib/postfix/postfix-pgsql.so", "/usr/lib/dovecot/modules/libdriver_pgsql.so"),
}
REQUIRED_PROGRAMS = ("postmap", "dovecot", "doveadm")
DEBIAN_PACKAGES = "postfix postfix-mysql postfix-pgsql dovecot-core dovecot-mysql dovecot-pgsql"
START_TIMEOUT = 15.0


def tools_problem(kind: str) -> str | None:
    """Why Postfix/Dovecot cannot be used for ``kind``, or None when they can."""
    if kind not in POSTFIX_DRIVER:
        return f"no Postfix/Dovecot SQL driver for {kind!r}"
    missing = [name for name in REQUIRED_PROGRAMS if which(name) is None]
    missing += [path for path in REQUIRED_FILES[kind] if not Path(path).exists()]
    if missing:
        return f"missing {', '.join(missing)} (Debian packages: {DEBIAN_PACKAGES})"
    return None


def require_tools(kind: str) -> None:
    """Skip (or, with ``CI`` set, fail) when Postfix/Dovecot for ``kind`` are missing."""
    problem = tools_problem(kind)
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"Postfix/Dovecot required in CI but unavailable: {problem}")
    pytest.skip(f"Postfix/Dovecot unavailable: {problem}")


def _program(name: str) -> str:
    found = which(name)
    if found is None:
        raise MailStackError(f"{name} not found (Debian packages: {DEBIAN_PACKAGES})")
    return found


class MailStackError(RuntimeError):
    """Postfix or Dovecot failed for another reason than a negative answer."""


class _Dialect:
    """The SQL that differs between MySQL/MariaDB and PostgreSQL."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def concat(self, *parts: str) -> str:
        if self.kind == "mariadb":
            return f"CONCAT({', '.join(parts)})"
        return "(" + " || ".join(parts) + ")"


def postfix_queries(kind: str) -> dict[str, list[tuple[str, str]]]:
    """Each Postfix parameter's lookup tables, in order, as (file stem, query)."""
    sql = _Dialect(kind)
    mailbox_ok = "mailbox.active=1 AND mailbox.domain=domain.domain AND domain.backupmx=0 AND domain.active=1"
    maildir = sql.concat("mailbox.storagenode", "'/'", "mailbox.maildir", "'/Maildir/'")
    rewritten = sql.concat("'%u'", "'@'", "alias_domain.target_domain")
    return {
        "virtual_mailbox_domains": [
            (
                "virtual_mailbox_domains",
                "SELECT domain.domain FROM domain"
                " WHERE domain.domain='%s' AND domain.backupmx=0 AND domain.active=1"
                " UNION SELECT alias_domain.alias_domain FROM alias_domain, domain"
                " WHERE alias_domain.alias_domain='%s' AND alias_domain.active=1"
                " AND alias_domain.target_domain=domain.domain AND domain.active=1 AND domain.backupmx=0",
            )
        ],
        "relay_domains": [
            (
                "relay_domains",
                "SELECT domain.domain FROM domain"
                " WHERE domain.domain='%s' AND domain.backupmx=1 AND domain.active=1 LIMIT 1",
            )
        ],
        "virtual_mailbox_maps": [
            (
                "virtual_mailbox_maps",
                f"SELECT {maildir} FROM mailbox, domain WHERE mailbox.username='%s' AND mailbox.active=1"
                " AND mailbox.enabledeliver=1 AND domain.domain=mailbox.domain AND domain.active=1",
            )
        ],
        "virtual_alias_maps": [
            (
                "virtual_alias_maps",
                "SELECT forwardings.forwarding FROM forwardings, domain"
                " WHERE forwardings.address='%s' AND forwardings.domain='%d'"
                " AND forwardings.domain=domain.domain AND forwardings.active=1"
                " AND domain.backupmx=0 AND domain.active=1",
            ),
            (
                "domain_alias_maps",
                "SELECT forwardings.forwarding FROM forwardings, alias_domain, domain"
                " WHERE alias_domain.alias_domain='%d'"
                f" AND forwardings.address={rewritten}"
                " AND alias_domain.target_domain=domain.domain AND forwardings.active=1"
                " AND alias_domain.active=1 AND domain.backupmx=0",
            ),
            (
                "catchall_maps",
                "SELECT forwardings.forwarding FROM forwardings, domain"
                " WHERE forwardings.address='%d' AND forwardings.address=domain.domain"
                " AND forwardings.active=1 AND domain.active=1 AND domain.backupmx=0"
                " AND POSITION('+' IN '%u')=0",
            ),
            (
                "domain_alias_catchall_maps",
                "SELECT forwardings.forwarding FROM forwardings, alias_domain, domain"
                " WHERE alias_domain.alias_domain='%d' AND forwardings.address=alias_domain.target_domain"
                " AND alias_domain.target_domain=domain.domain AND forwardings.active=1"
                " AND alias_domain.active=1",
            ),
        ],
        "sender_login_maps": [
            (
                "sender_login_maps",
                "SELECT mailbox.username FROM mailbox, domain"
                " WHERE mailbox.username='%s' AND mailbox.domain='%d'"
                f" AND mailbox.enablesmtp=1 AND {mailbox_ok}",
            )
        ],
        "transport_maps": [
            (
                "transport_maps_user",
                "SELECT mailbox.transport FROM mailbox, domain"
                " WHERE mailbox.username='%s' AND mailbox.domain='%d' AND mailbox.transport<>''"
                f" AND mailbox.enabledeliver=1 AND {mailbox_ok}",
            ),
            (
                "transport_maps_maillist",
                "SELECT maillists.transport FROM maillists, domain"
                " WHERE maillists.address='%s' AND maillists.active=1"
                " AND maillists.domain=domain.domain AND domain.active=1",
            ),
            (
                "transport_maps_domain",
                "SELECT domain.transport FROM domain WHERE domain.domain='%s' AND domain.active=1",
            ),
        ],
        "sender_bcc_maps": [
            (
                "sender_bcc_maps_user",
                "SELECT sender_bcc_user.bcc_address FROM sender_bcc_user, domain"
                " WHERE sender_bcc_user.username='%s' AND sender_bcc_user.domain='%d'"
                " AND sender_bcc_user.domain=domain.domain AND domain.backupmx=0"
                " AND domain.active=1 AND sender_bcc_user.active=1",
            ),
            (
                "sender_bcc_maps_domain",
                "SELECT sender_bcc_domain.bcc_address FROM sender_bcc_domain, domain"
                " WHERE sender_bcc_domain.domain='%d' AND sender_bcc_domain.domain=domain.domain"
                " AND domain.active=1",
            ),
        ],
        "recipient_bcc_maps": [
            (
                "recipient_bcc_maps_user",
                "SELECT recipient_bcc_user.bcc_address FROM recipient_bcc_user, domain"
                " WHERE recipient_bcc_user.username='%s' AND recipient_bcc_user.domain='%d'"
                " AND recipient_bcc_user.domain=domain.domain AND domain.backupmx=0"
                " AND domain.active=1 AND recipient_bcc_user.active=1",
            ),
            (
                "recipient_bcc_maps_domain",
                "SELECT recipient_bcc_domain.bcc_address FROM recipient_bcc_domain, domain"
                " WHERE recipient_bcc_domain.domain='%d' AND recipient_bcc_domain.domain=domain.domain"
                " AND domain.active=1",
            ),
        ],
        "sender_dependent_relayhost_maps": [
            (
                "sender_dependent_relayhost_maps",
                "SELECT sender_relayhost.relayhost FROM sender_relayhost WHERE sender_relayhost.account='%s'",
            )
        ],
    }


def dovecot_queries(kind: str) -> dict[str, str]:
    """Dovecot's password_query, user_query and iterate_query."""
    sql = _Dialect(kind)
    conditions = (
        " FROM mailbox, domain WHERE mailbox.username='%u' AND mailbox.enable%Ls%Lc=1"
        " AND mailbox.active=1 AND mailbox.domain=domain.domain"
        " AND domain.backupmx=0 AND domain.active=1"
    )
    home = sql.concat("mailbox.storagebasedirectory", "'/'", "mailbox.storagenode", "'/'", "mailbox.maildir")
    mail = sql.concat("mailbox.mailboxformat", "':~/'", "mailbox.mailboxfolder")
    quota = sql.concat("'*:bytes='", "(mailbox.quota*1048576)")
    return {
        "password_query": "SELECT mailbox.password, mailbox.allow_nets" + conditions,
        "user_query": (
            f"SELECT LOWER('%u') AS master_user, LOWER({home}) AS home, {mail} AS mail,"
            f" {quota} AS quota_rule" + conditions
        ),
        "iterate_query": "SELECT mailbox.username AS user FROM mailbox",
    }


class MailStackBase:
    """Postfix lookup tables and a private Dovecot auth service; subclasses name the storage.

    A subclass writes its Postfix tables into ``self._tables`` (parameter ->
    ``.cf`` files of map type ``MAP_TYPE``) and its passdb/userdb settings
    through ``_write_auth``.
    """

    MAP_TYPE = ""
    INSTANCE = "mailstack"

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir).resolve()
        self.postfix_dir = self.workdir / "postfix"
        self.dovecot_dir = self.workdir / "dovecot"
        self.dovecot_conf = self.dovecot_dir / "dovecot.conf"
        self.dovecot_log = self.dovecot_dir / "dovecot.log"
        self._tables: dict[str, list[Path]] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._runtime: Path | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes], Path], MailStackBase] | None = None

    # Postfix

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
        command += [f"{self.MAP_TYPE}:{path}" for path in paths]
        result = run(command, error=MailStackError)
        if result.returncode == 0:
            return result.stdout.rstrip("\n")
        if result.returncode == 1 and not result.stderr.strip():
            return None
        raise MailStackError(describe(command, result))

    def alias_targets(self, address: str) -> set[str]:
        """The virtual_alias_maps result for ``address``, split on commas."""
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

    def _write_auth(self) -> tuple[str, Path]:
        """Write the passdb/userdb settings; return the Dovecot driver name and their file."""
        raise NotImplementedError

    def _write_dovecot(self, runtime: Path) -> None:
        self.dovecot_dir.mkdir(parents=True, exist_ok=True)
        driver, args = self._write_auth()
        self.dovecot_conf.write_text(
            f"base_dir = {runtime / 'run'}\n"
            f"state_dir = {runtime / 'state'}\n"
            f"instance_name = {self.INSTANCE}\n"
            "protocols = none\n"
            "listen = 127.0.0.1\n"
            "ssl = no\n"
            f"log_path = {self.dovecot_log}\n"
            "auth_verbose = yes\n"
            "disable_plaintext_auth = no\n"
            "auth_mechanisms = plain login\n"
            "auth_cache_size = 0\n"
            "auth_failure_delay = 0\n"
            f"passdb {{\n  driver = {driver}\n  args = {args}\n}}\n"
            f"userdb {{\n  driver = {driver}\n  args = {args}\n}}\n"
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
        runtime = Path(tempfile.mkdtemp(prefix=f"{self.INSTANCE}-"))
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
        self._finalizer = weakref.finalize(self, kill_group, process, runtime, 5.0)
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

    def __enter__(self) -> Self:
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
        return command, run(command, error=MailStackError)

    def authenticate(
        self,
        user: str,
        password: str,
        service: str = "imap",
        secured: bool = False,
        remote_ip: str | None = None,
    ) -> bool:
        """Whether Dovecot's passdb accepts ``user``/``password`` for ``service``.

        ``secured`` marks the session as TLS/SSL (the ``<service>secured`` switch);
        ``remote_ip`` is the client address checked against the allowed networks.
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


class MailStack(MailStackBase):
    """Postfix lookup tables and a Dovecot auth service over one vmail database."""

    def __init__(self, kind: str, database: str, workdir: Path) -> None:
        if kind not in POSTFIX_DRIVER:
            raise ValueError(f"kind must be one of {sorted(POSTFIX_DRIVER)}, not {kind!r}")
        super().__init__(workdir)
        self.kind = kind
        self.MAP_TYPE = POSTFIX_DRIVER[kind]
        self.database = database
        url = make_url(SERVER_URLS[kind])
        self.host = url.host or "127.0.0.1"
        self.port = url.port or (3306 if kind == "mariadb" else 5432)
        self.user = url.username or ("root" if kind == "mariadb" else "postgres")
        self.password = url.password or ""
        self._write_postfix()

    def _write_postfix(self) -> None:
        self.postfix_dir.mkdir(parents=True, exist_ok=True)
        (self.postfix_dir / "main.cf").write_text("compatibility_level = 3.6\n")
        for table, lookups in postfix_queries(self.kind).items():
            paths = []
            for stem, query in lookups:
                path = self.postfix_dir / f"{stem}.cf"
                path.write_text(
                    f"hosts = inet:{self.host}:{self.port}\n"
                    f"user = {self.user}\n"
                    f"password = {self.password}\n"
                    f"dbname = {self.database}\n"
                    f"query = {query}\n"
                )
                path.chmod(0o600)
                paths.append(path)
            self._tables[table] = paths

    def _write_auth(self) -> tuple[str, Path]:
        sql_conf = self.dovecot_dir / "dovecot-sql.conf.ext"
        connect = f"host={self.host} port={self.port} dbname={self.database} user={self.user}"
        if self.password:
            connect += f" password={self.password}"
        lines = [f"driver = {DOVECOT_DRIVER[self.kind]}", f"connect = {connect}", "default_pass_scheme = CRYPT"]
        lines += [f"{name} = {query}" for name, query in dovecot_queries(self.kind).items()]
        sql_conf.write_text("\n".join(lines) + "\n")
        sql_conf.chmod(0o600)
        return "sql", sql_conf
