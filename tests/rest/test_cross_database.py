"""Writes that span the account store (vmail or the directory) and iRedAPD's database.

Creating or deleting a user or a domain clears the address's throttles in
``iredapd``: both databases change, or neither does.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from gateway.backends.sql.engine import make_engine
from tests.conftest import require_server
from tests.rest.conftest import STRONG, Api, backend_api, logged_in, serving, with_two_domains
from tests.storage import LdapStorage, SqlStorage, Storage

# (method, path, parameters): each creates or deletes an account whose address has throttle rows
ACCOUNT_WRITES = [
    pytest.param("POST", "/api/user/new@example.com", {"password": STRONG}, id="create-user"),
    pytest.param("DELETE", "/api/user/bob@example.com", {}, id="delete-user"),
    pytest.param("POST", "/api/domain/new.org", {}, id="create-domain"),
    pytest.param("DELETE", "/api/domain/example.com", {}, id="delete-domain"),
]


async def add_throttle(api: Api, account: str, *, tracked: bool = True) -> None:
    """A throttle row of ``account`` (and a tracking row), written straight to iredapd."""
    await api.execute(
        "INSERT INTO throttle (account, kind, priority, period, msg_size, max_msgs, max_quota, max_rcpts)"
        " VALUES (:account, 'outbound', 10, 60, -1, 5, -1, -1)",
        "iredapd", account=account,
    )  # fmt: skip
    if tracked:
        [row] = await api.rows("SELECT id FROM throttle WHERE account = :account", "iredapd", account=account)
        await api.execute(
            "INSERT INTO throttle_tracking (tid, account, period) VALUES (:tid, :account, 60)",
            "iredapd", tid=row["id"], account=account,
        )  # fmt: skip


async def throttled(api: Api) -> list[str]:
    """The accounts having throttle rows, sorted."""
    return sorted(row["account"] for row in await api.rows("SELECT account FROM throttle", "iredapd"))


async def tracked(api: Api) -> list[str]:
    """The accounts having throttle tracking rows, sorted."""
    return sorted(row["account"] for row in await api.rows("SELECT account FROM throttle_tracking", "iredapd"))


async def with_throttles(api: Api) -> Api:
    """example.com (bob) and other.org (carol), each address and domain throttled and tracked,
    and rows left over for new@example.com and new.org, which do not exist."""
    await with_two_domains(api)
    for account in ("bob@example.com", "@example.com", "carol@other.org", "new@example.com", "@new.org", "x@new.org"):
        await add_throttle(api, account)
    return api


@pytest.fixture
async def throttled_api(admin_api: Api) -> Api:
    """``with_throttles`` on every storage."""
    return await with_throttles(admin_api)


@pytest.fixture(params=["mariadb", "postgresql"])
async def server_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """``with_throttles`` on the database servers, whose logins can be refused."""
    require_server(request.param)
    async with backend_api(request, request.param, tmp_path) as api:
        yield await with_throttles(await logged_in(api))


@contextmanager
def closed_port() -> Iterator[int]:
    """A local port bound but never listening: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def unreachable_iredapd(kind: str, port: int) -> str:
    """An iredapd DSN that cannot be opened, in the shape a deployment on ``kind`` would have."""
    if kind == "sqlite":
        return "sqlite+aiosqlite:////nonexistent-directory/iredapd.sqlite3"
    scheme = "postgresql" if kind == "postgresql" else "mysql"
    return f"{scheme}://root@127.0.0.1:{port}/iredapd"


def same_storage(storage: Storage) -> Storage:
    """A second view of ``storage`` with engines of its own (``serving`` disposes them at the end)."""
    iredapd = make_engine(storage.iredapd.url.render_as_string(hide_password=False), "iredapd")
    ancillary = make_engine(storage.ancillary.url.render_as_string(hide_password=False), "vmail")
    amavisd = make_engine(storage.amavisd.url.render_as_string(hide_password=False), "amavisd")
    if isinstance(storage, LdapStorage):
        return LdapStorage(storage.server, ancillary, iredapd, amavisd)
    assert isinstance(storage, SqlStorage)
    return SqlStorage(storage.kind, ancillary, iredapd, amavisd)


@asynccontextmanager
async def with_iredapd(api: Api, dsn: str) -> AsyncIterator[Api]:
    """A second gateway on ``api``'s account store whose iredapd is ``dsn``, ADMIN logged in."""
    settings = api.settings.model_copy(update={"iredapd_dsn": SecretStr(dsn)})
    async with serving(settings, same_storage(api.storage)) as other:
        yield await logged_in(other)


async def assert_refused_unchanged(api: Api, dsn: str, method: str, path: str, data: dict[str, Any]) -> None:
    before = await api.snapshot()
    async with with_iredapd(api, dsn) as broken:
        response = await broken.call(method, path, **data)
    assert (response.status_code, response.json()) == (503, {"success": False, "msg": "BACKEND_UNAVAILABLE"})
    assert_unchanged_but_a_login(before, await api.snapshot())


def assert_unchanged_but_a_login(before: dict[str, Any], after: dict[str, Any]) -> None:
    """``after`` is ``before`` but for one admin-log row more: the second gateway's login (never the refused write)."""
    logged = before.pop("log")
    assert [row["event"] for row in after.pop("log") if row not in logged] == ["login"]
    assert after == before


# iredapd unreachable: refused before the account store is touched


@pytest.mark.parametrize(("method", "path", "data"), ACCOUNT_WRITES)
async def test_unreachable_iredapd_refuses_and_changes_nothing(
    throttled_api: Api, method: str, path: str, data: dict[str, Any]
) -> None:
    with closed_port() as port:
        await assert_refused_unchanged(throttled_api, unreachable_iredapd(throttled_api.kind, port), method, path, data)


@pytest.mark.parametrize(("method", "path", "data"), ACCOUNT_WRITES)
async def test_iredapd_refusing_the_login_refuses_and_changes_nothing(
    server_api: Api, method: str, path: str, data: dict[str, Any]
) -> None:
    """MariaDB: a wrong password (1045); PostgreSQL (trust authentication here): an unknown database (3D000)."""
    url = server_api.storage.iredapd.url
    refused = url.set(password="not-the-password") if server_api.kind == "mariadb" else url.set(database="no_iredapd")
    await assert_refused_unchanged(server_api, refused.render_as_string(hide_password=False), method, path, data)


# the account write refused: the iredapd side is rolled back


async def test_a_refused_user_create_keeps_the_throttles(throttled_api: Api) -> None:
    before = await throttled_api.snapshot()
    response = await throttled_api.call("POST", "/api/user/bob@example.com", password=STRONG)
    assert (response.status_code, response.json()["msg"]) == (409, "ALREADY_EXISTS")
    assert await throttled_api.snapshot() == before
    response = await throttled_api.call("PUT", "/api/domain/example.com", numberOfUsers="1")
    assert response.status_code == 200, response.text
    before = await throttled_api.snapshot()
    response = await throttled_api.call("POST", "/api/user/new@example.com", password=STRONG)
    assert (response.status_code, response.json()["msg"]) == (409, "EXCEEDED_DOMAIN_ACCOUNT_LIMIT")
    assert await throttled_api.snapshot() == before
    assert "new@example.com" in await throttled(throttled_api)


async def test_a_refused_domain_create_keeps_the_throttles(throttled_api: Api) -> None:
    before = await throttled_api.snapshot()
    response = await throttled_api.call("POST", "/api/domain/example.com")
    assert (response.status_code, response.json()["msg"]) == (409, "ALREADY_EXISTS")
    assert await throttled_api.snapshot() == before


async def test_deleting_what_does_not_exist_keeps_the_throttles(throttled_api: Api) -> None:
    before = await throttled_api.snapshot()
    response = await throttled_api.call("DELETE", "/api/user/new@example.com")
    assert (response.status_code, response.json()["msg"]) == (404, "NO_SUCH_ACCOUNT")
    response = await throttled_api.call("DELETE", "/api/domain/new.org")
    assert (response.status_code, response.json()["msg"]) == (404, "NO_SUCH_DOMAIN")
    assert await throttled_api.snapshot() == before


# both sides written


async def test_creates_clear_the_rows_left_by_an_earlier_account(throttled_api: Api) -> None:
    response = await throttled_api.call("POST", "/api/domain/new.org")
    assert response.status_code == 201, response.text
    response = await throttled_api.call("POST", "/api/user/new@example.com", password=STRONG)
    assert response.status_code == 201, response.text
    kept = ["@example.com", "bob@example.com", "carol@other.org"]
    assert await throttled(throttled_api) == kept
    assert await tracked(throttled_api) == kept


async def test_deletes_remove_the_throttles_and_their_tracking(throttled_api: Api) -> None:
    response = await throttled_api.call("DELETE", "/api/user/carol@other.org")
    assert response.status_code == 200, response.text
    response = await throttled_api.call("DELETE", "/api/domain/example.com")
    assert response.status_code == 200, response.text
    left = ["@new.org", "x@new.org"]  # rows of new.org, a domain no delete concerned
    assert await throttled(throttled_api) == left
    assert await tracked(throttled_api) == left


# the iredapd commit failing after the account write committed

FAIL_COMMITS = [
    "CREATE SEQUENCE throttle_removals",
    """CREATE FUNCTION refuse_first_removals() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF nextval('throttle_removals') <= 2 THEN RAISE EXCEPTION 'removal refused at commit'; END IF;
        RETURN NULL;
    END $$""",
    "CREATE CONSTRAINT TRIGGER refuse_first_removals AFTER DELETE ON throttle"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_first_removals()",
]
ALLOW_COMMITS = [
    "DROP TRIGGER refuse_first_removals ON throttle",
    "DROP FUNCTION refuse_first_removals()",
    "DROP SEQUENCE throttle_removals",
]


@pytest.fixture
async def postgresql_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """``with_throttles`` on PostgreSQL, where a deferred trigger can refuse a COMMIT."""
    require_server("postgresql")
    async with backend_api(request, "postgresql", tmp_path) as api:
        yield await with_throttles(await logged_in(api))


async def test_a_removal_refused_at_commit_is_redone_by_the_next_write(
    postgresql_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    api = postgresql_api
    for statement in FAIL_COMMITS:  # the first two commits that remove a throttle row fail, at COMMIT
        await api.execute(statement, "iredapd")
    try:
        response = await api.call("POST", "/api/user/new@example.com", password=STRONG)
        assert response.status_code == 201, response.text  # the user was written; the answer says so
        assert await api.storage.user("new@example.com") is not None
        assert "new@example.com" in await throttled(api)  # commit and its immediate retry refused
        assert "new@example.com" in caplog.text and "may not have committed" in caplog.text

        response = await api.call("POST", "/api/throttle/carol@other.org/inbound", period="60")
        assert response.status_code == 200, response.text
    finally:
        for statement in ALLOW_COMMITS:
            await api.execute(statement, "iredapd")
    assert "new@example.com" not in await throttled(api)
    assert "new@example.com" not in await tracked(api)
    assert "carol@other.org" in await throttled(api)
