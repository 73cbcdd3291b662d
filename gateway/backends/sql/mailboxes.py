"""Mail users in ``vmail``: the ``mailbox`` row and the user's own forwardings."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, delete, insert, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.base import AdminBound, UserCheck
from gateway.backends.sql import tables as t
from gateway.backends.sql.admin_limits import check_admin, lock_admin
from gateway.backends.sql.admin_rights import set_user_global
from gateway.backends.sql.domains import domain_usage, locked_domain, locked_domain_usage, record_deleted_mailboxes
from gateway.backends.sql.engine import retried
from gateway.backends.sql.existence import address_taken as address_taken  # re-exported
from gateway.backends.sql.existence import addresses_taken
from gateway.backends.sql.forwardings import USER_TARGETS, targets_of, with_targets
from gateway.backends.sql.new_accounts import new_account
from gateway.backends.sql.port import SqlPort
from gateway.backends.sql.reads import read
from gateway.backends.sql.rows import row_by_key
from gateway.backends.sql.user_routing import apply_routing, read_routing, routing_of
from gateway.clock import utcnow
from gateway.errors import Conflict, ErrorCode, NotFound
from gateway.maildir import maildir_variant
from gateway.model import NewUser, User, UserChanges, UserRouting

USER_COLUMNS = {
    "name": "name",
    "language": "language",
    "quota": "quota",
    "transport": "transport",
    "employee_id": "employeeid",
}


def user_from_row(row: Row[Any], forwardings: tuple[str, ...] = ()) -> User:
    return User(
        email=row.username,
        domain=row.domain,
        name=row.name or "",
        language=row.language or "",
        quota=int(row.quota or 0),
        transport=row.transport or "",
        active=bool(row.active),
        is_admin=bool(row.isadmin),
        is_global_admin=bool(row.isglobaladmin),
        employee_id=row.employeeid or "",
        maildir=row.maildir or "",
        created=row.created,
        modified=row.modified,
        password_last_change=row.passwordlastchange,
        forwardings=forwardings,
    )


async def fetch_user(conn: AsyncConnection, email: str, *, lock: bool = False, forwardings: bool = True) -> User | None:
    """The user ``email``; without ``forwardings`` its ``forwardings`` are left empty (one query less)."""
    row = await row_by_key(conn, t.mailbox.c.username, email, lock=lock)
    if row is None:
        return None
    targets = (await user_forwardings(conn, [email])).get(email, ()) if forwardings else ()
    return user_from_row(row, targets)


async def fetch_routed_user(conn: AsyncConnection, email: str) -> tuple[User, UserRouting] | None:
    row = await row_by_key(conn, t.mailbox.c.username, email)
    if row is None:
        return None
    routing, forwardings = (await routing_of(conn, [row]))[row.username]
    return user_from_row(row, forwardings), routing


async def user_forwardings(conn: AsyncConnection, emails: list[str]) -> dict[str, tuple[str, ...]]:
    """Forwarding targets of each user, the self row included (it keeps a local copy)."""
    return await targets_of(conn, emails, t.forwardings.c.is_forwarding)


async def fetch_users(conn: AsyncConnection, domain: str, *, active: bool | None = None) -> list[User]:
    query = select(t.mailbox).where(t.mailbox.c.domain == domain).order_by(t.mailbox.c.username)
    if active is not None:
        query = query.where(t.mailbox.c.active == int(active))
    return [user_from_row(*found) for found in await with_targets(conn, query, *USER_TARGETS)]


def _unused_maildir(user: NewUser, deleted: Collection[str]) -> str:
    """The user's maildir, or a variant of it while a deleted mailbox (one of ``deleted``) still names it."""
    root = f"{user.storage_base_directory}/{user.storage_node}/"
    used = {path.lower() for path in deleted}
    maildir, attempt = user.maildir, 1
    while (root + maildir).lower() in used:
        attempt += 1
        maildir = maildir_variant(user.maildir, attempt)
    return maildir


async def insert_users(conn: AsyncConnection, users: Sequence[NewUser]) -> None:
    """Each user's mailbox row plus its own forwardings row (storage reference 3.3), in a few statements.

    The maildir never repeats the path of a deleted mailbox still on disk.
    """
    now = utcnow()
    deleted: dict[str, list[str]] = {}
    rows = await conn.execute(
        select(t.deleted_mailboxes.c.username, t.deleted_mailboxes.c.maildir).where(
            t.deleted_mailboxes.c.username.in_([user.email for user in users])
        )
    )
    for row in rows:
        deleted.setdefault(str(row.username), []).append(str(row.maildir))
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for user in users:
        values = {
            "username": user.email,
            "domain": user.domain,
            "password": user.password_hash,
            "name": user.name,
            "employeeid": user.employee_id,
            "language": user.language,
            "quota": user.quota,
            "transport": user.transport,
            "storagebasedirectory": user.storage_base_directory,
            "storagenode": user.storage_node,
            "maildir": _unused_maildir(user, deleted.get(user.email, ())),
            "mailboxformat": "maildir",
            "mailboxfolder": "Maildir",
            "passwordlastchange": now,
            "created": now,
            "active": 1,
            **{f"enable{service}": 0 for service in user.disabled_services},
        }
        by_columns.setdefault(tuple(values), []).append(values)
    for same in by_columns.values():
        await conn.execute(insert(t.mailbox), same)
    own = [
        {"address": user.email, "forwarding": user.email, "domain": user.domain, "dest_domain": user.domain,
         "is_forwarding": 1, "active": 1}
        for user in users
    ]  # fmt: skip
    await conn.execute(insert(t.forwardings), own)


async def insert_user(conn: AsyncConnection, user: NewUser) -> None:
    """One user's rows, as ``insert_users`` writes them."""
    await insert_users(conn, [user])


def _mailbox_values(changes: UserChanges) -> dict[str, Any]:
    values: dict[str, Any] = {
        column: getattr(changes, name) for name, column in USER_COLUMNS.items() if getattr(changes, name) is not None
    }
    if changes.active is not None:
        values["active"] = int(changes.active)
    if changes.password_hash is not None:
        values["password"] = changes.password_hash
        values["passwordlastchange"] = utcnow()
    return values


def _forwardings_of(users: list[str] | Select[Any], active: bool) -> Any:
    """The forwardings rows whose state follows the users': their own and those naming them
    (alias memberships, other users' forwardings), as the panel's profile form switches them.

    Re-enabling leaves alone the rows of disabled aliases and of disabled users forwarding to them.
    """
    f = t.forwardings
    naming_user: Any = f.c.forwarding.in_(users)
    if active:
        disabled_aliases = select(t.alias.c.address).where(t.alias.c.active == 0)
        disabled_users = select(t.mailbox.c.username).where(t.mailbox.c.active == 0)
        naming_user = and_(
            naming_user,
            not_(and_(f.c.is_list == 1, f.c.address.in_(disabled_aliases))),
            f.c.address.not_in(disabled_users),
        )
    return or_(f.c.address.in_(users), naming_user)


async def update_user_row(conn: AsyncConnection, email: str, changes: UserChanges) -> None:
    values = _mailbox_values(changes)
    if not values:
        return
    values["modified"] = utcnow()
    await conn.execute(update(t.mailbox).where(t.mailbox.c.username == email).values(**values))
    if changes.active is not None:
        await conn.execute(
            update(t.forwardings).where(_forwardings_of([email], changes.active)).values(active=int(changes.active))
        )


async def update_domain_users(
    conn: AsyncConnection, domain: str, changes: UserChanges, *, skip: Collection[str] = ()
) -> int:
    """Apply one change set to every user of ``domain`` but ``skip``, in a fixed number of statements.

    A status change switches the same forwardings rows as for one user.
    """
    values = _mailbox_values(changes)
    if not values:
        return 0
    values["modified"] = utcnow()
    m = t.mailbox
    chosen = [m.c.domain == domain, *([m.c.username.not_in(list(skip))] if skip else [])]
    result = await conn.execute(update(m).where(*chosen).values(**values))
    if changes.active is not None:
        users = select(m.c.username).where(*chosen)
        await conn.execute(
            update(t.forwardings).where(_forwardings_of(users, changes.active)).values(active=int(changes.active))
        )
    return int(result.rowcount or 0)


async def set_passwords(conn: AsyncConnection, hashes: Mapping[str, str]) -> None:
    """One executemany UPDATE setting each user's own hash."""
    if not hashes:
        return
    now = utcnow()
    statement = (
        update(t.mailbox)
        .where(t.mailbox.c.username == bindparam("b_username"))
        .values(password=bindparam("b_password"), passwordlastchange=now, modified=now)
    )
    await conn.execute(statement, [{"b_username": u, "b_password": h} for u, h in hashes.items()])


async def delete_user_rows(conn: AsyncConnection, email: str, *, admin: str, delete_date: date | None) -> None:
    """Remove a user and the rows naming it (storage reference 3.3)."""
    await conn.execute(record_deleted_mailboxes(t.mailbox.c.username == email, admin=admin, delete_date=delete_date))
    for table in (t.mailbox, t.domain_admins, t.used_quota):
        await conn.execute(delete(table).where(table.c.username == email))
    for table in (t.recipient_bcc_user, t.sender_bcc_user):  # the user's own BCC, and others' BCC to it
        await conn.execute(delete(table).where(or_(table.c.username == email, table.c.bcc_address == email)))
    for table in (t.recipient_bcc_domain, t.sender_bcc_domain):
        await conn.execute(delete(table).where(table.c.bcc_address == email))
    await conn.execute(
        delete(t.forwardings).where(or_(t.forwardings.c.address == email, t.forwardings.c.forwarding == email))
    )
    await conn.execute(delete(t.moderators).where(t.moderators.c.moderator == email))
    await conn.execute(delete(t.sender_relayhost).where(t.sender_relayhost.c.account == email))


class SqlUsers(SqlPort):
    """The ``UserStore`` over ``vmail``: writes hold the user's domain row."""

    async def get_user(self, email: str) -> User | None:
        return await read(self, fetch_user, email)

    async def get_routed_user(self, email: str) -> tuple[User, UserRouting] | None:
        return await read(self, fetch_routed_user, email)

    async def list_users(self, domain: str, *, active: bool | None = None) -> list[User]:
        return await read(self, fetch_users, domain, active=active)

    async def user_emails(self, domain: str) -> list[str]:
        async with self.reading() as conn:
            rows = await conn.execute(
                select(t.mailbox.c.username).where(t.mailbox.c.domain == domain).order_by(t.mailbox.c.username)
            )
            return list(rows.scalars())

    @retried
    async def create_user(self, user: NewUser, check: UserCheck, bound: AdminBound | None = None) -> None:
        async with self.writing() as conn, new_account(conn, bound, user.domain, user.email) as (domain, usage):
            check(domain, usage, None)
            await insert_user(conn, user)

    @retried
    async def create_users(self, users: Sequence[tuple[NewUser, UserCheck]]) -> None:
        if not users:
            return
        domain_name = users[0][0].domain
        async with self.writing() as conn:
            domain = await locked_domain(conn, domain_name)
            if await addresses_taken(conn, [user.email for user, _ in users]):
                raise Conflict(ErrorCode.ALREADY_EXISTS)
            usage = (await domain_usage(conn, [domain_name]))[domain_name]
            for user, check in users:
                check(domain, usage, None)
                usage = replace(usage, users=usage.users + 1, allocated_quota=usage.allocated_quota + user.quota)
            await insert_users(conn, [user for user, _ in users])

    @retried
    async def update_user(
        self, email: str, domain_name: str, changes: UserChanges, check: UserCheck, bound: AdminBound | None = None
    ) -> None:
        async with self.writing() as conn:
            await lock_admin(conn, bound)
            domain, usage = await locked_domain_usage(conn, domain_name)
            # a check weighs the stored quota; the routing change reads the forwardings itself
            current = await fetch_user(conn, email, lock=True, forwardings=False)
            if current is None:
                raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
            check(domain, usage, current)
            await update_user_row(conn, email, changes)
            await apply_routing(conn, email, changes.routing)
            if changes.is_global_admin is not None:
                await set_user_global(conn, email, changes.is_global_admin)
            await check_admin(conn, bound)

    @retried
    async def update_domain_users(self, domain: str, changes: UserChanges, *, skip: Collection[str] = ()) -> int:
        async with self.writing() as conn:
            await locked_domain(conn, domain)
            return await update_domain_users(conn, domain, changes, skip=skip)

    @retried
    async def set_passwords(self, domain: str, hashes: Mapping[str, str]) -> None:
        async with self.writing() as conn:
            await locked_domain(conn, domain)
            await set_passwords(conn, hashes)

    @retried
    async def delete_user(self, email: str, *, admin: str, delete_date: date | None) -> None:
        async with self.writing() as conn:
            mailbox = select(t.mailbox.c.username).where(t.mailbox.c.username == email).with_for_update()
            if (await conn.execute(mailbox)).first() is None:
                raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
            await delete_user_rows(conn, email, admin=admin, delete_date=delete_date)

    async def user_routing(self, emails: Collection[str]) -> dict[str, UserRouting]:
        return await read(self, read_routing, emails)
