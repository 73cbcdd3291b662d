"""The account store over ``vmail``: one transaction per operation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.base import AliasUpdate, MaillistStore, UserCheck
from gateway.backends.sql import aliases, domains, listing, mailboxes
from gateway.backends.sql import tables as t
from gateway.backends.sql.admins import ALL_DOMAINS, rights_of
from gateway.backends.sql.engine import retried, write_transaction
from gateway.errors import Conflict, NotFound
from gateway.model import (
    Actor,
    Alias,
    Domain,
    DomainChanges,
    DomainUsage,
    NewUser,
    Page,
    PageQuery,
    Stats,
    UsedQuota,
    User,
    UserChanges,
)


class SqlAccounts:
    """Domains, users, aliases and admins of an iRedMail SQL server."""

    # iRedMail's SQL backends keep mailing lists in mlmmj, reached only through mlmmjadmin
    maillists: MaillistStore | None = None

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with write_transaction(self.engine) as conn:
                yield conn
        except IntegrityError:
            # a concurrent writer created the same key between our check and our insert
            raise Conflict("ALREADY_EXISTS") from None

    async def _locked_domain(self, conn: AsyncConnection, name: str) -> Domain:
        domain = await domains.fetch_domain(conn, name, lock=True)
        if domain is None:
            raise NotFound("NO_SUCH_DOMAIN")
        return domain

    # domains

    async def get_domain(self, name: str) -> Domain | None:
        async with self.engine.connect() as conn:
            return await domains.fetch_domain(conn, name)

    async def list_domains(
        self, *, names: Collection[str] | None = None, active: bool | None = None
    ) -> list[Domain]:
        async with self.engine.connect() as conn:
            return await domains.fetch_domains(conn, names=names, active=active)

    async def domain_usage(self, names: Collection[str]) -> dict[str, DomainUsage]:
        async with self.engine.connect() as conn:
            return await domains.domain_usage(conn, names)

    @retried
    async def create_domain(self, name: str, changes: DomainChanges) -> None:
        async with self._write() as conn:
            if await domains.is_hosted(conn, name):
                raise Conflict("ALREADY_EXISTS")
            await domains.insert_domain(conn, name, changes)

    @retried
    async def update_domain(
        self, name: str, changes: DomainChanges, check: Callable[[Domain, DomainUsage], None]
    ) -> None:
        async with self._write() as conn:
            current = await self._locked_domain(conn, name)
            usage = (await domains.domain_usage(conn, [name]))[name]
            check(current, usage)
            await domains.update_domain_row(conn, current, changes)

    @retried
    async def delete_domain(self, name: str, *, admin: str, delete_date: date | None) -> None:
        async with self._write() as conn:
            await self._locked_domain(conn, name)
            await domains.delete_domain_rows(conn, name, admin=admin, delete_date=delete_date)

    # users

    async def get_user(self, email: str) -> User | None:
        async with self.engine.connect() as conn:
            return await mailboxes.fetch_user(conn, email)

    async def list_users(self, domain: str, *, active: bool | None = None) -> list[User]:
        async with self.engine.connect() as conn:
            return await mailboxes.fetch_users(conn, domain, active=active)

    async def user_emails(self, domain: str) -> list[str]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(t.mailbox.c.username).where(t.mailbox.c.domain == domain).order_by(t.mailbox.c.username)
            )
            return list(rows.scalars())

    @retried
    async def create_user(self, user: NewUser, check: UserCheck) -> None:
        async with self._write() as conn:
            domain = await self._locked_domain(conn, user.domain)
            if await mailboxes.address_taken(conn, user.email):
                raise Conflict("ALREADY_EXISTS")
            usage = (await domains.domain_usage(conn, [user.domain]))[user.domain]
            check(domain, usage, None)
            await mailboxes.insert_user(conn, user)

    @retried
    async def update_user(self, email: str, domain_name: str, changes: UserChanges, check: UserCheck) -> None:
        async with self._write() as conn:
            domain = await self._locked_domain(conn, domain_name)
            current = await mailboxes.fetch_user(conn, email, lock=True)
            if current is None:
                raise NotFound("NO_SUCH_ACCOUNT")
            usage = (await domains.domain_usage(conn, [domain_name]))[domain_name]
            check(domain, usage, current)
            await mailboxes.update_user_row(conn, email, changes)

    @retried
    async def update_domain_users(self, domain: str, changes: UserChanges, *, skip: Collection[str] = ()) -> int:
        async with self._write() as conn:
            await self._locked_domain(conn, domain)
            return await mailboxes.update_domain_users(conn, domain, changes, skip=skip)

    @retried
    async def set_passwords(self, domain: str, hashes: Mapping[str, str]) -> None:
        async with self._write() as conn:
            await self._locked_domain(conn, domain)
            await mailboxes.set_passwords(conn, hashes)

    @retried
    async def delete_user(self, email: str, *, admin: str, delete_date: date | None) -> None:
        async with self._write() as conn:
            if await mailboxes.fetch_user(conn, email, lock=True) is None:
                raise NotFound("NO_SUCH_ACCOUNT")
            await mailboxes.delete_user_rows(conn, email, admin=admin, delete_date=delete_date)

    # aliases

    async def get_alias(self, address: str) -> Alias | None:
        async with self.engine.connect() as conn:
            return await aliases.fetch_alias(conn, address)

    async def list_aliases(self, domain: str, *, active: bool | None = None) -> list[Alias]:
        async with self.engine.connect() as conn:
            return await aliases.fetch_aliases(conn, domain, active=active)

    @retried
    async def create_alias(self, alias: Alias, check: Callable[[Domain, DomainUsage], None]) -> None:
        async with self._write() as conn:
            domain = await self._locked_domain(conn, alias.domain)
            if await mailboxes.address_taken(conn, alias.address):
                raise Conflict("ALREADY_EXISTS")
            usage = (await domains.domain_usage(conn, [alias.domain]))[alias.domain]
            check(domain, usage)
            await aliases.insert_alias(conn, alias)

    @retried
    async def update_alias(self, address: str, apply: AliasUpdate) -> None:
        async with self._write() as conn:
            current = await aliases.fetch_alias(conn, address, lock=True)
            if current is None:
                raise NotFound("NO_SUCH_ACCOUNT")
            await aliases.update_alias_row(conn, current, apply(current))

    @retried
    async def delete_alias(self, address: str) -> None:
        async with self._write() as conn:
            if await aliases.fetch_alias(conn, address, lock=True) is None:
                raise NotFound("NO_SUCH_ACCOUNT")
            await aliases.delete_alias_rows(conn, address)

    # pages and batches

    async def page_domains(self, names: Collection[str] | None, query: PageQuery) -> Page[Domain]:
        async with self.engine.connect() as conn:
            return await listing.page_domains(conn, names, query)

    async def page_users(self, domains: list[str], query: PageQuery) -> dict[str, Page[User]]:
        async with self.engine.connect() as conn:
            return await listing.page_users(conn, domains, query)

    async def page_aliases(self, domains: list[str], query: PageQuery) -> dict[str, Page[Alias]]:
        async with self.engine.connect() as conn:
            return await listing.page_aliases(conn, domains, query)

    async def users_by_email(self, emails: list[str]) -> dict[str, User]:
        async with self.engine.connect() as conn:
            return await listing.users_by_email(conn, emails)

    async def used_quota(self, emails: list[str]) -> dict[str, UsedQuota]:
        async with self.engine.connect() as conn:
            return await listing.used_quota(conn, emails)

    async def alias_memberships(self, emails: list[str]) -> dict[str, tuple[str, ...]]:
        async with self.engine.connect() as conn:
            return await listing.alias_memberships(conn, emails)

    async def domain_admins(self, domains: list[str]) -> dict[str, tuple[str, ...]]:
        async with self.engine.connect() as conn:
            return await listing.domain_admins(conn, domains)

    async def stats(self, names: Collection[str] | None) -> Stats:
        async with self.engine.connect() as conn:
            return await listing.stats(conn, names)

    # admins

    async def admin_credentials(self, username: str) -> str | None:
        """The stored hash of an active admin account, None for anyone else."""
        async with self.engine.connect() as conn:
            if await _load_actor(conn, username) is None:
                return None
            stored = (
                await conn.execute(select(t.admin.c.password).where(t.admin.c.username == username))
            ).scalar()
            if stored is None:
                stored = (
                    await conn.execute(select(t.mailbox.c.password).where(t.mailbox.c.username == username))
                ).scalar()
            return str(stored) if stored is not None else None

    async def load_actor(self, username: str) -> Actor | None:
        async with self.engine.connect() as conn:
            return await _load_actor(conn, username)

    async def admin_rights(self, emails: Collection[str]) -> dict[str, Actor]:
        if not emails:
            return {}
        async with self.engine.connect() as conn:
            return await rights_of(conn, emails)

    async def domain_user_rights(self, domain: str) -> dict[str, Actor]:
        async with self.engine.connect() as conn:
            return await rights_of(conn, select(t.mailbox.c.username).where(t.mailbox.c.domain == domain))


async def _load_actor(conn: AsyncConnection, username: str) -> Actor | None:
    """The admin rights of ``username`` as iRedMail defines them (reference 3.6)."""
    rights = set(
        (
            await conn.execute(
                select(t.domain_admins.c.domain).where(
                    t.domain_admins.c.username == username, t.domain_admins.c.active == 1
                )
            )
        ).scalars()
    )
    admin_row = (
        await conn.execute(select(t.admin.c.active).where(t.admin.c.username == username))
    ).first()
    if admin_row is not None:
        if not admin_row.active or not rights:
            return None
    else:
        mailbox_row = (
            await conn.execute(
                select(t.mailbox.c.active, t.mailbox.c.isadmin, t.mailbox.c.isglobaladmin).where(
                    t.mailbox.c.username == username
                )
            )
        ).first()
        if mailbox_row is None or not mailbox_row.active:
            return None
        if mailbox_row.isglobaladmin:
            rights.add(ALL_DOMAINS)
        if not (mailbox_row.isadmin or mailbox_row.isglobaladmin) or not rights:
            return None
    is_global = ALL_DOMAINS in rights
    return Actor(username=username, is_global=is_global, domains=frozenset(rights - {ALL_DOMAINS}))
