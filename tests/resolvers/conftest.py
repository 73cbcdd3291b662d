"""Resolvers called directly on a gateway over SQLite: real storage, no HTTP.

``gateway`` builds the resolver context the way the application does
(``create_app`` and its lifespan on a fresh SQLite pair) and hands out
contexts acting as its admins. Only this module touches the context's
fields, so that a change to their shape is adapted in one place.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.backends.sql.engine import make_engine
from gateway.errors import GatewayError
from gateway.model import DomainChanges
from gateway.resolvers import auth, domains, users
from gateway.resolvers.context import Context
from gateway.resolvers.users import UserInput
from tests.databases import DatabasePair, PreparedPool, run_sync
from tests.rest.conftest import gateway_settings
from tests.storage import SqlStorage

ADMIN = "postmaster@admins.test"
ADMIN_PASSWORD = "Adm1n-Secret!"
STRONG = "Str0ng-Passw0rd!"


@dataclass
class Gateway:
    """A running gateway's resolver context, and its storage read directly."""

    context: Context
    storage: SqlStorage

    async def login(self, username: str, password: str) -> Context:
        """The context of ``username`` once logged in through the login resolver."""
        actor = await auth.login(ctx=self.context, username=username, password=password)
        return self.context.acting_as(actor)

    async def admin(self) -> Context:
        """The global admin ADMIN."""
        return await self.login(ADMIN, ADMIN_PASSWORD)

    def anonymous(self) -> Context:
        """Nobody logged in."""
        return self.context.acting_as(None)

    async def domain_admin(self, email: str, *domains: str, active: bool = True) -> Context:
        """A standalone admin of ``domains``, created in storage; logged in when ``active``."""
        await self.storage.add_admin(email, STRONG, active=active)
        for domain in domains:
            await self.storage.grant_domain(email, domain)
        return await self.login(email, STRONG) if active else self.anonymous()

    async def snapshot(self) -> dict[str, Any]:
        """Every row the gateway writes, for nothing-written assertions."""
        return await self.storage.snapshot()

    @asynccontextmanager
    async def refused(self, code: str) -> AsyncIterator[None]:
        """The block raises ``code`` and leaves storage as it found it."""
        before = await self.snapshot()
        with pytest.raises(GatewayError) as caught:
            yield
        assert caught.value.code == code, caught.value
        assert await self.snapshot() == before

    async def with_domains(self) -> Context:
        """Domains example.com (user bob) and other.org (user carol); the global admin's context."""
        ctx = await self.admin()
        for name in ("example.com", "other.org"):
            await domains.create_domain(ctx=ctx, name=name, changes=DomainChanges())
        await users.create_user(ctx=ctx, email="bob@example.com", data=UserInput(password=STRONG))
        await users.create_user(ctx=ctx, email="carol@other.org", data=UserInput(password=STRONG))
        return ctx


GatewayFactory = Callable[..., AbstractAsyncContextManager[Gateway]]


class Templates:
    """SQLite pairs prepared once per session, copied for each test: a copy costs less than the writes.

    "empty" holds ADMIN only; "seeded" also example.com (bob) and other.org (carol).
    """

    def __init__(self, pool: PreparedPool, directory: Path) -> None:
        self._pool = pool
        self._directory = directory
        self._made: dict[str, DatabasePair] = {}

    def copy(self, name: str, directory: Path) -> DatabasePair:
        if name not in self._made:
            pair = self._pool.sqlite_copy(Path(tempfile.mkdtemp(dir=self._directory)))
            run_sync(_fill(pair, seeded=name == "seeded"))
            self._made[name] = pair
        return _copied(self._made[name], directory)


def _copied(pair: DatabasePair, directory: Path) -> DatabasePair:
    urls = []
    for url in (pair.vmail, pair.iredapd, pair.amavisd):
        source = Path(url.removeprefix("sqlite+aiosqlite:///"))
        target = directory / source.name
        shutil.copyfile(source, target)
        urls.append(f"sqlite+aiosqlite:///{target}")
    return replace(pair, vmail=urls[0], iredapd=urls[1], amavisd=urls[2])


async def _fill(pair: DatabasePair, *, seeded: bool) -> None:
    async with _running(pair) as gateway:
        await gateway.storage.add_admin(ADMIN, ADMIN_PASSWORD, global_admin=True)
        if seeded:
            await gateway.with_domains()


@asynccontextmanager
async def _running(databases: DatabasePair, **overrides: Any) -> AsyncIterator[Gateway]:
    """The application's lifespan on ``databases``, its resolver context in hand."""
    settings = gateway_settings(databases, **overrides)
    storage = SqlStorage(
        "sqlite", make_engine(databases.vmail, "vmail"), make_engine(databases.iredapd, "iredapd"),
        make_engine(databases.amavisd, "amavisd"),
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            context: Context = app.state.context
            yield Gateway(context=context, storage=storage)
    finally:
        await storage.vmail.dispose()
        await storage.iredapd.dispose()
        await storage.amavisd.dispose()


@pytest.fixture(scope="session")
def templates(prepared_pool: PreparedPool, tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(prepared_pool, tmp_path_factory.mktemp("resolver-templates"))


@pytest.fixture
def open_gateway(templates: Templates, tmp_path: Path) -> GatewayFactory:
    """Open a gateway with settings ``overrides`` on a copy of a template ("empty" or "seeded")."""

    @asynccontextmanager
    async def opened(template: str = "empty", **overrides: Any) -> AsyncIterator[Gateway]:
        databases = templates.copy(template, Path(tempfile.mkdtemp(dir=tmp_path)))
        async with _running(databases, **overrides) as gateway:
            yield gateway

    return opened


@pytest.fixture
async def gateway(request: pytest.FixtureRequest, open_gateway: GatewayFactory) -> AsyncIterator[Gateway]:
    """A gateway with the default settings; already seeded when the test also asks for ``seeded``."""
    async with open_gateway("seeded" if "seeded" in request.fixturenames else "empty") as value:
        yield value


@pytest.fixture
async def admin(gateway: Gateway) -> Context:
    """The global admin's context."""
    return await gateway.admin()


@pytest.fixture
async def seeded(gateway: Gateway) -> Context:
    """The global admin's context on a gateway holding example.com (bob) and other.org (carol)."""
    return await gateway.admin()
