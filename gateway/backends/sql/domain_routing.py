"""A domain's routing in ``vmail``: ``alias_domain``, the catch-all ``forwardings`` rows, ``sender_relayhost``,
the domain BCC tables and the lists in ``domain.settings`` (storage reference 3)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Table, delete, insert, select, union, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.backends.sql.settings_column import format_settings, parse_settings
from gateway.clock import utcnow
from gateway.errors import Conflict, ErrorCode
from gateway.model import Destination, DomainRouting

# DomainRouting field -> key of a comma list in domain.settings
SETTING_LISTS = {
    "services": "enabled_services",
    "disabled_domain_profiles": "disabled_domain_profiles",
    "disabled_user_profiles": "disabled_user_profiles",
    "disabled_user_preferences": "disabled_user_preferences",
}


def _split(value: str) -> tuple[str, ...]:
    return tuple(sorted({part.strip() for part in value.split(",") if part.strip()}))


def _relay_account(name: str) -> str:
    return f"@{name}"


async def read_routing(conn: AsyncConnection, names: Collection[str]) -> dict[str, DomainRouting]:
    """The routing of each of ``names`` that is a domain, in a fixed number of queries."""
    wanted = list(names)
    if not wanted:
        return {}
    fields: dict[str, dict[str, Any]] = {}
    for row in await conn.execute(select(t.domain.c.domain, t.domain.c.settings).where(t.domain.c.domain.in_(wanted))):
        settings = parse_settings(row.settings)
        fields[row.domain] = {
            name: _split(settings.get(key, "")) for name, key in SETTING_LISTS.items()
        } | {"alias_domains": [], "catchall": []}
    if not fields:
        return {}
    present = list(fields)
    a = t.alias_domain
    for row in await conn.execute(select(a.c.alias_domain, a.c.target_domain).where(a.c.target_domain.in_(present))):
        fields[row.target_domain]["alias_domains"].append(row.alias_domain)
    f = t.forwardings
    catchall = select(f.c.address, f.c.forwarding).where(f.c.address.in_(present), f.c.domain == f.c.address)
    for row in await conn.execute(catchall):
        fields[row.address]["catchall"].append(row.forwarding)
    r = t.sender_relayhost
    accounts = {_relay_account(name): name for name in present}
    for row in await conn.execute(select(r.c.account, r.c.relayhost).where(r.c.account.in_(list(accounts)))):
        fields[accounts[row.account]]["relayhost"] = row.relayhost
    for table, key in ((t.sender_bcc_domain, "sender_bcc"), (t.recipient_bcc_domain, "recipient_bcc")):
        for row in await conn.execute(select(table.c.domain, table.c.bcc_address).where(table.c.domain.in_(present))):
            fields[row.domain][key] = row.bcc_address
    return {
        name: DomainRouting(
            **{**values, "alias_domains": tuple(sorted(values["alias_domains"])),
               "catchall": tuple(sorted(values["catchall"]))}
        )
        for name, values in fields.items()
    }  # fmt: skip


async def _refuse_hosted(conn: AsyncConnection, names: Collection[str]) -> None:
    """``ALIAS_DOMAIN_EXISTS`` when any of ``names`` is a domain or an alias domain already."""
    if not names:
        return
    wanted = list(names)
    hosted = select(t.domain.c.domain).where(t.domain.c.domain.in_(wanted)).union_all(
        select(t.alias_domain.c.alias_domain).where(t.alias_domain.c.alias_domain.in_(wanted))
    )
    found = (await conn.execute(hosted)).first()
    if found is not None:
        raise Conflict(ErrorCode.ALIAS_DOMAIN_EXISTS, f"{found[0]} is hosted here already")


async def _set_bcc(conn: AsyncConnection, table: Table, name: str, address: str) -> None:
    await conn.execute(delete(table).where(table.c.domain == name))
    if address:
        await conn.execute(insert(table).values(domain=name, bcc_address=address, created=utcnow(), active=1))


async def write_routing(conn: AsyncConnection, name: str, current: DomainRouting, wanted: DomainRouting) -> None:
    """Turn the stored ``current`` routing of domain ``name`` into ``wanted``."""
    now = utcnow()
    added = sorted(set(wanted.alias_domains) - set(current.alias_domains))
    removed = sorted(set(current.alias_domains) - set(wanted.alias_domains))
    await _refuse_hosted(conn, added)
    a = t.alias_domain
    if removed:
        await conn.execute(delete(a).where(a.c.alias_domain.in_(removed), a.c.target_domain == name))
    if added:
        rows = [{"alias_domain": alias, "target_domain": name, "created": now, "active": 1} for alias in added]
        await conn.execute(insert(a), rows)
    if wanted.catchall != current.catchall:
        f = t.forwardings
        await conn.execute(delete(f).where(f.c.address == name, f.c.domain == name))
        if wanted.catchall:
            rows = [
                {"address": name, "forwarding": target, "domain": name, "dest_domain": target.rsplit("@", 1)[1],
                 "active": 1}
                for target in wanted.catchall
            ]  # fmt: skip
            await conn.execute(insert(f), rows)
    if wanted.relayhost != current.relayhost:
        r = t.sender_relayhost
        await conn.execute(delete(r).where(r.c.account == _relay_account(name)))
        if wanted.relayhost:
            await conn.execute(insert(r).values(account=_relay_account(name), relayhost=wanted.relayhost))
    if wanted.sender_bcc != current.sender_bcc:
        await _set_bcc(conn, t.sender_bcc_domain, name, wanted.sender_bcc)
    if wanted.recipient_bcc != current.recipient_bcc:
        await _set_bcc(conn, t.recipient_bcc_domain, name, wanted.recipient_bcc)
    if any(getattr(wanted, field) != getattr(current, field) for field in SETTING_LISTS):
        settings = (await conn.execute(select(t.domain.c.settings).where(t.domain.c.domain == name))).scalar()
        merged: dict[str, Any] = dict(parse_settings(settings))
        merged.update({key: getattr(wanted, field) for field, key in SETTING_LISTS.items()})
        d = t.domain
        await conn.execute(update(d).where(d.c.domain == name).values(settings=format_settings(merged), modified=now))


async def destinations(conn: AsyncConnection, emails: Collection[str]) -> dict[str, Destination]:
    """Where each hosted address of ``emails`` lands: mailbox, alias, mlmmj list or per-user alias."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    domains = sorted({email.rsplit("@", 1)[1] for email in wanted})
    primary = {
        row[0]: row[0] for row in await conn.execute(select(t.domain.c.domain).where(t.domain.c.domain.in_(domains)))
    }
    a = t.alias_domain
    for row in await conn.execute(select(a.c.alias_domain, a.c.target_domain).where(a.c.alias_domain.in_(domains))):
        primary[row.alias_domain] = row.target_domain
    resolved = Destination.in_primary_domains(wanted, primary)
    if not resolved:
        return {}
    targets = sorted(set(resolved.values()))
    f = t.forwardings
    answering = union(
        select(t.mailbox.c.username).where(t.mailbox.c.username.in_(targets)),
        select(t.alias.c.address).where(t.alias.c.address.in_(targets)),
        select(t.maillists.c.address).where(t.maillists.c.address.in_(targets)),
        select(f.c.address).where(f.c.address.in_(targets)),
    )
    return Destination.of(resolved, {row[0] for row in await conn.execute(answering)})
