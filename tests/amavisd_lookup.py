"""Amavisd's own SQL lookups, as iRedMail configures them, run against what the gateway wrote.

iRedMail's amavisd.conf sets ``@lookup_sql_dsn = @storage_sql_dsn`` and
``@local_domains_maps = 1`` and leaves ``$sql_select_policy`` and
``$sql_select_white_black_list`` at Amavisd's defaults (below). Amavisd
replaces ``%k`` with one placeholder per lookup key, binds the keys as
octets (``$sql_allow_8bit_address = 1``) and, for each setting, takes the
first non-NULL value of the rows in the order the query returns them
(README.lookups; M. Martinec, amavis-user msg15811).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

SQL_SELECT_POLICY = (
    "SELECT *, users.id FROM users LEFT JOIN policy ON users.policy_id=policy.id"
    " WHERE users.email IN (%k) ORDER BY users.priority DESC"
)
SQL_SELECT_WHITE_BLACK_LIST = (
    "SELECT wb FROM wblist JOIN mailaddr ON wblist.sid=mailaddr.id"
    " WHERE wblist.rid=? AND mailaddr.email IN (%k) ORDER BY mailaddr.priority DESC"
)


def lookup_keys(address: str) -> list[str]:
    """Amavisd's SQL lookup keys of an address in a local domain: address, local part, @domain, @.parents, @."""
    local, _, domain = address.lower().rpartition("@")
    keys = [address.lower()] if local else []
    if local:
        keys.append(local)
    keys.append(f"@{domain}")
    labels = domain.split(".")
    keys += [f"@.{'.'.join(labels[index:])}" for index in range(len(labels))]
    keys.append("@.")
    return keys


def _bound(query: str, keys: list[str], **fixed: Any) -> tuple[str, dict[str, Any]]:
    names = [f"k{index}" for index in range(len(keys))]
    params: dict[str, Any] = {name: key.encode() for name, key in zip(names, keys, strict=True)}
    params.update(fixed)
    sql = query.replace("%k", ", ".join(f":{name}" for name in names)).replace("?", ":rid")
    return sql, params


async def policy_rows(engine: AsyncEngine, recipient: str) -> list[dict[str, Any]]:
    """The rows ``$sql_select_policy`` returns for ``recipient``, in Amavisd's order."""
    sql, params = _bound(SQL_SELECT_POLICY, lookup_keys(recipient))
    async with engine.connect() as conn:
        result = await conn.execute(text(sql), params)
        names = list(result.keys())
        # like DBI's fetchrow_hashref: of two columns named alike the last wins (users.id over policy.id)
        return [dict(zip(names, row, strict=True)) for row in result]


async def effective_policy(engine: AsyncEngine, recipient: str) -> dict[str, Any]:
    """Each policy setting as Amavisd applies it to ``recipient``: the first non-NULL value; absent = amavisd.conf."""
    settings: dict[str, Any] = {}
    for row in await policy_rows(engine, recipient):
        for name, value in row.items():
            if name not in settings and value is not None:
                settings[name] = value
    return settings


async def wblist_verdict(engine: AsyncEngine, recipient: str, sender: str) -> str | None:
    """'W', 'B' or None: the first answer of ``$sql_select_white_black_list`` over the recipient's rows."""
    for row in await policy_rows(engine, recipient):
        sql, params = _bound(SQL_SELECT_WHITE_BLACK_LIST, lookup_keys(sender), rid=row["id"])
        async with engine.connect() as conn:
            found = (await conn.execute(text(sql), params)).first()
        if found is not None:
            return str(found.wb).strip()
    return None
