"""Every SQL port reports a database it cannot reach as ``BACKEND_UNAVAILABLE``, and nothing else as such."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql.admins import SqlAdmins
from gateway.backends.sql.aliases import SqlAliases
from gateway.backends.sql.domains import SqlDomains
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.greylisting import SqlGreylisting
from gateway.backends.sql.iredadmin import IredadminDatabase
from gateway.backends.sql.listing import SqlListing
from gateway.backends.sql.mailboxes import SqlUsers
from gateway.backends.sql.throttles import SqlThrottles
from gateway.errors import BackendUnavailable, GatewayError
from gateway.model import DomainChanges
from tests.backends.sql.test_engine_errors import MARIADB, POSTGRESQL, closed_port, server_url

Call = Callable[[AsyncEngine], Awaitable[object]]

# a read and a write of every port
CALLS: dict[str, Call] = {
    "domains.get_domain": lambda e: SqlDomains(e).get_domain("example.com"),
    "domains.create_domain": lambda e: SqlDomains(e).create_domain("example.com", DomainChanges()),
    "users.get_user": lambda e: SqlUsers(e).get_user("john@example.com"),
    "users.delete_user": lambda e: SqlUsers(e).delete_user("john@example.com", admin="a@b.c", delete_date=None),
    "aliases.list_aliases": lambda e: SqlAliases(e).list_aliases("example.com"),
    "aliases.delete_alias": lambda e: SqlAliases(e).delete_alias("sales@example.com"),
    "admins.load_actor": lambda e: SqlAdmins(e).load_actor("admin@example.com"),
    "admins.admin_credentials": lambda e: SqlAdmins(e).admin_credentials("admin@example.com"),
    "listing.stats": lambda e: SqlListing(e).stats(None),
    "listing.used_quota": lambda e: SqlListing(e).used_quota(["john@example.com"]),
    "throttles.list": lambda e: SqlThrottles(e).list(["john@example.com"]),
    "throttles.delete": lambda e: SqlThrottles(e).delete("john@example.com"),
    "greylisting.settings": lambda e: SqlGreylisting(e).settings(None),
    "greylisting.update_whitelists": lambda e: SqlGreylisting(e).update_whitelists(
        "@example.com", replace=None, add=["192.0.2.1"], remove=()
    ),
    "iredadmin.used_by_domain": lambda e: IredadminDatabase(e).used_by_domain(None),
    "iredadmin.deleted_maildirs": lambda e: IredadminDatabase(e).deleted_maildirs("john@example.com"),
}


@pytest.fixture(params=[MARIADB, POSTGRESQL, "sqlite"])
async def unreachable(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    """An engine on a server that refuses every connection (SQLite: a file in a missing directory)."""
    kind: str = request.param
    with closed_port() as port:
        if kind == "sqlite":
            url = "sqlite+aiosqlite:////nonexistent-directory/vmail.sqlite3"
        else:
            url = server_url(kind, port=port, database="vmail")
        engine = make_engine(url, "vmail", timeout=2)
        yield engine
        await engine.dispose()


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_an_unreachable_database_is_backend_unavailable(unreachable: AsyncEngine, call: Call) -> None:
    with pytest.raises(BackendUnavailable) as caught:
        await call(unreachable)
    assert (caught.value.code, caught.value.http_status) == ("BACKEND_UNAVAILABLE", 503)
    assert isinstance(caught.value.__cause__, (DBAPIError, OSError, TimeoutError))


async def test_a_failing_statement_stays_a_fault(tmp_path: Path) -> None:
    """A database without iRedMail's tables answers, but each statement fails: not an outage, no 503."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'vmail.sqlite3'}", "vmail")
    try:
        with pytest.raises(DBAPIError) as caught:
            await SqlDomains(engine).get_domain("example.com")
        assert not isinstance(caught.value, GatewayError)
        with pytest.raises(DBAPIError):
            await SqlUsers(engine).delete_user("john@example.com", admin="a@b.c", delete_date=date(2030, 1, 1))
    finally:
        await engine.dispose()
