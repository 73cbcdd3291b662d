"""Opening the configured backends: the account ports, iRedAPD's throttles, Amavisd's policies, the sessions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.base import (
    AccountStores,
    AuditLogStore,
    GreylistingStore,
    SpamPolicyStore,
    ThrottleStore,
    WblistStore,
    account_ports,
)
from gateway.backends.ldap import DirectoryStore, LdapPool, ldap_account_stores
from gateway.backends.sql.amavisd import SqlAmavisd
from gateway.backends.sql.audit import SqlAuditLog
from gateway.backends.sql.engine import make_engine
from gateway.backends.sql.greylisting import SqlGreylisting
from gateway.backends.sql.iredadmin import IredadminDatabase
from gateway.backends.sql.ports import sql_account_stores
from gateway.backends.sql.sessions import SqlSessions
from gateway.backends.sql.throttles import SqlThrottles
from gateway.errors import ConfigurationError
from gateway.settings import Settings

Probe = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Backends(AccountStores):
    """The ports the resolvers use, by name, and how to check and close the stores behind them.

    ``audit`` is iRedAdmin's admin log on every install.
    """

    throttles: ThrottleStore
    spam_policies: SpamPolicyStore
    wblists: WblistStore
    sessions: SqlSessions
    greylisting: GreylistingStore
    audit: AuditLogStore
    probes: dict[str, Probe]
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    engines: dict[str, AsyncEngine] = field(default_factory=dict)
    ldap_pool: LdapPool | None = None

    async def unreachable(self, timeout: float = 5.0) -> list[str]:
        """Names of the stores that do not answer within ``timeout``."""

        async def ok(probe: Probe) -> bool:
            try:
                await asyncio.wait_for(probe(), timeout)
            except Exception:  # any failure means "not ready"; the reason is not the client's business
                return False
            return True

        names = list(self.probes)
        results = await asyncio.gather(*(ok(self.probes[name]) for name in names))
        return [name for name, good in zip(names, results, strict=True) if not good]

    async def aclose(self) -> None:
        for close in self.closers:
            await close()


def sql_probe(engine: AsyncEngine) -> Probe:
    """A readiness probe: ``SELECT 1`` on ``engine``."""
    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return probe


def open_backends(settings: Settings) -> Backends:
    """Create the stores named by ``settings``; no connection is made yet."""
    timeout = settings.database_timeout
    iredadmin_url = settings.iredadmin_url()
    if iredadmin_url is None:
        raise ConfigurationError(detail="GATEWAY_IREDADMIN_DSN is required: sessions live in the iredadmin database")
    iredapd = make_engine(settings.iredapd_url(), "GATEWAY_IREDAPD_DSN", timeout=timeout)
    iredadmin = make_engine(iredadmin_url, "GATEWAY_IREDADMIN_DSN", timeout=timeout)
    amavisd = make_engine(settings.required_amavisd_url(), "GATEWAY_AMAVISD_DSN", timeout=timeout)
    policy = SqlAmavisd(amavisd)
    # the policy stores, sessions and the admin log: in SQL on LDAP installs too
    sql_ports: dict[str, Any] = {
        "throttles": SqlThrottles(iredapd),
        "spam_policies": policy,
        "wblists": policy,
        "sessions": SqlSessions(iredadmin),
        "greylisting": SqlGreylisting(iredapd),
        "audit": SqlAuditLog(iredadmin),
    }
    if settings.backend == "ldap":
        pool = LdapPool(
            settings.ldap_uri,
            settings.ldap_bind_dn,
            settings.ldap_bind_password.get_secret_value(),
            timeout=settings.ldap_timeout,
        )
        engines = {"iredapd": iredapd, "amavisd": amavisd, "iredadmin": iredadmin}

        async def ldap_probe() -> None:
            await pool.run(lambda directory: directory.get(settings.ldap_base_dn, ["objectClass"]))

        directory = DirectoryStore(pool, settings.ldap_base_dn, iredadmin=IredadminDatabase(iredadmin))
        return Backends(
            **account_ports(ldap_account_stores(directory)),
            **sql_ports,
            probes={"ldap": ldap_probe, **{name: sql_probe(engine) for name, engine in engines.items()}},
            closers=[pool.aclose, iredapd.dispose, amavisd.dispose, iredadmin.dispose],
            engines=engines,
            ldap_pool=pool,
        )
    vmail = make_engine(settings.vmail_url(), "GATEWAY_VMAIL_DSN", timeout=timeout)
    engines = {"vmail": vmail, "iredapd": iredapd, "amavisd": amavisd, "iredadmin": iredadmin}
    return Backends(
        **account_ports(sql_account_stores(vmail)),
        **sql_ports,
        probes={name: sql_probe(engine) for name, engine in engines.items()},
        closers=[vmail.dispose, iredapd.dispose, amavisd.dispose, iredadmin.dispose],
        engines=engines,
    )
