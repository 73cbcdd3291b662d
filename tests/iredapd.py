"""The real iRedAPD policy daemon for tests: unpacked from the vendored tarball, run against test databases.

The tarball is found in ``TEST_VENDOR_DIR`` (default ``../shared/vendor``
from the project root). Where it is absent the tests that need it skip with a
reason, except under ``CI``, where they fail.

iRedAPD's own Python dependencies go into a venv built once per tarball and
kept in a cache directory keyed by the tarball's SHA-256
(``$XDG_CACHE_HOME/iredmail-gateway-tests``, default ``~/.cache/…``); a lock
file makes concurrent builds (parallel test runs) wait for one another.

``start_iredapd`` writes a ``settings.py`` for one test (MariaDB or
PostgreSQL databases, the plugins asked for, a free port) and runs
``iredapd.py --foreground``; :meth:`Iredapd.ask` speaks Postfix's policy
delegation protocol to it and returns the ``action``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.databases import admin_statements, run_sync

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARBALL_PATTERN = "iRedAPD-*.tar.gz"
REQUIREMENTS = ("SQLAlchemy>=1.4,<2.1", "dnspython", "requests", "PyMySQL", "psycopg2-binary", "multipart")
START_TIMEOUT = 60.0
# iRedAPD refuses an SQL account without a password; MariaDB's root has none, so it gets an account of its own
MARIADB_USER = "gateway_iredapd"
MARIADB_PASSWORD = "iredapd-test-pw"
DEFAULT_PLUGINS = ("greylisting", "throttle", "sql_alias_access_policy")


def vendor_dir() -> Path:
    return Path(os.environ.get("TEST_VENDOR_DIR", PROJECT_ROOT.parent / "shared" / "vendor"))


def find_tarball() -> Path | None:
    found = sorted(vendor_dir().glob(TARBALL_PATTERN))
    return found[-1] if found else None


def require_tarball() -> Path:
    """The vendored iRedAPD tarball; skip (with ``CI`` set: fail) when it is missing."""
    tarball = find_tarball()
    if tarball is not None:
        return tarball
    problem = f"no {TARBALL_PATTERN} in {vendor_dir()} (set TEST_VENDOR_DIR)"
    if os.environ.get("CI"):
        pytest.fail(f"iRedAPD required in CI but unavailable: {problem}")
    pytest.skip(f"iRedAPD unavailable: {problem}")


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "iredmail-gateway-tests"


@cache
def iredapd_python(tarball: Path) -> Path:
    """The interpreter of the venv holding iRedAPD's dependencies, built on first use."""
    home = cache_root() / f"iredapd-{_digest(tarball)[:16]}"
    home.mkdir(parents=True, exist_ok=True)
    python = home / "venv" / "bin" / "python"
    ready = home / "ready"
    with (home / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run building the same venv: wait for it
        if not ready.exists():
            shutil.rmtree(home / "venv", ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            ready.write_text(tarball.name + "\n")
    return python


def unpack(tarball: Path, into: Path) -> Path:
    """Extract the tarball under ``into``; returns its ``iRedAPD`` folder."""
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "iRedAPD"


@dataclass(frozen=True)
class Login:
    """How iRedAPD reaches one database."""

    host: str
    port: int
    user: str
    password: str
    name: str


def login_for(dsn: str) -> Login:
    """iRedAPD's view of a test database DSN (MariaDB through its own account)."""
    url = make_url(dsn)
    if url.get_backend_name() == "postgresql":
        # trust authentication: any non-empty password (iRedAPD insists on one) is accepted
        host, port = url.host or "127.0.0.1", url.port or 5432
        return Login(host, port, url.username or "postgres", "unused", url.database or "")
    _mariadb_account()
    run_sync(admin_statements("mariadb", f"GRANT ALL PRIVILEGES ON `{url.database}`.* TO '{MARIADB_USER}'@'%'"))
    return Login(url.host or "127.0.0.1", url.port or 3306, MARIADB_USER, MARIADB_PASSWORD, url.database or "")


@cache
def _mariadb_account() -> None:
    run_sync(
        admin_statements(
            "mariadb",
            f"CREATE USER IF NOT EXISTS '{MARIADB_USER}'@'%' IDENTIFIED BY '{MARIADB_PASSWORD}'",
            f"ALTER USER '{MARIADB_USER}'@'%' IDENTIFIED BY '{MARIADB_PASSWORD}'",
        )
    )


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def settings_text(
    sample: str,
    *,
    backend: str,
    port: int,
    directory: Path,
    plugins: Sequence[str],
    databases: Mapping[str, Login | None],
    extra: Mapping[str, object],
) -> str:
    """iRedAPD's ``settings.py``: its ``settings.py.sample``, then this test's values."""
    values: dict[str, object] = {
        "listen_address": "127.0.0.1",
        "listen_port": port,
        "run_as_user": pwd.getpwuid(os.getuid()).pw_name,
        "pid_file": str(directory / "iredapd.pid"),
        "log_level": "debug",
        "backend": backend,
        "plugins": list(plugins),
        # no DNS in tests: an SPF lookup would only wait for a resolver
        "GREYLISTING_BYPASS_SPF": False,
        # no notification mail when a throttle is exceeded
        "NOTIFICATION_RECIPIENTS": [],
        "CMD_SENDMAIL": "/bin/true",
    }
    for database, login in databases.items():
        values.update(
            {
                f"{database}_db_server": login.host if login else "",
                f"{database}_db_port": str(login.port) if login else "",
                f"{database}_db_name": login.name if login else "",
                f"{database}_db_user": login.user if login else "",
                f"{database}_db_password": login.password if login else "",
            }
        )
    if backend == "mysql":
        values["SQL_DB_DRIVER"] = "pymysql"
    values.update(extra)
    lines = [sample.rstrip(), "", "# this test's values", *(f"{key} = {value!r}" for key, value in values.items())]
    return "\n".join(lines) + "\n"


@dataclass
class Iredapd:
    """A running iRedAPD on ``port``; ``log`` is where its output goes."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def ask(self, **fields: str) -> str:
        """Send one policy request (``request=smtpd_access_policy`` and the given fields); return the action."""
        request = {"request": "smtpd_access_policy", "protocol_name": "ESMTP", "instance": "test.1", **fields}
        payload = "".join(f"{key}={value}\n" for key, value in request.items()) + "\n"
        with socket.create_connection(("127.0.0.1", self.port), timeout=START_TIMEOUT) as sock:
            sock.sendall(payload.encode())
            answer = b""
            while not answer.endswith(b"\n\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        for line in answer.decode().splitlines():
            if line.startswith("action="):
                return line[len("action="):]
        raise AssertionError(f"no action in iRedAPD's answer {answer!r}; log:\n{self.log_text()}")

    def rcpt(self, sender: str, recipient: str, client_address: str, **fields: str) -> str:
        """A request of the RCPT stage, as Postfix's ``smtpd_recipient_restrictions`` sends it."""
        return self._at("RCPT", sender, recipient, client_address, recipient_count="0", **fields)

    def end_of_message(self, sender: str, recipient: str, client_address: str, **fields: str) -> str:
        """A request of the END-OF-MESSAGE stage (``smtpd_end_of_data_restrictions``)."""
        return self._at("END-OF-MESSAGE", sender, recipient, client_address, recipient_count="1", **fields)

    def _at(self, state: str, sender: str, recipient: str, client_address: str, **fields: str) -> str:
        return self.ask(
            protocol_state=state, sender=sender, recipient=recipient, client_address=client_address,
            client_name="unknown", reverse_client_name="unknown", helo_name="mx.remote.example", **fields,
        )  # fmt: skip

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _wait_until_listening(server: Iredapd) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"iRedAPD exited with {server.process.returncode}:\n{server.log_text()}")
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"iRedAPD did not listen within {START_TIMEOUT}s:\n{server.log_text()}") from None
            time.sleep(0.1)


@contextmanager
def start_iredapd(
    directory: Path,
    *,
    vmail_dsn: str,
    iredapd_dsn: str,
    amavisd_dsn: str | None = None,
    plugins: Sequence[str] = DEFAULT_PLUGINS,
    extra_settings: Mapping[str, object] | None = None,
) -> Iterator[Iredapd]:
    """Run iRedAPD on MariaDB or PostgreSQL databases (given as the gateway's DSNs) until the block ends.

    ``amavisd_dsn`` names Amavisd's database, which plugin ``amavisd_wblist``
    needs; without it iRedAPD has no amavisd connection.
    """
    tarball = require_tarball()
    python = iredapd_python(tarball)
    home = unpack(tarball, directory)
    backend = "pgsql" if make_url(vmail_dsn).get_backend_name() == "postgresql" else "mysql"
    port = free_port()
    databases = {
        "vmail": login_for(vmail_dsn),
        "iredapd": login_for(iredapd_dsn),
        "amavisd": login_for(amavisd_dsn) if amavisd_dsn else None,
    }
    (home / "settings.py").write_text(
        settings_text(
            (home / "settings.py.sample").read_text(), backend=backend, port=port, directory=directory,
            plugins=plugins, databases=databases, extra=extra_settings or {},
        )  # fmt: skip
    )
    log = directory / "iredapd.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(python), "iredapd.py", "--foreground"], cwd=home, stdout=output, stderr=subprocess.STDOUT
        )
    server = Iredapd(port=port, process=process, log=log)
    try:
        _wait_until_listening(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
