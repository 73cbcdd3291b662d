"""Resolvers called directly on a gateway over SQLite: real storage, no HTTP.

``gateway`` builds the resolver context the way the application does
(``create_app`` and its lifespan on a fresh SQLite pair) and hands out
contexts acting as its admins. Only this module touches the context's
fields, so that a change to their shape is adapted in one place.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
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
from tests.databases import PreparedPool
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


@pytest.fixture
def open_gateway(prepared_pool: PreparedPool, tmp_path: Path) -> GatewayFactory:
    """Open a gateway on a new SQLite pair with settings ``overrides``; ADMIN is its only account."""

    @asynccontextmanager
    async def opened(**overrides: Any) -> AsyncIterator[Gateway]:
        databases = prepared_pool.sqlite_copy(Path(tempfile.mkdtemp(dir=tmp_path)))
        settings = gateway_settings(databases, **overrides)
        storage = SqlStorage("sqlite", make_engine(databases.vmail, "vmail"), make_engine(databases.iredapd, "iredapd"))
        app = create_app(settings)
        try:
            await storage.add_admin(ADMIN, ADMIN_PASSWORD, global_admin=True)
            async with app.router.lifespan_context(app):
                context: Context = app.state.context
                yield Gateway(context=context, storage=storage)
        finally:
            await storage.vmail.dispose()
            await storage.iredapd.dispose()

    return opened


@pytest.fixture
async def gateway(open_gateway: GatewayFactory) -> AsyncIterator[Gateway]:
    """A gateway with the default settings (minimum password length 8)."""
    async with open_gateway() as value:
        yield value


@pytest.fixture
async def admin(gateway: Gateway) -> Context:
    """The global admin's context on an empty gateway."""
    return await gateway.admin()


@pytest.fixture
async def seeded(gateway: Gateway) -> Context:
    """The global admin's context with example.com (bob) and other.org (carol)."""
    return await gateway.with_domains()

