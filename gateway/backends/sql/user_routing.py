"""A user's routing in ``vmail`` (storage reference 2): its ``forwardings`` rows (``is_forwarding=1`` for its
targets, ``is_alias=1`` for its per-user aliases), ``sender_bcc_user`` / ``recipient_bcc_user`` and the
``mailbox`` columns of its services and profile."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Row, String, Table, and_, delete, insert, literal, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.existence import addresses_taken
from gateway.backends.sql.rows import row_by_key
from gateway.clock import utcnow
from gateway.errors import Conflict, ErrorCode, NotFound, NotSupported
from gateway.model import UserRouting, UserRoutingUpdate

# services iRedAdmin-Pro sets on SQL: enable<name> columns of 0/1, and SOGo's 'y'/'n' ones; others are ignored
FLAG_SERVICES = (
    "smtp", "smtpsecured", "pop3", "pop3secured", "pop3tls", "imap", "imapsecured", "imaptls",
    "managesieve", "managesievesecured", "deliver", "sogo",
)  # fmt: skip
CHAR_SERVICES = ("sogowebmail", "sogocalendar", "sogoactivesync")
# UserRouting field -> mailbox column
PROFILE_COLUMNS = {
    "mailbox_format": "mailboxformat",
    "mailbox_folder": "mailboxfolder",
    "first_name": "first_name",
    "last_name": "last_name",
}


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[1]


def _home(row: Any) -> str:
    parts = [str(row.storagebasedirectory or "").rstrip("/"), str(row.storagenode or "").strip("/"),
             str(row.maildir or "").strip("/")]  # fmt: skip
    return ("/".join(part for part in parts if part) + "/").lower()


def _services(row: Any) -> tuple[str, ...]:
    on = [name for name in FLAG_SERVICES if getattr(row, f"enable{name}")]
    on += [name for name in CHAR_SERVICES if str(getattr(row, f"enable{name}") or "").lower() == "y"]
    return tuple(sorted(on))


async def read_routing(conn: AsyncConnection, emails: Collection[str]) -> dict[str, UserRouting]:
    """The routing of each of ``emails`` that is a mailbox, in a fixed number of queries."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    rows = (await conn.execute(select(t.mailbox).where(t.mailbox.c.username.in_(wanted)))).all()
    return {email: routing for email, (routing, _) in (await routing_of(conn, rows)).items()}


async def routing_of(conn: AsyncConnection, rows: Sequence[Row[Any]]) -> dict[str, tuple[UserRouting, tuple[str, ...]]]:
    """The routing of each of the ``mailbox`` rows, with its forwarding targets in the database's order:
    two queries whatever the number of rows."""
    fields: dict[str, dict[str, Any]] = {}
    for row in rows:
        fields[row.username] = {
            "forwardings": [], "aliases": [], "services": _services(row), "maildir": _home(row),
            **{name: str(getattr(row, column) or "") for name, column in PROFILE_COLUMNS.items()},
        }  # fmt: skip
    present = list(fields)
    if not present:
        return {}
    f = t.forwardings
    # a user's targets (is_forwarding) and its per-user aliases (is_alias) in one query
    linked = (
        select(f.c.address, f.c.forwarding, f.c.is_forwarding, f.c.is_alias)
        .where(or_(and_(f.c.address.in_(present), f.c.is_forwarding == 1),
                   and_(f.c.forwarding.in_(present), f.c.is_alias == 1)))
        .order_by(f.c.address, f.c.forwarding)
    )  # fmt: skip
    for link in await conn.execute(linked):
        if link.is_forwarding == 1 and link.address in fields:
            fields[link.address]["forwardings"].append(link.forwarding)
        if link.is_alias == 1 and link.forwarding in fields:
            fields[link.forwarding]["aliases"].append(link.address)
    sender, recipient = t.sender_bcc_user, t.recipient_bcc_user
    bcc = union_all(
        select(literal("sender_bcc", String).label("kind"), sender.c.username, sender.c.bcc_address)
        .where(sender.c.username.in_(present)),
        select(literal("recipient_bcc", String), recipient.c.username, recipient.c.bcc_address)
        .where(recipient.c.username.in_(present)),
    )  # fmt: skip
    for copy in await conn.execute(bcc):
        fields[copy.username][copy.kind] = copy.bcc_address
    return {
        email: (
            UserRouting(**{**values, "forwardings": tuple(sorted(values["forwardings"])),
                           "aliases": tuple(sorted(values["aliases"]))}),
            tuple(values["forwardings"]),
        )
        for email, values in fields.items()
    }  # fmt: skip


async def _set_bcc(conn: AsyncConnection, table: Table, email: str, address: str) -> None:
    await conn.execute(delete(table).where(table.c.username == email))
    if address:
        row = {"username": email, "bcc_address": address, "domain": _domain(email), "created": utcnow(), "active": 1}
        await conn.execute(insert(table).values(**row))


def _split_home(path: str, row: Any) -> dict[str, str]:
    """``storagebasedirectory``, ``storagenode`` and ``maildir`` whose concatenation Dovecot reads as the home:
    the user's current base and node when the path lies below them, else its first two levels."""
    base, node = str(row.storagebasedirectory or "").rstrip("/"), str(row.storagenode or "").strip("/")
    prefix = f"{base}/{node}/".lower()
    if base and node and path.startswith(prefix) and len(path) > len(prefix):
        return {"storagebasedirectory": base, "storagenode": node, "maildir": path[len(prefix) :]}
    first, second, rest = path.strip("/").split("/", 2)
    return {"storagebasedirectory": f"/{first}", "storagenode": second, "maildir": rest + "/"}


async def _set_forwardings(conn: AsyncConnection, email: str, targets: tuple[str, ...], active: int) -> None:
    f = t.forwardings
    await conn.execute(delete(f).where(f.c.address == email, f.c.is_forwarding == 1))
    rows = [
        {"address": email, "forwarding": target, "domain": _domain(email), "dest_domain": _domain(target),
         "is_forwarding": 1, "active": active}
        for target in targets or (email,)
    ]  # fmt: skip
    await conn.execute(insert(f), rows)


async def _set_aliases(
    conn: AsyncConnection, email: str, current: tuple[str, ...], wanted: tuple[str, ...], active: int
) -> None:
    added = sorted(set(wanted) - set(current))
    removed = sorted(set(current) - set(wanted))
    f = t.forwardings
    if removed:
        await conn.execute(delete(f).where(f.c.address.in_(removed), f.c.forwarding == email, f.c.is_alias == 1))
    if not added:
        return
    if await addresses_taken(conn, added):
        raise Conflict(ErrorCode.ALREADY_EXISTS, "an alias address is taken")
    rows = [
        {"address": alias, "forwarding": email, "domain": _domain(alias), "dest_domain": _domain(email),
         "is_alias": 1, "active": active}
        for alias in added
    ]  # fmt: skip
    await conn.execute(insert(f), rows)


def _service_values(current: UserRouting, wanted: UserRouting) -> dict[str, Any]:
    on = set(wanted.services)
    if on == set(current.services):
        return {}
    values: dict[str, Any] = {f"enable{name}": int(name in on) for name in FLAG_SERVICES}
    values.update({f"enable{name}": "y" if name in on else "n" for name in CHAR_SERVICES})
    return values


async def write_routing(
    conn: AsyncConnection, email: str, row: Row[Any], current: UserRouting, wanted: UserRouting
) -> None:
    """Turn the stored ``current`` routing of mailbox ``email`` (its ``mailbox`` row ``row``) into ``wanted``."""
    if wanted.telephone != current.telephone or wanted.mobile != current.mobile:
        raise NotSupported(ErrorCode.NOT_SUPPORTED, "telephoneNumber and mobile are kept on LDAP only")
    m = t.mailbox
    active = int(row.active)
    if wanted.forwardings != current.forwardings:
        await _set_forwardings(conn, email, wanted.forwardings, active)
    if wanted.aliases != current.aliases:
        await _set_aliases(conn, email, current.aliases, wanted.aliases, active)
    if wanted.sender_bcc != current.sender_bcc:
        await _set_bcc(conn, t.sender_bcc_user, email, wanted.sender_bcc)
    if wanted.recipient_bcc != current.recipient_bcc:
        await _set_bcc(conn, t.recipient_bcc_user, email, wanted.recipient_bcc)
    values = _service_values(current, wanted)
    values.update({
        column: getattr(wanted, name) for name, column in PROFILE_COLUMNS.items()
        if getattr(wanted, name) != getattr(current, name)
    })  # fmt: skip
    if wanted.maildir != current.maildir:
        values.update(_split_home(wanted.maildir, row))
    if values:
        await conn.execute(update(m).where(m.c.username == email).values(**values, modified=utcnow()))


async def apply_routing(conn: AsyncConnection, email: str, update_routing: UserRoutingUpdate | None) -> None:
    """Apply the routing update of a user's changes, if any, to what the mailbox ``email`` holds."""
    if update_routing is None:
        return
    row = await row_by_key(conn, t.mailbox.c.username, email)
    if row is None:
        raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
    current, _ = (await routing_of(conn, [row]))[row.username]
    await write_routing(conn, email, row, current, update_routing(current))
