"""Storage for transfers: settings the command line would be given, and the storage read directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gateway.backends.sql.engine import make_engine
from gateway.passwords import hash_password
from gateway.settings import Settings
from tests.databases import PreparedPool, prepared_pair
from tests.ldap_server import LdapServer
from tests.rest.conftest import gateway_settings, ldap_settings
from tests.storage import LdapStorage, SqlStorage, Storage, fetch

STRONG = "Str0ng-Passw0rd!"

# every kind of record, with values that differ from the defaults
DOCUMENT: dict[str, Any] = {
    "domains": [
        {"domain": "example.com", "description": "Example", "max_users": 50, "max_aliases": 20,
         "default_user_quota": 512, "max_user_quota": 2048, "min_password_length": 10, "default_language": "de_DE"},
        {"domain": "other.org", "active": False, "transport": "relay:[10.0.0.1]"},
    ],
    "users": [
        {"email": "john@example.com", "name": "John Smith", "password": STRONG, "quota": 1024,
         "employee_id": "E-1"},
        {"email": "mary@example.com", "name": "Mary", "password_hash": hash_password("Other-Passw0rd!", "SSHA"),
         "active": False, "language": "fr_FR"},
        {"email": "carol@other.org", "name": "Carol", "password": STRONG, "transport": "smtp:[10.0.0.2]"},
    ],
    "aliases": [
        {"address": "team@example.com", "name": "Team", "members": ["john@example.com", "Mary@Example.com"],
         "access_policy": "domain"},
        {"address": "old@example.com", "members": ["x@elsewhere.net"], "active": False},
    ],
    "forwardings": [
        {"email": "john@example.com", "targets": ["john@example.com", "j@elsewhere.net"]},
        {"email": "carol@other.org", "targets": ["c@elsewhere.net"]},
    ],
    "throttles": [
        {"target": "global", "kind": "inbound", "period": 86400, "max_msgs": 10000},
        {"target": "example.com", "kind": "outbound", "period": 3600, "max_msgs": 100, "max_rcpts": 20},
        {"target": "john@example.com", "kind": "outbound", "period": 60, "msg_size": 1048576},
    ],
}  # fmt: skip


@asynccontextmanager
async def storage_of(request: pytest.FixtureRequest, kind: str, directory: Path) -> AsyncIterator[
    tuple[Settings, Storage]
]:
    """Empty storage of ``kind`` (an SQL kind or "ldap"): the settings to reach it, and a direct reader."""
    pool: PreparedPool = request.getfixturevalue("prepared_pool")
    directory.mkdir(parents=True, exist_ok=True)
    storage: Storage
    if kind == "ldap":
        server: LdapServer = request.getfixturevalue("ldap_tree")
        with prepared_pair("sqlite", directory, pool) as databases:
            storage = LdapStorage(
                server, make_engine(databases.vmail, "iredadmin"), make_engine(databases.iredapd, "iredapd")
            )
            try:
                yield ldap_settings(server, databases), storage
            finally:
                await storage.ancillary.dispose()
                await storage.iredapd.dispose()
        return
    with prepared_pair(kind, directory, pool) as databases:
        storage = SqlStorage(kind, make_engine(databases.vmail, "vmail"), make_engine(databases.iredapd, "iredapd"))
        try:
            yield gateway_settings(databases), storage
        finally:
            await storage.vmail.dispose()
            await storage.iredapd.dispose()


async def accounts(storage: Storage) -> dict[str, Any]:
    """What a transfer must carry, the same way on SQL and LDAP: maildirs and dates are the new server's own."""
    domains = [await storage.domain(name) for name in await storage.domains()]
    users = [replace(user, home="", password_changed=None) for user in await storage.users()]
    throttles = sorted(
        tuple(row[name] for name in ("account", "kind", "priority", "period", "msg_size", "max_msgs", "max_quota",
                                     "max_rcpts"))
        for row in await fetch(storage.iredapd, "SELECT * FROM throttle")
    )  # fmt: skip
    return {"domains": domains, "users": users, "aliases": await storage.aliases(), "throttles": throttles}
