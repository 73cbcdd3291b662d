"""Standalone admins in ``vmail`` (``admin`` + ``domain_admins``) and who manages a domain.

Mail users holding rights are ``mailbox`` rows with ``isadmin``/``isglobaladmin`` and their
``domain_admins`` rows (reference: pro-api-storage 1.1, 1.3).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.admin_settings import limits_of, with_limits
from gateway.backends.sql import tables as t
from gateway.backends.sql.admin_rights import revoke_if_no_domains, set_global_row
from gateway.backends.sql.admins import ALL_DOMAINS, SqlAdmins
from gateway.backends.sql.domains import is_hosted, locked_domain
from gateway.backends.sql.engine import retried
from gateway.backends.sql.existence import address_taken
from gateway.backends.sql.rows import row_by_key
from gateway.backends.sql.settings_column import format_settings, parse_settings
from gateway.clock import utcnow
from gateway.errors import Conflict, ErrorCode, InvalidInput, NotFound
from gateway.model import Admin, AdminChanges, AdminLimits

FLAG_KEYS = {
    "disable_viewing_mail_log": "disable_viewing_mail_log",
    "disable_managing_quarantined_mails": "disable_managing_quarantined_mails",
}


async def _rights(conn: AsyncConnection, usernames: Any) -> dict[str, set[str]]:
    a = t.domain_admins
    held: dict[str, set[str]] = {}
    for username, domain in await conn.execute(select(a.c.username, a.c.domain).where(a.c.username.in_(usernames))):
        held.setdefault(username, set()).add(domain)
    return held


def _standalone(row: Row[Any], rights: set[str]) -> Admin:
    settings = parse_settings(row.settings)
    is_global = ALL_DOMAINS in rights
    return Admin(
        email=row.username,
        name=row.name or "",
        language=row.language or "",
        active=bool(row.active),
        is_global=is_global,
        standalone=True,
        domains=tuple(sorted(rights - {ALL_DOMAINS})),
        limits=AdminLimits() if is_global else limits_of(settings),
        disable_viewing_mail_log=settings.get("disable_viewing_mail_log") == "yes",
        disable_managing_quarantined_mails=settings.get("disable_managing_quarantined_mails") == "yes",
        created=row.created,
        password_last_change=row.passwordlastchange,
    )


def _mail_user(row: Row[Any], rights: set[str]) -> Admin:
    return Admin(
        email=row.username,
        name=row.name or "",
        language=row.language or "",
        active=bool(row.active),
        is_global=bool(row.isglobaladmin) or ALL_DOMAINS in rights,
        standalone=False,
        domains=tuple(sorted(rights - {ALL_DOMAINS})),
        limits=AdminLimits(),
        created=row.created,
        password_last_change=row.passwordlastchange,
    )


async def fetch_admin(conn: AsyncConnection, email: str, *, lock: bool = False) -> Admin | None:
    row = await row_by_key(conn, t.admin.c.username, email, lock=lock)
    if row is None:
        return None
    return _standalone(row, (await _rights(conn, [email])).get(email, set()))


async def fetch_admins(conn: AsyncConnection, active: bool | None) -> list[Admin]:
    """Standalone admins and mailboxes holding rights (flags or ``domain_admins`` rows)."""
    a, m = t.admin, t.mailbox
    standalone = select(a).order_by(a.c.username)
    holders = select(t.domain_admins.c.username)
    users = select(m).where(or_(m.c.isadmin == 1, m.c.isglobaladmin == 1, m.c.username.in_(holders)))
    if active is not None:
        standalone = standalone.where(a.c.active == int(active))
        users = users.where(m.c.active == int(active))
    admin_rows = (await conn.execute(standalone)).all()
    user_rows = (await conn.execute(users.order_by(m.c.username))).all()
    rights = await _rights(conn, [row.username for row in (*admin_rows, *user_rows)])
    found = [_standalone(row, rights.get(row.username, set())) for row in admin_rows]
    found += [_mail_user(row, rights.get(row.username, set())) for row in user_rows]
    return sorted(found, key=lambda admin: admin.email)


def _settings_text(current: str | None, changes: AdminChanges, is_global: bool) -> str:
    settings = with_limits(parse_settings(current), changes.limits, is_global=is_global)
    for name, key in FLAG_KEYS.items():
        value = getattr(changes, name)
        if value is True:
            settings[key] = "yes"
        elif value is False:
            settings.pop(key, None)
    return format_settings(settings)


async def insert_admin(conn: AsyncConnection, email: str, changes: AdminChanges) -> None:
    if await is_hosted(conn, email.rsplit("@", 1)[1]):
        raise InvalidInput(ErrorCode.CAN_NOT_BE_LOCAL_DOMAIN)
    if await address_taken(conn, email):
        raise Conflict(ErrorCode.ALREADY_EXISTS)
    now = utcnow()
    is_global = bool(changes.is_global)
    await conn.execute(
        insert(t.admin).values(
            username=email,
            password=changes.password_hash,
            name=changes.name or "",
            language=changes.language or "en_US",
            passwordlastchange=now,
            settings=_settings_text(None, changes, is_global),
            created=now,
            active=int(changes.active is not False),
        )
    )
    if is_global:
        await set_global_row(conn, email, True)


async def update_admin_row(conn: AsyncConnection, email: str, changes: AdminChanges) -> None:
    current = await fetch_admin(conn, email, lock=True)
    if current is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    is_global = current.is_global if changes.is_global is None else changes.is_global
    settings_now = (await conn.execute(select(t.admin.c.settings).where(t.admin.c.username == email))).scalar()
    values: dict[str, Any] = {"settings": _settings_text(settings_now, changes, is_global), "modified": utcnow()}
    if changes.name is not None:
        values["name"] = changes.name
    if changes.language is not None:
        values["language"] = changes.language
    if changes.active is not None:
        values["active"] = int(changes.active)
    if changes.password_hash is not None:
        values.update(password=changes.password_hash, passwordlastchange=utcnow())
    await conn.execute(update(t.admin).where(t.admin.c.username == email).values(**values))
    if changes.is_global is not None and changes.is_global != current.is_global:
        await set_global_row(conn, email, changes.is_global)


async def delete_admin_rows(conn: AsyncConnection, email: str) -> None:
    if await fetch_admin(conn, email, lock=True) is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    await conn.execute(delete(t.admin).where(t.admin.c.username == email))
    await conn.execute(delete(t.domain_admins).where(t.domain_admins.c.username == email))
    await conn.execute(update(t.mailbox).where(t.mailbox.c.username == email).values(isadmin=0, isglobaladmin=0))


async def _existing(conn: AsyncConnection, emails: Collection[str]) -> set[str]:
    """Which of ``emails`` are standalone admins or mailboxes."""
    wanted = list(emails)
    found = set((await conn.execute(select(t.admin.c.username).where(t.admin.c.username.in_(wanted)))).scalars())
    found |= set((await conn.execute(select(t.mailbox.c.username).where(t.mailbox.c.username.in_(wanted)))).scalars())
    return found


async def assign_domain_admins(
    conn: AsyncConnection, domain: str, *, add: Collection[str], remove: Collection[str], remove_all: bool
) -> None:
    await locked_domain(conn, domain)
    if set(add) - await _existing(conn, add):
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT, "addAdmin names an address that is neither an admin nor a mailbox")
    a = t.domain_admins
    here = a.c.domain == domain
    current = set((await conn.execute(select(a.c.username).where(here))).scalars())
    leaving = current if remove_all else current & set(remove)
    if leaving:
        await conn.execute(delete(a).where(here, a.c.username.in_(list(leaving))))
    now = utcnow()
    for email in sorted(set(add) - (current - leaving)):
        await conn.execute(insert(a).values(username=email, domain=domain, created=now, active=1))
    if add:
        await conn.execute(update(t.mailbox).where(t.mailbox.c.username.in_(list(add))).values(isadmin=1))
    await revoke_if_no_domains(conn, leaving - set(add))


async def stored_hash(conn: AsyncConnection, email: str, *, admin: bool) -> str | None:
    if admin:
        found = (await conn.execute(select(t.admin.c.password).where(t.admin.c.username == email))).scalar()
        if found is not None:
            return str(found)
        m = t.mailbox
        holders = select(t.domain_admins.c.username)
        query = select(m.c.password).where(
            m.c.username == email, or_(m.c.isadmin == 1, m.c.isglobaladmin == 1, m.c.username.in_(holders))
        )
    else:
        query = select(t.mailbox.c.password).where(t.mailbox.c.username == email)
    value = (await conn.execute(query)).scalar()
    return None if value is None else str(value)


class SqlAdminStore(SqlAdmins):
    """The ``AdminStore`` over ``vmail``: rights lookups and the admin accounts."""

    async def get_admin(self, email: str) -> Admin | None:
        async with self.reading() as conn:
            return await fetch_admin(conn, email)

    async def list_admins(self, *, active: bool | None = None) -> list[Admin]:
        async with self.reading() as conn:
            return await fetch_admins(conn, active)

    async def admin_limits(self, email: str) -> AdminLimits | None:
        admin = await self.get_admin(email)
        return None if admin is None or admin.is_global else admin.limits

    @retried
    async def create_admin(self, email: str, changes: AdminChanges) -> None:
        async with self.writing() as conn:
            await insert_admin(conn, email, changes)

    @retried
    async def update_admin(self, email: str, changes: AdminChanges) -> None:
        async with self.writing() as conn:
            await update_admin_row(conn, email, changes)

    @retried
    async def delete_admin(self, email: str) -> None:
        async with self.writing() as conn:
            await delete_admin_rows(conn, email)

    @retried
    async def set_domain_admins(
        self, domain: str, *, add: Collection[str], remove: Collection[str], remove_all: bool
    ) -> None:
        async with self.writing() as conn:
            await assign_domain_admins(conn, domain, add=add, remove=remove, remove_all=remove_all)

    async def stored_hash(self, email: str, *, admin: bool) -> str | None:
        async with self.reading() as conn:
            return await stored_hash(conn, email, admin=admin)
